import { runChild } from '../system/run-child.js';
import { readShareScript } from './share-script.js';

/*
 * rsync writes each file to a temporary ".NAME.XXXXXX" beside its final place and renames it when
 * complete; on an error or SIGTERM it removes that file itself. Only a kill nothing survives (SIGKILL
 * of the whole container, a power cut) leaves it behind, and the retry then writes a new one: the old
 * one would stay forever, as large as the part copied. Before a job copies, its own leftovers go:
 * only ".NAME.??????" beside the destination of a file NAME that the job's source holds.
 *
 * Like every other look at a share this runs in a child process with a timeout (a hung NFS mount
 * must not pin the service).
 */
const SCRIPT = readShareScript('remove-rsync-leftovers');

export interface LeftoverCleanup {
  /** Paths removed. */
  removed: string[];
  /** Set when the cleanup could not finish (timeout, unreadable source); the copy goes ahead anyway. */
  problem?: string;
}

/**
 * Removes rsync temp files a killed copy of `sourceItem` left at `destItem` (the same item at the
 * destination). `shell` runs the script like `sh -c SCRIPT cleanup ARGS...`; tests swap in one that hangs.
 */
export async function removeRsyncLeftovers(
  sourceItem: string,
  destItem: string,
  timeoutMs: number,
  shell = '/bin/sh',
): Promise<LeftoverCleanup> {
  const run = await runChild(shell, ['-c', SCRIPT, 'cleanup', sourceItem, destItem], {
    timeoutMs,
    // The whole group: the timeout also stops the find and rm the shell waits on.
    stop: 'sigkill-and-leave',
  });
  const removed = run.stdout.split('\n').filter((line) => line !== '');
  if (run.spawnError)
    return { removed: [], problem: `cleanup of rsync temp files could not start: ${run.spawnError.message}` };
  if (run.timedOut) {
    return {
      removed,
      problem: `cleanup of rsync temp files under ${destItem} did not finish within ${timeoutMs / 1000} s`,
    };
  }
  if (run.exitCode === 0) return { removed };
  const detail = run.stderr.trim().slice(-300);
  const failed = `cleanup of rsync temp files under ${destItem} failed (exit ${run.exitCode})`;
  return { removed, problem: detail ? `${failed}: ${detail}` : failed };
}
