/**
 * Starts the REAL service (`node dist/main.js`) as a child process for integration tests, with
 * temp folders for its data, logs and media shares, and helpers to talk to it over real HTTP.
 *
 *   const svc = await startService({ env: { TELEGRAM_BOT_TOKEN: 'x', ... } });
 *   const res = await post(svc.url, '/sync/radarr', payload);
 *   await waitFor(async () => (await getJson(svc.url, `/jobs/${id}`)).body.status === 'success');
 *   await svc.stop();
 *
 * Every service started here (and every temp dir, fake server or other registered cleanup) is
 * stopped by `cleanupAll()`, which each test file calls in afterAll, and by `cleanupEachTest()` for
 * what a single test started, so a failing test never leaves a process behind. The suite must run
 * after `npm run build` (it runs dist/main.js).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import type { JobJson } from '../../src/http/job-json.js';
import { startFakeServer, type FakeServer } from './fake-http.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built service; SYNC_WEBHOOK_MAIN_JS points the suite at another build (e.g. to prove a test fails without a fix). */
export const MAIN_JS = process.env.SYNC_WEBHOOK_MAIN_JS ?? join(REPO_ROOT, 'dist', 'main.js');
export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures', 'arr', 'examples');

// ---------------------------------------------------------------------------------------------
// Cleanup registry: processes, temp dirs, fake servers. Runs in reverse order of registration.
// ---------------------------------------------------------------------------------------------

type Cleanup = () => unknown | Promise<unknown>;
const cleanups: Cleanup[] = [];
const liveChildren = new Set<ChildProcess>();

/** Registers something to undo in `cleanupAll()` / `cleanupEachTest()`, newest first. */
export function onCleanup(fn: Cleanup): void {
  cleanups.push(fn);
}

/** Stops every service, closes every fake server and removes every temp dir registered so far. */
/** A fake Telegram that accepts every message, closed with the other cleanups. */
export async function startAcceptingTelegram(): Promise<FakeServer> {
  const telegram = await startFakeServer({ status: 200, body: { ok: true, result: {} } });
  onCleanup(() => telegram.close());
  return telegram;
}

export async function cleanupAll(): Promise<void> {
  const errors: unknown[] = [];
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw errors[0];
}

/**
 * Undoes what each test of the enclosing describe (or file) registered, when that test ends, pass or
 * fail; what a beforeAll registered stays for the next test (cleanupAll in afterAll ends it).
 */
export function cleanupEachTest(): void {
  let mark = 0;
  beforeEach(() => {
    mark = cleanups.length;
  });
  afterEach(async () => {
    const errors: unknown[] = [];
    while (cleanups.length > mark) {
      try {
        await cleanups.pop()!();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  });
}

// Last resort: the worker exits (crash, timeout) while a child still runs.
process.once('exit', () => {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A fresh temp dir, removed by cleanupAll() unless KEEP_TEST_TMP is set. */
export async function tempDir(prefix = 'sync-webhook-it-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onCleanup(async () => {
    if (!process.env.KEEP_TEST_TMP) await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Waiting
// ---------------------------------------------------------------------------------------------

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Shown in the timeout error. */
  what?: string;
}

/**
 * Polls `fn` until it returns a truthy value (which is returned) or the timeout passes.
 * Errors thrown by `fn` count as "not yet"; the last one is reported on timeout.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, o: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const intervalMs = o.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let lastValue: unknown;
  for (;;) {
    try {
      const value = await fn();
      lastValue = value;
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError
        ? `; last error: ${(lastError as Error).message}`
        : `; last value: ${JSON.stringify(lastValue)}`;
      throw new Error(`waitFor${o.what ? ` (${o.what})` : ''} timed out after ${timeoutMs} ms${detail}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------
// Ports and HTTP
// ---------------------------------------------------------------------------------------------

/** A port that was free a moment ago on 127.0.0.1 (listen on 0, read, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

export interface HttpResponse<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: T;
}

export interface RequestOptions {
  method?: string;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * One HTTP/1.1 request with node:http (no keep-alive agent), so headers such as
 * `Connection: close` go out exactly as Radarr/Sonarr send them.
 */
export function request<T = any>(baseUrl: string, path: string, o: RequestOptions = {}): Promise<HttpResponse<T>> {
  const url = new URL(path, baseUrl);
  let payload: Buffer | undefined;
  if (o.body !== undefined) {
    payload = Buffer.isBuffer(o.body)
      ? o.body
      : Buffer.from(typeof o.body === 'string' ? o.body : JSON.stringify(o.body), 'utf8');
  }
  const headers: Record<string, string> = { ...o.headers };
  if (payload && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    headers['Content-Length'] = String(payload.length);
  }
  return new Promise((resolveRes, reject) => {
    const req = httpRequest(
      url,
      { method: o.method ?? (payload ? 'POST' : 'GET'), headers, agent: false, timeout: o.timeoutMs ?? 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: any;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolveRes({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${o.method ?? 'GET'} ${url.href} timed out`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** The headers Radarr v6 sends with every webhook (fixtures/arr/headers.md). */
export function arrHeaders(app: 'Radarr' | 'Sonarr' = 'Radarr'): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    Connection: 'close',
    'Accept-Encoding': 'gzip, br',
    'User-Agent': app === 'Radarr' ? 'Radarr/6.0.3.10276 (alpine 3.22.1)' : 'Sonarr/4.0.19.2979 (alpine 3.22.1)',
  };
}

/** POST a JSON body (object, or raw string) with Radarr-like headers unless overridden. */
export function post<T = any>(
  baseUrl: string,
  path: string,
  body: unknown,
  headers?: Record<string, string>,
): Promise<HttpResponse<T>> {
  const app = path.includes('sonarr') ? 'Sonarr' : 'Radarr';
  return request<T>(baseUrl, path, { method: 'POST', body, headers: { ...arrHeaders(app), ...headers } });
}

export function getJson<T = any>(baseUrl: string, path: string): Promise<HttpResponse<T>> {
  return request<T>(baseUrl, path, { method: 'GET', headers: { Accept: 'application/json' } });
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/** Deterministic pseudo-random bytes (different per seed), fast enough for hundreds of MB. */
export function pseudoRandomBytes(size: number, seed: string): Buffer {
  const out = Buffer.allocUnsafe(size);
  let block = createHash('sha256').update(seed).digest();
  let offset = 0;
  // Hash chaining for a 4 KiB pattern, then each 4 KiB block varied by its index: no two blocks equal.
  const pattern = Buffer.allocUnsafe(4096);
  for (let i = 0; i < 4096; i += 32) {
    block = createHash('sha256').update(block).digest();
    block.copy(pattern, i);
  }
  let n = 0;
  while (offset < size) {
    const len = Math.min(4096, size - offset);
    pattern.copy(out, offset, 0, len);
    if (len >= 4) out.writeUInt32LE(n >>> 0, offset);
    n++;
    offset += len;
  }
  return out;
}

/**
 * Creates files under `root`: a number is a size (pseudo-random bytes), a string or Buffer is the
 * content. Parent folders are created. Returns the absolute paths by relative path.
 */
export async function makeTree(
  root: string,
  files: Record<string, number | string | Buffer>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [rel, spec] of Object.entries(files)) {
    const abs = join(root, rel);
    await mkdir(dirname(abs), { recursive: true });
    const content = typeof spec === 'number' ? pseudoRandomBytes(spec, `${rel}:${spec}`) : spec;
    await writeFile(abs, content);
    out[rel] = abs;
  }
  return out;
}

/**
 * Relative path → sha256 of every regular file under `root` (folders listed with "dir"). The
 * destination check's own test file (created and removed within a millisecond, to prove the share is
 * writable) is not content: it is left out, also when the walk catches it half-way.
 */
export async function treeOf(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string, prefix: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.sync-webhook-probe.')) continue;
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const abs = join(dir, entry.name);
      if (entry.isDirectory()) {
        out[`${rel}/`] = 'dir';
        await walk(abs, rel);
      } else if (entry.isFile()) {
        out[rel] = createHash('sha256')
          .update(await readFile(abs))
          .digest('hex');
      } else {
        out[rel] = 'other';
      }
    }
  }
  await walk(root, '');
  return out;
}

/** True when both files exist and hold the same bytes. */
export async function sameBytes(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a), stat(b)]);
  if (sa.size !== sb.size) return false;
  const [ba, bb] = await Promise.all([readFile(a), readFile(b)]);
  return ba.equals(bb);
}

export async function pathExists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

export async function readFixture(name: string): Promise<any> {
  return JSON.parse(await readFile(join(FIXTURES_DIR, name), 'utf8'));
}

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

export interface MappingSpec {
  container: string;
  source: string;
  destination: string;
  plex_section?: string | number;
  plex_path?: string;
  /** One for both sides, or per side (the YAML allows both). */
  anchor?: string | { source?: string; destination?: string };
  fstype?: string | { source?: string; destination?: string };
}

export interface StartOptions {
  /** Extra environment (wins over the test defaults). A value of '' removes a default. */
  env?: Record<string, string>;
  /** Reuse a folder (restart with the same database, logs and shares). Default: a fresh temp dir. */
  dir?: string;
  /** Mappings for SYNC_CONFIG. Default: /movies and /tv to folders under <dir>. */
  mappings?: MappingSpec[];
  /** Raw YAML for SYNC_CONFIG instead of `mappings`. */
  configYaml?: string;
  /**
   * Start with exactly this environment (plus PATH and HOME unless given), no test defaults, no
   * SYNC_CONFIG, cwd = dir. For "fresh start" and start-up failure tests.
   */
  bareEnv?: Record<string, string>;
  /** Wait for GET /health to answer 200 (default true). */
  waitForHealth?: boolean;
  /** Fail when /health does not answer within this time (default 10 s). */
  healthTimeoutMs?: number;
}

export interface ServiceLayout {
  dir: string;
  dbPath: string;
  logDir: string;
  configPath: string;
  /** Source and destination roots of the default mappings. */
  moviesSrc: string;
  moviesDst: string;
  tvSrc: string;
  tvDst: string;
}

export interface Service extends ServiceLayout {
  url: string;
  port: number;
  pid: number;
  /** The environment the process got. */
  env: Record<string, string>;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** stdout and stderr, interleaved as they arrived. */
  output(): string;
  /** Resolves with the match once stdout+stderr match `re`; rejects after `timeoutMs` (default 10 s). */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL and wait for the exit. Children in their own process group (rsync) live on. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * SIGKILL the service and every process it started, all at once, as `docker kill` or a power cut
   * would: nothing gets to clean up. Resolves with the pids killed besides the service.
   */
  killTree(): Promise<number[]>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Starts the service again on the same folder (same env unless overridden). */
  restart(o?: Omit<StartOptions, 'dir'>): Promise<Service>;
}

export function layoutOf(dir: string): ServiceLayout {
  return {
    dir,
    dbPath: join(dir, 'data', 'sync_jobs.db'),
    logDir: join(dir, 'logs'),
    configPath: join(dir, 'sync-webhook.yml'),
    moviesSrc: join(dir, 'src', 'movies'),
    moviesDst: join(dir, 'dst', 'Movies'),
    tvSrc: join(dir, 'src', 'tv'),
    tvDst: join(dir, 'dst', 'TV Shows'),
  };
}

function defaultMappings(l: ServiceLayout): MappingSpec[] {
  return [
    { container: '/movies', source: l.moviesSrc, destination: l.moviesDst },
    { container: '/tv', source: l.tvSrc, destination: l.tvDst },
  ];
}

function yamlFor(mappings: MappingSpec[]): string {
  // JSON is valid YAML, and JSON.stringify quotes every path safely.
  return `${JSON.stringify({ mappings }, null, 2)}\n`;
}

function assertBuilt(): void {
  if (!existsSync(MAIN_JS)) {
    throw new Error(`${MAIN_JS} does not exist: run "npm run build" before the integration tests`);
  }
}

export async function startService(o: StartOptions = {}): Promise<Service> {
  assertBuilt();
  const dir = o.dir ?? (await tempDir());
  const layout = layoutOf(dir);
  let env: Record<string, string>;

  const base: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? dir };
  if (o.bareEnv) {
    env = { ...base, ...o.bareEnv };
  } else {
    const mappings = o.mappings ?? defaultMappings(layout);
    await writeFile(layout.configPath, o.configYaml ?? yamlFor(mappings));
    if (!o.configYaml) {
      for (const m of mappings) {
        await mkdir(m.source, { recursive: true });
        await mkdir(m.destination, { recursive: true });
        // A real share is never empty; an empty source root reads as "not mounted" to the service.
        if ((await readdir(m.source)).length === 0) await writeFile(join(m.source, '.share-marker'), 'share\n');
      }
    }
    env = {
      ...base,
      TZ: 'UTC',
      SYNC_HOST: '127.0.0.1',
      SYNC_DB_PATH: layout.dbPath,
      SYNC_LOG_PATH: layout.logDir,
      SYNC_CONFIG: layout.configPath,
      SYNC_REQUIRE_MOUNTS: 'false',
      SYNC_LOG_LEVEL: 'INFO',
      SYNC_RETRY_INTERVAL_SECONDS: '1',
      SYNC_MANUAL_STABLE_SECONDS: '0',
      SYNC_MOUNT_CHECK_INTERVAL_SECONDS: '1',
      SYNC_MOUNT_TIMEOUT_SECONDS: '5',
      ...o.env,
    };
    for (const [k, v] of Object.entries(env)) if (v === '') delete env[k];
  }

  // A port can be taken between freePort() and the child's listen(); try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = env.SYNC_PORT && o.bareEnv?.SYNC_PORT ? Number(env.SYNC_PORT) : await freePort();
    const childEnv = { ...env, SYNC_PORT: String(port) };
    try {
      return await launch(layout, childEnv, port, o);
    } catch (error) {
      lastError = error;
      if (!(error instanceof PortTakenError)) throw error;
    }
  }
  throw lastError;
}

class PortTakenError extends Error {}

async function launch(
  layout: ServiceLayout,
  env: Record<string, string>,
  port: number,
  o: StartOptions,
): Promise<Service> {
  const child = spawn(process.execPath, [MAIN_JS], { cwd: layout.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  let stdout = '';
  let stderr = '';
  let output = '';
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const l of listeners) l();
  };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    output += s;
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    output += s;
    notify();
  });

  let hasExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('close', (code, signal) => {
      hasExited = true;
      liveChildren.delete(child);
      notify();
      resolveExit({ code, signal });
    });
  });

  const terminate = async (sig: NodeJS.Signals) => {
    if (!hasExited) child.kill(sig);
    return exited;
  };
  onCleanup(async () => {
    if (hasExited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  });

  const service: Service = {
    ...layout,
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    env,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => output,
    waitForLog(re, timeoutMs = 10_000) {
      return new Promise((resolveMatch, reject) => {
        const check = () => {
          const m = output.match(re);
          if (m) {
            done();
            resolveMatch(m);
          } else if (hasExited) {
            done();
            reject(new Error(`service exited before its output matched ${re}; output:\n${tail(output)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`output did not match ${re} within ${timeoutMs} ms; output:\n${tail(output)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
    async killTree() {
      if (hasExited) return [];
      // Freeze first (the service, then each process it started, until no new one shows up), so
      // nothing can fork, notice its parent dying, or clean up; then kill them all.
      child.kill('SIGSTOP');
      const frozen: number[] = [];
      for (let round = 0; round < 10; round++) {
        const found = descendantsOf(child.pid!).filter((pid) => !frozen.includes(pid));
        if (found.length === 0) break;
        for (const pid of found) {
          frozen.push(pid);
          try {
            process.kill(pid, 'SIGSTOP');
          } catch {
            // gone already
          }
        }
      }
      for (const pid of frozen) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      await terminate('SIGKILL');
      // SIGKILL lands when a process leaves the kernel; wait until each is gone (or a zombie).
      await waitFor(() => frozen.every((pid) => commandLineOf(pid) === ''), {
        timeoutMs: 5000,
        what: 'killed processes gone',
      });
      return frozen;
    },
    exited,
    restart: (next = {}) =>
      o.bareEnv
        ? startService({ ...next, dir: layout.dir, bareEnv: { ...pickTestEnv(env), ...next.env } })
        : startService({
            ...(o.mappings ? { mappings: o.mappings } : {}),
            ...(o.configYaml ? { configYaml: o.configYaml } : {}),
            ...next,
            dir: layout.dir,
            env: { ...pickTestEnv(env), ...next.env },
          }),
  };

  if (o.waitForHealth === false) return service;

  const timeoutMs = o.healthTimeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited) {
      const { code, signal } = await exited;
      if (/EADDRINUSE/.test(output)) throw new PortTakenError(`port ${port} taken`);
      throw new Error(
        `service exited (code ${code}, signal ${signal}) before /health answered; output:\n${tail(output)}`,
      );
    }
    try {
      const res = await request(service.url, '/health', { timeoutMs: 1000 });
      if (res.status === 200) return service;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await service.kill();
      throw new Error(`/health did not answer 200 within ${timeoutMs} ms; output:\n${tail(output)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every live descendant of `pid` (children, grandchildren, …), from /proc. Linux only. */
export function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const statLine = readFileSync(`/proc/${name}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(statLine.slice(statLine.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(name), ppid);
    } catch {
      // exited while listing
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [p, pp] of parents) {
      if (pp === parent && !out.includes(p)) {
        out.push(p);
        queue.push(p);
      }
    }
  }
  return out;
}

/** The command line of a process ('' once it is gone). */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The env a restart should keep: everything but what startService sets itself. */
function pickTestEnv(env: Record<string, string>): Record<string, string> {
  const { PATH: _p, HOME: _h, SYNC_PORT: _port, ...rest } = env;
  return rest;
}

function tail(text: string, lines = 60): string {
  return text.split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Polling the API
// ---------------------------------------------------------------------------------------------

/** A job as GET /jobs/<id> answers it: the service's own JSON, plus whatever fields it adds. */
export type JobView = JobJson & Record<string, unknown>;

export async function getJob(svc: { url: string }, id: number): Promise<JobView> {
  const res = await getJson<JobView>(svc.url, `/jobs/${id}`);
  if (res.status !== 200) throw new Error(`GET /jobs/${id} answered ${res.status}: ${res.text}`);
  return res.body;
}

/** Waits until the job reaches `status` (and `extra` holds, when given); returns the job. */
export async function waitForJob(
  svc: Service,
  id: number,
  status: JobView['status'] | ((job: JobView) => boolean),
  timeoutMs = 15_000,
): Promise<JobView> {
  let last: JobView | undefined;
  try {
    return await waitFor(
      async () => {
        last = await getJob(svc, id);
        return (typeof status === 'function' ? status(last) : last.status === status) ? last : undefined;
      },
      { timeoutMs, intervalMs: 25, what: `job ${id}` },
    );
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nlast job state: ${JSON.stringify(last)}\nservice output:\n${tail(svc.output())}`,
    );
  }
}

/** Reads a log file of the service ('' when it does not exist yet). */
export async function readLog(svc: ServiceLayout, name: 'sync_webhook.log' | 'sync_history.log'): Promise<string> {
  try {
    return await readFile(join(svc.logDir, name), 'utf8');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// The database, read (or seeded) beside the running service: SQLite in WAL mode allows it.
// ---------------------------------------------------------------------------------------------

/** Opens the service's SQLite file with better-sqlite3; closed by cleanupAll(). */
export async function openDb(
  dbPath: string,
  o: { readonly?: boolean } = {},
): Promise<import('better-sqlite3').Database> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(dbPath, { readonly: o.readonly ?? false, fileMustExist: true, timeout: 5000 });
  onCleanup(() => {
    if (db.open) db.close();
  });
  return db;
}

export interface OutboxRowView {
  id: number;
  target: string;
  job_id: number | null;
  payload: string;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  last_error: string | null;
}

/** Every outbox row (the durable queue of notifications and Plex scans), oldest first. */
export async function outboxRows(dbPath: string): Promise<OutboxRowView[]> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    return db
      .prepare('SELECT id, target, job_id, payload, status, attempts, last_error FROM outbox ORDER BY id')
      .all() as OutboxRowView[];
  } finally {
    db.close();
  }
}
