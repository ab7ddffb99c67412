/**
 * The whole service built in this test process by `createService`, with the real adapters (real
 * rsync, real SQLite, real share checks in child processes) unless a test swaps one, and driven
 * through Fastify's `inject` rather than a socket. For HTTP semantics (status codes, answer shapes,
 * auth, validation); a test that needs a crash, a signal or a real process uses launch.ts instead.
 *
 *   const svc = await startInProcess({ env: { SYNC_API_KEY: 'k' } });
 *   const res = await post(svc.app, '/sync/radarr', payload);   // http-client.ts takes the app too
 *   svc.output();                                                // the log lines so far, as the file has them
 */

import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { loadConfig, secretsOf } from '../../src/config/load.js';
import { TIMING, type Timing } from '../../src/core/timing.js';
import { createHistoryLog } from '../../src/log/history.js';
import { createLogger } from '../../src/log/logger.js';
import { createService, type Service, type ServiceAdapters } from '../../src/service/create-service.js';
import { createShareComparer } from '../../src/reconcile/share-compare.js';
import { createTreeWalker } from '../../src/reconcile/tree-walk.js';
import { catchUpWalk, lowPriorityCommand, systemAdapters } from '../../src/service/system-adapters.js';
import { findProgram } from '../../src/system/find-program.js';
import { onCleanup, tempDir } from './cleanup.js';
import { waitFor } from './wait-for.js';
import {
  layoutOf,
  type MappingSpec,
  type MediaServerSpec,
  type NotifySpec,
  type ServiceLayout,
  testDefaultEnv,
  writeConfig,
} from './service-layout.js';

export interface InProcessOptions {
  /** The folder for the database, logs and shares. Default: a fresh temp dir. */
  dir?: string;
  /** Extra environment (wins over the test defaults). A value of '' removes a default. */
  env?: Record<string, string>;
  mappings?: MappingSpec[];
  /** The YAML file's `notify:` block. */
  notify?: NotifySpec[];
  /** The YAML file's `media_servers:` block. */
  mediaServers?: MediaServerSpec[];
  /** Adapters to use instead of the real ones (a probe that answers as told, a clock). */
  adapters?: Partial<ServiceAdapters>;
  /** Shorter waits than TIMING's (the outbox's backoff), so a test need not sleep through them. */
  timing?: Partial<Timing>;
}

export interface InProcessService extends ServiceLayout {
  service: Service;
  app: FastifyInstance;
  /** The log lines written so far, formatted as in sync_webhook.log. */
  output(): string;
  /** Resolves with the match once the log output matches `re`; rejects after `timeoutMs` (default 10 s). */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Exit codes the service asked for (it asks after a job's outcome could not be recorded). */
  exitCodes: number[];
  /** Stops the service and closes its logs, once (the test cleanup calls it too): a test restarts in `dir`. */
  stop(): Promise<void>;
}

export async function startInProcess(o: InProcessOptions = {}): Promise<InProcessService> {
  const layout = layoutOf(o.dir ?? (await tempDir('sync-webhook-inproc-')));
  await writeConfig(layout, { mappings: o.mappings, notify: o.notify, mediaServers: o.mediaServers });
  const env = Object.fromEntries(
    Object.entries({ ...testDefaultEnv(layout), ...o.env }).filter(([, value]) => value !== ''),
  );
  const config = loadConfig(
    env,
    (path) => readFileSync(path, 'utf8'),
    (name) => findProgram(name, env.PATH ?? process.env.PATH),
  );
  let output = '';
  const { log, close } = createLogger({
    level: config.log.level,
    format: config.log.format,
    logDir: layout.logDir,
    timeZone: config.timeZone,
    secrets: secretsOf(config),
    stdout: { write: (line: string) => (output += line) },
  });
  const history = createHistoryLog(config.log.path, config.timeZone);
  const exitCodes: number[] = [];
  const adapters = {
    ...systemAdapters(config, { log, history, exit: (code) => exitCodes.push(code) }),
    // The catch-up's comparer in this process: its child process runs only the built module (Node 20
    // cannot load the .ts source); test/reconcile/child-comparer.test.ts and the process-level
    // tests cover it.
    shareComparer: createShareComparer(
      createTreeWalker({ ...catchUpWalk(config.mounts.timeoutSeconds * 1000), lowPriority: lowPriorityCommand() }),
    ),
    ...o.adapters,
  };
  const service = createService(config, adapters, { ...TIMING, ...o.timing });
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await service.stop();
      history.close();
      close();
    })();
    return stopped;
  };
  onCleanup(stop);
  await service.start();
  await service.app.ready();
  const waitForLog = (re: RegExp, timeoutMs = 10_000) =>
    waitFor(() => output.match(re) ?? undefined, { timeoutMs, what: `log line ${re}` });
  return { ...layout, service, app: service.app, output: () => output, waitForLog, exitCodes, stop };
}
