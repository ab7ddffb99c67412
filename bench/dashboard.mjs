// The dashboard's reads at scale (issue 12): 1,000,000 jobs (bench/lib/seed.mjs, a year of history) with
// an attempt each and every title in the search index, then each filter, search, page and panel under
// wrk -t1 -c1 (one client, back to back): p50/p99/max against the target p99 < 50 ms. The service runs
// from a snapshot of dist/ (npm run build first).
//
//   node bench/dashboard.mjs [--quick] [--rows=1000000] [--duration=5]
import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  BENCH,
  QUICK,
  mb,
  num,
  openSqlite,
  option,
  printHeader,
  rssKb,
  runMain,
  runWrk,
  sleep,
  startOurs,
  tempDir,
  layout,
  wallMs,
  http,
} from './lib/common.mjs';
import { seedOurs } from './lib/seed.mjs';

const ROWS = Number(option('rows', QUICK ? 100_000 : 1_000_000));
const DURATION = Number(option('duration', QUICK ? 1 : 5));
const TARGET_MS = 50;

/** Each read of the dashboard; JOB and CURSOR are filled in once the rows exist. */
const READS = [
  ['newest page (the jobs table)', '/jobs?limit=50'],
  ['status: failed (5%)', '/jobs?status=failed'],
  ['status: queued (none)', '/jobs?status=queued'],
  ['source: manual (2%)', '/jobs?source=manual'],
  ['source: sonarr (68%)', '/jobs?source=sonarr'],
  ['mapping: /movies (30%)', '/jobs?mapping=%2Fmovies'],
  ['status + source: failed manual (0.1%)', '/jobs?status=failed&source=manual'],
  ['status + source + mapping: failed manual /tv', '/jobs?status=failed&source=manual&mapping=%2Ftv'],
  ['status + mapping: queued /movies (none)', '/jobs?status=queued&mapping=%2Fmovies'],
  ['search: a rare title ("Movie 123456 (")', '/jobs?q=Movie%20123456%20('],
  ['search: an episode code and show ("Show 4321 (2020) - S04")', '/jobs?q=Show%204321%20(2020)%20-%20S04'],
  ['search: a common word ("episode")', '/jobs?q=episode'],
  ['search: no match ("zzzq")', '/jobs?q=zzzq'],
  ['search + filter: "movie", failed', '/jobs?q=movie&status=failed'],
  ['search + filters: "show", failed manual (budget)', '/jobs?q=show&status=failed&source=manual'],
  ['deep page: cursor in the middle', '/jobs?limit=50&cursor=CURSOR'],
  ['deep page: failed, cursor in the middle', '/jobs?status=failed&cursor=CURSOR'],
  ['one job with attempts and deliveries', '/jobs/JOB'],
  ['Now panel (GET /queue)', '/queue'],
  ['history, 30 days (GET /history)', '/history'],
  ['health panel (GET /health/details)', '/health/details'],
];

/**
 * What migration 013 adds, for the seeded rows: one attempt per job (its final outcome) and a reason code
 * on the failures, every title in the search index. In one transaction on the stopped service's file.
 */
async function seedDashboardTables(dbPath) {
  const db = await openSqlite(dbPath, { readonly: false });
  const t0 = wallMs();
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.transaction(() => {
    db.exec(`UPDATE jobs SET error_reason = CASE
      WHEN error LIKE '%missing%' THEN 'source_missing'
      WHEN error LIKE '%code 23%' THEN 'rsync_partial' ELSE 'rsync_io' END WHERE status = 'failed'`);
    db.exec(`INSERT INTO attempts (job_id, number, trigger, started_at, finished_at, outcome, rsync_exit_code, error,
      reason, bytes, duration_seconds)
      SELECT id, 1, 'webhook', started_at, finished_at, status, CASE status WHEN 'success' THEN 0 ELSE 23 END,
      error, error_reason, bytes_transferred, duration_seconds FROM jobs`);
    db.exec('INSERT INTO job_titles (rowid, title) SELECT id, title FROM jobs');
    db.exec('UPDATE job_titles_state SET indexed_up_to = (SELECT MAX(id) FROM jobs)');
  })();
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const out = {
    attempts: db.prepare('SELECT COUNT(*) FROM attempts').pluck().get(),
    mid: db.prepare('SELECT MAX(id) / 2 FROM jobs').pluck().get(),
    took: (wallMs() - t0) / 1000,
  };
  db.close();
  return out;
}

async function main() {
  printHeader('dashboard reads at scale (issue 12)');
  const dir = join(tempDir('dashboard'), 'ours');
  const first = await startOurs(dir);
  await first.stop();
  const l = layout(dir);
  const seeded = await seedOurs(l.dbPath, ROWS, l);
  const extra = await seedDashboardTables(l.dbPath);
  const svc = await startOurs(dir);
  await sleep(1000);
  console.log(
    `== ${ROWS.toLocaleString('en')} jobs seeded in ${seeded.took.toFixed(1)} s (${seeded.failed} failed), ` +
      `${extra.attempts.toLocaleString('en')} attempts and the title index in ${extra.took.toFixed(1)} s; ` +
      `database ${(statSync(l.dbPath).size / 2 ** 20).toFixed(0)} MB; start->healthy ${svc.startMs.toFixed(0)} ms; ` +
      `RSS ${num(mb(rssKb(svc.pid)))} MB`,
  );
  console.log(`== each read: wrk -t1 -c1 -d${DURATION}s (one client, back to back)\n`);

  const rows = [];
  for (const [what, template] of READS) {
    const path = template.replace('CURSOR', String(extra.mid)).replace('JOB', String(extra.mid));
    const one = await http('GET', `${svc.url}${path}`);
    if (one.status !== 200) throw new Error(`GET ${path} answered ${one.status}: ${one.text.slice(0, 300)}`);
    const body = JSON.parse(one.text);
    const r = await runWrk({
      url: `${svc.url}${path}`,
      script: join(BENCH, 'lua', 'request.lua'),
      threads: 1,
      connections: 1,
      durationS: DURATION,
    });
    const shown = Array.isArray(body.jobs) ? `${body.jobs.length} jobs${body.next_cursor ? ' +' : ''}` : '';
    rows.push([what, path, r.p50, r.p99, r.max, r.rps, shown, r.non2xx]);
  }
  await svc.stop();

  const head = ['read', 'p50 ms', 'p99 ms', 'max ms', 'req/s', 'answer', `p99 < ${TARGET_MS} ms`];
  const table = rows.map(([what, , p50, p99, max, rps, shown, non2xx]) => [
    what,
    num(p50, 2),
    num(p99, 2),
    num(max, 2),
    num(rps, 0),
    shown,
    (p99 < TARGET_MS ? 'MET' : `MISSED (by ${(((p99 - TARGET_MS) / TARGET_MS) * 100).toFixed(0)}%)`) +
      (non2xx ? ` (${non2xx} non-2xx!)` : ''),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => String(r[i]).length)));
  const line = (r) =>
    r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(head));
  for (const r of table) console.log(line(r));
  console.log('\npaths:');
  for (const [what, path] of rows) console.log(`  ${what}: GET ${path}`);
}

if (process.argv[1]?.endsWith('dashboard.mjs')) runMain(main);
