// Issue 14, resuming a cut copy: one file of --size-mib (2 GiB) random bytes, copied with the service's own
// rsync argv (buildRsyncArgs from the dist/ snapshot) and, beside it, with today's argv (the same without
// --partial-dir, --whole-file/--no-whole-file and the partial folder's exclude: what main ran before).
// Per side: (1) a fresh full copy; (2) a copy cut at --cut (80%) of the file by SIGTERM to rsync's process
// group (what the timeout, a shutdown and the restart's stop of an orphaned rsync send; after a SIGKILL the
// service moves rsync's temp file into the partial folder, which ends in the same place); (3) the copy
// that follows the cut, as the service would run it: today the same argv from nothing (rsync removed its
// temp file, and the service removed any a SIGKILL left), now the resume argv over the part kept.
// For (3): bytes written to the destination (the kernel's write_bytes of the rsync processes: what reached
// the storage layer; 0 on tmpfs), rsync's own Literal/Matched data, wall time against (1), byte-identical.
// A third column, for comparison only, resumes another way: rsync --append-verify into the part in the
// partial folder (its own run: rsync refuses it beside --partial-dir), then a rename into place.
//
//   node bench/resume.mjs [--quick] [--size-mib=2048] [--cut=0.8] [--rsync=/usr/bin/rsync] [--cold]
//                         [--resume-extra="--block-size=131072"]
// --cold drops the page cache before each timed copy (root; closer to a NAS than a warm cache).
// --resume-extra adds rsync options to the resumed copy only, to try a tuning (not what the service runs).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  QUICK,
  REAL_RSYNC,
  mainJs,
  option,
  printHeader,
  runMain,
  sleep,
  sync,
  tempDir,
  wallMs,
} from './lib/common.mjs';

const SIZE_MIB = Number(option('size-mib', QUICK ? 256 : 2048));
const CUT = Number(option('cut', 0.8));
const RSYNC = option('rsync', REAL_RSYNC);
const COLD = process.argv.includes('--cold');
const RESUME_EXTRA = option('resume-extra', '').split(' ').filter(Boolean);
const FILE = 'Resume.Bench.2024.2160p.mkv';

/** What main's buildRsyncArgs gave before issue 14: the service's argv without the resume options. */
function todayArgs(args) {
  return args.filter(
    (a) =>
      !a.startsWith('--partial-dir=') && !/^--(no-)?whole-file$/.test(a) && a !== '--exclude=.sync-webhook-partial/',
  );
}

function dropCaches() {
  sync();
  if (COLD) writeFileSync('/proc/sys/vm/drop_caches', '3\n');
}

/**
 * Runs rsync in its own process group under a shell that, once rsync and its forks are reaped, prints
 * the group's I/O accounting (/proc/<shell>/io counts waited-for children) to stderr.
 */
function startRsync(args) {
  const script = '"$@"; code=$?; cat /proc/$$/io >&2; exit $code';
  const child = spawn('sh', ['-c', script, 'sh', RSYNC, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const t0 = wallMs();
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, ms: wallMs() - t0, stdout, stderr }));
  });
  return { child, done };
}

async function timedCopy(args) {
  dropCaches();
  const run = await startRsync(args).done;
  if (run.code !== 0) throw new Error(`rsync exit ${run.code ?? run.signal}: ${run.stderr.slice(-2000)}`);
  const stat = (label) => Number(new RegExp(`^${label}: ([\\d,]+)`, 'm').exec(run.stdout)?.[1]?.replaceAll(',', ''));
  const io = (key) => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(run.stderr)?.[1]);
  return { ms: run.ms, literal: stat('Literal data'), matched: stat('Matched data'), written: io('write_bytes') };
}

/** rsync's temp file ".NAME.XXXXXX" in `dir`, or undefined. */
function tempFileIn(dir) {
  return readdirSync(dir).find((n) => n.startsWith(`.${FILE}.`) && n.length === FILE.length + 8);
}

/** Starts a copy and stops it by SIGTERM once its temp file holds `fraction` of the file; what is kept. */
async function cutCopy(args, dst, size) {
  dropCaches();
  const { child, done } = startRsync(args);
  let seen = 0;
  for (;;) {
    const temp = tempFileIn(dst);
    seen = temp ? (statSync(join(dst, temp), { throwIfNoEntry: false })?.size ?? 0) : seen;
    if (seen >= size * CUT) break;
    if (child.exitCode !== null) throw new Error('the copy ended before the cut: raise --size-mib');
    await sleep(2);
  }
  process.kill(-child.pid, 'SIGTERM');
  await done;
  const partial = join(dst, '.sync-webhook-partial', FILE);
  return { cutAt: seen / size, kept: existsSync(partial) ? statSync(partial).size : 0, leftBeside: tempFileIn(dst) };
}

function identical(a, b) {
  return spawnSync('cmp', ['-s', a, b]).status === 0;
}

function emptyFolder(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

async function main() {
  printHeader('resume a cut copy (issue 14): the copy after a cut at 80%, today and with resuming');
  const { buildRsyncArgs } = await import(pathToFileURL(join(dirname(mainJs()), 'runner', 'rsync-args.js')).href);
  const version = spawnSync(RSYNC, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  console.log(`== ${RSYNC}: ${version}; page cache ${COLD ? 'dropped before each copy (--cold)' : 'warm'}`);
  const work = tempDir('resume');
  const src = join(work, 'src');
  const dst = join(work, 'dst');
  mkdirSync(src);
  const source = join(src, FILE);
  const t0 = wallMs();
  const made = spawnSync('sh', ['-c', `head -c ${SIZE_MIB * 1024 * 1024} /dev/urandom > "$1"`, 'sh', source]);
  if (made.status !== 0) throw new Error(`could not write the source file: ${made.stderr}`);
  const size = statSync(source).size;
  console.log(
    `== ${FILE}: ${(size / 2 ** 20).toFixed(0)} MiB of random bytes, ` +
      `written in ${((wallMs() - t0) / 1000).toFixed(1)} s`,
  );

  const job = { source, destDir: dst, dryRun: false, isUpgrade: false, createDestDir: false, bandwidthLimitKiB: null };
  const serviceFresh = buildRsyncArgs({ ...job, resume: false });
  const partialFile = join(dst, '.sync-webhook-partial', FILE);
  const sides = [
    { name: 'today', fresh: todayArgs(serviceFresh), after: () => timedCopy(todayArgs(serviceFresh)) },
    {
      name: 'resuming',
      fresh: serviceFresh,
      after: (cut) =>
        timedCopy(cut.kept > 0 ? [...RESUME_EXTRA, ...buildRsyncArgs({ ...job, resume: true })] : serviceFresh),
    },
    // Not what the service runs: appending to the part in the partial folder (rsync refuses --append
    // beside --partial-dir, so its own run), then a rename into place. Shown for comparison.
    {
      name: 'append-verify',
      fresh: null,
      after: async (cut) => {
        if (cut.kept === 0) throw new Error('append-verify: nothing kept by the cut');
        const appended = await timedCopy([
          '-a',
          '--no-human-readable',
          '--stats',
          '--append-verify',
          source,
          partialFile,
        ]);
        const t = wallMs();
        renameSync(partialFile, join(dst, FILE));
        rmdirSync(dirname(partialFile));
        return { ...appended, ms: appended.ms + (wallMs() - t) };
      },
    },
  ];
  const results = {};
  for (const side of sides) {
    const shownArgs = (args) => args.map((a) => (/[\s#*()]/.test(a) ? JSON.stringify(a) : a)).join(' ');
    if (side.fresh) console.log(`== ${side.name}: rsync ${shownArgs(side.fresh.slice(0, -3))} …`);
    let fresh = null;
    if (side.fresh) {
      emptyFolder(dst);
      fresh = await timedCopy(side.fresh);
      if (!identical(source, join(dst, FILE))) throw new Error(`${side.name}: the fresh copy differs from the source`);
    }
    emptyFolder(dst);
    const cut = await cutCopy(side.fresh ?? serviceFresh, dst, size);
    const after = await side.after(cut);
    const same = identical(source, join(dst, FILE));
    const leftovers = readdirSync(dst).filter((n) => n !== FILE);
    results[side.name] = { fresh: fresh ?? results.resuming?.fresh, cut, after, same, leftovers };
  }

  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const mib = (x) => (Number.isFinite(x) ? `${(x / 2 ** 20).toFixed(1)} MiB` : 'n/a');
  const sec = (x) => `${(x / 1000).toFixed(2)} s`;
  const cols = sides.map((side) => results[side.name]);
  const row = (label, f, target = '') => [label, ...cols.map(f), target];
  const rows = [
    row('fresh full copy, wall', (r) => sec(r.fresh.ms), 'resuming: not slower than today'),
    row('  its bytes written (write_bytes)', (r) => mib(r.fresh.written)),
    row('cut by SIGTERM at', (r) => pct(r.cut.cutAt), `about ${pct(CUT)}`),
    row('  part kept for the next copy', (r) => mib(r.cut.kept)),
    row('copy after the cut, bytes written', (r) => mib(r.after.written), '≤ 25% of the file'),
    row('  as a share of the file', (r) => pct(r.after.written / size)),
    row('  rsync Literal data (from the source)', (r) => mib(r.after.literal)),
    row('  rsync Matched data (found at the dest.)', (r) => mib(r.after.matched)),
    row('copy after the cut, wall', (r) => sec(r.after.ms)),
    row("  ÷ fresh full copy (resuming's for the last)", (r) => (r.after.ms / r.fresh.ms).toFixed(3)),
    row('byte-identical, nothing else left', (r) => String(r.same && r.leftovers.length === 0), 'true'),
  ];
  const head = ['', ...sides.map((side) => side.name), 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    r.map((c, i) => (i === 0 || i === r.length - 1 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])));
  console.log(
    `\n-- one ${(size / 2 ** 20).toFixed(0)} MiB file, one run each (${version.replace(/\s+protocol.*/, '')})`,
  );
  console.log(line(head).join('  '));
  for (const r of rows) console.log(line(r).join('  '));
  const met = results.resuming.after.written <= size * 0.25;
  console.log(`resuming: bytes written after the cut ${met ? 'MET' : 'MISSED'} the target (≤ 25% of the file)`);
  if (!results.resuming.after.written && results.resuming.after.literal) {
    console.log('write_bytes is 0: the destination is not on a block device (tmpfs?); set BENCH_TMP to a disk folder');
  }
  if (RESUME_EXTRA.length) console.log(`the resumed copy ran with extra options: ${RESUME_EXTRA.join(' ')}`);
  console.log('append-verify is not what the service runs: it reads the part back once, without the delta search');
}

if (process.argv[1]?.endsWith('resume.mjs')) runMain(main);
