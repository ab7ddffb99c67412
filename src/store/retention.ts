import type { Db } from './database.js';
import { commitLazily } from './lazy-commit.js';

// SYNC_RETENTION_DAYS: finished jobs older than the cutoff go, with their attempts, their delivered
// or given-up outbox rows and their title in the search index, a small batch per transaction.

// Finished: succeeded, or failed with no retry left. Two ranges of jobs_status_finished, read from it alone.
export const PRUNABLE = `SELECT id FROM (
    SELECT id FROM jobs WHERE status = 'success' AND finished_at < @cutoff LIMIT @max)
  UNION ALL SELECT id FROM (
    SELECT id FROM jobs WHERE status = 'failed' AND finished_at < @cutoff AND gave_up = 1 LIMIT @max)
  LIMIT @max`;
const MARK = `SELECT indexed_up_to FROM job_titles_state`;
// One rowid at a time: FTS5 serves "rowid = ?" from its index, an IN list would be a scan.
const DELETE_TITLE = `DELETE FROM job_titles WHERE rowid = ?`;
// A row still pending stays (it is not this job's to cancel); the foreign key clears its job_id.
const DELETE_OUTBOX = `DELETE FROM outbox WHERE job_id IN (SELECT value FROM json_each(?)) AND status <> 'pending'`;
const DELETE_ATTEMPTS = `DELETE FROM attempts WHERE job_id IN (SELECT value FROM json_each(?))`;
const DELETE_JOBS = `DELETE FROM jobs WHERE id IN (SELECT value FROM json_each(?))`;
// Without AUTOINCREMENT a deleted newest id is handed out again: the index mark must not stay above it.
const LOWER_MARK = `UPDATE job_titles_state
  SET indexed_up_to = MIN(indexed_up_to, (SELECT COALESCE(MAX(id), 0) FROM jobs))`;

export interface Retention {
  /** Deletes up to `max` jobs that finished before `cutoff`, in one transaction; returns their ids. */
  pruneFinishedBefore(cutoff: Date, max: number): number[];
}

export function createRetention(db: Db): Retention {
  const prunable = db.prepare<{ cutoff: string; max: number }, number>(PRUNABLE).pluck();
  const mark = db.prepare<[], number>(MARK).pluck();
  const deleteTitle = db.prepare<[id: number]>(DELETE_TITLE);
  const deleteOutbox = db.prepare<[ids: string]>(DELETE_OUTBOX);
  const deleteAttempts = db.prepare<[ids: string]>(DELETE_ATTEMPTS);
  const deleteJobs = db.prepare<[ids: string]>(DELETE_JOBS);
  const lowerMark = db.prepare<[]>(LOWER_MARK);

  const prune = db.transaction((cutoff: Date, max: number) => {
    const ids = prunable.all({ cutoff: cutoff.toISOString(), max });
    if (ids.length === 0) return ids;
    const indexedUpTo = mark.get() ?? 0;
    for (const id of ids) if (id <= indexedUpTo) deleteTitle.run(id);
    const list = JSON.stringify(ids);
    deleteOutbox.run(list);
    deleteAttempts.run(list);
    deleteJobs.run(list);
    lowerMark.run();
    return ids;
  });

  return {
    pruneFinishedBefore: (cutoff, max) => commitLazily(db, () => prune.immediate(cutoff, max)),
  };
}
