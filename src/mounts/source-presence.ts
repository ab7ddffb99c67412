import { readShareScript, SCRIPT_EXIT, type ShareScriptRunner, unexpectedExit } from './share-script.js';

/**
 * What the source says of each path: `present` (a file, folder or link is there), `absent` (verified
 * missing under a folder inside the root), `outside` (its folder leads out of the root: no answer).
 */
export type Presence = 'present' | 'absent' | 'outside';

export type SourcePresence =
  | { ok: true; of: Map<string, Presence> }
  | { ok: false; problem: string; timedOut: boolean };

export type CheckSourcePresence = (paths: readonly string[], root: string) => Promise<SourcePresence>;

/** Paths per child: far below the kernel's limit on arguments, even for 4 KiB paths. */
const PATHS_PER_RUN = 200;

/** See MountProbe.sourcePresence. */
export function createSourcePresence(scripts: ShareScriptRunner): CheckSourcePresence {
  const script = readShareScript('source-presence');

  const runBatch = async (paths: readonly string[], root: string, of: Map<string, Presence>) => {
    const subject = `the source ${root}`;
    // One child per root at a time: the same queue as the root's health check.
    const outcome = await scripts.run(root, script, [root, ...paths]);
    if (outcome.kind !== 'exited') {
      return { ok: false as const, problem: scripts.problem(outcome, subject), timedOut: true };
    }
    if (outcome.code === SCRIPT_EXIT.UNREADABLE) {
      const path = outcome.stdout.split('\0').at(-1)?.trim() || root;
      return { ok: false as const, problem: `${path} cannot be looked at in ${subject}`, timedOut: false };
    }
    if (outcome.code !== 0) return { ok: false as const, problem: unexpectedExit(outcome, subject), timedOut: false };
    const fields = outcome.stdout.split('\0');
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const [answer, path] = [fields[i], fields[i + 1]];
      if ((answer === 'present' || answer === 'absent' || answer === 'outside') && path !== undefined) {
        of.set(path, answer);
      }
    }
    const unanswered = paths.find((path) => !of.has(path));
    if (unanswered !== undefined) {
      return { ok: false as const, problem: `${subject} gave no answer for ${unanswered}`, timedOut: false };
    }
    return null;
  };

  return async (paths, root) => {
    const of = new Map<string, Presence>();
    for (let start = 0; start < paths.length; start += PATHS_PER_RUN) {
      const failed = await runBatch(paths.slice(start, start + PATHS_PER_RUN), root, of);
      if (failed) return failed;
    }
    return { ok: true, of };
  };
}
