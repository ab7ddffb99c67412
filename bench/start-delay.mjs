// Benchmark 3, webhook to rsync start: the delay from sending a Radarr webhook to the moment rsync is
// started, with an idle queue, sequential samples. Nothing in the service is changed: a wrapper named
// `rsync`, first in the service's PATH, writes a wall-clock timestamp (date +%s%N) and then execs
// /usr/bin/rsync. The send time is taken in this driver. The wrapper's own start-up cost (sh + date)
// is measured separately and reported; the delays include it.
//
//   node bench/start-delay.mjs [--quick] [--no-peer] [--samples=100]
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  QUICK,
  REAL_RSYNC,
  childrenOf,
  http,
  option,
  over,
  peerAvailable,
  printHeader,
  runMain,
  sleep,
  startOurs,
  startPeer,
  summary,
  table,
  tempDir,
  wallMs,
} from './lib/common.mjs';
import { radarrBody } from './lib/payloads.mjs';

const SAMPLES = Number(option('samples', QUICK ? 15 : 100));

/** Writes the wrapper into `dir`; every start appends "<ns since epoch> <args>" to `stamps`. */
export function writeRsyncWrapper(dir, stamps) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'rsync');
  writeFileSync(
    path,
    '#!/bin/sh\n# benchmark wrapper: note when rsync was started, then run the real one\n' +
      `printf '%s %s\\n' "$(date +%s%N)" "$*" >> '${stamps}'\nexec ${REAL_RSYNC} "$@"\n`,
  );
  chmodSync(path, 0o755);
  writeFileSync(stamps, '');
  return path;
}

function stampLines(stamps) {
  return readFileSync(stamps, 'utf8')
    .split('\n')
    .filter((l) => l && !l.includes('--version'));
}

async function waitForStamp(stamps, count, timeoutMs = 10_000) {
  const t0 = wallMs();
  for (;;) {
    const lines = stampLines(stamps);
    if (lines.length > count) return Number(lines[count].split(' ')[0]) / 1e6;
    if (wallMs() - t0 > timeoutMs) return null;
    await sleep(1);
  }
}

/** How long the wrapper itself takes from spawn() to its timestamp. */
async function calibrate(wrapper, stamps, n = 30) {
  const xs = [];
  for (let i = 0; i < n; i++) {
    const before = stampLines(stamps).length;
    const t = wallMs();
    const child = spawn(wrapper, ['--dry-run', '/nonexistent-bench-src', '/tmp/'], { stdio: 'ignore', detached: true });
    const s = await waitForStamp(stamps, before);
    await new Promise((r) => child.once('exit', r));
    xs.push(s - t);
  }
  writeFileSync(stamps, '');
  return summary(xs);
}

async function measure(kind, svc, stamps, l) {
  const delays = [];
  const acks = [];
  let missed = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const folder = `Start Movie ${i} (2024)`;
    const file = `Start.Movie.${i}.2024.1080p.mkv`;
    mkdirSync(join(l.moviesSrc, folder), { recursive: true });
    writeFileSync(join(l.moviesSrc, folder, file), Buffer.alloc(4096, i % 256));
    const before = stampLines(stamps).length;
    const res = await http('POST', `${svc.url}/sync/radarr`, radarrBody({ title: `Start Movie ${i}`, folder, file }), {
      headers: { Connection: 'close' },
    });
    if (res.status >= 300) throw new Error(`${kind}: POST answered ${res.status}: ${res.text}`);
    acks.push(res.tDone - res.tSent);
    const started = await waitForStamp(stamps, before);
    if (started === null) {
      missed++;
      continue;
    }
    delays.push(started - res.tSent);
    // Let the job finish and the queue go idle before the next sample.
    if (kind === 'ours') {
      const id = res.json?.job_id;
      for (let k = 0; k < 500; k++) {
        const j = await http('GET', `${svc.url}/jobs/${id}`);
        if (j.json && (j.json.status === 'success' || j.json.status === 'failed')) break;
        await sleep(10);
      }
    } else {
      const worker = svc.workerPid();
      for (let k = 0; k < 500 && childrenOf(worker).length > 0; k++) await sleep(10);
    }
    await sleep(150);
  }
  return { delays: summary(delays), acks: summary(acks), missed };
}

async function main() {
  printHeader('3. webhook -> rsync start (idle queue)');
  const work = tempDir('start');
  const stamps = join(work, 'rsync-stamps.txt');
  const wrapper = writeRsyncWrapper(join(work, 'bin'), stamps);
  const cal = await calibrate(wrapper, stamps);
  console.log(
    `== ${SAMPLES} sequential Radarr webhooks (one 4 KiB file each, real copy), ` +
      "each after the previous job finished; a PATH wrapper stamps rsync's start",
  );
  console.log(
    "== wrapper's own cost, spawn() -> its timestamp, measured from this driver: " +
      `median ${cal.median.toFixed(2)} ms, p99 ${cal.p99.toFixed(2)} ms (included in the delays below)`,
  );

  const ours = await startOurs(join(work, 'ours'), { env: { SYNC_DRY_RUN: 'false' }, pathPrefix: join(work, 'bin') });
  await sleep(500);
  const o = await measure('ours', ours, stamps, ours.layout);
  await ours.stop();
  writeFileSync(stamps, '');

  let p = null;
  if (peerAvailable()) {
    const peer = await startPeer(join(work, 'peer'), { env: { SYNC_DRY_RUN: 'false' }, pathPrefix: join(work, 'bin') });
    await sleep(1000);
    p = await measure('peer', peer, stamps, peer.layout);
    await peer.stop();
  }

  table('POST -> rsync started, ms', [
    ['median', o.delays.median, p?.delays.median, { text: '< 20 ms', ok: (v) => v < 20, by: over(20) }, 2],
    ['p90', o.delays.p90, p?.delays.p90, undefined, 2],
    ['p99', o.delays.p99, p?.delays.p99, undefined, 2],
    ['min', o.delays.min, p?.delays.min, undefined, 2],
    ['max', o.delays.max, p?.delays.max, undefined, 2],
    ['median minus the wrapper', o.delays.median - cal.median, p ? p.delays.median - cal.median : null, undefined, 2],
    ['POST -> 2xx answer, median', o.acks.median, p?.acks.median, undefined, 2],
    ['samples', o.delays.n, p?.delays.n, undefined, 0],
  ]);
  if (o.missed || p?.missed) console.log(`rsync never started within 10 s: ours ${o.missed}, peer ${p?.missed ?? '-'}`);
  if (p)
    console.log(
      'peer: acknowledges first, then a new thread writes the row, checks the mounts (os.path.exists) and runs rsync',
    );
}

if (process.argv[1]?.endsWith('start-delay.mjs')) runMain(main);
