import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { coerceError } from '../core/errors.js';

export interface ChildRun {
  exitCode: number | null;
  signal: string | null;
  /** The tail of stdout (`stdoutLimit` bytes, cut at a line start), after `stdoutFilter`. */
  stdout: string;
  /** The tail of stderr (`stderrLimit` bytes, cut at a line start). */
  stderr: string;
  durationMs: number;
  /** Stopped at the time limit. */
  timedOut: boolean;
  /** Stopped through the AbortSignal (the service is shutting down). */
  aborted: boolean;
  /** The program could not be started (ENOENT: not installed). */
  spawnError?: Error;
}

/** Sees stdout as it streams and returns the bytes of it to keep; `end` returns what it still holds. */
export interface StdoutFilter {
  push(chunk: Buffer): Buffer;
  end(): Buffer;
}

export interface RunChildOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * How the time limit and an abort stop the child's process group.
   * `{ sigtermGraceMs }`: SIGTERM, then SIGKILL that much later; the run ends when the child has ended.
   * `'sigkill-and-leave'`: SIGKILL, and the run ends at once: a process stuck in uninterruptible I/O
   * on a hung mount outlives even SIGKILL, and nothing may wait for it.
   */
  stop: { sigtermGraceMs: number } | 'sigkill-and-leave';
  /**
   * 'own' (the default): the child gets a session and process group of its own, and a stop reaches every
   * process it started. 'shared': it stays in this process's session and a stop reaches it alone; for a
   * single program that must keep this process's low priority. A new session is also a new scheduling
   * autogroup on kernels that have them (sched_autogroup_enabled), and an autogroup competes for the CPU
   * with every other one as an equal: the nice value of a process inside it only counts within it.
   */
  session?: 'own' | 'shared';
  /**
   * After the child exited, how long a process that inherited its output pipes (one stuck on a hung
   * mount) may keep them open before the group gets SIGKILL, the pipes are closed on this side and the
   * run is reported anyway. Unset: the run waits for every holder of the pipes.
   */
  pipeDrainMs?: number;
  /**
   * Variables the child gets on top of this process's environment: how a secret reaches a child without
   * appearing on its command line, which every user of the machine can read (ps, /proc/PID/cmdline).
   */
  env?: Readonly<Record<string, string>>;
  /** 'pipe' leaves stdin open for `onStdout` to answer the child; default 'ignore'. */
  stdin?: 'ignore' | 'pipe';
  onSpawn?: (pid: number) => void;
  /** Each chunk of stdout as it arrives; `stdin` is the child's when `stdin` is 'pipe'. */
  onStdout?: (chunk: Buffer, stdin: Writable | null) => void;
  stdoutFilter?: StdoutFilter;
  stdoutLimit?: number;
  stderrLimit?: number;
  /**
   * Called once nothing of the run holds its output pipes any more, or it never started; before the
   * run is reported, except with 'sigkill-and-leave' after a stop, where that may be long after.
   */
  onGone?: () => void;
}

const DEFAULT_STDOUT_LIMIT = 64 * 1024;
const DEFAULT_STDERR_LIMIT = 16 * 1024;

/**
 * Runs a program without a shell, by default in a session and process group of its own so that a stop
 * reaches every process it started. Never rejects: every failure is described in the result.
 */
export function runChild(command: string, args: readonly string[], o: RunChildOptions): Promise<ChildRun> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const notRun = { exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false };

  if (o.signal?.aborted) {
    o.onGone?.();
    return Promise.resolve({ ...notRun, durationMs: 0, aborted: true });
  }

  return new Promise<ChildRun>((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        stdio: [o.stdin ?? 'ignore', 'pipe', 'pipe'],
        detached: o.session !== 'shared',
        ...(o.env ? { env: { ...process.env, ...o.env } } : {}),
      });
    } catch (thrown) {
      o.onGone?.();
      resolve({ ...notRun, durationMs: elapsed(), aborted: false, spawnError: coerceError(thrown) });
      return;
    }

    const stdout = new TailBuffer(o.stdoutLimit ?? DEFAULT_STDOUT_LIMIT);
    const stderr = new TailBuffer(o.stderrLimit ?? DEFAULT_STDERR_LIMIT);
    // The child may exit without reading what it was sent: a closed stdin is no error then.
    child.stdin?.on('error', () => undefined);
    child.stdout?.on('data', (chunk: Buffer) => {
      o.onStdout?.(chunk, child.stdin);
      stdout.push(o.stdoutFilter ? o.stdoutFilter.push(chunk) : chunk);
    });
    child.stdout?.on('end', () => {
      if (o.stdoutFilter) stdout.push(o.stdoutFilter.end());
    });
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

    let stopReason: 'timeout' | 'abort' | undefined;
    let spawnError: Error | undefined;
    let settled = false;
    let gone = false;
    const markGone = () => {
      if (gone) return;
      gone = true;
      o.onGone?.();
    };
    const timers: NodeJS.Timeout[] = [];

    const signalGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(o.session === 'shared' ? child.pid : -child.pid, signal);
      } catch {
        // The group is gone already.
      }
    };
    const report = (exitCode: number | null, signal: string | null) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      o.signal?.removeEventListener('abort', onAbort);
      resolve({
        exitCode,
        signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        durationMs: elapsed(),
        timedOut: stopReason === 'timeout',
        aborted: stopReason === 'abort',
        ...(spawnError ? { spawnError } : {}),
      });
    };
    const stop = (reason: 'timeout' | 'abort') => {
      if (stopReason || settled) return;
      stopReason = reason;
      if (o.stop === 'sigkill-and-leave') {
        signalGroup('SIGKILL');
        report(null, null);
        return;
      }
      signalGroup('SIGTERM');
      timers.push(setTimeout(() => signalGroup('SIGKILL'), o.stop.sigtermGraceMs));
    };
    const onAbort = () => stop('abort');

    child.once('spawn', () => {
      if (child.pid !== undefined) o.onSpawn?.(child.pid);
    });
    child.on('error', (error) => {
      // Also emitted when a kill fails; only a failed start ends the run here.
      if (child.pid !== undefined) return;
      spawnError = error;
      markGone();
      report(null, null);
    });
    const drainMs = o.pipeDrainMs;
    if (drainMs !== undefined) {
      child.once('exit', () => {
        timers.push(
          setTimeout(() => {
            signalGroup('SIGKILL');
            child.stdout?.destroy();
            child.stderr?.destroy();
          }, drainMs),
        );
      });
    }
    // "close" waits for every holder of the pipes, not only for the child itself.
    child.once('close', (code, signal) => {
      markGone();
      report(code, signal);
    });

    timers.push(setTimeout(() => stop('timeout'), o.timeoutMs));
    o.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Keeps the last `limit` bytes, cut at a line start so the first line is never half a line. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    // Compact only now and then: concatenating on every chunk would copy the tail over and over.
    if (this.size > this.limit * 2) this.compact();
  }

  text(): string {
    this.compact();
    let tail = Buffer.concat(this.chunks);
    if (this.truncated) {
      const newline = tail.indexOf(0x0a);
      if (newline !== -1) tail = tail.subarray(newline + 1);
    }
    return tail.toString('utf8');
  }

  private compact(): void {
    if (this.size <= this.limit) return;
    const all = Buffer.concat(this.chunks);
    this.chunks = [all.subarray(all.length - this.limit)];
    this.size = this.limit;
    this.truncated = true;
  }
}
