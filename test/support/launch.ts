/**
 * Starts the REAL service (`node dist/main.js`) as a child process, in a temp folder of its own
 * (service-layout.ts), captures its output, and stops, kills or restarts it. The suite must run after
 * `npm run build`.
 *
 *   const svc = await startService({ env: { TELEGRAM_BOT_TOKEN: 'x', ... } });  // /health answered 200
 *   await svc.stop();
 *   await svc.waitForLog(/SIGTERM received/);   // output so far, or wait for it
 *   const again = await svc.restart();           // same folder, database and env
 *
 * Every service started here is stopped by the test cleanup (cleanup.ts), so a failing test never
 * leaves a process behind.
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { onCleanup, tempDir, trackChild } from './cleanup.js';
import { request } from './http-client.js';
import { commandLineOf, descendantsOf } from './processes.js';
import { MAIN_JS } from './repo-paths.js';
import { layoutOf, testDefaultEnv, writeConfig, type MappingSpec, type ServiceLayout } from './service-layout.js';
import { waitFor } from './wait-for.js';

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
    await writeConfig(layout, o);
    env = { ...base, ...testDefaultEnv(layout), ...o.env };
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
  trackChild(child);
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
            reject(new Error(`service exited before its output matched ${re}; output:\n${lastLines(output)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`output did not match ${re} within ${timeoutMs} ms; output:\n${lastLines(output)}`));
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
        `service exited (code ${code}, signal ${signal}) before /health answered; output:\n${lastLines(output)}`,
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
      throw new Error(`/health did not answer 200 within ${timeoutMs} ms; output:\n${lastLines(output)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every live descendant of `pid` (children, grandchildren, …), from /proc. Linux only. */
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

/** The env a restart should keep: everything but what startService sets itself. */
function pickTestEnv(env: Record<string, string>): Record<string, string> {
  const { PATH: _p, HOME: _h, SYNC_PORT: _port, ...rest } = env;
  return rest;
}

/** The last lines of a service's output, for error messages. */
export function lastLines(text: string, lines = 60): string {
  return text.split('\n').slice(-lines).join('\n');
}
