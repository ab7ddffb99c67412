import { runChild, type ChildRun } from '../system/run-child.js';
import { ProgressSplitter, type RsyncProgress } from './rsync-progress.js';

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
/** Time rsync gets after SIGTERM to stop its children and flush before SIGKILL. */
const KILL_GRACE_MS = 5_000;
/**
 * After rsync itself exited, how long a process that inherited its pipes (a receiver stuck in
 * uninterruptible NFS I/O) may keep them open before the run is reported anyway.
 */
const PIPE_DRAIN_MS = 1_000;

/**
 * Runs rsync without a shell, in its own process group: local rsync forks a receiver and a generator,
 * and a stop must reach all of them. Never rejects: every failure is described in the result.
 */
export function runRsync(args: string[], o: RunRsyncOptions): Promise<RsyncRun> {
  return runChild(o.binary ?? 'rsync', args, {
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    stop: { sigtermGraceMs: KILL_GRACE_MS },
    pipeDrainMs: PIPE_DRAIN_MS,
    onSpawn: o.onSpawn,
    stdoutFilter: new ProgressSplitter((progress) => o.onProgress?.(progress)),
    stdoutLimit: STDOUT_LIMIT,
    stderrLimit: STDERR_LIMIT,
  });
}

const INSTALL_HINT =
  'install it (Debian/Ubuntu: apt-get install rsync; Alpine: apk add rsync); ' +
  'the sync-webhook Docker image already ships it';

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
