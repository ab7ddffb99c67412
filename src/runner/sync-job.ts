import { coerceError, NotReadyError, PermanentError } from '../core/errors.js';
import { isInside } from '../core/paths.js';
import type { OutboxItem, SyncFailedEvent, SyncSucceededEvent, TargetRouting } from '../core/notify-event.js';
import type { Clock, Job, Mapping } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { MountGate } from '../mounts/gate.js';
import type { MountProbe } from '../mounts/probe.js';
import type { ProgressBoard } from './progress-board.js';
import { syncFailedEvent, syncSucceededEvent } from '../notify/events.js';
import type { JobStore } from '../store/jobs.js';
import { decideRetry, type RetryPolicy } from './retry-policy.js';
import { buildRsyncArgs } from './rsync-args.js';
import { classifyRsyncExit, formatRsyncCommand, parseRsyncStats } from './rsync-output.js';
import type { LeftoverCleanup } from '../mounts/rsync-leftovers.js';
import type { RsyncRun } from './rsync.js';
import type { RsyncProgress } from './rsync-progress.js';

export type RunRsync = (
  args: string[],
  o: {
    timeoutMs: number;
    signal: AbortSignal;
    onSpawn: (pid: number) => void;
    onProgress: (progress: RsyncProgress) => void;
  },
) => Promise<RsyncRun>;

export interface SyncJobOptions {
  dryRun: boolean;
  rsyncTimeoutSeconds: number;
  retry: RetryPolicy;
  /** How long a job waiting for a mount sleeps before it is looked at again (a mount coming back wakes it sooner). */
  mountRecheckMs: number;
  /** Manual syncs: the source must keep the same size for this long. */
  manualStableMs: number;
}

export interface SyncJobDeps {
  jobs: Pick<JobStore, 'markSuccess' | 'markFailed' | 'defer' | 'deferMapping' | 'recordRsyncPid'>;
  mappings: readonly Mapping[];
  /** Both roots of the mapping mounted and usable (see mounts/gate.ts). */
  mounts: MountGate;
  /** The item itself: present, not empty, not leading out of its root through a link. */
  source: Pick<MountProbe, 'inspectSource'>;
  rsync: RunRsync;
  clock: Clock;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  log: Logger;
  options: SyncJobOptions;
  /** Which notification targets and media servers each follow-up goes to (one outbox row per target). */
  routing: TargetRouting;
  /** Called with the recorded row after every success or failure (history log, session counters). */
  onFinished: (job: Job) => void;
  /** Where the running copy's progress lines go (GET /jobs/<id>). */
  progress: Pick<ProgressBoard, 'set' | 'clear'>;
  /** Removes the rsync temp files a killed copy of this source left at the destination (not in dry runs). */
  removeLeftovers: (sourceItem: string, destItem: string) => Promise<LeftoverCleanup>;
}

export type SyncJobOutcome = 'success' | 'failed' | 'waiting' | 'interrupted';

/**
 * Runs one claimed job to a recorded outcome: check the mounts, check the source is really there,
 * run rsync, then record success or failure together with the notifications and scans it causes.
 */
export async function runSyncJob(job: Job, deps: SyncJobDeps, signal: AbortSignal): Promise<SyncJobOutcome> {
  const { log, clock, options } = deps;
  const started = clock.now();
  const retryInfo = job.retryCount > 0 ? ` (retry ${job.retryCount}/${options.retry.maxRetries})` : '';
  const jobLog = log.child({ jobId: job.id });
  jobLog.info(`Background sync started: ${job.title}${retryInfo}`);

  let run: RsyncRun;
  try {
    const mapping = checkedMapping(job, deps.mappings);
    await deps.mounts.ensureReady(mapping);
    await ensureSourcePresent(job, mapping, deps, signal);
    // Only a job that ran before can have been killed mid-copy; a first attempt skips the extra look.
    const ranBefore = job.retryCount > 0 || job.error !== null;
    if (ranBefore && !options.dryRun) {
      const cleanup = await deps.removeLeftovers(job.sourcePath, `${job.destPath}/${basename(job.sourcePath)}`);
      if (cleanup.removed.length > 0) {
        jobLog.warn(
          `Removed ${cleanup.removed.length} rsync temp file(s) a killed copy left behind: ` +
            cleanup.removed.join(', '),
        );
      }
      if (cleanup.problem) jobLog.warn(cleanup.problem);
    }
    const args = buildRsyncArgs({
      source: job.sourcePath,
      destDir: job.destPath,
      dryRun: options.dryRun,
      isUpgrade: job.isUpgrade,
      createDestDir: job.destPath !== mapping.destination.path,
    });
    jobLog.info(`Running: ${formatRsyncCommand('rsync', args)}`);
    try {
      run = await deps.rsync(args, {
        timeoutMs: options.rsyncTimeoutSeconds * 1000,
        signal,
        onSpawn: (pid) => recordPid(job, pid, deps, jobLog),
        onProgress: (progress) => deps.progress.set(job.id, progress, clock.now()),
      });
    } finally {
      deps.progress.clear(job.id);
    }
  } catch (error) {
    if (error instanceof NotReadyError) {
      const until = new Date(clock.now().getTime() + error.retryAfterMs);
      deps.jobs.defer(job.id, error.message, until);
      jobLog.warn(`Sync of ${job.title} waits: ${error.message}`);
      if (error.scope === 'mapping') {
        const others = deps.jobs.deferMapping(job.mapping, error.message, until, clock.now());
        if (others > 0) jobLog.warn(`${others} more queued job(s) of mapping ${job.mapping} wait for the same mount`);
      }
      return 'waiting';
    }
    if (signal.aborted) return interrupted(job, deps);
    return recordFailure(job, coerceError(error), started, deps);
  }

  if (run.aborted) return interrupted(job, deps);
  if (jobLog.isLevelEnabled('debug')) {
    jobLog.debug(
      `rsync exit ${run.exitCode} in ${run.durationMs} ms; ` +
        `output ends: ${run.stdout.slice(-2000)}${run.stderr ? ` | stderr: ${run.stderr.slice(-2000)}` : ''}`,
    );
  }
  const verdict = classifyRsyncExit({ ...run, timeoutSeconds: options.rsyncTimeoutSeconds });
  if (verdict.kind !== 'success') {
    return recordFailure(
      job,
      verdict.kind === 'permanent' ? new PermanentError(verdict.reason) : new Error(verdict.reason),
      started,
      deps,
    );
  }

  const finishedAt = clock.now();
  const durationSeconds = seconds(started, finishedAt);
  const bytes = options.dryRun ? 0 : parseRsyncStats(run.stdout).bytesTransferred;
  const done: Job = {
    ...job,
    status: 'success',
    bytesTransferred: bytes,
    durationSeconds: durationSeconds,
    error: null,
  };
  const outbox = notifications(deps.routing, syncSucceededEvent(done, { dryRun: options.dryRun }, finishedAt));
  if (!options.dryRun) {
    const path = `${job.destPath}/${basename(job.sourcePath)}`;
    for (const target of deps.routing.mediaServersFor(job.mapping)) {
      outbox.push({
        target,
        payload: { type: 'scan', scan: { mapping: job.mapping, path, mediaType: job.mediaType, change: 'created' } },
      });
    }
  }
  const recorded = deps.jobs.markSuccess(job.id, { bytes, finishedAt, durationSeconds }, outbox);
  jobLog.info(`Background sync completed: ${job.title} in ${durationSeconds.toFixed(1)}s${retryInfo}`);
  deps.onFinished(recorded);
  return 'success';
}

/** PermanentError gives up at once; any other error counts an attempt and is retried while retries remain. */
function recordFailure(job: Job, failure: Error, started: Date, deps: SyncJobDeps): SyncJobOutcome {
  const { clock, options } = deps;
  const finishedAt = clock.now();
  const durationSeconds = seconds(started, finishedAt);
  const decision = decideRetry(failure instanceof PermanentError, job.retryCount, options.retry, finishedAt);
  const failed: Job = { ...job, status: 'failed', error: failure.message, durationSeconds: durationSeconds };
  const next =
    decision.kind === 'retry'
      ? {
          kind: 'retry' as const,
          attempt: decision.attempt,
          maxRetries: options.retry.maxRetries,
          inSeconds: options.retry.intervalMs / 1000,
        }
      : { kind: 'gave_up' as const, maxRetries: options.retry.maxRetries, reason: decision.reason };
  const outbox = notifications(deps.routing, syncFailedEvent(failed, next, finishedAt));
  const recorded = deps.jobs.markFailed(
    job.id,
    { error: failure.message, finishedAt, durationSeconds, retryAt: decision.kind === 'retry' ? decision.at : null },
    outbox,
  );
  const retryInfo = job.retryCount > 0 ? ` (retry ${job.retryCount}/${options.retry.maxRetries})` : '';
  const plan =
    decision.kind === 'retry'
      ? `retry ${decision.attempt}/${options.retry.maxRetries} at ${decision.at.toISOString()}`
      : decision.reason === 'permanent'
        ? 'not retried: retrying cannot fix this'
        : `gave up after ${options.retry.maxRetries} retries`;
  deps.log.error({ jobId: job.id }, `Background sync failed: ${job.title}${retryInfo} - ${failure.message} (${plan})`);
  deps.onFinished(recorded);
  return 'failed';
}

/**
 * The pid only lets a restart stop an rsync that outlived a killed service. Failing to write it must
 * not end the copy (this runs in a child-process event, where a throw would crash the service); the
 * outcome's own write, which fails too if the database does, stops the queue.
 */
function recordPid(job: Job, pid: number, deps: SyncJobDeps, jobLog: Logger): void {
  try {
    deps.jobs.recordRsyncPid(job.id, pid);
  } catch (error) {
    jobLog.warn(`Could not record the pid ${pid} of the rsync of job ${job.id}: ${coerceError(error).message}`);
  }
}

function interrupted(job: Job, deps: SyncJobDeps): SyncJobOutcome {
  // Shutting down: back to the queue without using a retry; it runs again at the next start.
  deps.jobs.defer(job.id, 'Interrupted by shutdown', deps.clock.now());
  deps.log.warn({ jobId: job.id }, `Sync of ${job.title} interrupted by shutdown; it will run again at the next start`);
  return 'interrupted';
}

/**
 * The job's mapping, and proof that its paths still lie inside it (the config may have changed since it was
 * queued).
 */
function checkedMapping(job: Job, mappings: readonly Mapping[]): Mapping {
  const mapping = mappings.find((m) => m.container === job.mapping);
  if (!mapping) {
    throw new PermanentError(`mapping ${job.mapping} is no longer configured (check SYNC_CONFIG); the job cannot run`);
  }
  if (!isInside(job.sourcePath, mapping.source.path) || job.sourcePath === mapping.source.path) {
    throw new PermanentError(
      `source ${job.sourcePath} is not inside mapping ${mapping.container} (${mapping.source.path})`,
    );
  }
  if (!isInside(job.destPath, mapping.destination.path)) {
    throw new PermanentError(
      `destination ${job.destPath} is not inside mapping ${mapping.container} (${mapping.destination.path})`,
    );
  }
  return mapping;
}

async function ensureSourcePresent(job: Job, mapping: Mapping, deps: SyncJobDeps, signal: AbortSignal): Promise<void> {
  const root = mapping.source.path;
  const measureSize = job.waitForStableSize && deps.options.manualStableMs > 0;
  const first = await deps.source.inspectSource(job.sourcePath, root, { measureSize });
  if (!first.ok) throw sourceProblem(first);
  if (!measureSize) return;
  await deps.sleep(deps.options.manualStableMs, signal);
  const second = await deps.source.inspectSource(job.sourcePath, root, { measureSize });
  if (!second.ok) throw sourceProblem(second);
  if (second.bytes !== first.bytes) {
    throw new NotReadyError(
      `source ${job.sourcePath} is still growing ` +
        `(${first.bytes} → ${second.bytes} bytes in ${deps.options.manualStableMs / 1000} s)`,
      deps.options.manualStableMs,
    );
  }
}

/** A link out of the share can't heal by retrying; a missing or unreadable source might. */
function sourceProblem(inspection: { problem: string; outsideRoot?: boolean }): Error {
  const message = `Source not ready: ${inspection.problem}`;
  return inspection.outsideRoot ? new PermanentError(message) : new Error(message);
}

/** One outbox row per notification target that wants this kind of event. */
function notifications(routing: TargetRouting, event: SyncSucceededEvent | SyncFailedEvent): OutboxItem[] {
  return routing.notifiersFor(event.kind).map((target) => ({ target, payload: { type: 'notify', event } }));
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function seconds(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / 1000;
}
