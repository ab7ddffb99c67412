import { runChild, type ChildRun } from '../system/run-child.js';
import { probeRsync } from '../system/rsync-version.js';
import { ProgressSplitter, type RsyncProgress } from './rsync-progress.js';
import { TIMING } from '../core/timing.js';

/** stdout: the last 64 KiB only (-v lists every file, and --stats comes last), without progress lines. */
export type RsyncRun = ChildRun;

export interface RunRsyncOptions {
  binary?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  onSpawn?: (pid: number) => void;
  /** Each progress line of `--info=progress2`, as rsync prints it (a few per second). */
  onProgress?: (progress: RsyncProgress) => void;
}

const STDOUT_LIMIT = 64 * 1024;
const STDERR_LIMIT = 16 * 1024;

/**
 * Runs rsync without a shell, in its own process group: local rsync forks a receiver and a generator,
 * and a stop must reach all of them. Never rejects: every failure is described in the result.
 */
export function runRsync(args: string[], o: RunRsyncOptions): Promise<RsyncRun> {
  return runChild(o.binary ?? 'rsync', args, {
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    stop: { sigtermGraceMs: TIMING.rsyncKillGraceMs },
    // A process that inherited rsync's pipes (a receiver stuck in uninterruptible NFS I/O) may keep
    // them open after rsync itself exited: the run is reported anyway.
    pipeDrainMs: TIMING.rsyncPipeDrainMs,
    onSpawn: o.onSpawn,
    stdoutFilter: new ProgressSplitter((progress) => o.onProgress?.(progress)),
    stdoutLimit: STDOUT_LIMIT,
    stderrLimit: STDERR_LIMIT,
  });
}

/** Resolves rsync's version line ("rsync  version 3.2.7  protocol version 31"). */
export async function checkRsyncAvailable(binary = 'rsync'): Promise<string> {
  const probe = await probeRsync(binary);
  if (!probe.ok) throw new Error(`${probe.problem}: ${probe.fix}`);
  return probe.line;
}
