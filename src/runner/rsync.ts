import { errnoCode, SetupError } from '../core/errors.js';
import { runChild, type ChildRun } from '../system/run-child.js';
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

const INSTALL_HINT =
  'install it (Debian/Ubuntu: apt-get install rsync; Alpine: apk add rsync); ' +
  'the sync-webhook Docker image already ships it';

/** Resolves rsync's version line ("rsync  version 3.2.7  protocol version 31"); a SetupError when there is none. */
export async function checkRsyncAvailable(binary = 'rsync'): Promise<string> {
  const run = await runRsync(['--version'], { binary, timeoutMs: 10_000 });
  if (run.spawnError) {
    const missing = errnoCode(run.spawnError) === 'ENOENT';
    throw new SetupError(
      missing
        ? `rsync not found (looked for "${binary}"): ${INSTALL_HINT}`
        : `rsync ("${binary}") cannot be started: ${run.spawnError.message}`,
    );
  }
  const lines = run.stdout.split('\n').map((line) => line.trim());
  const versionLine = lines.find((line) => /^rsync\s+version\b/.test(line));
  if (run.exitCode !== 0 || !versionLine) {
    const why = run.timedOut ? 'did not answer within 10 s' : `exit ${run.exitCode ?? run.signal}`;
    throw new SetupError(`"${binary} --version" failed (${why}), is it really rsync? ${INSTALL_HINT}`);
  }
  return versionLine;
}
