import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { coerceError } from '../core/errors.js';
import type { MountCheck } from '../core/types.js';
import { findMountFor, isMounted, parseMountinfo, type MountEntry } from './mountinfo.js';

export type ProbeResult = { ok: true } | { ok: false; problem: string };

export type SourceInspection =
  | { ok: true; kind: 'file' | 'dir'; bytes: number }
  | { ok: false; problem: string; missing: boolean; outsideRoot?: boolean };

export interface MountProbe {
  /** Root of a mapping side: exists, is a real mount (when required), right fstype, anchor present, source readable and non-empty / destination writable. */
  checkRoot(check: MountCheck, role: 'source' | 'destination'): Promise<ProbeResult>;
  /**
   * The item a job copies: exists; a file, or a directory that is not empty; and, with symlinks
   * resolved, still inside `root` (a link must not make a sync read outside its mapping).
   * Size in bytes (apparent, recursive) for the stable-size check; 0 when `measureSize` is false.
   */
  inspectSource(path: string, root?: string, options?: { measureSize?: boolean }): Promise<SourceInspection>;
}

export interface MountProbeOptions {
  timeoutMs: number;
  requireMounts: boolean;
  /** Default reads /proc/self/mountinfo. */
  readMountinfo?: () => Promise<string>;
  /** Program that runs the probe scripts like `sh -c SCRIPT probe ARGS...`; default /bin/sh. Tests swap in one that hangs. */
  probeCommand?: string;
}

/*
 * Every look at a share happens in a child process: a stat() on a hung NFS mount never returns, and
 * done in-process it would pin a libuv threadpool thread (or the event loop) for good. A child can be
 * SIGKILLed at the timeout. Paths travel as positional parameters, never inside the script text.
 */

// Exit codes shared by both scripts.
const MISSING = 10;
const NOT_A_DIRECTORY = 11;
const ANCHOR_MISSING = 12;
const UNREADABLE = 13;
const EMPTY = 14;
const NOT_WRITABLE = 15;
const OUTSIDE_ROOT = 16;
const NOT_MOUNTED = 17;
const LINK_OUTSIDE_ROOT = 18;

/**
 * $1 root, $2 role, $3 anchor relative to the root (may be empty). Prints the root's physical path,
 * which is what /proc/self/mountinfo lists. `find -quit` stops at the first entry: a library folder
 * may hold thousands. Writability is tried for real: access(2) says yes to root on a root-squashed share.
 * It is tried only after the service answered "write" on stdin, having found the printed path in the
 * mount table: an unmounted share's mount point is a folder on the host's disk, never written to.
 */
const ROOT_SCRIPT = `
cd -P -- "$1" 2>/dev/null || {
  [ -d "$1" ] && exit ${UNREADABLE}
  [ -e "$1" ] && exit ${NOT_A_DIRECTORY}
  exit ${MISSING}
}
pwd -P
if [ -n "$3" ] && ! [ -e "$3" ]; then exit ${ANCHOR_MISSING}; fi
if [ "$2" = source ]; then
  first=$(find . -mindepth 1 -maxdepth 1 -print -quit) || exit ${UNREADABLE}
  [ -n "$first" ] || exit ${EMPTY}
else
  IFS= read -r verdict && [ "$verdict" = write ] || exit ${NOT_MOUNTED}
  probe=$(mktemp -p . .sync-webhook-probe.XXXXXX 2>/dev/null) || exit ${NOT_WRITABLE}
  rm -f -- "$probe"
fi
`;

/**
 * $1 item, $2 root it must resolve inside (may be empty). Prints "file BYTES" or "dir BYTES".
 * rsync -a copies a symlink inside a folder as a link: one that leads out of the root would put a
 * pointer to the host's files on the destination share, so such a folder is refused too.
 * find has no "--", hence the "./" for relative paths. Physical paths come from the shell's own
 * "cd -P" and "pwd -P" where it can (a subshell, no program to start): this runs before every rsync.
 */
const SOURCE_SCRIPT = `
CDPATH=
case $1 in /*) p=$1 ;; *) p=./$1 ;; esac
if [ -n "$2" ] && [ -e "$p" ]; then
  if [ -d "$p" ]; then
    real=$(cd -P -- "$p" 2>/dev/null && pwd -P) || exit ${UNREADABLE}
  elif [ -L "$p" ]; then
    real=$(realpath -e -- "$p") || exit ${UNREADABLE}
  else
    dir=\${p%/*}
    real=$(cd -P -- "\${dir:-/}" 2>/dev/null && pwd -P) || exit ${UNREADABLE}
    real=\${real%/}/\${p##*/}
  fi
  root=$(cd -P -- "$2" 2>/dev/null && pwd -P) || exit ${UNREADABLE}
  case $real/ in "\${root%/}"/*) ;; *) echo "$real"; exit ${OUTSIDE_ROOT} ;; esac
fi
if [ -f "$p" ]; then
  kind=file
elif [ -d "$p" ]; then
  kind=dir
  first=$(find -H "$p" -mindepth 1 -maxdepth 1 -print -quit) || exit ${UNREADABLE}
  [ -n "$first" ] || exit ${EMPTY}
  if [ -n "$2" ]; then
    link=$(find -H "$p" -mindepth 1 -type l -exec sh -c 'for l do t=$(realpath -m -- "$l"); case $t/ in "$0"/*) ;; *) printf "%s -> %s\\n" "$l" "$t"; exit 1 ;; esac; done' "\${root%/}" {} +)
    [ -z "$link" ] || { printf '%s\\n' "\${link%%
*}"; exit ${LINK_OUTSIDE_ROOT}; }
  fi
elif [ -e "$p" ]; then
  exit ${NOT_A_DIRECTORY}
else
  exit ${MISSING}
fi
# Walking a whole tree for its size costs tens of ms: only the stable-size check of manual syncs needs it.
if [ "$3" = size ]; then
  size=$(du -s -D -B1 --apparent-size -- "$p") || exit ${UNREADABLE}
else
  size=0
fi
echo "$kind \${size%%[!0-9]*}"
`;

type ChildOutcome =
  | { kind: 'exited'; code: number | null; signal: string | null; stdout: string; stderr: string }
  | { kind: 'timeout' }
  | { kind: 'hanging'; since: Date }
  | { kind: 'spawn-error'; error: Error };

interface Busy {
  since: Date;
  timedOut: boolean;
  /** Settles when the probe answered or timed out. */
  answered: Promise<unknown>;
}

export function createMountProbe(o: MountProbeOptions): MountProbe {
  const readMountinfo = o.readMountinfo ?? (() => readFile('/proc/self/mountinfo', 'utf8'));
  const command = o.probeCommand ?? '/bin/sh';
  const seconds = Number((o.timeoutMs / 1000).toFixed(1));
  /** One probe per path at a time; an entry outlives its timeout until every process of the probe is gone. */
  const busy = new Map<string, Busy>();

  /**
   * `answer`, when given, is asked with the first line the script prints, and its reply is written
   * to the script's stdin (the destination check waits for it before writing anything).
   */
  async function runScript(
    path: string,
    script: string,
    args: string[],
    answer?: (firstLine: string) => Promise<string>,
  ): Promise<ChildOutcome> {
    for (let current = busy.get(path); current; current = busy.get(path)) {
      // A child stuck in the kernel ignores even SIGKILL; starting another would only add a second stuck one.
      if (current.timedOut) return { kind: 'hanging', since: current.since };
      await current.answered;
    }
    const entry: Busy = { since: new Date(), timedOut: false, answered: Promise.resolve() };
    busy.set(path, entry);
    const outcome = spawnScript(script, args, entry, () => busy.delete(path), answer);
    entry.answered = outcome;
    return outcome;
  }

  function spawnScript(
    script: string,
    args: string[],
    entry: Busy,
    gone: () => void,
    answer?: (firstLine: string) => Promise<string>,
  ): Promise<ChildOutcome> {
    return new Promise((resolve) => {
      let child: ChildProcess;
      try {
        child = spawn(command, ['-c', script, 'probe', ...args], {
          stdio: [answer ? 'pipe' : 'ignore', 'pipe', 'pipe'],
          // Own process group, so the timeout also kills the find/du/mktemp the shell is waiting on.
          detached: true,
        });
      } catch (thrown) {
        gone();
        resolve({ kind: 'spawn-error', error: coerceError(thrown) });
        return;
      }
      let stdout = '';
      let stderr = '';
      let asked = false;
      // The script may exit without reading (a missing anchor): a closed stdin is no error then.
      child.stdin?.on('error', () => undefined);
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const newline = stdout.indexOf('\n');
        if (!answer || asked || newline === -1) return;
        asked = true;
        void answer(stdout.slice(0, newline)).then(
          (reply) => child.stdin?.end(`${reply}\n`),
          () => child.stdin?.end('\n'),
        );
      });
      // du lists every unreadable folder; only the end is ever shown.
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4096)));
      const timer = setTimeout(() => {
        entry.timedOut = true;
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // Already gone between the timer firing and now.
          }
        }
        resolve({ kind: 'timeout' });
      }, o.timeoutMs);
      child.on('error', (error) => {
        if (child.pid !== undefined) return;
        clearTimeout(timer);
        gone();
        resolve({ kind: 'spawn-error', error });
      });
      // "close" waits for every holder of the pipes: a killed shell's child stuck on the mount keeps them open.
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        gone();
        resolve({ kind: 'exited', code, signal, stdout, stderr });
      });
    });
  }

  function childProblem(outcome: Exclude<ChildOutcome, { kind: 'exited' }>, subject: string): string {
    switch (outcome.kind) {
      case 'timeout':
        return `${subject} did not answer within ${seconds} s (hung mount?)`;
      case 'hanging':
        return `${subject} still not answering (probe hanging since ${outcome.since.toISOString()})`;
      case 'spawn-error':
        return `${subject} could not be checked: starting ${command} failed: ${outcome.error.message}`;
    }
  }

  function unexpectedExit(outcome: Extract<ChildOutcome, { kind: 'exited' }>, subject: string): string {
    const how = outcome.code === null ? `killed by ${outcome.signal}` : `exit ${outcome.code}`;
    return withDetail(`${subject} could not be checked (probe ${how})`, outcome.stderr);
  }

  /** Mount and fstype problems outrank what the script found: an unmounted share explains a missing anchor. */
  async function mountProblem(check: MountCheck, subject: string, physicalPath: string): Promise<string | undefined> {
    if (!o.requireMounts && !check.fstype) return undefined;
    let entries: MountEntry[];
    try {
      entries = parseMountinfo(await readMountinfo());
    } catch (thrown) {
      return `cannot tell whether ${subject} is mounted: reading the mount table failed: ${coerceError(thrown).message}`;
    }
    const mount = findMountFor(physicalPath, entries);
    if (o.requireMounts && !isMounted(physicalPath, entries)) {
      return `${subject} is not mounted (it is on the root filesystem; its nearest mount point is ${mount?.mountPoint ?? '/'})`;
    }
    if (check.fstype && mount?.fstype !== check.fstype) {
      return `${subject} is on ${mount?.fstype ?? 'an unknown filesystem'}, expected ${check.fstype}`;
    }
    return undefined;
  }

  return {
    async checkRoot(check, role) {
      const subject = `${role} ${check.path}`;
      const anchor = check.anchor?.replace(/^\/+/, '') ?? '';
      // The destination script waits for this verdict before it writes its test file.
      let verdict: { problem: string | undefined } | undefined;
      const answer =
        role === 'destination'
          ? async (physicalPath: string) => {
              verdict = { problem: await mountProblem(check, subject, physicalPath) };
              return verdict.problem ? 'stop' : 'write';
            }
          : undefined;
      const outcome = await runScript(check.path, ROOT_SCRIPT, [check.path, role, anchor], answer);
      if (outcome.kind !== 'exited') return { ok: false, problem: childProblem(outcome, subject) };
      switch (outcome.code) {
        case MISSING:
          return { ok: false, problem: `${subject} does not exist` };
        case NOT_A_DIRECTORY:
          return { ok: false, problem: `${subject} is not a directory` };
        case UNREADABLE:
          return { ok: false, problem: withDetail(`${subject} is not readable`, outcome.stderr) };
      }
      // Code 0 and the content problems below come after "pwd -P" printed the physical path.
      const physicalPath = outcome.stdout.replace(/\n$/, '');
      const mounted = verdict
        ? verdict.problem
        : physicalPath
          ? await mountProblem(check, subject, physicalPath)
          : undefined;
      if (mounted) return { ok: false, problem: mounted };
      switch (outcome.code) {
        case 0:
          return { ok: true };
        case ANCHOR_MISSING:
          return {
            ok: false,
            problem: `anchor file ${anchor} missing under ${check.path}: the share is probably not mounted`,
          };
        case EMPTY:
          return { ok: false, problem: `${subject} is empty: an unmounted share looks like this` };
        case NOT_WRITABLE:
          return { ok: false, problem: `${subject} is not writable` };
        default:
          return { ok: false, problem: unexpectedExit(outcome, subject) };
      }
    },

    async inspectSource(path, root, options) {
      const subject = `source ${path}`;
      const outcome = await runScript(path, SOURCE_SCRIPT, [
        path,
        root ?? '',
        options?.measureSize === false ? '' : 'size',
      ]);
      if (outcome.kind !== 'exited') return { ok: false, problem: childProblem(outcome, subject), missing: false };
      switch (outcome.code) {
        case 0: {
          const match = /^(file|dir) (\d+)$/m.exec(outcome.stdout);
          if (match) return { ok: true, kind: match[1] as 'file' | 'dir', bytes: Number(match[2]) };
          return { ok: false, problem: unexpectedExit(outcome, subject), missing: false };
        }
        case MISSING:
          return { ok: false, problem: `${subject} does not exist`, missing: true };
        case NOT_A_DIRECTORY:
          return { ok: false, problem: `${subject} is neither a file nor a directory`, missing: false };
        case UNREADABLE:
          return { ok: false, problem: withDetail(`${subject} is not readable`, outcome.stderr), missing: false };
        case EMPTY:
          return { ok: false, problem: `${subject} is an empty directory`, missing: false };
        case OUTSIDE_ROOT:
          return {
            ok: false,
            problem: `${subject} resolves to ${outcome.stdout.trim()}, outside its mapping root ${root}: a symlink points out of the share`,
            missing: false,
            outsideRoot: true,
          };
        case LINK_OUTSIDE_ROOT:
          // "LINK -> TARGET", as ls -l shows it.
          return {
            ok: false,
            problem: `${subject} holds a symlink that points out of its mapping root ${root} (${outcome.stdout.trim()}): refused rather than copied`,
            missing: false,
            outsideRoot: true,
          };
        default:
          return { ok: false, problem: unexpectedExit(outcome, subject), missing: false };
      }
    },
  };
}

/** Appends what find/du said last ("Permission denied" and which folder): that is what the user fixes. */
function withDetail(problem: string, stderr: string): string {
  const lastLine = stderr.trim().split('\n').at(-1)?.slice(-300);
  return lastLine ? `${problem}: ${lastLine}` : problem;
}
