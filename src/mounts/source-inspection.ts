import { readShareScript, SCRIPT_EXIT, type ShareScriptRunner, unexpectedExit, withDetail } from './share-script.js';

export type SourceInspection =
  | { ok: true; kind: 'file' | 'dir'; bytes: number }
  | { ok: false; problem: string; missing: boolean; outsideRoot?: boolean };

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
    if (outcome.kind !== 'exited') return { ok: false, problem: scripts.problem(outcome, subject), missing: false };
    switch (outcome.code) {
      case 0: {
        const match = /^(file|dir) (\d+)$/m.exec(outcome.stdout);
        if (match) return { ok: true, kind: match[1] === 'file' ? 'file' : 'dir', bytes: Number(match[2]) };
        return { ok: false, problem: unexpectedExit(outcome, subject), missing: false };
      }
      case SCRIPT_EXIT.MISSING:
        return { ok: false, problem: `${subject} does not exist`, missing: true };
      case SCRIPT_EXIT.NOT_A_DIRECTORY:
        return { ok: false, problem: `${subject} is neither a file nor a directory`, missing: false };
      case SCRIPT_EXIT.UNREADABLE:
        return { ok: false, problem: withDetail(`${subject} is not readable`, outcome.stderr), missing: false };
      case SCRIPT_EXIT.EMPTY:
        return { ok: false, problem: `${subject} is an empty directory`, missing: false };
      case SCRIPT_EXIT.OUTSIDE_ROOT:
        return {
          ok: false,
          problem:
            `${subject} resolves to ${outcome.stdout.trim()}, outside its mapping root ${root}: ` +
            'a symlink points out of the share',
          missing: false,
          outsideRoot: true,
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
        };
      default:
        return { ok: false, problem: unexpectedExit(outcome, subject), missing: false };
    }
  };
}
