// Benchmark 5, memory and start: RSS idle (after 20 s), then while GET /metrics is read every second,
// right after a webhook burst (the burst benchmark's wrk run), and after the history reads at 1M rows;
// and the time from starting the process to the first 200 from /health (polled every 5 ms), 10
// starts: `node dist/main.js` (what `npm start` runs) and a few through `npm start` itself. The peer
// the same way (its run.sh: gunicorn, 1 worker; RSS of the worker, the master beside it).
//
//   node bench/memory.mjs [--quick] [--no-peer] [--starts=10] [--rows=1000000]
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import {
  BENCH,
  QUICK,
  REPO,
  childrenOf,
  freePort,
  http,
  mb,
  option,
  over,
  peerAvailable,
  printHeader,
  rssKb,
  runMain,
  runWrk,
  sleep,
  startOurs,
  startPeer,
  summary,
  table,
  tempDir,
  waitHealthy,
  wallMs,
  layout,
} from './lib/common.mjs';
import { writeBurstTemplates } from './lib/payloads.mjs';
import { ENDPOINTS, hammer, seededService } from './history.mjs';

const IDLE_S = Number(option('idle', QUICK ? 3 : 20));
const STARTS = Number(option('starts', QUICK ? 3 : 10));
const NPM_STARTS = Number(option('npm-starts', QUICK ? 1 : 3));
const ROWS = Number(option('rows', QUICK ? 10000 : 1000000));
const BURST_S = Number(option('duration', QUICK ? 3 : 10));

async function idleAndBurst(kind, dir, templates) {
  const svc =
    kind === 'ours'
      ? await startOurs(dir, { env: { SYNC_DRY_RUN: 'true' } })
      : await startPeer(dir, { env: { SYNC_DRY_RUN: 'true' } });
  const pid = kind === 'ours' ? svc.pid : svc.workerPid();
  const rssStart = rssKb(pid);
  await sleep(IDLE_S * 1000);
  const rssIdle = rssKb(pid);
  const masterIdle = kind === 'peer' ? rssKb(svc.pid) : null;
  // Then as Prometheus keeps it: GET /metrics every second (ours only: the peer has none).
  let rssScraped = null;
  if (kind === 'ours') {
    for (let i = 0; i < IDLE_S; i++) {
      const res = await http('GET', `${svc.url}/metrics`);
      if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}`);
      await sleep(1000);
    }
    rssScraped = rssKb(pid);
  }
  await runWrk({
    url: svc.url,
    script: join(BENCH, 'lua', 'burst.lua'),
    threads: 2,
    connections: 32,
    durationS: BURST_S,
    env: { BENCH_TEMPLATES: templates },
  });
  const rssBurst = rssKb(pid);
  await sleep(5000);
  const rssBurst5 = rssKb(pid);
  await svc.stop();
  return { rssStart, rssIdle, masterIdle, rssScraped, rssBurst, rssBurst5 };
}

async function afterHistory(kind, dir) {
  const { svc } = await seededService(kind, dir, ROWS);
  const pid = kind === 'ours' ? svc.pid : svc.workerPid();
  const before = rssKb(pid);
  for (const [method, path, only] of ENDPOINTS)
    if (!only || only === kind) await hammer(svc, method, path, QUICK ? 1 : 2);
  const after = rssKb(pid);
  await svc.stop();
  return { before, after };
}

/** Start -> first 200 from /health, `runs` times on the same (small) database. */
async function startTimes(kind, dir, runs) {
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const svc = kind === 'ours' ? await startOurs(dir) : await startPeer(dir);
    xs.push(svc.startMs);
    await svc.stop();
    await sleep(300);
  }
  return summary(xs);
}

/** The same through `npm start` in the repository (npm's own start-up included). */
async function npmStartTimes(dir, runs) {
  const l = layout(dir);
  const xs = [];
  for (let i = 0; i < runs; i++) {
    // startOurs once wrote the config and folders; reuse them.
    const port = await freePort();
    const env = {
      ...process.env,
      TZ: 'UTC',
      SYNC_HOST: '127.0.0.1',
      SYNC_PORT: String(port),
      SYNC_DB_PATH: l.dbPath,
      SYNC_LOG_PATH: l.logDir,
      SYNC_CONFIG: l.config,
      SYNC_REQUIRE_MOUNTS: 'false',
      SYNC_DRY_RUN: 'true',
    };
    const fd = openSync(join(l.logDir, 'npm-start.txt'), 'a');
    const t0 = wallMs();
    const child = spawn('npm', ['start', '--silent'], { cwd: REPO, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let exited = false;
    const exit = new Promise((r) =>
      child.once('exit', () => {
        exited = true;
        r();
      }),
    );
    try {
      xs.push(await waitHealthy(`http://127.0.0.1:${port}/health`, { t0, alive: () => !exited }));
    } finally {
      // npm -> sh -> node: stop the node service itself, then npm ends.
      const tree = (pid) => childrenOf(pid).flatMap((c) => [c, ...tree(c)]);
      for (const pid of tree(child.pid).reverse()) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {}
      }
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(t);
    }
    await sleep(300);
  }
  return summary(xs);
}

async function main() {
  printHeader('5. memory and start');
  const work = tempDir('memory');
  const templates = writeBurstTemplates(join(work, 'templates'));
  const withPeer = peerAvailable();

  const oStart = await startTimes('ours', join(work, 'ours-start'), STARTS);
  const oNpm = await npmStartTimes(join(work, 'ours-start'), NPM_STARTS);
  const pStart = withPeer ? await startTimes('peer', join(work, 'peer-start'), STARTS) : null;

  const o = await idleAndBurst('ours', join(work, 'ours-burst'), templates);
  const p = withPeer ? await idleAndBurst('peer', join(work, 'peer-burst'), templates) : null;
  const oh = await afterHistory('ours', join(work, 'ours-history'));
  const ph = withPeer ? await afterHistory('peer', join(work, 'peer-history')) : null;

  table(
    'RSS, MB',
    [
      ['just after start', mb(o.rssStart), mb(p?.rssStart), undefined, 1],
      [
        `idle, ${IDLE_S} s after start`,
        mb(o.rssIdle),
        mb(p?.rssIdle),
        { text: '< 80 MB', ok: (v) => v < 80, by: over(80) },
        1,
      ],
      [
        `idle, then GET /metrics every 1 s for ${IDLE_S} s`,
        mb(o.rssScraped),
        null,
        { text: '< 80 MB', ok: (v) => v < 80, by: over(80) },
        1,
      ],
      [
        `right after a ${BURST_S} s burst (wrk -t2 -c32)`,
        mb(o.rssBurst),
        mb(p?.rssBurst),
        { text: '< 150 MB', ok: (v) => v < 150, by: over(150) },
        1,
      ],
      ['5 s after the burst', mb(o.rssBurst5), mb(p?.rssBurst5), undefined, 1],
      [`${ROWS.toLocaleString('en-US')} rows: after start`, mb(oh.before), mb(ph?.before), undefined, 1],
      [`${ROWS.toLocaleString('en-US')} rows: after the history reads`, mb(oh.after), mb(ph?.after), undefined, 1],
    ],
    { unitNote: `peer: its gunicorn worker; the master adds ${p ? mb(p.masterIdle).toFixed(1) : '-'} MB` },
  );

  table(
    `start -> first 200 from /health, ms (${STARTS} starts, polled every 5 ms, small database)`,
    [
      ['median', oStart.median, pStart?.median, { text: '< 1000 ms', ok: (v) => v < 1000, by: over(1000) }, 0],
      ['max', oStart.max, pStart?.max, undefined, 0],
      ['min', oStart.min, pStart?.min, undefined, 0],
      [
        `through \`npm start\` (${NPM_STARTS} starts), median`,
        oNpm.median,
        null,
        { text: '< 1000 ms', ok: (v) => v < 1000, by: over(1000) },
        0,
      ],
      ['through `npm start`, max', oNpm.max, null, undefined, 0],
    ],
    { unitNote: 'ours: node dist/main.js; peer: run.sh (gunicorn)' },
  );
}

if (process.argv[1]?.endsWith('memory.mjs')) runMain(main);
