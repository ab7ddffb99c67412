// Catch-up pass (issue 15): a pass over 10,000 files in 1,000 movie folders, 20 of them missing at the
// destination, against a bare `rsync -a --dry-run --itemize-changes` of the same trees (the same
// excludes), rounds interleaved, both warm (the trees are read once before the first round). Prints the
// pass's wall time as a client sees it (POST /reconcile until GET /reconcile/<id> says done, polled
// every 5 ms) and as the service recorded it, rsync's, their ratio (target: at most 1.2x), the service's
// peak RSS (VmHWM) before and after the passes and the largest RSS of a process it started (the catch-up's
// child process, or a walk). Then the ack path:
// paced Radarr/Sonarr webhooks (wrk, bench/lua/burst.lua) without a pass and while passes run back to
// back, p99 of each (target: the p99 during passes is less than twice the one without).
//
//   node bench/reconcile.mjs [--quick] [--folders=1000] [--files=10] [--missing=20] [--rounds=5]
//                            [--rate=1000] [--duration=10] [--connections=8]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BENCH,
  QUICK,
  REAL_RSYNC,
  childrenOf,
  http,
  mb,
  option,
  printHeader,
  rssKb,
  runMain,
  runWrk,
  sleep,
  startOurs,
  summary,
  table,
  tempDir,
  wallMs,
} from './lib/common.mjs';
import { writeBurstTemplates } from './lib/payloads.mjs';

const FOLDERS = Number(option('folders', QUICK ? 100 : 1000));
const FILES = Number(option('files', 10));
const MISSING = Number(option('missing', 20));
const ROUNDS = Number(option('rounds', QUICK ? 2 : 5));
const RATE = Number(option('rate', 1000));
const DURATION = Number(option('duration', QUICK ? 3 : 10));
const CONNECTIONS = Number(option('connections', 8));
const EXCLUDES = ['#recycle', '@eaDir', '.DS_Store', '*.partial~'];

/**
 * `folders` movie folders of `files` small files each, the same at both ends (sizes and times, so
 * rsync's quick check passes them), but for `missing` files left out at the destination, each in
 * another folder. Returns how many folders lack something.
 */
function makeFiles(src, dst, { folders, files, missing }) {
  const time = new Date('2024-01-01T00:00:00Z');
  const step = Math.max(1, Math.floor(folders / missing));
  const lacking = new Set();
  for (let m = 0; m < missing; m++) lacking.add(`${(m * step) % folders}/${m % files}`);
  for (let f = 0; f < folders; f++) {
    const folder = `Movie ${String(f).padStart(4, '0')} (2000)`;
    for (const root of [src, dst]) mkdirSync(join(root, folder), { recursive: true });
    for (let k = 0; k < files; k++) {
      const name = join(folder, `Movie ${f} part ${k}.mkv`);
      const content = Buffer.alloc(1 + ((f * 131 + k * 17) % 4096), f % 251);
      for (const root of [src, dst]) {
        if (root === dst && lacking.has(`${f}/${k}`)) continue;
        writeFileSync(join(root, name), content);
        utimesSync(join(root, name), time, time);
      }
    }
    for (const root of [src, dst]) utimesSync(join(root, folder), time, time);
  }
  // The marker startOurs leaves in a source root (an empty root reads as unmounted) is at both ends.
  for (const root of [src, dst]) {
    writeFileSync(join(root, '.share-marker'), 'share\n');
    utimesSync(join(root, '.share-marker'), time, time);
  }
  return { folders: new Set([...lacking].map((key) => key.split('/')[0])).size };
}

/** VmHWM: the most RSS the process ever had, in kB. */
function peakRssKb(pid) {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+)/m);
  return m ? Number(m[1]) : null;
}

/** Every descendant of `pid` (the catch-up child, started through ionice and nice, and its walks). */
function descendantsOf(pid) {
  const out = [];
  for (let queue = [pid]; queue.length > 0; ) {
    const next = childrenOf(queue.shift());
    out.push(...next);
    queue.push(...next);
  }
  return out;
}

function bareRsync(src, dst) {
  const args = ['-a', '--dry-run', '--itemize-changes', ...EXCLUDES.map((e) => `--exclude=${e}`), `${src}/`, `${dst}/`];
  const t0 = wallMs();
  const r = spawnSync(REAL_RSYNC, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = wallMs() - t0;
  if (r.status !== 0) throw new Error(`rsync exit ${r.status}: ${r.stderr}`);
  return { ms, files: r.stdout.split('\n').filter((l) => l.startsWith('>f')).length };
}

/**
 * One pass over /movies, polled every `pollMs` until done (5 ms while it is timed; longer while the
 * webhooks are, so that the polling is not what slows them).
 */
async function pass(svc, { sampleWalks, pollMs = 5 } = {}) {
  const t0 = wallMs();
  const start = await http('POST', `${svc.url}/reconcile`, { mappings: ['/movies'] });
  if (start.status !== 202) throw new Error(`POST /reconcile answered ${start.status}: ${start.text}`);
  const id = JSON.parse(start.text).reconcile_id;
  let walkRssKb = 0;
  for (;;) {
    if (sampleWalks) for (const pid of descendantsOf(svc.pid)) walkRssKb = Math.max(walkRssKb, rssKb(pid) ?? 0);
    const res = await http('GET', `${svc.url}/reconcile/${id}`);
    const run = JSON.parse(res.text);
    if (run.status !== 'running') {
      const wall = wallMs() - t0;
      if (run.status !== 'done') throw new Error(`pass ${id} ended ${run.status}: ${run.error}`);
      const recorded = Date.parse(run.finished_at) - Date.parse(run.started_at);
      return { wall, recorded, items: run.items.length, files: run.results[0].source_entries, walkRssKb };
    }
    await sleep(pollMs);
  }
}

async function main() {
  printHeader('catch-up pass: a pass over a library beside a bare rsync --dry-run of it');
  const dir = tempDir('reconcile');
  const svc = await startOurs(dir, {
    env: {
      SYNC_RECONCILE_SETTLE_MINUTES: '0',
      SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES: '0',
      // The ack-path runs queue thousands of jobs for files that do not exist: one look each, no retries.
      SYNC_MAX_RETRIES: '0',
    },
  });
  const { moviesSrc: src, moviesDst: dst } = svc.layout;
  console.log(`== ${FOLDERS} folders x ${FILES} files, ${MISSING} missing at the destination, ${ROUNDS} rounds`);
  const missing = makeFiles(src, dst, { folders: FOLDERS, files: FILES, missing: MISSING });
  // Warm: both read each tree once before anything is timed.
  bareRsync(src, dst);
  const warm = await pass(svc);
  if (warm.items !== missing.folders)
    throw new Error(`the pass found ${warm.items} items, expected ${missing.folders}`);

  const hwmBefore = peakRssKb(svc.pid);
  const rsyncMs = [];
  const wallPass = [];
  const recordedPass = [];
  let walkRssKb = 0;
  let rsyncFiles = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const bare = bareRsync(src, dst);
    rsyncMs.push(bare.ms);
    rsyncFiles = bare.files;
    const ours = await pass(svc, { sampleWalks: round === 0 });
    wallPass.push(ours.wall);
    recordedPass.push(ours.recorded);
    walkRssKb = Math.max(walkRssKb, ours.walkRssKb);
  }
  const hwmAfter = peakRssKb(svc.pid);
  if (rsyncFiles !== MISSING) throw new Error(`rsync itemized ${rsyncFiles} files, expected ${MISSING}`);

  const rsyncMedian = summary(rsyncMs).median;
  const wallMedian = summary(wallPass).median;
  table(
    `a pass over ${FOLDERS * FILES} files (median of ${ROUNDS}); "peer" is bare rsync --dry-run --itemize-changes`,
    [
      [
        'pass, as the client sees it (ms)',
        wallMedian,
        rsyncMedian,
        { text: '<= 1.2x rsync', ok: (v) => v <= 1.2 * rsyncMedian },
      ],
      ['pass, as the service recorded it (ms)', summary(recordedPass).median, rsyncMedian],
      ['service peak RSS before the passes (MB)', mb(hwmBefore), null],
      ['service peak RSS after the passes (MB)', mb(hwmAfter), null],
      ['largest child process RSS (the catch-up child, MB)', mb(walkRssKb), null],
    ],
    { unitNote: 'ms, MB' },
  );

  // The ack path: paced webhooks alone, then with passes back to back; interleaved twice.
  const templates = join(dir, 'templates');
  writeBurstTemplates(templates);
  const wrk = (phase) =>
    runWrk({
      url: svc.url,
      script: join(BENCH, 'lua', 'burst.lua'),
      threads: 2,
      connections: CONNECTIONS,
      durationS: DURATION,
      env: { BENCH_TEMPLATES: templates, BENCH_RATE: String(RATE), BENCH_THREADS: '2', BENCH_PHASE: String(phase) },
    });
  const quiet = [];
  const busy = [];
  let passesDuring = 0;
  for (let round = 0; round < 2; round++) {
    quiet.push((await wrk(round * 2 + 1)).p99);
    let running = true;
    const loop = (async () => {
      while (running) {
        await pass(svc, { pollMs: 100 });
        passesDuring++;
      }
    })();
    busy.push((await wrk(round * 2 + 2)).p99);
    running = false;
    await loop;
  }
  const quietP99 = Math.max(...quiet);
  const busyP99 = Math.max(...busy);
  table(
    `webhook acks paced at ${RATE}/s, ${CONNECTIONS} connections, ${DURATION} s x 2 each; ${passesDuring} passes ran`,
    [
      ['ack p99 without a pass (ms, worse run)', quietP99, null],
      [
        'ack p99 while passes run (ms, worse run)',
        busyP99,
        null,
        { text: '< 2x without', ok: (v) => v < 2 * quietP99 },
      ],
    ],
    { unitNote: 'ms' },
  );
  rmSync(join(dir, 'templates'), { recursive: true, force: true });
}

runMain(main);
