import { PARTIAL_FOLDER } from '../core/partial-folder.js';
import { TRASH_FOLDER } from '../core/trash-folder.js';
import {
  createShareScriptRunner,
  readShareScript,
  SCRIPT_EXIT,
  type ScriptOutcome,
  type ShareScriptRunner,
  unexpectedExit,
  withDetail,
} from './share-script.js';

/*
 * What mirroring does to files at the destination (docs/mirroring.md): list a movie or series folder,
 * remove files or move them into the trash, rename them, remove folders left empty, and clean old days
 * out of the trash. Like every other look at a share this runs in a child process with a time limit (a
 * hung NFS mount must not pin the service), one at a time per destination root. The script holds the
 * rules that make it safe (scripts/destination-files.sh): only regular files, never through a link,
 * never outside the root, never in the partial or trash folders, folders only when empty.
 */
const SCRIPT = readShareScript('destination-files');

/** Files per child: far below the kernel's limit on arguments, even for 4 KiB paths. */
const FILES_PER_RUN = 200;

/** What happened to one file, as the script reports it. */
export type FileOutcome =
  | { path: string; action: 'deleted' | 'absent' }
  | { path: string; action: 'trashed' | 'renamed'; to: string }
  | { path: string; action: 'kept'; reason: string };

export interface FolderListing {
  /** Regular files, at any depth (or directly inside, when listed one level deep). */
  files: string[];
  /** Folders below the listed one. */
  folders: string[];
}

/**
 * Raised when the script could not finish: `timeout`, the share did not answer in time (a hung mount,
 * which a job waits out); `refused`, a link leads the folder out of the root (retrying cannot help);
 * `failed`, anything else (unreadable, not writable).
 */
export class DestinationFilesError extends Error {
  override name = 'DestinationFilesError';
  constructor(
    message: string,
    readonly kind: 'timeout' | 'refused' | 'failed',
    /** What the script did before it stopped. */
    readonly done: FileOutcome[] = [],
  ) {
    super(message);
  }
}

/** `root`: the mapping's destination root. Every method throws DestinationFilesError when it could not finish. */
export interface DestinationFiles {
  /** The files and folders under `folder`, skipping the partial and trash folders; empty when it is missing. */
  list(root: string, folder: string, depth: 'all' | 1): Promise<FolderListing>;
  /** Removes each file (`trashDay` null), or moves it into the trash folder's `trashDay` (YYYY-MM-DD). */
  remove(root: string, files: readonly string[], trashDay: string | null): Promise<FileOutcome[]>;
  rename(root: string, from: string, to: string): Promise<FileOutcome>;
  /** Removes each folder that is empty, in the order given (deepest first); returns those removed. */
  prune(root: string, folders: readonly string[]): Promise<string[]>;
  /** Removes the trash's day folders up to and including `lastDay` (YYYY-MM-DD); returns those removed. */
  cleanTrash(root: string, lastDay: string): Promise<string[]>;
}

export interface DestinationFilesOptions {
  timeoutMs: number;
  /** The trash clean-up's limit: removing a season's files from a slow share takes longer than a look. */
  cleanUpTimeoutMs?: number;
  /** Runs the script like `sh -c SCRIPT probe ARGS...`; default /bin/sh. Tests swap in one that hangs. */
  shell?: string;
}

export function createDestinationFiles(o: DestinationFilesOptions): DestinationFiles {
  const shell = o.shell ?? '/bin/sh';
  const scripts = createShareScriptRunner({ timeoutMs: o.timeoutMs, shell });
  const cleanUpScripts = createShareScriptRunner({ timeoutMs: o.cleanUpTimeoutMs ?? o.timeoutMs, shell });

  const run = async (root: string, action: string, args: readonly string[], subject: string) => {
    const runner = action === 'clean-trash' ? cleanUpScripts : scripts;
    const outcome = await runner.run(root, SCRIPT, [action, root, PARTIAL_FOLDER, TRASH_FOLDER, ...args]);
    const records = outcome.kind === 'exited' ? recordsOf(outcome.stdout) : [];
    const problem = problemOf(runner, outcome, subject, root);
    if (problem) throw new DestinationFilesError(problem, errorKind(outcome), records.flatMap(fileOutcome));
    return records;
  };

  return {
    async list(root, folder, depth) {
      const records = await run(root, 'list', [folder, String(depth)], `the folder ${folder}`);
      return {
        files: records.filter((r) => r.what === 'file').map((r) => r.path),
        folders: records.filter((r) => r.what === 'dir').map((r) => r.path),
      };
    },
    async remove(root, files, trashDay) {
      const outcomes: FileOutcome[] = [];
      for (let start = 0; start < files.length; start += FILES_PER_RUN) {
        const batch = files.slice(start, start + FILES_PER_RUN);
        try {
          const records = await run(root, 'remove', [trashDay ?? '', ...batch], `removing files in ${root}`);
          outcomes.push(...records.flatMap(fileOutcome));
        } catch (error) {
          if (error instanceof DestinationFilesError) {
            throw new DestinationFilesError(error.message, error.kind, [...outcomes, ...error.done]);
          }
          throw error;
        }
      }
      return outcomes;
    },
    async rename(root, from, to) {
      const [outcome] = (await run(root, 'rename', [from, to], `renaming ${from}`)).flatMap(fileOutcome);
      if (!outcome) throw new DestinationFilesError(`renaming ${from}: the script gave no answer`, 'failed');
      return outcome;
    },
    async prune(root, folders) {
      if (folders.length === 0) return [];
      const records = await run(root, 'prune', folders, `removing empty folders in ${root}`);
      return records.filter((r) => r.what === 'pruned').map((r) => r.path);
    },
    async cleanTrash(root, lastDay) {
      const records = await run(root, 'clean-trash', [lastDay.replaceAll('-', '')], `the trash of ${root}`);
      return records.filter((r) => r.what === 'removed').map((r) => r.path);
    },
  };
}

interface ScriptRecord {
  what: string;
  path: string;
  detail: string;
}

/** "WHAT\0PATH\0DETAIL\0" records: NULs, since a file name at the destination may hold a newline. */
function recordsOf(stdout: string): ScriptRecord[] {
  const fields = stdout.split('\0');
  const records: ScriptRecord[] = [];
  for (let i = 0; i + 2 < fields.length; i += 3) {
    records.push({ what: fields[i] ?? '', path: fields[i + 1] ?? '', detail: fields[i + 2] ?? '' });
  }
  return records;
}

function fileOutcome(r: ScriptRecord): FileOutcome[] {
  switch (r.what) {
    case 'deleted':
    case 'absent':
      return [{ path: r.path, action: r.what }];
    case 'trashed':
    case 'renamed':
      return [{ path: r.path, action: r.what, to: r.detail }];
    case 'kept':
      return [{ path: r.path, action: 'kept', reason: r.detail }];
    default:
      return [];
  }
}

function errorKind(outcome: ScriptOutcome): DestinationFilesError['kind'] {
  if (outcome.kind !== 'exited') return outcome.kind === 'spawn-error' ? 'failed' : 'timeout';
  const refusals: readonly (number | null)[] = [SCRIPT_EXIT.OUTSIDE_ROOT, SCRIPT_EXIT.LINK_OUTSIDE_ROOT];
  return refusals.includes(outcome.code) ? 'refused' : 'failed';
}

function problemOf(
  scripts: ShareScriptRunner,
  outcome: ScriptOutcome,
  subject: string,
  root: string,
): string | undefined {
  if (outcome.kind !== 'exited') return scripts.problem(outcome, subject);
  switch (outcome.code) {
    case 0:
      return undefined;
    case SCRIPT_EXIT.UNREADABLE:
      return withDetail(`${subject}: the destination ${root} cannot be read`, outcome.stderr);
    case SCRIPT_EXIT.NOT_WRITABLE:
      return withDetail(`${subject}: the destination ${root} cannot be written`, outcome.stderr);
    case SCRIPT_EXIT.NOT_A_DIRECTORY:
      return `${subject}: not a folder`;
    case SCRIPT_EXIT.OUTSIDE_ROOT:
      return `${subject}: a link leads it out of ${root}, or it is the root itself; refused`;
    case SCRIPT_EXIT.LINK_OUTSIDE_ROOT:
      return `${subject}: the trash folder ${root}/${TRASH_FOLDER} is a link; refused`;
    default:
      return unexpectedExit(outcome, subject);
  }
}
