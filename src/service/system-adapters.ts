import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/load.js';
import { TIMING } from '../core/timing.js';
import type { HistoryLog } from '../log/history.js';
import type { Logger } from '../log/logger.js';
import { createMountProbe } from '../mounts/probe.js';
import { linuxProcessTable } from '../runner/orphans.js';
import { runRsync } from '../runner/rsync.js';
import { createPartialCopies } from '../mounts/partial-copies.js';
import { createDestinationFiles } from '../mounts/destination-files.js';
import type { ServiceAdapters } from './create-service.js';

/** The adapters of a real run: the system clock, real child processes, this machine's mount table. */
export function systemAdapters(
  config: Config,
  logs: { log: Logger; history: HistoryLog; exit: (code: number) => void },
): ServiceAdapters {
  const timeoutMs = config.mounts.timeoutSeconds * 1000;
  return {
    ...logs,
    clock: { now: () => new Date() },
    probe: createMountProbe({ timeoutMs, requireMounts: config.mounts.require }),
    rsync: runRsync,
    rsyncBinary: 'rsync',
    partials: createPartialCopies({ timeoutMs }),
    destinationFiles: createDestinationFiles({ timeoutMs, cleanUpTimeoutMs: TIMING.trashCleanUpTimeoutMs }),
    readMountTable,
    processes: linuxProcessTable,
    sleep: (ms, signal) => sleep(ms, undefined, { signal }),
    fetch: globalThis.fetch,
    version: packageVersion(),
  };
}

/** package.json sits two folders up, from src/service as from dist/service (and in the image). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const version: unknown = JSON.parse(text).version;
  return typeof version === 'string' ? version : 'unknown';
}

/** procfs answers from memory, so this read cannot hang on a dead share. */
function readMountTable(): string {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return '';
  }
}
