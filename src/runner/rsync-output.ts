import { errnoCode } from '../core/errors.js';

export interface RsyncStats {
  /** "Total transferred file size": bytes of the files rsync actually sent. */
  bytesTransferred: number | null;
  /** "Number of regular files transferred". */
  filesTransferred: number | null;
  /** "Total file size": bytes of everything the source holds, copied or not. */
  totalSize: number | null;
  /** "Literal data": bytes read from the source and written at the destination. */
  literalBytes: number | null;
  /** "Matched data": bytes the delta pass found already at the destination (a resumed partial file). */
  matchedBytes: number | null;
}

export function parseRsyncStats(stdout: string): RsyncStats {
  return {
    bytesTransferred: statNumber(stdout, 'Total transferred file size'),
    filesTransferred: statNumber(stdout, 'Number of regular files transferred'),
    totalSize: statNumber(stdout, 'Total file size'),
    literalBytes: statNumber(stdout, 'Literal data'),
    matchedBytes: statNumber(stdout, 'Matched data'),
  };
}

function statNumber(stdout: string, label: string): number | null {
  // Without --no-human-readable, rsync 3.x groups digits with commas ("1,234,567"); "1.23M" is too vague to use.
  const match = new RegExp(`^${label}: ([\\d,]+)(?: bytes)?\\s*$`, 'm').exec(stdout);
  if (!match?.[1]) return null;
  const value = Number(match[1].replaceAll(',', ''));
  return Number.isSafeInteger(value) ? value : null;
}

export type RsyncOutcome =
  | { kind: 'success' }
  | { kind: 'permanent'; reason: string }
  | { kind: 'transient'; reason: string };

export interface RsyncEnd {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  aborted: boolean;
  stderr: string;
  spawnError?: Error;
  /** The timeout the run had, for the "timed out after N s" reason. */
  timeoutSeconds?: number;
}

/** EXIT VALUES from rsync(1). */
const EXIT_MEANINGS: Readonly<Record<number, string>> = {
  1: 'syntax or usage error',
  2: 'protocol incompatibility',
  3: 'errors selecting input/output files, directories',
  4: 'requested action not supported',
  5: 'error starting client-server protocol',
  6: 'daemon unable to append to log-file',
  10: 'error in socket I/O',
  11: 'error in file I/O',
  12: 'error in rsync protocol data stream',
  13: 'errors with program diagnostics',
  14: 'error in IPC code',
  15: 'sibling process crashed',
  16: 'sibling process was killed by a signal',
  19: 'received SIGUSR1',
  20: 'received SIGINT, SIGTERM, or SIGHUP',
  21: 'some error returned by waitpid()',
  22: 'error allocating core memory buffers',
  23: 'partial transfer due to error',
  24: 'partial transfer due to vanished source files',
  25: 'the --max-delete limit stopped deletions',
  30: 'timeout in data send/receive',
  35: 'timeout waiting for daemon connection',
};

/** Our arguments or this rsync build are wrong: running the same command again fails the same way. */
const PERMANENT_EXIT_CODES = new Set([1, 2, 4]);

const STDERR_BUDGET = 500;

export function classifyRsyncExit(r: RsyncEnd): RsyncOutcome {
  if (r.spawnError) return classifySpawnError(r.spawnError);
  if (r.aborted) return { kind: 'transient', reason: 'rsync stopped: service shutting down' };
  if (r.timedOut) {
    const after = r.timeoutSeconds === undefined ? '' : ` after ${r.timeoutSeconds} s`;
    return { kind: 'transient', reason: `rsync timed out${after}` };
  }
  if (r.exitCode === 0) return { kind: 'success' };
  const detail = stderrSummary(r.stderr);
  const suffix = detail ? `: ${detail}` : '';
  if (r.exitCode === null) {
    // Someone else killed it (the OOM killer, an admin): the copy may well work next time.
    return { kind: 'transient', reason: `rsync was killed by ${r.signal ?? 'an unknown signal'}${suffix}` };
  }
  const meaning = EXIT_MEANINGS[r.exitCode] ?? 'unknown exit code';
  const reason = `rsync exit ${r.exitCode} (${meaning})${suffix}`;
  // 23/24 included: a partial copy is never a success, and a vanished or unreadable file may be back next time.
  return PERMANENT_EXIT_CODES.has(r.exitCode) ? { kind: 'permanent', reason } : { kind: 'transient', reason };
}

function classifySpawnError(error: Error): RsyncOutcome {
  const code = errnoCode(error);
  if (code === 'ENOENT') {
    return { kind: 'permanent', reason: 'rsync not found: install it (Debian/Ubuntu: apt-get install rsync)' };
  }
  if (code === 'EACCES') {
    return { kind: 'permanent', reason: `rsync cannot be executed (permission denied): ${error.message}` };
  }
  // EAGAIN, EMFILE and friends: the machine is short of processes or file descriptors right now.
  return { kind: 'transient', reason: `rsync could not be started: ${error.message}` };
}

/**
 * rsync repeats its exit code as "rsync error: ... (code 23) at main.c(1394)"; the lines before it
 * (which file, which errno) are the part a user can act on.
 */
function stderrSummary(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const specific = lines.filter((line) => !/^rsync error: .*\(code \d+\)/.test(line));
  const chosen = specific.length > 0 ? specific : lines;
  const picked: string[] = [];
  let length = 0;
  for (const line of chosen.toReversed()) {
    if (picked.length > 0 && length + line.length + 3 > STDERR_BUDGET) break;
    picked.unshift(line);
    length += line.length + 3;
  }
  const summary = picked.join(' | ');
  return summary.length > STDERR_BUDGET ? `${summary.slice(0, STDERR_BUDGET - 1)}…` : summary;
}

/** A copy-pasteable shell line for logs; paths are always quoted so they stand out. */
export function formatRsyncCommand(binary: string, args: readonly string[]): string {
  const separator = args.indexOf('--');
  return [binary, ...args]
    .map((arg, i) => (separator !== -1 && i > separator + 1 ? quote(arg) : quoteIfNeeded(arg)))
    .join(' ');
}

function quoteIfNeeded(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : quote(arg);
}

function quote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}
