import { PARTIAL_FOLDER } from '../core/partial-folder.js';
import {
  createShareScriptRunner,
  readShareScript,
  SCRIPT_EXIT,
  type ScriptOutcome,
  unexpectedExit,
  withDetail,
} from './share-script.js';

/*
 * What a cut copy leaves at the destination, so that the next attempt resumes instead of starting over.
 * rsync runs with a relative --partial-dir: stopped by SIGTERM (the timeout, a shutdown, a restart's
 * stop of an orphaned rsync) or an I/O error, it moves what it wrote into the partial folder beside the
 * file. Only a kill nothing survives (SIGKILL of the whole container, a power cut) leaves its temp file
 * ".NAME.XXXXXX" beside the file instead: before the job copies again, that moves into the partial folder
 * too. After a success, or when the job gives up, the job's partial files go, and the folder once empty.
 *
 * Like every other look at a share this runs in a child process with the mount timeout (a hung NFS mount
 * must not pin the service), one at a time per item.
 */
const SCRIPT = readShareScript('partial-copies');

export interface PartialPreparation {
  /** rsync temp files a killed copy left beside their files, now in the partial folder (new paths). */
  kept: string[];
  /** Temp files removed because the partial folder already held a longer part of the same file. */
  removed: string[];
  /** Bytes the item's partial files hold: what the copy resumes from (0: it starts over). */
  partialBytes: number;
  /** Set when the look could not finish (timeout, unreadable source); the copy goes ahead anyway. */
  problem?: string;
}

export interface PartialRemoval {
  /** Paths removed. */
  removed: string[];
  /** Set when the removal could not finish; the outcome is recorded anyway. */
  problem?: string;
}

/** `sourceItem`: the file or folder a job copies; `destItem`: the same item at the destination. */
export interface PartialCopies {
  /** Before a copy of a job that ran before: gathers what killed copies left into the partial folder. */
  prepare(sourceItem: string, destItem: string): Promise<PartialPreparation>;
  /** Bytes the item's partial files hold, without a look at the source; null when the share did not answer. */
  measure(destItem: string): Promise<number | null>;
  /** Removes rsync's temp files of the item's files, the item's partial files, and each partial folder left empty. */
  remove(sourceItem: string, destItem: string): Promise<PartialRemoval>;
}

export interface PartialCopiesOptions {
  timeoutMs: number;
  /** Runs the script like `sh -c SCRIPT probe ARGS...`; default /bin/sh. Tests swap in one that hangs. */
  shell?: string;
}

export function createPartialCopies(o: PartialCopiesOptions): PartialCopies {
  const scripts = createShareScriptRunner({ timeoutMs: o.timeoutMs, shell: o.shell ?? '/bin/sh' });
  const run = (action: 'prepare' | 'measure' | 'remove', sourceItem: string, destItem: string) =>
    scripts.run(destItem, SCRIPT, [action, sourceItem, destItem, PARTIAL_FOLDER]);

  /** Why the script's work may be incomplete, or undefined when it finished. */
  const problemOf = (outcome: ScriptOutcome, destItem: string, sourceItem: string): string | undefined => {
    const subject = `the partial copies of ${destItem}`;
    if (outcome.kind !== 'exited') return scripts.problem(outcome, subject);
    if (outcome.code === 0) return undefined;
    if (outcome.code === SCRIPT_EXIT.UNREADABLE) {
      return withDetail(`${subject} could not all be looked at: source ${sourceItem} is not readable`, outcome.stderr);
    }
    return unexpectedExit(outcome, subject);
  };

  return {
    async prepare(sourceItem, destItem) {
      const outcome = await run('prepare', sourceItem, destItem);
      const lines = outcome.kind === 'exited' ? outcome.stdout.split('\n') : [];
      const preparation: PartialPreparation = {
        kept: pathsAfter(lines, 'kept '),
        removed: pathsAfter(lines, 'removed '),
        partialBytes: lines.reduce((sum, line) => sum + Number(/^partial (\d+) /.exec(line)?.[1] ?? 0), 0),
      };
      const problem = problemOf(outcome, destItem, sourceItem);
      return problem ? { ...preparation, problem } : preparation;
    },

    async measure(destItem) {
      const outcome = await run('measure', '', destItem);
      if (outcome.kind !== 'exited' || outcome.code !== 0) return null;
      const bytes = /^partial (\d+)$/m.exec(outcome.stdout)?.[1];
      return bytes === undefined ? null : Number(bytes);
    },

    async remove(sourceItem, destItem) {
      const outcome = await run('remove', sourceItem, destItem);
      const removed = outcome.kind === 'exited' ? outcome.stdout.split('\n').filter((line) => line !== '') : [];
      const problem = problemOf(outcome, destItem, sourceItem);
      return problem ? { removed, problem } : { removed };
    },
  };
}

function pathsAfter(lines: string[], prefix: string): string[] {
  return lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length));
}
