import type { Attempt, AttemptOutcome, AttemptTrigger, FailureReason } from '../core/types.js';
import type { Db } from './database.js';

// The attempt rows are written by the job transitions of store/jobs.ts, inside their transactions:
// a claim opens one, an outcome closes it, a wait (nothing was tried) removes it.

const OPEN = `INSERT INTO attempts (job_id, number, trigger, started_at)
  SELECT id, COALESCE((SELECT MAX(number) FROM attempts WHERE job_id = @id), 0) + 1, queued_by, @now
  FROM jobs WHERE id = @id`;
const CLOSE = `UPDATE attempts SET finished_at = @finished_at, outcome = @outcome, rsync_exit_code = @rsync_exit_code,
  error = @error, reason = @reason, bytes = @bytes, duration_seconds = @duration
  WHERE job_id = @id AND finished_at IS NULL`;
const DISCARD = `DELETE FROM attempts WHERE job_id = ? AND finished_at IS NULL`;
// A crash cut them: when they really ended is not known, so no duration.
const CLOSE_INTERRUPTED = `UPDATE attempts SET finished_at = @now, outcome = 'interrupted', error = @error,
  reason = @reason WHERE finished_at IS NULL AND job_id IN (SELECT id FROM jobs WHERE status = 'in_progress')`;

const OF_JOB = `SELECT number, trigger, started_at, finished_at, outcome, rsync_exit_code, error, reason, bytes,
  duration_seconds FROM attempts WHERE job_id = ? ORDER BY number`;

export interface AttemptEnd {
  finishedAt: Date;
  outcome: AttemptOutcome;
  rsyncExitCode: number | null;
  error: string | null;
  reason: FailureReason | null;
  bytes: number | null;
  durationSeconds: number | null;
}

/** Used by store/jobs.ts only, inside the transaction of the transition that causes each write. */
export interface AttemptWrites {
  /** The claimed job's next attempt, started now, with the trigger its last requeue recorded. */
  open(jobId: number, now: Date): void;
  close(jobId: number, end: AttemptEnd): void;
  /** The claim only found the job unable to run yet: it was no attempt. */
  discard(jobId: number): void;
  /** Closes the attempts of every job still in progress (startup recovery). */
  closeInterrupted(now: Date, error: string, reason: FailureReason): void;
}

export function createAttemptWrites(db: Db): AttemptWrites {
  const open = db.prepare<{ id: number; now: string }>(OPEN);
  const close = db.prepare<{
    id: number;
    finished_at: string;
    outcome: AttemptOutcome;
    rsync_exit_code: number | null;
    error: string | null;
    reason: FailureReason | null;
    bytes: number | null;
    duration: number | null;
  }>(CLOSE);
  const discard = db.prepare<[jobId: number]>(DISCARD);
  const closeInterrupted = db.prepare<{ now: string; error: string; reason: FailureReason }>(CLOSE_INTERRUPTED);
  return {
    open(jobId, now) {
      open.run({ id: jobId, now: now.toISOString() });
    },
    close(jobId, end) {
      close.run({
        id: jobId,
        finished_at: end.finishedAt.toISOString(),
        outcome: end.outcome,
        rsync_exit_code: end.rsyncExitCode,
        error: end.error,
        reason: end.reason,
        bytes: end.bytes,
        duration: end.durationSeconds,
      });
    },
    discard(jobId) {
      discard.run(jobId);
    },
    closeInterrupted(now, error, reason) {
      closeInterrupted.run({ now: now.toISOString(), error, reason });
    },
  };
}

interface AttemptRow {
  number: number;
  trigger: AttemptTrigger;
  started_at: string;
  finished_at: string | null;
  outcome: AttemptOutcome | null;
  rsync_exit_code: number | null;
  error: string | null;
  reason: FailureReason | null;
  bytes: number | null;
  duration_seconds: number | null;
}

/** Reads of the attempts table for the API. */
export interface AttemptReads {
  /** Oldest first. */
  ofJob(jobId: number): Attempt[];
}

export function createAttemptReads(db: Db): AttemptReads {
  const ofJob = db.prepare<[jobId: number], AttemptRow>(OF_JOB);
  return {
    ofJob: (jobId) =>
      ofJob.all(jobId).map((row) => ({
        number: row.number,
        trigger: row.trigger,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        outcome: row.outcome,
        rsyncExitCode: row.rsync_exit_code,
        error: row.error,
        errorReason: row.reason,
        bytes: row.bytes,
        durationSeconds: row.duration_seconds,
      })),
  };
}
