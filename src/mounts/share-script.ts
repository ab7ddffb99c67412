import { readFileSync } from 'node:fs';
import { runChild } from '../system/run-child.js';

/*
 * Every look at a share happens in a child process: a stat() on a hung NFS mount never returns, and
 * done in-process it would pin a libuv threadpool thread (or the event loop) for good. A child can be
 * SIGKILLed at the timeout. The scripts are files under scripts/; paths travel as positional
 * parameters, never inside the script text.
 */

/** Exit codes of the scripts: each script sets the ones it uses at its top, and a test compares them. */
export const SCRIPT_EXIT = Object.freeze({
  MISSING: 10,
  NOT_A_DIRECTORY: 11,
  ANCHOR_MISSING: 12,
  UNREADABLE: 13,
  EMPTY: 14,
  NOT_WRITABLE: 15,
  OUTSIDE_ROOT: 16,
  NOT_MOUNTED: 17,
  LINK_OUTSIDE_ROOT: 18,
});

export type ShareScriptName =
  | 'root-check'
  | 'source-inspection'
  | 'partial-copies'
  | 'list-folders'
  | 'source-presence'
  | 'destination-files';

/** The text of scripts/NAME.sh, shipped beside the compiled code (scripts/copy-assets.mjs). */
export function readShareScript(name: ShareScriptName): string {
  return readFileSync(new URL(`./scripts/${name}.sh`, import.meta.url), 'utf8');
}

export type ScriptOutcome =
  | { kind: 'exited'; code: number | null; signal: string | null; stdout: string; stderr: string }
  | { kind: 'timeout' }
  | { kind: 'hanging'; since: Date }
  | { kind: 'spawn-error'; error: Error };

export type ExitedScript = Extract<ScriptOutcome, { kind: 'exited' }>;

export interface ShareScriptRunner {
  /**
   * Runs `script` about the share path `path`, one at a time per path. `answer`, when given, is asked
   * with the first line the script prints, and its reply is written to the script's stdin. Of stdout,
   * the last `stdoutLimit` bytes are kept (64 KiB unless given).
   */
  run(
    path: string,
    script: string,
    args: string[],
    answer?: (firstLine: string) => Promise<string>,
    stdoutLimit?: number,
  ): Promise<ScriptOutcome>;
  /** What to tell about `subject` when its script gave no answer. */
  problem(outcome: Exclude<ScriptOutcome, ExitedScript>, subject: string): string;
}

export interface ShareScriptRunnerOptions {
  timeoutMs: number;
  /** Program that runs the scripts like `sh -c SCRIPT probe ARGS...`. */
  shell: string;
}

interface Busy {
  since: Date;
  timedOut: boolean;
  /** Settles when the script answered or timed out. */
  answered: Promise<unknown>;
}

export function createShareScriptRunner(o: ShareScriptRunnerOptions): ShareScriptRunner {
  const seconds = Number((o.timeoutMs / 1000).toFixed(1));
  /** One script per path at a time; an entry outlives its timeout until every process of the script is gone. */
  const busy = new Map<string, Busy>();

  async function run(
    path: string,
    script: string,
    args: string[],
    answer?: (firstLine: string) => Promise<string>,
    stdoutLimit?: number,
  ): Promise<ScriptOutcome> {
    for (let current = busy.get(path); current; current = busy.get(path)) {
      // A child stuck in the kernel ignores even SIGKILL; starting another would only add a second stuck one.
      if (current.timedOut) return { kind: 'hanging', since: current.since };
      await current.answered;
    }
    const entry: Busy = { since: new Date(), timedOut: false, answered: Promise.resolve() };
    busy.set(path, entry);
    const outcome = spawnScript(script, args, () => busy.delete(path), answer, stdoutLimit).then((result) => {
      entry.timedOut = result.kind === 'timeout';
      return result;
    });
    entry.answered = outcome;
    return outcome;
  }

  async function spawnScript(
    script: string,
    args: string[],
    gone: () => void,
    answer?: (firstLine: string) => Promise<string>,
    stdoutLimit?: number,
  ): Promise<ScriptOutcome> {
    let printed = '';
    let asked = false;
    const run = await runChild(o.shell, ['-c', script, 'probe', ...args], {
      timeoutMs: o.timeoutMs,
      // The whole group: the timeout also kills the find/du/mktemp the shell is waiting on.
      stop: 'sigkill-and-leave',
      stdin: answer ? 'pipe' : 'ignore',
      onStdout: (chunk, stdin) => {
        if (!answer || asked) return;
        printed += chunk.toString('utf8');
        const newline = printed.indexOf('\n');
        if (newline === -1) return;
        asked = true;
        void answer(printed.slice(0, newline)).then(
          (reply) => stdin?.end(`${reply}\n`),
          () => stdin?.end('\n'),
        );
      },
      // du lists every unreadable folder; only the end is ever shown.
      stderrLimit: 4096,
      ...(stdoutLimit === undefined ? {} : { stdoutLimit }),
      onGone: gone,
    });
    if (run.spawnError) return { kind: 'spawn-error', error: run.spawnError };
    if (run.timedOut) return { kind: 'timeout' };
    return { kind: 'exited', code: run.exitCode, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
  }

  return {
    run,
    problem(outcome, subject) {
      switch (outcome.kind) {
        case 'timeout':
          return `${subject} did not answer within ${seconds} s (hung mount?)`;
        case 'hanging':
          return `${subject} still not answering (probe hanging since ${outcome.since.toISOString()})`;
        case 'spawn-error':
          return `${subject} could not be checked: starting ${o.shell} failed: ${outcome.error.message}`;
      }
    },
  };
}

export function unexpectedExit(outcome: ExitedScript, subject: string): string {
  const how = outcome.code === null ? `killed by ${outcome.signal}` : `exit ${outcome.code}`;
  return withDetail(`${subject} could not be checked (probe ${how})`, outcome.stderr);
}

/** Appends what find/du said last ("Permission denied" and which folder): that is what the user fixes. */
export function withDetail(problem: string, stderr: string): string {
  const lastLine = stderr.trim().split('\n').at(-1)?.slice(-300);
  return lastLine ? `${problem}: ${lastLine}` : problem;
}
