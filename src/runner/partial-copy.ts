// A job's partial copy at the destination (mounts/partial-copies.ts does the looking): where its item
// lands, whether it can have one, its size for GET /jobs/<id>, and its removal once the job is done.
import type { Job } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { PartialCopies } from '../mounts/partial-copies.js';

/** The job's item at the destination: the movie folder or the episode file rsync writes. */
export function destItemOf(job: Pick<Job, 'sourcePath' | 'destPath'>): string {
  return `${job.destPath}/${job.sourcePath.slice(job.sourcePath.lastIndexOf('/') + 1)}`;
}

/** Only a job that ran before can have been cut mid-copy; a first attempt skips the extra look. */
export function ranBefore(job: Pick<Job, 'retryCount' | 'error'>): boolean {
  return job.retryCount > 0 || job.error !== null;
}

/**
 * Bytes the job's partial files hold at the destination, measured in a child process with the mount
 * timeout (null when the share did not answer). 0 without a look for a job that cannot have any: done,
 * never run, or a dry run.
 */
export async function partialBytesOf(
  job: Job,
  partials: Pick<PartialCopies, 'measure'>,
  dryRun: boolean,
): Promise<number | null> {
  const mayHaveOne = job.status === 'in_progress' || (job.status !== 'success' && ranBefore(job));
  // Renames and deletes copy nothing.
  if (dryRun || !mayHaveOne || job.kind === 'rename' || job.kind === 'delete') return 0;
  return partials.measure(destItemOf(job));
}

/**
 * After a success, or when the job gave up: its partial files are of no use any more. Callers make
 * sure the job's paths still lie inside its mapping. A removal that cannot finish is logged, never thrown:
 * the outcome is recorded anyway.
 */
export async function removePartialCopy(
  job: Job,
  partials: Pick<PartialCopies, 'remove'>,
  log: Logger,
  why: 'copied' | 'gave up',
): Promise<void> {
  const removal = await partials.remove(job.sourcePath, destItemOf(job));
  if (removal.removed.length > 0) {
    log.info(
      { jobId: job.id },
      `Removed the partial copy of ${job.title} (${why}): ${removal.removed.length} file(s) ` +
        removal.removed.join(', '),
    );
  }
  if (removal.problem) log.warn({ jobId: job.id }, removal.problem);
}
