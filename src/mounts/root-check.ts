import { coerceError } from '../core/errors.js';
import type { MountCheck } from '../core/types.js';
import { findMountFor, isMounted, parseMountinfo, type MountEntry } from './mountinfo.js';
import { readShareScript, SCRIPT_EXIT, type ShareScriptRunner, unexpectedExit, withDetail } from './share-script.js';

/** What is wrong with a root, for the health panel (the problem text says it in words). */
export type RootState =
  | 'missing'
  | 'not_a_directory'
  | 'unreadable'
  | 'not_mounted'
  | 'wrong_filesystem'
  | 'anchor_missing'
  | 'empty'
  | 'not_writable'
  | 'hung'
  | 'error';

export type ProbeResult = { ok: true } | { ok: false; problem: string; state?: RootState };

export type RootCheck = (check: MountCheck, role: 'source' | 'destination') => Promise<ProbeResult>;

export interface RootCheckOptions {
  requireMounts: boolean;
  readMountinfo: () => Promise<string>;
  scripts: ShareScriptRunner;
}

/** See MountProbe.checkRoot. */
export function createRootCheck(o: RootCheckOptions): RootCheck {
  const script = readShareScript('root-check');

  /** Mount and fstype problems outrank what the script found: an unmounted share explains a missing anchor. */
  async function mountProblem(
    check: MountCheck,
    subject: string,
    physicalPath: string,
  ): Promise<{ problem: string; state: RootState } | undefined> {
    if (!o.requireMounts && !check.fstype) return undefined;
    let entries: MountEntry[];
    try {
      entries = parseMountinfo(await o.readMountinfo());
    } catch (thrown) {
      const reason = coerceError(thrown).message;
      const problem = `cannot tell whether ${subject} is mounted: reading the mount table failed: ${reason}`;
      return { problem, state: 'error' };
    }
    const mount = findMountFor(physicalPath, entries);
    if (o.requireMounts && !isMounted(physicalPath, entries)) {
      const nearest = mount?.mountPoint ?? '/';
      const problem = `${subject} is not mounted (it is on the root filesystem; its nearest mount point is ${nearest})`;
      return { problem, state: 'not_mounted' };
    }
    if (check.fstype && mount?.fstype !== check.fstype) {
      const problem = `${subject} is on ${mount?.fstype ?? 'an unknown filesystem'}, expected ${check.fstype}`;
      return { problem, state: 'wrong_filesystem' };
    }
    return undefined;
  }

  return async (check, role) => {
    const subject = `${role} ${check.path}`;
    const anchor = check.anchor?.replace(/^\/+/, '') ?? '';
    // The destination script waits for this verdict before it writes its test file.
    let verdict: { problem: { problem: string; state: RootState } | undefined } | undefined;
    const answer =
      role === 'destination'
        ? async (physicalPath: string) => {
            verdict = { problem: await mountProblem(check, subject, physicalPath) };
            return verdict.problem ? 'stop' : 'write';
          }
        : undefined;
    const outcome = await o.scripts.run(check.path, script, [check.path, role, anchor], answer);
    if (outcome.kind !== 'exited') {
      const state = outcome.kind === 'spawn-error' ? 'error' : 'hung';
      return { ok: false, problem: o.scripts.problem(outcome, subject), state };
    }
    switch (outcome.code) {
      case SCRIPT_EXIT.MISSING:
        return { ok: false, problem: `${subject} does not exist`, state: 'missing' };
      case SCRIPT_EXIT.NOT_A_DIRECTORY:
        return { ok: false, problem: `${subject} is not a directory`, state: 'not_a_directory' };
      case SCRIPT_EXIT.UNREADABLE:
        return { ok: false, problem: withDetail(`${subject} is not readable`, outcome.stderr), state: 'unreadable' };
    }
    // Code 0 and the content problems below come after "pwd -P" printed the physical path.
    const physicalPath = outcome.stdout.replace(/\n$/, '');
    const mounted = verdict
      ? verdict.problem
      : physicalPath
        ? await mountProblem(check, subject, physicalPath)
        : undefined;
    if (mounted) return { ok: false, ...mounted };
    switch (outcome.code) {
      case 0:
        return { ok: true };
      case SCRIPT_EXIT.ANCHOR_MISSING:
        return {
          ok: false,
          problem: `anchor file ${anchor} missing under ${check.path}: the share is probably not mounted`,
          state: 'anchor_missing',
        };
      case SCRIPT_EXIT.EMPTY:
        return { ok: false, problem: `${subject} is empty: an unmounted share looks like this`, state: 'empty' };
      case SCRIPT_EXIT.NOT_WRITABLE:
        return { ok: false, problem: `${subject} is not writable`, state: 'not_writable' };
      default:
        return { ok: false, problem: unexpectedExit(outcome, subject), state: 'error' };
    }
  };
}
