// Benchmark 2, copy overhead: the same tree copied (a) by our service from a webhook
// (POST /sync/manual, SYNC_MANUAL_STABLE_SECONDS=0, real copy), timed from the POST to the job's
// finished_at; (b) by the very same rsync argv run directly (built with the service's own
// buildRsyncArgs), timed from spawn to exit; (c) by the Flask peer's /sync/manual, which runs rsync
// inside the request (its argv: rsync -avh --ignore-existing --exclude=... src dest/), timed from
// the POST to its answer. Trees: 1,000 small files in 100 folders, and one 2 GiB file (on this
// disk; deleted at the end). Runs are interleaved (order rotated each round); before each run the
// previous copy is deleted and `sync` flushes dirty pages, untimed.
// On a shared disk one copy can take twice as long as the next, so the overhead is ALSO measured
// paired, within each service run: an `rsync` wrapper first in the service's PATH stamps when rsync
// started and ended (date +%s%N) and the overhead is the service's wall time minus that span. The
// wrapper's own cost (a shell and two `date`) counts as overhead there, so that figure is an upper bound.
//
//   node bench/copy.mjs [--quick] [--no-peer] [--rounds-small=5] [--rounds-big=3] [--big-mib=2048]
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  QUICK,
  REAL_RSYNC,
  http,
  mainJs,
  option,
  peerAvailable,
  printHeader,
  runMain,
  sleep,
  startOurs,
  startPeer,
  summary,
  sync,
  table,
  tailOf,
  tempDir,
  wallMs,
} from './lib/common.mjs';

const ROUNDS_SMALL = Number(option('rounds-small', QUICK ? 2 : 10));
const ROUNDS_BIG = Number(option('rounds-big', QUICK ? 1 : 5));
const BIG_MIB = Number(option('big-mib', QUICK ? 64 : 2048));
const SMALL_DIRS = QUICK ? 10 : 100;

function makeSmallTree(root) {
  let bytes = 0;
  for (let d = 0; d < SMALL_DIRS; d++) {
    const dir = join(root, `Extras ${String(d).padStart(3, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 10; f++) {
      const size = 1024 + ((d * 7919 + f * 104729) % 31744); // 1 to 32 KiB
      writeFileSync(join(dir, `part ${f}.bin`), randomBytes(size));
      bytes += size;
    }
  }
  return { files: SMALL_DIRS * 10, bytes };
}

function makeBigFile(root) {
  mkdirSync(root, { recursive: true });
  const file = join(root, 'Copy.Big.2024.2160p.mkv');
  const r = spawnSync('sh', ['-c', `head -c ${BIG_MIB * 1024 * 1024} /dev/urandom > "$1"`, 'sh', file]);
  if (r.status !== 0) throw new Error(`could not write the big file: ${r.stderr}`);
  return { files: 1, bytes: statSync(file).size };
}

/** Hard-links every file of `from` into `to` (same inodes, same page cache: no extra disk). */
function linkTree(from, to) {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) linkTree(join(from, e.name), join(to, e.name));
    else linkSync(join(from, e.name), join(to, e.name));
  }
}

function treeStats(root) {
  let files = 0;
  let bytes = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else {
        files++;
        bytes += statSync(join(d, e.name)).size;
      }
    }
  };
  if (existsSync(root)) walk(root);
  return { files, bytes };
}

/** An `rsync` that stamps "<start ns> <end ns>" per run into `stamps`, around the real one. */
function writeTimingWrapper(dir, stamps) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'rsync');
  writeFileSync(
    path,
    '#!/bin/sh\n# benchmark wrapper: time the real rsync (start and end, ns since the epoch)\n' +
      `start=$(date +%s%N)\n${REAL_RSYNC} "$@"\ncode=$?\n` +
      `case "$*" in *--version*) ;; *) printf '%s %s\\n' "$start" "$(date +%s%N)" >> '${stamps}' ;; esac\nexit $code\n`,
  );
  chmodSync(path, 0o755);
  writeFileSync(stamps, '');
}

/** The last "<start> <end>" line of a stamps file, in ms since the epoch. */
function lastSpan(stamps) {
  const lines = readFileSync(stamps, 'utf8').trim().split('\n').filter(Boolean);
  const [a, b] = lines[lines.length - 1].split(' ').map((x) => Number(x) / 1e6);
  return { start: a, end: b };
}

/** Runs rsync as the service does (no shell, own process group, piped output); resolves with its wall time in ms. */
export function runBare(args, env) {
  return new Promise((res, rej) => {
    const t0 = wallMs();
    // Like the service: no shell, own process group, output read through pipes, the service's environment.
    const child = spawn(REAL_RSYNC, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env });
    let err = '';
    child.stdout.on('data', () => {});
    child.stderr.on('data', (c) => (err += c));
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res(wallMs() - t0) : rej(new Error(`bare rsync exit ${code}: ${err}`))));
  });
}

async function oursRun(svc, containerPath, stamps) {
  const stampsBefore = statSync(stamps).size;
  const res = await http('POST', `${svc.url}/sync/manual`, { path: containerPath, type: 'movie' });
  if (res.status !== 202) throw new Error(`ours: /sync/manual answered ${res.status}: ${res.text}`);
  const id = res.json.job_id;
  // Wait for the wrapper's end stamp by watching a file (free), not by asking the service every few ms
  // while rsync runs: those requests would take CPU from the copy on a 2-core box.
  const before = stampsBefore;
  for (let i = 0; i < 120_000 && statSync(stamps).size === before; i++) await sleep(10);
  for (let i = 0; i < 60_000; i++) {
    const j = await http('GET', `${svc.url}/jobs/${id}`);
    if (j.json?.status === 'success') {
      // finished_at has millisecond resolution, from the service's Date: compared with this driver's real-time clock.
      const span = lastSpan(stamps);
      return {
        ms: Date.parse(j.json.finished_at) - res.tSent,
        toStart: Date.parse(j.json.started_at) - res.tSent,
        rsync: span.end - span.start,
        toRsync: span.start - res.tSent,
      };
    }
    if (j.json?.status === 'failed') throw new Error(`ours: job ${id} failed: ${j.json.error}\n${tailOf(svc.logFile)}`);
    await sleep(10);
  }
  throw new Error(`ours: job ${id} did not finish`);
}

async function peerRun(svc, containerPath, stamps) {
  const res = await http(
    'POST',
    `${svc.url}/sync/manual`,
    { path: containerPath, type: 'movie' },
    { timeoutMs: 600_000 },
  );
  if (res.status !== 200 || res.json?.status !== 'success')
    throw new Error(`peer: /sync/manual answered ${res.status}: ${res.text}`);
  const span = lastSpan(stamps);
  return { ms: res.tDone - res.tSent, rsyncS: res.json.duration, rsync: span.end - span.start };
}

async function main() {
  printHeader('2. copy overhead (service vs the same rsync run directly)');
  const { buildRsyncArgs } = await import(pathToFileURL(join(dirname(mainJs()), 'runner', 'rsync-args.js')).href);
  const work = tempDir('copy');
  const withPeer = peerAvailable();
  const stampsOurs = join(work, 'rsync-ours.txt');
  const stampsPeer = join(work, 'rsync-peer.txt');
  writeTimingWrapper(join(work, 'bin-ours'), stampsOurs);
  writeTimingWrapper(join(work, 'bin-peer'), stampsPeer);
  const ours = await startOurs(join(work, 'ours'), {
    env: { SYNC_DRY_RUN: 'false', SYNC_MANUAL_STABLE_SECONDS: '0' },
    pathPrefix: join(work, 'bin-ours'),
  });
  const peer = withPeer
    ? await startPeer(join(work, 'peer'), { env: { SYNC_DRY_RUN: 'false' }, pathPrefix: join(work, 'bin-peer') })
    : null;
  const bareSrc = join(work, 'bare', 'src');
  const bareDst = join(work, 'bare', 'dst');
  mkdirSync(bareDst, { recursive: true });

  const trees = [
    {
      key: 'small',
      label: `${SMALL_DIRS * 10} small files in ${SMALL_DIRS} folders`,
      rounds: ROUNDS_SMALL,
      make: makeSmallTree,
    },
    {
      key: 'big',
      label: `one ${BIG_MIB >= 1024 ? `${BIG_MIB / 1024} GiB` : `${BIG_MIB} MiB`} file`,
      rounds: ROUNDS_BIG,
      make: makeBigFile,
    },
  ];
  const results = [];
  for (const tree of trees) {
    const master = join(work, 'data', tree.key);
    const t0 = wallMs();
    const made = tree.make(master);
    console.log(
      `== tree "${tree.label}": ${made.files} files, ${(made.bytes / 2 ** 20).toFixed(1)} MiB, ` +
        `written in ${((wallMs() - t0) / 1000).toFixed(1)} s; ${tree.rounds} round(s) + 1 warm-up`,
    );
    // Each side reads its own hard-linked copy (same inodes), renamed every round: a manual sync of a path
    // already copied within 24 h would be answered "duplicate" by our service.
    const sides = {
      ours: { root: ours.layout.moviesSrc, dst: ours.layout.moviesDst },
      bare: { root: bareSrc, dst: bareDst },
      ...(peer ? { peer: { root: peer.layout.moviesSrc, dst: peer.layout.moviesDst } } : {}),
    };
    for (const s of Object.values(sides)) {
      s.name = `Copy ${tree.key} r0 (2024)`;
      linkTree(master, join(s.root, s.name));
    }
    const times = {
      ours: [],
      bare: [],
      peer: [],
      oursToStart: [],
      peerRsync: [],
      oursRsync: [],
      oursOverhead: [],
      oursToRsync: [],
      peerWrapped: [],
      peerOverhead: [],
    };
    let argsShown = false;
    for (let round = 0; round <= tree.rounds; round++) {
      const order = ['ours', 'bare', 'peer'].filter((k) => sides[k]);
      for (let r = 0; r < round % order.length; r++) order.push(order.shift());
      for (const side of order) {
        const s = sides[side];
        const next = `Copy ${tree.key} r${round + 1} (2024)`;
        renameSync(join(s.root, s.name), join(s.root, next));
        s.name = next;
        rmSync(join(s.dst, s.name), { recursive: true, force: true });
        for (const old of readdirSync(s.dst)) rmSync(join(s.dst, old), { recursive: true, force: true });
        sync();
        await sleep(200);
        let ms;
        if (side === 'ours') {
          const r = await oursRun(ours, `/movies/${s.name}`, stampsOurs);
          ms = r.ms;
          if (round > 0) {
            times.oursToStart.push(r.toStart);
            times.oursRsync.push(r.rsync);
            times.oursOverhead.push(r.ms - r.rsync);
            times.oursToRsync.push(r.toRsync);
          }
        } else if (side === 'peer') {
          const r = await peerRun(peer, `/movies/${s.name}`, stampsPeer);
          ms = r.ms;
          if (round > 0) {
            times.peerRsync.push(r.rsyncS * 1000);
            times.peerWrapped.push(r.rsync);
            times.peerOverhead.push(r.ms - r.rsync);
          }
        } else {
          const args = buildRsyncArgs({
            source: join(s.root, s.name),
            destDir: s.dst,
            dryRun: false,
            isUpgrade: false,
            createDestDir: false,
            resume: false,
            bandwidthLimitKiB: null,
          });
          if (!argsShown) {
            const quoted = args.map((a) => (/[\s(){}#*]/.test(a) ? JSON.stringify(a) : a)).join(' ');
            console.log(`== bare argv (the service's buildRsyncArgs for this job): rsync ${quoted}`);
            argsShown = true;
          }
          ms = await runBare(args, ours.env);
        }
        const got = treeStats(join(s.dst, s.name));
        if (got.files !== made.files || got.bytes !== made.bytes) {
          throw new Error(
            `${side}: copy incomplete: ${got.files} files / ${got.bytes} bytes, expected ${made.files} / ${made.bytes}`,
          );
        }
        if (round > 0) times[side].push(ms);
      }
    }
    for (const s of Object.values(sides)) {
      rmSync(join(s.root, s.name), { recursive: true, force: true });
      for (const old of readdirSync(s.dst)) rmSync(join(s.dst, old), { recursive: true, force: true });
    }
    rmSync(master, { recursive: true, force: true });
    results.push({ tree, made, times });
  }
  const ranLine = tailOf(ours.logFile, 400)
    .split('\n')
    .reverse()
    .find((l) => l.includes('Running: rsync'));
  if (ranLine) console.log(`== our service's log for the last run: ${ranLine.replace(/^.* - INFO - /, '')}`);
  await ours.stop();
  if (peer) await peer.stop();

  for (const { tree, made, times } of results) {
    const o = summary(times.ours);
    const b = summary(times.bare);
    const p = peer ? summary(times.peer) : null;
    const oo = summary(times.oursOverhead);
    const po = peer ? summary(times.peerOverhead) : null;
    const or = summary(times.oursRsync);
    const pr = peer ? summary(times.peerWrapped) : null;
    table(`${tree.label} (${(made.bytes / 2 ** 20).toFixed(0)} MiB): wall time, ms (median of ${o.n}, min / max)`, [
      ['service: POST -> job done (ours: finished_at)', o.median, p?.median, undefined, 1],
      [
        '  min / max',
        `${o.min.toFixed(0)} / ${o.max.toFixed(0)}`,
        p ? `${p.min.toFixed(0)} / ${p.max.toFixed(0)}` : null,
      ],
      ['bare rsync, same argv, run directly', b.median, null, undefined, 1],
      ['  min / max', `${b.min.toFixed(0)} / ${b.max.toFixed(0)}`, null],
      [
        'service ÷ bare (medians of separate runs)',
        o.median / b.median,
        p ? p.median / b.median : null,
        { text: '<= 1.05 (within 5%)', ok: (v) => v <= 1.05, by: (v) => `by ${((v - 1.05) * 100).toFixed(1)} points` },
        3,
      ],
      ['paired, within each service run:', '', ''],
      ['  its rsync, start -> exit (wrapper stamps)', or.median, pr?.median, undefined, 1],
      ['  service overhead = wall - its rsync', oo.median, po?.median, undefined, 1],
      [
        '  overhead min / max',
        `${oo.min.toFixed(1)} / ${oo.max.toFixed(1)}`,
        po ? `${po.min.toFixed(1)} / ${po.max.toFixed(1)}` : null,
      ],
      ['  POST -> rsync started', summary(times.oursToRsync).median, null, undefined, 1],
      ['  POST -> job claimed (started_at)', summary(times.oursToStart).median, null, undefined, 1],
      [
        '  overhead ÷ its rsync (the "within 5%")',
        oo.median / or.median,
        po ? po.median / pr.median : null,
        { text: '<= 0.05', ok: (v) => v <= 0.05, by: (v) => `by ${((v - 0.05) * 100).toFixed(1)} points` },
        3,
      ],
    ]);
  }
  console.log(
    'peer column: its /sync/manual runs rsync inside the request (no job row), ' +
      'with its own argv (no --stats/--no-human-readable, no *.partial~ exclude); ' +
      'its first ratio is to the same bare rsync',
  );
  console.log('"paired" overheads include the timing wrapper itself (sh + 2 x date, a few ms): an upper bound');
}

if (process.argv[1]?.endsWith('copy.mjs')) runMain(main);
