import { readShareScript, SCRIPT_EXIT, type ShareScriptRunner, unexpectedExit, withDetail } from './share-script.js';

/** The result of listing one folder of a mapping's source (the manual sync's folder browser). */
export type FolderListing =
  | { ok: true; folders: string[]; truncated: boolean }
  | {
      ok: false;
      /** missing / not_a_directory / outside_root: the path is wrong; unreadable / no_answer: the share is. */
      kind: 'missing' | 'not_a_directory' | 'outside_root' | 'unreadable' | 'no_answer';
      problem: string;
    };

export type ListFolders = (root: string, relative: string) => Promise<FolderListing>;

/** More folders than a page can show; the rest are left out (`truncated`). The script prints one more. */
const MAX_FOLDERS = 5000;
/** Twice MAX_FOLDERS + 1 names (folders, then links) of at most 255 bytes fit. */
const STDOUT_LIMIT = 4 * 1024 * 1024;

/**
 * Lists the folders of `relative` (a path below `root`, '' for the root) in a child process with the
 * share checks' time limit, so a hung share costs a stuck child, never the service. The script
 * resolves every link and refuses a folder that lies outside the root.
 */
export function createFolderListing(scripts: ShareScriptRunner): ListFolders {
  const script = readShareScript('list-folders');
  return async (root, relative) => {
    const folder = relative === '' ? root : `${root}/${relative}`;
    const subject = `folder ${folder}`;
    const outcome = await scripts.run(folder, script, [root, relative], undefined, STDOUT_LIMIT);
    if (outcome.kind !== 'exited') return { ok: false, kind: 'no_answer', problem: scripts.problem(outcome, subject) };
    switch (outcome.code) {
      case 0: {
        const names = outcome.stdout.split('\0').filter((name) => name !== '');
        const folders = [...new Set(names)].sort((a, b) => a.localeCompare(b));
        return { ok: true, folders: folders.slice(0, MAX_FOLDERS), truncated: folders.length > MAX_FOLDERS };
      }
      case SCRIPT_EXIT.MISSING:
        return { ok: false, kind: 'missing', problem: `${subject} does not exist` };
      case SCRIPT_EXIT.NOT_A_DIRECTORY:
        return { ok: false, kind: 'not_a_directory', problem: `${subject} is not a folder` };
      case SCRIPT_EXIT.OUTSIDE_ROOT:
        return {
          ok: false,
          kind: 'outside_root',
          problem: `${subject} leads out of the mapping's source root ${root} through a link`,
        };
      case SCRIPT_EXIT.UNREADABLE:
        return { ok: false, kind: 'unreadable', problem: withDetail(`${subject} is not readable`, outcome.stderr) };
      default:
        return { ok: false, kind: 'unreadable', problem: unexpectedExit(outcome, subject) };
    }
  };
}
