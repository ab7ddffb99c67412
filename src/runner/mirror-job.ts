import type { OutboxItem } from '../core/notify-event.js';
import type { Job, MirroredFile, MirrorPlan } from '../core/types.js';
import { filesDeletedEvent, filesRenamedEvent } from '../notify/events.js';
import { keptAll, type MirrorContext, removeGoneFiles, removeGoneFolder, renameFiles } from './mirror-files.js';
import { locate, mirrorScans } from './mirror-paths.js';
import { destItemOf } from './partial-copy.js';
import {
  afterError,
  checkedMapping,
  notifications,
  runSyncJob,
  type SyncJobDeps,
  type SyncJobOutcome,
  scans,
  seconds,
} from './sync-job.js';

type RenameOrDelete = Exclude<MirrorPlan, { kind: 'upgrade' }>;

/** Runs a claimed job of any kind: a copy or an upgrade copies (runner/sync-job.ts), a rename or a delete mirrors. */
export function runJob(job: Job, deps: SyncJobDeps, signal: AbortSignal): Promise<SyncJobOutcome> {
  const plan = job.mirror;
  if (plan && plan.kind !== 'upgrade') return runMirrorJob(job, plan, deps, signal);
  return runSyncJob(job, deps, signal);
}

/**
 * A rename or a delete, to a recorded outcome: both roots of its mapping healthy (a share down makes it
 * wait, as a copy does), then its files renamed or removed at the destination by the rules of
 * runner/mirror-files.ts, then success recorded with what happened to each file, the notification
 * (`renamed`, `deleted`) and a rescan on every media server of the mapping.
 */
export async function runMirrorJob(
  job: Job,
  plan: RenameOrDelete,
  deps: SyncJobDeps,
  signal: AbortSignal,
): Promise<SyncJobOutcome> {
  const { clock, options } = deps;
  const started = clock.now();
  const retryInfo = job.retryCount > 0 ? ` (retry ${job.retryCount}/${options.retry.maxRetries})` : '';
  const jobLog = deps.log.child({ jobId: job.id });
  jobLog.info(`Background ${plan.kind} started: ${job.title} (${plan.event})${retryInfo}`);

  const itemDest = destItemOf(job);
  let files: MirroredFile[];
  try {
    const mapping = checkedMapping(job, deps.mappings);
    await deps.mounts.ensureReady(mapping);
    const ctx: MirrorContext = {
      job,
      plan,
      mapping,
      mappings: deps.mappings,
      deps: deps.mirror,
      clock,
      log: jobLog,
      recheckMs: options.mountRecheckMs,
    };
    files = await mirror(ctx, plan, itemDest, skipReason(deps));
  } catch (error) {
    return afterError(job, error, started, deps, signal, false);
  }

  const finishedAt = clock.now();
  const durationSeconds = seconds(started, finishedAt);
  const outbox = skipReason(deps) === null ? followUps(job, plan, files, itemDest, deps, finishedAt) : [];
  const recorded = deps.jobs.markSuccess(
    job.id,
    { bytes: null, finishedAt, durationSeconds, mirroredFiles: files },
    outbox,
  );
  jobLog.info(`Background ${plan.kind} completed: ${job.title} in ${durationSeconds.toFixed(1)}s${retryInfo}`);
  deps.onFinished(recorded);
  return 'success';
}

/** Why nothing may change at the destination now: mirroring turned off since the job was queued, a dry run. */
function skipReason(deps: SyncJobDeps): string | null {
  if (deps.mirror.mode === 'off') return 'SYNC_MIRROR is off';
  if (deps.options.dryRun) return 'SYNC_DRY_RUN is on';
  return null;
}

async function mirror(
  ctx: MirrorContext,
  plan: RenameOrDelete,
  itemDest: string,
  skip: string | null,
): Promise<MirroredFile[]> {
  const at = (path: string) => locate(path, plan, ctx.job, ctx.mappings);
  if (plan.kind === 'rename') {
    if (skip === null) return renameFiles(ctx, plan.renames, itemDest);
    return keptAll(
      plan.renames.map((r) => at(r.from ?? r.to)),
      skip,
    );
  }
  if (plan.scope === 'files') {
    const named = plan.files.map(at);
    return skip === null ? removeGoneFiles(ctx, named) : keptAll(named, skip);
  }
  return skip === null ? removeGoneFolder(ctx, itemDest) : [];
}

/** The notification of what happened, and the rescans that make the libraries forget the old files. */
function followUps(
  job: Job,
  plan: RenameOrDelete,
  files: readonly MirroredFile[],
  itemDest: string,
  deps: SyncJobDeps,
  at: Date,
): OutboxItem[] {
  const done: Job = { ...job, status: 'success', mirroredFiles: [...files] };
  const mode = deps.mirror.mode === 'trash' ? 'trash' : 'delete';
  const event = plan.kind === 'rename' ? filesRenamedEvent(done, files, at) : filesDeletedEvent(done, files, mode, at);
  return [...notifications(deps.routing, event), ...scans(deps.routing, job, mirrorScans(job, itemDest, files))];
}
