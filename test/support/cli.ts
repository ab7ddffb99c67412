/**
 * The `sync-webhook` command run in this test process (`runCli`, as src/cli.ts runs it) with its
 * output captured, and an in-process service listening on a real port for it to talk to.
 *
 *   const svc = await startInProcess({ env });
 *   const env = await listenForCli(svc, { SYNC_API_KEY: 'k' });   // the service's env, with its port
 *   const run = await cli(['jobs', '--status', 'failed'], env);
 *   expect(run.code).toBe(0); run.stdout; run.stderr;
 */

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { CliAdapters } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run-cli.js';
import { findProgram } from '../../src/system/find-program.js';
import type { InProcessService } from './in-process.js';
import { REPO_ROOT } from './repo-paths.js';
import { testDefaultEnv } from './service-layout.js';

export interface CliRun {
  code: number | 'serving';
  stdout: string;
  stderr: string;
}

export const PACKAGE_VERSION: string = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')).version;

/** Runs `sync-webhook <args>` with exactly `env`, through the real fetch. */
export async function cli(
  args: string[],
  env: Record<string, string>,
  o: Partial<Pick<CliAdapters, 'rsyncBinary' | 'uid' | 'fetch'>> & { tty?: { columns: number } } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env,
    stdout: {
      isTTY: o.tty !== undefined,
      columns: o.tty?.columns,
      write: (text) => {
        stdout += text;
      },
    },
    stderr: {
      isTTY: false,
      write: (text) => {
        stderr += text;
      },
    },
    fetch: o.fetch ?? globalThis.fetch,
    readFile: (path) => readFileSync(path, 'utf8'),
    findProgram: (name) => findProgram(name, env.PATH ?? process.env.PATH),
    serve: () => Promise.reject(new Error('a test does not start the service through the CLI in-process')),
    version: PACKAGE_VERSION,
    uid: o.uid ?? process.getuid?.(),
    rsyncBinary: o.rsyncBinary ?? 'rsync',
    // Real waits, but short: a catch-up pass over test trees takes a fraction of a second.
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50))),
  });
  return { code, stdout, stderr };
}

/**
 * Makes the in-process service listen on a free port of 127.0.0.1 and returns the environment the
 * CLI gets beside it: the service's own (test defaults, then `env`), with SYNC_PORT set to that port.
 * The service's cleanup closes the port.
 */
export async function listenForCli(
  svc: InProcessService,
  env: Record<string, string> = {},
): Promise<Record<string, string>> {
  await svc.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = svc.app.server.address() as AddressInfo;
  return { ...testDefaultEnv(svc), ...env, SYNC_PORT: String(port) };
}
