import { accessSync, constants, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/load.js';
import { TIMING } from '../core/timing.js';
import type { HistoryLog } from '../log/history.js';
import type { Logger } from '../log/logger.js';
import { createFolderListing } from '../mounts/folder-listing.js';
import { createMountProbe } from '../mounts/probe.js';
import { createShareScriptRunner } from '../mounts/share-script.js';
import { linuxProcessTable } from '../runner/orphans.js';
import { runRsync } from '../runner/rsync.js';
import { createPartialCopies } from '../mounts/partial-copies.js';
import { createDestinationFiles } from '../mounts/destination-files.js';
import { runChild } from '../system/run-child.js';
import type { TreeWalkerOptions } from '../reconcile/tree-walk.js';
import { createChildComparer } from '../reconcile/child-comparer.js';
import type { ServiceAdapters } from './create-service.js';
import { readPageFiles } from './page-files.js';

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
    shareComparer: createChildComparer({
      childUrl: new URL('../reconcile/compare-child.js', import.meta.url),
      nodePath: process.execPath,
      lowPriority: lowPriorityCommand(),
      // The child runs at low priority already; its walks inherit it.
      walker: catchUpWalk(timeoutMs),
      lingerMs: TIMING.reconcileChildLingerMs,
    }),
    readMountTable,
    processes: linuxProcessTable,
    sleep: (ms, signal) => sleep(ms, undefined, { signal }),
    listFolders: createFolderListing(createShareScriptRunner({ timeoutMs, shell: '/bin/sh' })),
    fetch: globalThis.fetch,
    runProgram: (program, args, run) =>
      runChild(program, args, { ...run, stop: { sigtermGraceMs: TIMING.programKillGraceMs } }),
    version: packageVersion(),
    pageFiles: readPageFiles(),
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

/**
 * A catch-up pass's walks, in a process already at low priority: GNU find (by its path: the catch-up's
 * child has no PATH), a share silent for the mount timeout is down.
 */
export function catchUpWalk(mountTimeoutMs: number): TreeWalkerOptions {
  const find = isExecutable('/usr/bin/find') ? '/usr/bin/find' : 'find';
  return { lowPriority: [], find, silenceLimitMs: mountTimeoutMs };
}

/**
 * The wrappers that start the catch-up's child process, and so its walks, at low priority: the lowest
 * best-effort I/O priority (util-linux's ionice; -t: run anyway where the kernel refuses it) and nice 19
 * (coreutils). Not the idle I/O class: on a busy local disk it may get no I/O for longer than the mount
 * timeout, and the walk would be taken for a hung share. Debian installs both in /usr/bin; where one is
 * missing, the child runs without it.
 */
export function lowPriorityCommand(): string[] {
  return [
    ...(isExecutable('/usr/bin/ionice') ? ['/usr/bin/ionice', '-c2', '-n7', '-t'] : []),
    ...(isExecutable('/usr/bin/nice') ? ['/usr/bin/nice', '-n', '19'] : []),
  ];
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
