import type { FailureReason } from '../core/types.js';
import { readShareScript, SCRIPT_EXIT, type ShareScriptRunner, unexpectedExit, withDetail } from './share-script.js';

export type SourceInspection =
  | { ok: true; kind: 'file' | 'dir'; bytes: number }
  | { ok: false; problem: string; missing: boolean; outsideRoot?: boolean; reason: FailureReason };

export type InspectSource = (
  path: string,
  root?: string,
  options?: { measureSize?: boolean },
) => Promise<SourceInspection>;

/** See MountProbe.inspectSource. */
export function createSourceInspection(scripts: ShareScriptRunner): InspectSource {
  const script = readShareScript('source-inspection');

  return async (path, root, options) => {
    const subject = `source ${path}`;
    const outcome = await scripts.run(path, script, [path, root ?? '', options?.measureSize === false ? '' : 'size']);
    if (outcome.kind !== 'exited') {
      // No answer in time: the share hangs. A child that could not start says nothing about the share.
      const reason = outcome.kind === 'spawn-error' ? 'unknown' : 'mount_down';
      return { ok: false, problem: scripts.problem(outcome, subject), missing: false, reason };
    }
    switch (outcome.code) {
      case 0: {
        const match = /^(file|dir) (\d+)$/m.exec(outcome.stdout);
        if (match) return { ok: true, kind: match[1] === 'file' ? 'file' : 'dir', bytes: Number(match[2]) };
        return { ok: false, problem: unexpectedExit(outcome, subject), missing: false, reason: 'unknown' };
      }
      case SCRIPT_EXIT.MISSING:
        return { ok: false, problem: `${subject} does not exist`, missing: true, reason: 'source_missing' };
      case SCRIPT_EXIT.NOT_A_DIRECTORY: {
        const problem = `${subject} is neither a file nor a directory`;
        return { ok: false, problem, missing: false, reason: 'source_unreadable' };
      }
      case SCRIPT_EXIT.UNREADABLE: {
        const problem = withDetail(`${subject} is not readable`, outcome.stderr);
        return { ok: false, problem, missing: false, reason: 'source_unreadable' };
      }
      case SCRIPT_EXIT.EMPTY:
        return { ok: false, problem: `${subject} is an empty directory`, missing: false, reason: 'source_empty' };
      case SCRIPT_EXIT.OUTSIDE_ROOT:
        return {
          ok: false,
          problem:
            `${subject} resolves to ${outcome.stdout.trim()}, outside its mapping root ${root}: ` +
            'a symlink points out of the share',
          missing: false,
          outsideRoot: true,
          reason: 'link_outside_root',
        };
      case SCRIPT_EXIT.LINK_OUTSIDE_ROOT:
        // "LINK -> TARGET", as ls -l shows it.
        return {
          ok: false,
          problem:
            `${subject} holds a symlink that points out of its mapping root ${root} (${outcome.stdout.trim()}): ` +
            'refused rather than copied',
          missing: false,
          outsideRoot: true,
          reason: 'link_outside_root',
        };
      default:
        return { ok: false, problem: unexpectedExit(outcome, subject), missing: false, reason: 'unknown' };
    }
  };
}
