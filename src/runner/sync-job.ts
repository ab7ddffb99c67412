import { coerceError, NotReadyError, PermanentError, reasonOf, RetryableError } from '../core/errors.js';
import { isInside } from '../core/paths.js';
import type { NotifyEvent, NotifyKind, OutboxItem, ScanRequest, TargetRouting } from '../core/notify-event.js';
import type { Clock, FailureReason, Job, Mapping, MirroredFile, MirrorPlan } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { MountGate } from '../mounts/gate.js';
import type { MountProbe } from '../mounts/probe.js';
import type { ProgressBoard } from './progress-board.js';
import { filesDeletedEvent, syncFailedEvent, syncSucceededEvent } from '../notify/events.js';
import { formatBytes } from '../notify/format.js';
import type { JobStore } from '../store/jobs.js';
import { decideRetry, type RetryPolicy } from './retry-policy.js';
import { buildRsyncArgs } from './rsync-args.js';
import { classifyRsyncExit, formatRsyncCommand, parseRsyncStats } from './rsync-output.js';
import type { PartialCopies } from '../mounts/partial-copies.js';
import { destItemOf, ranBefore, removePartialCopy } from './partial-copy.js';
import type { RsyncRun } from './rsync.js';
import type { RsyncProgress } from './rsync-progress.js';
import { keptAll, type MirrorDeps, MirrorStepError, removeGoneFiles } from './mirror-files.js';
import { changedFiles, locate } from './mirror-paths.js';

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
  /** rsync's --bwlimit in KiB/s (SYNC_RSYNC_BWLIMIT); null for none. */
  bandwidthLimitKiB: number | null;
  retry: RetryPolicy;
  /** How long a job waiting for a mount sleeps before it is looked at again (a mount coming back wakes it sooner). */
  mountRecheckMs: number;
  /** Manual syncs: the source must keep the same size for this long. */
  manualStableMs: number;
}

export interface SyncJobDeps {
  jobs: Pick<JobStore, 'markSuccess' | 'markFailed' | 'defer' | 'interrupt' | 'deferMapping' | 'recordRsyncPid'>;
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
  /**
   * What cut copies of the item left at the destination (not in dry runs): gathered into the partial
   * folder before a retried copy, which then resumes from it; removed after a success or a give-up.
   */
  partials: Pick<PartialCopies, 'prepare' | 'remove'>;
  /** Upgrades, renames and deletes at the destination (SYNC_MIRROR; runner/mirror-files.ts). */
  mirror: MirrorDeps;
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
  let mapping: Mapping;
  let resumed = false;
  // Set once the job's paths proved to lie inside its mapping and both roots answered: only then may a
  // give-up remove the job's partial copy.
  let mayTouchDestination = false;
  try {
    mapping = checkedMapping(job, deps.mappings);
    await deps.mounts.ensureReady(mapping);
    mayTouchDestination = true;
    await ensureSourcePresent(job, mapping, deps, signal);
    const resumeFrom = ranBefore(job) && !options.dryRun ? await gatherPartialCopy(job, deps, jobLog) : 0;
    const copy = (resume: boolean) => {
      const args = buildRsyncArgs({
        source: job.sourcePath,
        destDir: job.destPath,
        dryRun: options.dryRun,
        isUpgrade: job.isUpgrade,
        createDestDir: job.destPath !== mapping.destination.path,
        resume,
        bandwidthLimitKiB: options.bandwidthLimitKiB,
      });
      jobLog.info(`Running: ${formatRsyncCommand('rsync', args)}`);
      return deps.rsync(args, {
        timeoutMs: options.rsyncTimeoutSeconds * 1000,
        signal,
        onSpawn: (pid) => recordPid(job, pid, deps, jobLog),
        onProgress: (progress) => deps.progress.set(job.id, progress, clock.now()),
      });
    };
    try {
      resumed = resumeFrom > 0;
      run = await copy(resumed);
      // Exit 1 (usage) gives a job up for good: it must come from the job, never from the resume's
      // arguments. Should an rsync refuse those, this copy starts over instead (rsync then deletes the part).
      const refusal = classifyRsyncExit(run);
      if (resumed && run.exitCode === 1 && refusal.kind === 'permanent') {
        jobLog.warn(`rsync refused to resume ${job.title} (${refusal.reason}); copying it from the start`);
        resumed = false;
        run = await copy(false);
      }
    } finally {
      deps.progress.clear(job.id);
    }
  } catch (error) {
    return afterError(job, error, started, deps, signal, mayTouchDestination);
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
    const failure =
      verdict.kind === 'permanent'
        ? new PermanentError(verdict.reason, { reason: verdict.code })
        : new RetryableError(verdict.reason, verdict.code);
    const sent = options.dryRun ? null : parseRsyncStats(run.stdout).bytesTransferred;
    return recordFailure(job, failure, started, deps, true, { rsync: { exitCode: run.exitCode, bytes: sent } });
  }

  const stats = parseRsyncStats(run.stdout);
  if (resumed) {
    jobLog.info(
      `Resumed ${job.title}: ${formatBytes(stats.matchedBytes)} were already at the destination, ` +
        `${formatBytes(stats.literalBytes)} copied`,
    );
  }
  // rsync removed the partial files it used; one of a file it skipped (already there) may be left.
  if (ranBefore(job) && !options.dryRun) await removePartialCopy(job, deps.partials, deps.log, 'copied');
  // An upgrade's new file is in place: only now may the files it replaced go.
  let mirrored: MirroredFile[] | undefined;
  if (job.mirror?.kind === 'upgrade') {
    try {
      mirrored = await mirrorReplacedFiles(job, job.mirror, mapping, deps, jobLog);
    } catch (error) {
      const copied = { exitCode: run.exitCode, bytes: options.dryRun ? null : stats.bytesTransferred };
      // The copy is done: a share that stops answering now fails this attempt, which keeps what rsync
      // copied (an error of a mirroring step also keeps the files it did), instead of waiting as if nothing
      // had run.
      if (signal.aborted || !(error instanceof NotReadyError)) {
        return afterError(job, error, started, deps, signal, true, copied);
      }
      const failure = new RetryableError(error.message, error.reason, { cause: error });
      return recordFailure(job, failure, started, deps, true, { rsync: copied });
    }
  }
  const finishedAt = clock.now();
  const durationSeconds = seconds(started, finishedAt);
  const bytes = options.dryRun ? 0 : stats.bytesTransferred;
  const done: Job = {
    ...job,
    status: 'success',
    bytesTransferred: bytes,
    durationSeconds: durationSeconds,
    error: null,
  };
  const outbox = notifications(deps.routing, syncSucceededEvent(done, { dryRun: options.dryRun }, finishedAt));
  const removed = changedFiles(mirrored ?? []);
  if (mirrored && removed.length > 0 && deps.mirror.mode !== 'off') {
    outbox.push(...notifications(deps.routing, filesDeletedEvent(done, mirrored, deps.mirror.mode, finishedAt)));
  }
  if (!options.dryRun) {
    // The library forgets the replaced files along with finding the new one.
    const change = removed.length > 0 ? 'modified' : 'created';
    outbox.push(
      ...scans(deps.routing, job, [{ mapping: job.mapping, path: destItemOf(job), mediaType: job.mediaType, change }]),
    );
  }
  const recorded = deps.jobs.markSuccess(
    job.id,
    {
      bytes,
      finishedAt,
      durationSeconds,
      rsyncExitCode: run.exitCode,
      ...(mirrored ? { mirroredFiles: mirrored } : {}),
    },
    outbox,
  );
  jobLog.info(`Background sync completed: ${job.title} in ${durationSeconds.toFixed(1)}s${retryInfo}`);
  deps.onFinished(recorded);
  return 'success';
}

/**
 * The files an upgrade replaced, mirrored once its new file is in place: each one gone at the source is
 * removed at the destination (SYNC_MIRROR), never one at the new file's own path; with mirroring off
 * (or in a dry run) they stay, listed in the job.
 */
async function mirrorReplacedFiles(
  job: Job,
  plan: Extract<MirrorPlan, { kind: 'upgrade' }>,
  mapping: Mapping,
  deps: SyncJobDeps,
  jobLog: Logger,
): Promise<MirroredFile[]> {
  const samePath = plan.replaced.filter((path) => path === plan.newFile);
  const others = plan.replaced.filter((path) => path !== plan.newFile);
  const keptSame: MirroredFile[] = samePath.map((path) => ({
    path: locate(path, plan, job, deps.mappings).dest,
    action: 'kept',
    reason: 'the new file has the same path',
  }));
  const named = others.map((path) => locate(path, plan, job, deps.mappings));
  if (deps.options.dryRun) return [...keptSame, ...keptAll(named, 'SYNC_DRY_RUN is on')];
  if (deps.mirror.mode === 'off') return [...keptSame, ...keptAll(named, 'SYNC_MIRROR is off')];
  const ctx = {
    job,
    plan,
    mapping,
    mappings: deps.mappings,
    deps: deps.mirror,
    clock: deps.clock,
    log: jobLog,
    recheckMs: deps.options.mountRecheckMs,
  };
  return [...keptSame, ...(await removeGoneFiles(ctx, named))];
}

/**
 * How a run that threw ends: a share not ready makes the job wait (no retry used), a shutdown puts it
 * back, anything else is a failure (with what a mirroring step did before it stopped).
 */
export async function afterError(
  job: Job,
  error: unknown,
  started: Date,
  deps: SyncJobDeps,
  signal: AbortSignal,
  mayTouchDestination: boolean,
  /** What rsync did, when this run's copy finished before the error. */
  rsync?: { exitCode: number | null; bytes: number | null },
): Promise<SyncJobOutcome> {
  if (error instanceof NotReadyError) return waitUntilReady(job, error, deps);
  if (signal.aborted) return interrupted(job, deps);
  const ran = {
    ...(error instanceof MirrorStepError ? { mirroredFiles: error.done } : {}),
    ...(rsync ? { rsync } : {}),
  };
  return recordFailure(job, coerceError(error), started, deps, mayTouchDestination, ran);
}

function waitUntilReady(job: Job, error: NotReadyError, deps: SyncJobDeps): SyncJobOutcome {
  const { clock } = deps;
  const jobLog = deps.log.child({ jobId: job.id });
  const until = new Date(clock.now().getTime() + error.retryAfterMs);
  deps.jobs.defer(job.id, error.message, until, error.reason);
  jobLog.warn(
    `${job.kind === 'rename' || job.kind === 'delete' ? 'Mirroring' : 'Sync'} of ${job.title} waits: ${error.message}`,
  );
  if (error.scope === 'mapping') {
    const others = deps.jobs.deferMapping(job.mapping, error.message, until, clock.now(), error.reason);
    if (others > 0) jobLog.warn(`${others} more queued job(s) of mapping ${job.mapping} wait for the same mount`);
  }
  return 'waiting';
}

/**
 * PermanentError gives up at once; any other error counts an attempt and is retried while retries remain.
 * A job that gives up takes its partial copy with it, when `mayTouchDestination` (its paths lie inside its
 * mapping and the mounts answered this attempt). `ran`: what rsync said when the run got as far as rsync's exit,
 * and what a mirroring step did to each file before it stopped.
 */
async function recordFailure(
  job: Job,
  failure: Error,
  started: Date,
  deps: SyncJobDeps,
  mayTouchDestination: boolean,
  ran: { rsync?: { exitCode: number | null; bytes: number | null }; mirroredFiles?: MirroredFile[] } = {},
): Promise<SyncJobOutcome> {
  const { clock, options } = deps;
  const decision = decideRetry(failure instanceof PermanentError, job.retryCount, options.retry, clock.now());
  // Renames and deletes copy nothing, so they leave no partial copy.
  const copies = job.kind === 'copy' || job.kind === 'upgrade';
  if (decision.kind !== 'retry' && mayTouchDestination && !options.dryRun && copies) {
    await removePartialCopy(job, deps.partials, deps.log, 'gave up');
  }
  const finishedAt = clock.now();
  const durationSeconds = seconds(started, finishedAt);
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
    {
      error: failure.message,
      reason: reasonOf(failure),
      finishedAt,
      durationSeconds,
      retryAt: decision.kind === 'retry' ? decision.at : null,
      rsyncExitCode: ran.rsync?.exitCode ?? null,
      bytes: ran.rsync?.bytes ?? null,
      ...(ran.mirroredFiles ? { mirroredFiles: ran.mirroredFiles } : {}),
    },
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

export function interrupted(job: Job, deps: SyncJobDeps): SyncJobOutcome {
  // Shutting down: back to the queue without using a retry; it runs again at the next start.
  deps.jobs.interrupt(job.id, 'Interrupted by shutdown', deps.clock.now());
  deps.log.warn({ jobId: job.id }, `Sync of ${job.title} interrupted by shutdown; it will run again at the next start`);
  return 'interrupted';
}

/**
 * Before a copy of a job that ran before: what a killed copy left beside its files moves into the partial
 * folder. Resolves with the bytes the partial files hold, the part the copy resumes from.
 */
async function gatherPartialCopy(job: Job, deps: SyncJobDeps, jobLog: Logger): Promise<number> {
  const prepared = await deps.partials.prepare(job.sourcePath, destItemOf(job));
  for (const path of prepared.kept) {
    jobLog.info(`Kept the part a killed copy of ${job.title} wrote, for the copy to resume from: ${path}`);
  }
  if (prepared.removed.length > 0) {
    jobLog.info(
      `Removed ${prepared.removed.length} rsync temp file(s) a killed copy left behind ` +
        `(the partial folder holds a longer part): ${prepared.removed.join(', ')}`,
    );
  }
  if (prepared.problem) jobLog.warn(prepared.problem);
  if (prepared.partialBytes > 0) {
    jobLog.info(`Resuming ${job.title} from ${formatBytes(prepared.partialBytes)} a cut copy already wrote`);
  }
  return prepared.partialBytes;
}

/**
 * The job's mapping, and proof that its paths still lie inside it (the config may have changed since it was
 * queued).
 */
export function checkedMapping(job: Job, mappings: readonly Mapping[]): Mapping {
  const mapping = mappings.find((m) => m.container === job.mapping);
  if (!mapping) {
    throw new PermanentError(
      `mapping ${job.mapping} is no longer configured (check SYNC_CONFIG); the job cannot run`,
      MAPPING_CHANGED,
    );
  }
  if (!isInside(job.sourcePath, mapping.source.path) || job.sourcePath === mapping.source.path) {
    throw new PermanentError(
      `source ${job.sourcePath} is not inside mapping ${mapping.container} (${mapping.source.path})`,
      MAPPING_CHANGED,
    );
  }
  if (!isInside(job.destPath, mapping.destination.path)) {
    throw new PermanentError(
      `destination ${job.destPath} is not inside mapping ${mapping.container} (${mapping.destination.path})`,
      MAPPING_CHANGED,
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
      'job',
      { reason: 'source_growing' },
    );
  }
}

/** A link out of the share can't heal by retrying; a missing or unreadable source might. */
function sourceProblem(inspection: { problem: string; outsideRoot?: boolean; reason: FailureReason }): Error {
  const message = `Source not ready: ${inspection.problem}`;
  return inspection.outsideRoot
    ? new PermanentError(message, { reason: inspection.reason })
    : new RetryableError(message, inspection.reason);
}

/** One outbox row per notification target that wants this kind of event. */
export function notifications(routing: TargetRouting, event: Extract<NotifyEvent, { kind: NotifyKind }>): OutboxItem[] {
  return routing.notifiersFor(event.kind).map((target) => ({ target, payload: { type: 'notify', event } }));
}

/** One outbox row per media server of the job's mapping and folder to rescan. */
export function scans(
  routing: TargetRouting,
  job: Pick<Job, 'mapping'>,
  requests: readonly ScanRequest[],
): OutboxItem[] {
  return routing
    .mediaServersFor(job.mapping)
    .flatMap((target) => requests.map((scan) => ({ target, payload: { type: 'scan' as const, scan } })));
}

const MAPPING_CHANGED = { reason: 'mapping_changed' } as const;

export function seconds(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / 1000;
}
