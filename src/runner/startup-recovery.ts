import { coerceError } from '../core/errors.js';
import type { Clock, Job, Mapping } from '../core/types.js';
import type { HistoryLog } from '../log/history.js';
import type { Logger } from '../log/logger.js';
import type { PartialCopies } from '../mounts/partial-copies.js';
import type { JobStore } from '../store/jobs.js';
import { type ProcessTable, stopOrphanedRsync } from './orphans.js';
import { removePartialCopy } from './partial-copy.js';
import { checkedMapping } from './sync-job.js';

export interface StartupRecoveryDeps {
  jobs: Pick<JobStore, 'interruptedRsyncs' | 'recoverInterrupted'>;
  processes: ProcessTable;
  history: Pick<HistoryLog, 'record'>;
  clock: Clock;
  log: Logger;
  maxRetries: number;
  mappings: readonly Mapping[];
  /** A job that gives up here takes its partial copy with it (not in dry runs). */
  partials: Pick<PartialCopies, 'remove'>;
  dryRun: boolean;
}

export interface StartupRecovery {
  /** Back in the queue, one retry used ("Interrupted by restart"). */
  requeued: Job[];
  /** Already at the retry limit: failed for good. */
  gaveUp: Job[];
  /** Jobs whose rsync outlived the previous service and was stopped before anything else ran. */
  stoppedRsyncOf: number[];
}

/**
 * Runs once at start, before the queue: jobs the previous run left in progress (it was killed, or the
 * machine lost power) are requeued or given up, and an rsync of theirs that is still copying is
 * stopped first, so that it cannot race the retry on the same files.
 */
export async function recoverInterruptedJobs(deps: StartupRecoveryDeps): Promise<StartupRecovery> {
  const { log, history, maxRetries } = deps;
  const stoppedRsyncOf: number[] = [];
  for (const orphan of deps.jobs.interruptedRsyncs()) {
    const outcome = await stopOrphanedRsync(orphan, deps.processes);
    if (outcome === 'none') continue;
    stoppedRsyncOf.push(orphan.id);
    log.warn(
      { jobId: orphan.id },
      `Stopped the rsync (pid ${orphan.rsyncPid}) that job ${orphan.id} left running when the service was killed`,
    );
  }

  const { requeued, gaveUp } = deps.jobs.recoverInterrupted(deps.clock.now(), maxRetries);
  if (requeued.length + gaveUp.length > 0) {
    log.warn(`Found ${requeued.length + gaveUp.length} interrupted jobs from previous run`);
  }
  for (const job of requeued) {
    // The cut attempt is a failure in the history, though the row itself is queued again.
    history.record({ ...job, status: 'failed' });
    log.info(
      { jobId: job.id },
      `Queueing interrupted job for retry: ${job.title} (retry ${job.retryCount}/${maxRetries})`,
    );
  }
  for (const job of gaveUp) {
    history.record(job);
    log.warn({ jobId: job.id }, `Interrupted job exceeded max retries, not retrying: ${job.title}`);
    if (!deps.dryRun) await removeGivenUpPartialCopy(job, deps);
  }
  return { requeued, gaveUp, stoppedRsyncOf };
}

/** Only where the job's paths still lie inside its mapping: the configuration may have changed since. */
async function removeGivenUpPartialCopy(job: Job, deps: StartupRecoveryDeps): Promise<void> {
  // Renames and deletes copy nothing, so they leave no partial copy.
  if (job.kind === 'rename' || job.kind === 'delete') return;
  try {
    checkedMapping(job, deps.mappings);
  } catch (error) {
    deps.log.warn({ jobId: job.id }, `Partial copy of ${job.title} left in place: ${coerceError(error).message}`);
    return;
  }
  await removePartialCopy(job, deps.partials, deps.log, 'gave up');
}
