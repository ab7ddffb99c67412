// Shared helpers of the benchmark drivers: options, the machine, starting and stopping our service
// and the Flask peer, wrk, statistics and the side-by-side table. Loopback only.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  statSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  closeSync,
  readdirSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir, cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH = join(REPO, 'bench');
export const PEER_DIR = process.env.BENCH_PEER_DIR ?? resolve(REPO, '..', 'shared', 'peers', 'flask-seed');
export const PY = '/usr/bin/python3';
export const REAL_RSYNC = '/usr/bin/rsync';

// ------------------------------------------------------------------------------------------------
// Options: --quick (small sizes, short runs), --no-peer, --keep (keep temp dirs)
// ------------------------------------------------------------------------------------------------

export const argv = process.argv.slice(2);
export const QUICK = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
export const NO_PEER = argv.includes('--no-peer') || process.env.BENCH_NO_PEER === '1';
export const KEEP = argv.includes('--keep') || process.env.BENCH_KEEP === '1';
/** Value of `--name=value` on the command line, else the fallback. */
export function option(name, fallback) {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

// ------------------------------------------------------------------------------------------------
// Cleanup: every process and temp dir started here is ended on exit (normal, error or Ctrl-C).
// ------------------------------------------------------------------------------------------------

const cleanups = [];
export function onCleanup(fn) {
  cleanups.push(fn);
}
let cleaning = false;
export async function cleanupAll() {
  if (cleaning) return;
  cleaning = true;
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch (e) {
      console.error(`cleanup: ${e.message}`);
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    console.error(`\n${sig}: stopping what the benchmark started`);
    await cleanupAll();
    process.exit(130);
  });
}

/** Runs a driver's main: prints errors, always cleans up, exits non-zero on failure. */
export function runMain(main) {
  main()
    .then(async () => {
      const load = loadDuringRun();
      if (load) console.log(`\n== ${load}`);
      await cleanupAll();
      process.exit(0);
    })
    .catch(async (e) => {
      console.error(`benchmark failed: ${e.stack ?? e}`);
      await cleanupAll();
      process.exit(1);
    });
}

export function tempDir(prefix) {
  const dir = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), `sync-webhook-bench-${prefix}-`));
  onCleanup(() => {
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
    else console.log(`(kept ${dir})`);
  });
  return dir;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Wall clock (CLOCK_REALTIME, what `date +%s%N` and the service's Date stamps read) in ms with sub-ms
 * resolution: performance.now() anchored to Date.now() at the edge of a millisecond tick, re-anchored
 * every second (performance.timeOrigin alone drifts from the real-time clock by milliseconds).
 */
let wallBase = 0;
let wallSyncedAt = -Infinity;
export function wallMs() {
  const now = performance.now();
  if (now - wallSyncedAt > 1000) {
    const d0 = Date.now();
    let d = d0;
    let p = now;
    while (d === d0 && p - now < 5) {
      p = performance.now();
      d = Date.now();
    }
    wallBase = d - p;
    wallSyncedAt = p;
  }
  return wallBase + performance.now();
}

// ------------------------------------------------------------------------------------------------
// The machine and versions
// ------------------------------------------------------------------------------------------------

function tryRun(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return '(not installed)';
  }
}

export function machineLines() {
  const cpuModel = cpus()[0]?.model ?? '?';
  const sqlite = (() => {
    try {
      const out = spawnSync(
        process.execPath,
        [
          '-e',
          "const D=require('better-sqlite3');" +
            "console.log(new D(':memory:').prepare('select sqlite_version()').pluck().get())",
        ],
        { cwd: REPO, encoding: 'utf8' },
      );
      return out.stdout.trim();
    } catch {
      return '?';
    }
  })();
  const head = tryRun('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD']);
  const dirty = tryRun('git', ['--no-optional-locks', '-C', REPO, 'status', '--porcelain', '--', 'src']);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const wrkVersion = (spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout || 'wrk (not installed)').split('\n')[0];
  return [
    `machine: ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores (${cpuModel}), ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${process.platform} ${tryRun('uname', ['-r'])}`,
    `versions: node ${process.version}, ${tryRun(REAL_RSYNC, ['--version']).split('\n')[0].replace(/\s+/g, ' ')}, ` +
      `sqlite ${sqlite} (better-sqlite3), ` +
      `${wrkVersion.split(' [')[0]}, ` +
      `${tryRun('hyperfine', ['--version'])}, ${tryRun(PY, ['--version'])} (peer)`,
    `code: sync-webhook ${head}${dirty && dirty !== '(not installed)' ? ' + uncommitted changes in src/' : ''}, ` +
      `run from ${mainJsDescription}, built ${builtAt()}; peer ${PEER_DIR}`,
    `load average at start: ${load} (other work may be running on this machine: figures are from a shared 2-core box)`,
  ];
}

/** The 1-minute load average, sampled every 2 s while a benchmark runs (other work on the box shows here). */
const loadSamples = [];
function sampleLoad() {
  loadSamples.push(Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]));
}
export function loadDuringRun() {
  if (loadSamples.length === 0) return '';
  const max = Math.max(...loadSamples);
  const mean = loadSamples.reduce((a, b) => a + b, 0) / loadSamples.length;
  return (
    `1-min load average during this benchmark: mean ${mean.toFixed(1)}, max ${max.toFixed(1)} ` +
    '(2 cores; above ~3 means other work competed for the CPU)'
  );
}

function builtAt() {
  try {
    return statSync(mainJs())
      .mtime.toISOString()
      .replace(/\.\d+Z$/, 'Z');
  } catch {
    return '?';
  }
}

export function printHeader(title) {
  sampleLoad();
  setInterval(sampleLoad, 2000).unref();
  console.log(
    `\n==================== ${title}${QUICK ? ' (--quick: small sizes, short runs)' : ''} ====================`,
  );
  mainJs();
  if (!process.env.BENCH_HEADER_PRINTED) for (const l of machineLines()) console.log(`== ${l}`);
  console.log(
    `== started ${new Date().toISOString()}; ` +
      `load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
}

// ------------------------------------------------------------------------------------------------
// Our build: a snapshot of dist/ so a rebuild by someone else mid-run cannot change what is measured.
// It lives under bench/.work so `node_modules` still resolves from the repository, with package.json
// beside it as in the repository (the service reads its version from ../../package.json).
// ------------------------------------------------------------------------------------------------

let mainJsDescription = 'dist/';
let snapshot;
export function mainJs() {
  if (process.env.BENCH_MAIN_JS) {
    const snapshotPath = process.env.BENCH_MAIN_JS.replace(`${REPO}/`, '');
    mainJsDescription = `${snapshotPath} (a snapshot of dist/ taken by bench/all.sh)`;
    return process.env.BENCH_MAIN_JS;
  }
  if (snapshot) return snapshot;
  const dist = join(REPO, 'dist', 'main.js');
  if (!existsSync(dist)) throw new Error('dist/main.js is missing: run `npm run build` first');
  const work = join(BENCH, '.work');
  mkdirSync(work, { recursive: true });
  const dir = mkdtempSync(join(work, 'build-'));
  cpSync(join(REPO, 'dist'), join(dir, 'dist'), { recursive: true, preserveTimestamps: true });
  cpSync(join(REPO, 'package.json'), join(dir, 'package.json'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  snapshot = join(dir, 'dist', 'main.js');
  mainJsDescription = 'a snapshot of dist/ taken at the start';
  return snapshot;
}

// ------------------------------------------------------------------------------------------------
// Ports and HTTP
// ------------------------------------------------------------------------------------------------

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** One HTTP request without keep-alive. Resolves {status, text, json, tSent, tDone} (wall ms). */
export function http(method, url, body, { headers = {}, timeoutMs = 30_000 } = {}) {
  const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return new Promise((res, rej) => {
    const h = { ...headers };
    if (payload) {
      h['Content-Type'] ??= 'application/json';
      h['Content-Length'] = String(payload.length);
    }
    const req = httpRequest(url, { method, headers: h, agent: false, timeout: timeoutMs }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => {
        const tDone = wallMs();
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {}
        res({ status: r.statusCode, text, json, tSent, tDone });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', rej);
    let tSent;
    if (payload) req.write(payload);
    tSent = wallMs();
    req.end();
  });
}

/** Polls GET url every `everyMs` until 200; returns ms from `t0` (wall) to the first 200. */
export async function waitHealthy(url, { t0 = wallMs(), everyMs = 5, timeoutMs = 30_000, alive = () => true } = {}) {
  for (;;) {
    try {
      const r = await http('GET', url, undefined, { timeoutMs: 2000 });
      if (r.status === 200) return r.tDone - t0;
    } catch {}
    if (!alive()) throw new Error(`process exited before ${url} answered 200`);
    if (wallMs() - t0 > timeoutMs) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

// ------------------------------------------------------------------------------------------------
// Processes
// ------------------------------------------------------------------------------------------------

export function rssKb(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
/** CPU time (user + system) a process used so far, in ms; steadier than a rate on a shared VM. */
export function cpuMs(pid) {
  try {
    // Fields 14 and 15 of /proc/PID/stat, after the command name in parentheses; clock ticks of 10 ms.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}
export const mb = (kb) => (kb == null ? null : kb / 1024);

/** Child processes of `pid`, whichever of its threads started them. */
export function childrenOf(pid) {
  const out = [];
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      out.push(
        ...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
      );
    } catch {}
  }
  return out;
}
export function threadCount(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

function track(child, name, logFile) {
  let exited = false;
  const exit = new Promise((res) =>
    child.once('exit', (code, signal) => {
      exited = true;
      res({ code, signal });
    }),
  );
  const stop = async (sig = 'SIGTERM', graceMs = 15_000) => {
    if (exited) return exit;
    try {
      process.kill(child.pid, sig);
    } catch {}
    const t = setTimeout(() => {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
    }, graceMs);
    const r = await exit;
    clearTimeout(t);
    return r;
  };
  onCleanup(() => stop());
  return { pid: child.pid, exit, stop, alive: () => !exited, name, logFile };
}

// ------------------------------------------------------------------------------------------------
// Our service
// ------------------------------------------------------------------------------------------------

/** Folders of one service instance: shares for /movies and /tv, data, logs. */
export function layout(dir) {
  return {
    dir,
    moviesSrc: join(dir, 'src', 'movies'),
    moviesDst: join(dir, 'dst', 'Movies'),
    tvSrc: join(dir, 'src', 'tv'),
    tvDst: join(dir, 'dst', 'TV Shows'),
    dbPath: join(dir, 'data', 'sync_jobs.db'),
    logDir: join(dir, 'logs'),
    config: join(dir, 'sync-webhook.yml'),
  };
}

function prepareShares(l) {
  for (const d of [l.moviesSrc, l.moviesDst, l.tvSrc, l.tvDst, l.logDir, dirname(l.dbPath)])
    mkdirSync(d, { recursive: true });
  // An empty source root reads as "not mounted" to our service.
  for (const d of [l.moviesSrc, l.tvSrc])
    if (!existsSync(join(d, '.share-marker'))) writeFileSync(join(d, '.share-marker'), 'share\n');
}

/**
 * Starts `node dist/main.js` (the snapshot) on 127.0.0.1 with the shares under `dir`.
 * env: extra variables (SYNC_DRY_RUN, ...); pathPrefix: a folder put first in PATH (rsync wrapper);
 * nodeArgs: e.g. ['--cpu-prof']. Waits for /health unless wait=false.
 * Returns { pid, url, port, stop(), exit, alive(), startMs, layout }.
 */
export async function startOurs(dir, { env = {}, pathPrefix, nodeArgs = [], wait = true, port } = {}) {
  const l = layout(dir);
  prepareShares(l);
  writeFileSync(
    l.config,
    `${JSON.stringify(
      {
        mappings: [
          { container: '/movies', source: l.moviesSrc, destination: l.moviesDst },
          { container: '/tv', source: l.tvSrc, destination: l.tvDst },
        ],
      },
      null,
      2,
    )}\n`,
  );
  port ??= await freePort();
  const childEnv = {
    ...serviceEnv(dir, l, port, pathPrefix),
    SYNC_CONFIG: l.config,
    SYNC_REQUIRE_MOUNTS: 'false',
    SYNC_LOG_LEVEL: 'INFO',
    SYNC_DRY_RUN: 'true',
    SYNC_MANUAL_STABLE_SECONDS: '0',
    ...env,
  };
  const nodeFlags = [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...nodeArgs];
  const svc = await launch('ours', process.execPath, [...nodeFlags, mainJs()], {
    dir,
    l,
    port,
    env: childEnv,
    logName: 'stdout.txt',
    wait,
  });
  svc.env = childEnv;
  return svc;
}

/** What both services get: a fixed PATH (the wrapper folder first), HOME, TZ, address, database and log folder. */
function serviceEnv(dir, l, port, pathPrefix) {
  return {
    PATH: `${pathPrefix ? `${pathPrefix}:` : ''}/usr/local/bin:/usr/bin:/bin`,
    HOME: dir,
    TZ: 'UTC',
    SYNC_HOST: '127.0.0.1',
    SYNC_PORT: String(port),
    SYNC_DB_PATH: l.dbPath,
    SYNC_LOG_PATH: l.logDir,
  };
}

/** Spawns a service with its output in logDir/logName and, unless wait=false, waits for its first 200 from /health. */
async function launch(kind, command, args, { dir, l, port, env, logName, wait }) {
  const logFile = join(l.logDir, logName);
  const fd = openSync(logFile, 'a');
  const t0 = wallMs();
  const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const svc = { ...track(child, kind, logFile), url: `http://127.0.0.1:${port}`, port, layout: l, t0 };
  if (wait) {
    try {
      svc.startMs = await waitHealthy(`${svc.url}/health`, { t0, alive: svc.alive });
    } catch (e) {
      await svc.stop('SIGKILL');
      throw new Error(`${e.message}; log tail:\n${tailOf(logFile)}`);
    }
  }
  return svc;
}

export function tailOf(file, n = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

// ------------------------------------------------------------------------------------------------
// The Flask peer (gunicorn, 1 worker x 4 threads, its run.sh)
// ------------------------------------------------------------------------------------------------

export function peerAvailable() {
  if (NO_PEER) return false;
  const ok =
    existsSync(join(PEER_DIR, 'run.sh')) &&
    spawnSync(PY, ['-c', 'import flask, gunicorn, apscheduler, apprise'], { stdio: 'ignore' }).status === 0;
  if (!ok)
    console.log(
      `== peer not available (${PEER_DIR}, ` +
        'or python3-flask gunicorn python3-apscheduler apprise missing): peer columns empty',
    );
  return ok;
}

/** Starts the peer with its mappings /movies and /tv on the same folder layout; waits for /health. */
export async function startPeer(dir, { env = {}, pathPrefix, wait = true, port } = {}) {
  const l = layout(dir);
  prepareShares(l);
  port ??= await freePort();
  const childEnv = {
    ...serviceEnv(dir, l, port, pathPrefix),
    PYTHONDONTWRITEBYTECODE: '1',
    SYNC_PATH_MAPPINGS: JSON.stringify({ '/movies': [l.moviesSrc, l.moviesDst], '/tv': [l.tvSrc, l.tvDst] }),
    SYNC_DRY_RUN: 'true',
    ...env,
  };
  const svc = await launch('peer', join(PEER_DIR, 'run.sh'), [], {
    dir,
    l,
    port,
    env: childEnv,
    logName: 'gunicorn.out',
    wait,
  });
  svc.workerPid = () => childrenOf(svc.pid)[0];
  return svc;
}

// ------------------------------------------------------------------------------------------------
// wrk
// ------------------------------------------------------------------------------------------------

/**
 * Runs wrk with a Lua script that prints RESULT lines (bench/lua/*.lua). Returns the parsed figures
 * and the raw output. env goes to the Lua script (os.getenv).
 */
export function runWrk({ url, script, threads = 1, connections = 1, durationS = 5, env = {}, timeoutS = 10 }) {
  return new Promise((res, rej) => {
    const args = [
      `-t${threads}`,
      `-c${connections}`,
      `-d${durationS}s`,
      `--timeout`,
      `${timeoutS}s`,
      '--latency',
      '-s',
      script,
      url,
    ];
    const child = spawn('wrk', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const guard = setTimeout(() => child.kill('SIGKILL'), (durationS + timeoutS + 30) * 1000);
    child.on('error', rej);
    child.on('close', (code) => {
      clearTimeout(guard);
      if (code !== 0) return rej(new Error(`wrk exited ${code}: ${out}`));
      const r = { raw: out };
      const m1 = out.match(/RESULT requests=(\d+) duration_s=([\d.]+) rps=([\d.]+) non2xx=(\d+) socket_errors=(\d+)/);
      const m2 = out.match(
        /RESULT latency_ms p50=([\d.]+) p90=([\d.]+) p99=([\d.]+) p99.9=([\d.]+) max=([\d.]+) mean=([\d.]+)/,
      );
      if (!m1 || !m2) return rej(new Error(`no RESULT lines in wrk output:\n${out}`));
      Object.assign(r, {
        requests: +m1[1],
        durationS: +m1[2],
        rps: +m1[3],
        non2xx: +m1[4],
        socketErrors: +m1[5],
        p50: +m2[1],
        p90: +m2[2],
        p99: +m2[3],
        p999: +m2[4],
        max: +m2[5],
        mean: +m2[6],
      });
      res(r);
    });
  });
}

// ------------------------------------------------------------------------------------------------
// Statistics and the table
// ------------------------------------------------------------------------------------------------

export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
export function summary(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return {
    n: s.length,
    min: s[0],
    median: quantile(s, 0.5),
    p90: quantile(s, 0.9),
    p99: quantile(s, 0.99),
    max: s[s.length - 1],
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}

export function num(x, digits = 1) {
  if (x == null || Number.isNaN(x)) return '-';
  if (typeof x === 'string') return x;
  if (Math.abs(x) >= 10000) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(digits);
}
export function ratio(a, b) {
  if (
    a == null ||
    b == null ||
    typeof a !== 'number' ||
    typeof b !== 'number' ||
    !b ||
    Number.isNaN(a) ||
    Number.isNaN(b)
  )
    return '-';
  const r = a / b;
  return r >= 100 ? `${Math.round(r)}x` : r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`;
}

/**
 * Prints rows of [label, ours, peer, target] with ours ÷ peer between. `target` is
 * { text, ok: (ours) => boolean } or a string, or undefined.
 */
export function table(title, rows, { unitNote } = {}) {
  const body = rows.map(([label, ours, peer, target, digits = 1]) => {
    let verdict = '';
    if (target && typeof target === 'object') {
      const ok = typeof ours === 'number' && !Number.isNaN(ours) ? target.ok(ours) : null;
      const mark = ok === null ? '' : ok ? '  MET' : `  MISSED${target.by ? ` (${target.by(ours)})` : ''}`;
      verdict = `${target.text}${mark}`;
    } else if (typeof target === 'string') verdict = target;
    return [
      label,
      num(ours, digits),
      num(peer, digits),
      typeof ours === 'number' && typeof peer === 'number' ? ratio(ours, peer) : '-',
      verdict,
    ];
  });
  const head = ['', 'ours', 'peer', 'ours÷peer', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (r) =>
    r
      .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : i === 4 ? String(c) : String(c).padStart(widths[i])))
      .join('  ');
  console.log(`\n-- ${title}${unitNote ? ` (${unitNote})` : ''}`);
  console.log(line(head));
  for (const r of body) console.log(line(r));
}

/** Missed-by text for "at most" targets. */
export const over = (limit) => (v) => `by ${(((v - limit) / limit) * 100).toFixed(0)}%`;
export const under = (limit) => (v) => `by ${(((limit - v) / limit) * 100).toFixed(0)}%`;

/** Opens a SQLite file with better-sqlite3 (from the repository's node_modules). */
export async function openSqlite(path, { readonly = true } = {}) {
  const { default: Database } = await import('better-sqlite3');
  return new Database(path, { readonly, fileMustExist: true, timeout: 10_000 });
}

export function sync() {
  spawnSync('sync');
}
