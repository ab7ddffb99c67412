import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { coerceError } from '../core/errors.js';
import { ProgressSplitter, type RsyncProgress } from './rsync-progress.js';

export interface RsyncRun {
  exitCode: number | null;
  signal: string | null;
  /** The last 64 KiB only: -v lists every file, and --stats comes last. Progress lines are not in it. */
  stdout: string;
  /** The last 16 KiB. */
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** Stopped through the AbortSignal (the service is shutting down). */
  aborted: boolean;
  spawnError?: Error;
}

export interface RunRsyncOptions {
  binary?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  spawn?: typeof nodeSpawn;
  onSpawn?: (pid: number) => void;
  /** Each progress line of `--info=progress2`, as rsync prints it (a few per second). */
  onProgress?: (progress: RsyncProgress) => void;
}

const STDOUT_LIMIT = 64 * 1024;
const STDERR_LIMIT = 16 * 1024;
/** Time rsync gets after SIGTERM to stop its children and flush before SIGKILL. */
const KILL_GRACE_MS = 5_000;
/**
 * After rsync itself exited, how long a process that inherited its pipes (a receiver stuck in
 * uninterruptible NFS I/O) may keep them open before the run is reported anyway.
 */
const PIPE_DRAIN_MS = 1_000;

/** Runs rsync without a shell. Never rejects: every failure is described in the result. */
export function runRsync(args: string[], o: RunRsyncOptions): Promise<RsyncRun> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const base = { exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false };

  if (o.signal?.aborted) return Promise.resolve({ ...base, durationMs: 0, aborted: true });

  return new Promise<RsyncRun>((resolve) => {
    let child: ChildProcess;
    try {
      child = (o.spawn ?? nodeSpawn)(o.binary ?? 'rsync', args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        // Own process group: local rsync forks a receiver and a generator, and all of them must stop.
        detached: true,
      });
    } catch (thrown) {
      resolve({ ...base, durationMs: elapsed(), aborted: false, spawnError: coerceError(thrown) });
      return;
    }

    const stdout = new TailBuffer(STDOUT_LIMIT);
    const stderr = new TailBuffer(STDERR_LIMIT);
    const progress = new ProgressSplitter((p) => o.onProgress?.(p));
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(progress.push(chunk)));
    child.stdout?.on('end', () => stdout.push(progress.end()));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

    let stopReason: 'timeout' | 'abort' | undefined;
    let spawnError: Error | undefined;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const signalGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // The group is gone already, or an injected spawn made no group of its own.
        child.kill(sig);
      }
    };
    const stop = (reason: 'timeout' | 'abort') => {
      if (stopReason || settled) return;
      stopReason = reason;
      signalGroup('SIGTERM');
      timers.push(setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS));
    };
    const onAbort = () => stop('abort');

    const finish = (exitCode: number | null, signal: string | null) => {
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

    child.once('spawn', () => {
      if (child.pid !== undefined) o.onSpawn?.(child.pid);
    });
    child.on('error', (error) => {
      // Also emitted when a kill fails; only a failed start ends the run here.
      if (child.pid !== undefined) return;
      spawnError = error;
      finish(null, null);
    });
    child.once('exit', () => {
      timers.push(
        setTimeout(() => {
          signalGroup('SIGKILL');
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, PIPE_DRAIN_MS),
      );
    });
    child.once('close', (code, signal) => finish(code, signal));

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

const INSTALL_HINT =
  'install it (Debian/Ubuntu: apt-get install rsync; Alpine: apk add rsync); the sync-webhook Docker image already ships it';

/** Resolves rsync's version line ("rsync  version 3.2.7  protocol version 31"). */
export async function checkRsyncAvailable(binary = 'rsync'): Promise<string> {
  const run = await runRsync(['--version'], { binary, timeoutMs: 10_000 });
  if (run.spawnError) {
    const missing = (run.spawnError as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? `rsync not found (looked for "${binary}"): ${INSTALL_HINT}`
        : `rsync ("${binary}") cannot be started: ${run.spawnError.message}`,
    );
  }
  const lines = run.stdout.split('\n').map((line) => line.trim());
  const versionLine = lines.find((line) => /^rsync\s+version\b/.test(line));
  if (run.exitCode !== 0 || !versionLine) {
    const why = run.timedOut ? 'did not answer within 10 s' : `exit ${run.exitCode ?? run.signal}`;
    throw new Error(`"${binary} --version" failed (${why}), is it really rsync? ${INSTALL_HINT}`);
  }
  return versionLine;
}
