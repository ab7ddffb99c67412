import type { OutboxItem } from '../core/notify-event.js';
import type { FailureReason, Job, JobKind, JobStatus, MirroredFile, NewJob } from '../core/types.js';
import { type AttemptEnd, createAttemptWrites } from './attempts.js';
import type { Db } from './database.js';
import { JOB_COLUMNS, type JobRow, toJob } from './job-row.js';
import type { OutboxStore } from './outbox.js';

export interface EnqueueResult {
  /** One entry per request, in order: the new or the existing job id. */
  ids: number[];
  /** True for the entries that created a row. */
  created: boolean[];
}

/** A job left in progress by a previous run, with the rsync it had started (see runner/orphans.ts). */
export interface InterruptedRsync {
  id: number;
  sourcePath: string;
  rsyncPid: number | null;
}

/** The job state machine: every write to the jobs table, each transition guarded by the status it leaves. */
export interface JobStore {
  enqueue(jobs: readonly NewJob[], now: Date, duplicateWindowMs: number): EnqueueResult;
  /**
   * Several webhooks' jobs in one transaction: one result per group, in order. The intake runs it
   * through WalSync.commitThenSync, which takes the fsync off the event loop.
   */
  enqueueGroups(groups: readonly (readonly NewJob[])[], now: Date, duplicateWindowMs: number): EnqueueResult[];
  /** The oldest due queued job, skipping the mappings listed in `busyMappings`; marks it in progress. */
  claimNext(now: Date, busyMappings?: readonly string[]): Job | undefined;
  /**
   * Success, closing the attempt with rsync's exit code (0; null in a dry run or a run without rsync).
   * `mirroredFiles`: what an upgrade, rename or delete did to each file (kept as it was when absent).
   */
  markSuccess(
    id: number,
    r: {
      bytes: number | null;
      finishedAt: Date;
      durationSeconds: number;
      rsyncExitCode?: number | null;
      mirroredFiles?: readonly MirroredFile[];
    },
    outbox: readonly OutboxItem[],
  ): Job;
  markFailed(
    id: number,
    r: {
      error: string;
      finishedAt: Date;
      durationSeconds: number;
      retryAt: Date | null;
      /** The error's reason code; 'unknown' when not given. */
      reason?: FailureReason;
      /** Null or absent when rsync did not run to an exit. */
      rsyncExitCode?: number | null;
      /** What rsync sent before it failed, when its stats say. */
      bytes?: number | null;
      mirroredFiles?: readonly MirroredFile[];
    },
    outbox: readonly OutboxItem[],
  ): Job;
  /** Not ready yet (a mount down, a source growing): back to the queue; the claim was no attempt. */
  defer(id: number, error: string, nextAttemptAt: Date, reason?: FailureReason): void;
  /** The service is stopping: back to the queue, no retry used; the attempt ends interrupted. */
  interrupt(id: number, error: string, now: Date): void;
  /** Every queued job of a mapping that is not already waiting waits too (its mount is down). */
  deferMapping(mapping: string, error: string, nextAttemptAt: Date, now: Date, reason?: FailureReason): number;
  promoteDueRetries(now: Date): Job[];
  recoverInterrupted(now: Date, maxRetries: number): { requeued: Job[]; gaveUp: Job[] };
  /** Remembers the rsync a running job started (see runner/orphans.ts). */
  recordRsyncPid(id: number, pid: number): void;
  /** In-progress jobs of a previous run whose rsync may still be alive. */
  interruptedRsyncs(): InterruptedRsync[];
  /** 'requeued' on success; otherwise why not: no such job, or the status it has instead of failed. */
  retryFailed(id: number): 'requeued' | 'not_found' | JobStatus;
  retryFailedSince(since: Date): number[];
  releaseWaiting(): number;
}

const INSERT = `INSERT INTO jobs (status, source, media_type, title, container_path, source_path, dest_path,
  mapping, dedupe_key, details, is_upgrade, wait_for_stable_size, created_at, kind, mirror)
  VALUES ('queued', @source, @media_type, @title, @container_path, @source_path, @dest_path,
  @mapping, @dedupe_key, @details, @is_upgrade, @wait_for_stable_size, @created_at, @kind, @mirror)`;
type InsertParams = Pick<
  JobRow,
  | 'source'
  | 'media_type'
  | 'title'
  | 'container_path'
  | 'source_path'
  | 'dest_path'
  | 'mapping'
  | 'details'
  | 'is_upgrade'
  | 'wait_for_stable_size'
  | 'created_at'
  | 'kind'
  | 'mirror'
> & { dedupe_key: string };

// A file already queued, being copied, or copied within the window is not copied again; only a copy
// counts (a copy never folds into a delete of the same file, nor a delete into a copy). A copy that a
// rename or delete of its file or folder followed no longer counts: the file may be gone from the
// destination, and the new import must reach it.
const FIND_DUPLICATE_COPY = `SELECT id FROM jobs WHERE dedupe_key = @key AND kind = 'copy'
  AND (status IN ('queued', 'in_progress') OR (status = 'success' AND finished_at >= @window_start
    AND NOT EXISTS (SELECT 1 FROM jobs later WHERE later.id > jobs.id AND later.kind IN ('rename', 'delete')
      AND later.mapping = jobs.mapping
      AND (later.source_path = @key OR substr(@key, 1, length(later.source_path) + 1) = later.source_path || '/'))))
  ORDER BY id DESC LIMIT 1`;

// A rename or delete folds only into the same one still waiting: run again, it finds what changed since.
const FIND_DUPLICATE_PENDING = `SELECT id FROM jobs WHERE dedupe_key = @key AND kind = @kind
  AND status IN ('queued', 'in_progress') ORDER BY id DESC LIMIT 1`;
// A catch-up item is already copied by a job of its own path or of a folder above it that is queued,
// running, or finished after the pass looked (see CoveringJobs); a rename or delete copies nothing.
// Every lookup is an equality or a short range of the duplicate index, whatever the table holds (no
// index of its own: every webhook's insert would pay for it, migration 012). A job's key is its source
// path (manual syncs, Sonarr's files, catch-up jobs) or, for a Radarr folder, the movie's file in it.
// So: (1) the item or a folder above it, synced as such; (2) a folder above the item keyed by the item
// itself; (3) a Radarr folder that is the item or the folder holding it: the first COVERING_RANGE keys
// of the range folder/… ('0' follows '/'), as a movie folder holds a few files and a flat folder of
// thousands must not be read for each item. What this misses (a subtitle two folders below Radarr's
// folder, the 65th file of a folder) is copied once more, a no-op for rsync's --ignore-existing.
const COVERING_RANGE = 64;
const COVERING_FILTER = `AND j.kind IN ('copy', 'upgrade')
  AND (j.status IN ('queued', 'in_progress') OR (j.status = 'success' AND j.finished_at >= @looked_at))`;
const coveringRange = (folder: string) => `SELECT j.id FROM (
    SELECT id, source_path, kind, status, finished_at FROM jobs INDEXED BY jobs_dedupe
    WHERE dedupe_key > ${folder} || '/' AND dedupe_key < ${folder} || '0' ORDER BY dedupe_key LIMIT ${COVERING_RANGE}
  ) AS j WHERE j.source_path = ${folder} ${COVERING_FILTER}`;
export const FIND_COVERING = `SELECT MAX(id) FROM (
  SELECT j.id FROM json_each(@paths) AS p CROSS JOIN jobs AS j INDEXED BY jobs_dedupe
    WHERE j.dedupe_key = p.value AND j.source_path = p.value ${COVERING_FILTER}
  UNION ALL
  SELECT j.id FROM jobs AS j INDEXED BY jobs_dedupe
    WHERE j.dedupe_key = @item AND j.source_path IN (SELECT value FROM json_each(@paths)) ${COVERING_FILTER}
  UNION ALL
  ${coveringRange('@item')}
  UNION ALL
  ${coveringRange('@parent')})`;

// The oldest of two index lookups (fresh jobs; waiting jobs now due), so neither scans the jobs
// still waiting. @busy: JSON array of mappings whose destination share already has an rsync running.
const CLAIM_NEXT = `UPDATE jobs SET status = 'in_progress', started_at = @now, finished_at = NULL,
  duration_seconds = NULL, next_attempt_at = NULL, rsync_pid = NULL
  WHERE id = (SELECT MIN(id) FROM (
    SELECT id FROM (SELECT id FROM jobs WHERE status = 'queued' AND next_attempt_at IS NULL
                    AND mapping NOT IN (SELECT value FROM json_each(@busy)) ORDER BY id LIMIT 1)
    UNION ALL
    SELECT id FROM (SELECT id FROM jobs WHERE status = 'queued' AND next_attempt_at <= @now
                    AND mapping NOT IN (SELECT value FROM json_each(@busy)) ORDER BY id LIMIT 1)))
  RETURNING ${JOB_COLUMNS}`;

const MARK_SUCCESS = `UPDATE jobs SET status = 'success', error = NULL, error_reason = NULL, gave_up = 0,
  next_attempt_at = NULL,
  bytes_transferred = @bytes, finished_at = @finished_at, duration_seconds = @duration,
  mirrored_files = COALESCE(@mirrored_files, mirrored_files)
  WHERE id = @id AND status = 'in_progress' RETURNING ${JOB_COLUMNS}`;

const MARK_FAILED = `UPDATE jobs SET status = 'failed', error = @error, error_reason = @reason, gave_up = @gave_up,
  next_attempt_at = @retry_at, finished_at = @finished_at, duration_seconds = @duration,
  mirrored_files = COALESCE(@mirrored_files, mirrored_files)
  WHERE id = @id AND status = 'in_progress' RETURNING ${JOB_COLUMNS}`;

// Not ready (mount down, source growing): back to the queue, no retry used, not a failure.
const DEFER = `UPDATE jobs SET status = 'queued', error = @error, error_reason = @reason,
  next_attempt_at = @next_attempt_at, started_at = NULL WHERE id = @id AND status = 'in_progress'`;
// Shutting down: the same, but the attempt was cut; the next one is the restart's.
const INTERRUPT = `UPDATE jobs SET status = 'queued', error = @error, error_reason = 'shutdown', next_attempt_at = @now,
  started_at = NULL, queued_by = 'restart' WHERE id = @id AND status = 'in_progress'
  RETURNING (julianday(@now) - julianday((SELECT started_at FROM attempts
    WHERE job_id = @id AND finished_at IS NULL))) * 86400.0 AS seconds`;

// The same mount is down for every queued job of the mapping: the fresh ones and those due again
// all wait, in two index ranges rather than one job at a time.
const DEFER_MAPPING_FRESH = `UPDATE jobs SET error = @error, error_reason = @reason, next_attempt_at = @next_attempt_at
  WHERE status = 'queued' AND next_attempt_at IS NULL AND mapping = @mapping`;
const DEFER_MAPPING_DUE = `UPDATE jobs SET error = @error, error_reason = @reason, next_attempt_at = @next_attempt_at
  WHERE status = 'queued' AND next_attempt_at <= @now AND mapping = @mapping`;

const PROMOTE_DUE_RETRIES = `UPDATE jobs SET status = 'queued', retry_count = retry_count + 1,
  next_attempt_at = NULL, finished_at = NULL, duration_seconds = NULL, queued_by = 'automatic_retry'
  WHERE status = 'failed' AND gave_up = 0 AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?
  RETURNING ${JOB_COLUMNS}`;

const INTERRUPTED_BY_RESTART = 'Interrupted by restart';
const GIVE_UP_INTERRUPTED = `UPDATE jobs SET status = 'failed', gave_up = 1, next_attempt_at = NULL,
  error = '${INTERRUPTED_BY_RESTART}', error_reason = 'restart', finished_at = @now
  WHERE status = 'in_progress' AND retry_count >= @max_retries RETURNING ${JOB_COLUMNS}`;
const REQUEUE_INTERRUPTED = `UPDATE jobs SET status = 'queued', retry_count = retry_count + 1,
  error = '${INTERRUPTED_BY_RESTART}', error_reason = 'restart', next_attempt_at = NULL, started_at = NULL,
  queued_by = 'restart' WHERE status = 'in_progress' RETURNING ${JOB_COLUMNS}`;

const RECORD_RSYNC_PID = `UPDATE jobs SET rsync_pid = ? WHERE id = ? AND status = 'in_progress'`;
const INTERRUPTED_RSYNCS = `SELECT id, source_path AS sourcePath, rsync_pid AS rsyncPid FROM jobs
  WHERE status = 'in_progress' AND rsync_pid IS NOT NULL`;

const MANUAL_RETRY = `UPDATE jobs SET status = 'queued', retry_count = 0, gave_up = 0, next_attempt_at = NULL,
  finished_at = NULL, duration_seconds = NULL, queued_by = 'manual_retry' WHERE id = ? AND status = 'failed'`;
const STATUS_OF = `SELECT status FROM jobs WHERE id = ?`;
const MANUAL_RETRY_SINCE = `UPDATE jobs SET status = 'queued', retry_count = 0, gave_up = 0, next_attempt_at = NULL,
  finished_at = NULL, duration_seconds = NULL, queued_by = 'manual_retry'
  WHERE status = 'failed' AND finished_at >= ? RETURNING id`;

const RELEASE_WAITING = `UPDATE jobs SET next_attempt_at = NULL
  WHERE status = 'queued' AND next_attempt_at IS NOT NULL`;

interface DeferMappingParams {
  mapping: string;
  error: string;
  reason: FailureReason | null;
  next_attempt_at: string;
}

export function createJobStore(db: Db, outbox: Pick<OutboxStore, 'add'>): JobStore {
  const attempts = createAttemptWrites(db);
  const insert = db.prepare<InsertParams>(INSERT);
  const findDuplicateCopy = db.prepare<{ key: string; window_start: string }, number>(FIND_DUPLICATE_COPY).pluck();
  const findDuplicatePending = db.prepare<{ key: string; kind: JobKind }, number>(FIND_DUPLICATE_PENDING).pluck();
  const findDuplicate = (key: string, kind: JobKind, windowStart: string): number | undefined =>
    kind === 'copy'
      ? findDuplicateCopy.get({ key, window_start: windowStart })
      : findDuplicatePending.get({ key, kind });
  const findCovering = db
    .prepare<{ item: string; parent: string | null; paths: string; looked_at: string }, number | null>(FIND_COVERING)
    .pluck();
  const claimNext = db.prepare<{ now: string; busy: string }, JobRow>(CLAIM_NEXT);
  const markSuccess = db.prepare<
    { id: number; bytes: number | null; finished_at: string; duration: number; mirrored_files: string | null },
    JobRow
  >(MARK_SUCCESS);
  const markFailed = db.prepare<
    {
      id: number;
      error: string;
      reason: FailureReason;
      gave_up: 0 | 1;
      retry_at: string | null;
      finished_at: string;
      duration: number;
      mirrored_files: string | null;
    },
    JobRow
  >(MARK_FAILED);
  const defer = db.prepare<{ id: number; error: string; reason: FailureReason | null; next_attempt_at: string }>(DEFER);
  const interrupt = db.prepare<{ id: number; error: string; now: string }, { seconds: number | null }>(INTERRUPT);
  const deferMappingFresh = db.prepare<DeferMappingParams>(DEFER_MAPPING_FRESH);
  const deferMappingDue = db.prepare<DeferMappingParams & { now: string }>(DEFER_MAPPING_DUE);
  const promote = db.prepare<[now: string], JobRow>(PROMOTE_DUE_RETRIES);
  const giveUpInterrupted = db.prepare<{ now: string; max_retries: number }, JobRow>(GIVE_UP_INTERRUPTED);
  const requeueInterrupted = db.prepare<[], JobRow>(REQUEUE_INTERRUPTED);
  const recordRsyncPid = db.prepare<[pid: number, id: number]>(RECORD_RSYNC_PID);
  const interruptedRsyncs = db.prepare<[], InterruptedRsync>(INTERRUPTED_RSYNCS);
  const manualRetry = db.prepare<[id: number]>(MANUAL_RETRY);
  const statusOf = db.prepare<[id: number], JobStatus>(STATUS_OF).pluck();
  const manualRetrySince = db.prepare<[since: string], number>(MANUAL_RETRY_SINCE).pluck();
  const releaseWaiting = db.prepare<[]>(RELEASE_WAITING);

  const insertGroup = (jobs: readonly NewJob[], now: Date, windowMs: number): EnqueueResult => {
    const createdAt = now.toISOString();
    const windowStart = new Date(now.getTime() - windowMs).toISOString();
    const result: EnqueueResult = { ids: [], created: [] };
    const findExisting = (job: NewJob): number | undefined => {
      if (job.coveredBy) {
        const { sourcePaths, lookedAt } = job.coveredBy;
        const [item = job.sourcePath, parent = null] = sourcePaths;
        const paths = JSON.stringify(sourcePaths);
        return findCovering.get({ item, parent, paths, looked_at: lookedAt.toISOString() }) ?? undefined;
      }
      return job.isUpgrade ? undefined : findDuplicate(job.dedupeKey, job.mirror?.kind ?? 'copy', windowStart);
    };
    for (const job of jobs) {
      const kind = job.mirror?.kind ?? 'copy';
      const existing = findExisting(job);
      if (existing !== undefined) {
        result.ids.push(existing);
        result.created.push(false);
        continue;
      }
      const info = insert.run({
        source: job.source,
        media_type: job.mediaType,
        title: job.title,
        container_path: job.containerPath,
        source_path: job.sourcePath,
        dest_path: job.destPath,
        mapping: job.mapping,
        dedupe_key: job.dedupeKey,
        details: JSON.stringify(job.details),
        is_upgrade: job.isUpgrade ? 1 : 0,
        wait_for_stable_size: job.waitForStableSize ? 1 : 0,
        created_at: createdAt,
        kind,
        mirror: job.mirror ? JSON.stringify(job.mirror) : null,
      });
      result.ids.push(Number(info.lastInsertRowid));
      result.created.push(true);
    }
    return result;
  };
  const enqueueGroups = db.transaction((groups: readonly (readonly NewJob[])[], now: Date, windowMs: number) =>
    groups.map((group) => insertGroup(group, now, windowMs)),
  );

  // A claim opens the job's next attempt in the same transaction.
  const claim = db.transaction((now: Date, busyMappings: readonly string[]) => {
    const row = claimNext.get({ now: now.toISOString(), busy: JSON.stringify(busyMappings) });
    if (row) attempts.open(row.id, now);
    return row;
  });

  // The outcome, its attempt and the notifications it causes commit together, or none does.
  const finish = db.transaction(
    (id: number, end: AttemptEnd, items: readonly OutboxItem[], update: () => JobRow | undefined) => {
      const row = update();
      if (!row) throw new Error(`job ${id} is not in progress; its outcome was not recorded`);
      attempts.close(id, end);
      outbox.add(items, id, end.finishedAt);
      return toJob(row);
    },
  );

  const deferJob = db.transaction(
    (params: { id: number; error: string; reason: FailureReason | null; next_attempt_at: string }) => {
      if (defer.run(params).changes === 1) attempts.discard(params.id);
    },
  );

  const interruptJob = db.transaction((id: number, error: string, now: Date) => {
    const cut = interrupt.get({ id, error, now: now.toISOString() });
    if (!cut) return;
    attempts.close(id, {
      finishedAt: now,
      outcome: 'interrupted',
      rsyncExitCode: null,
      error,
      reason: 'shutdown',
      bytes: null,
      durationSeconds: cut.seconds,
    });
  });

  const deferMapping = db.transaction((params: DeferMappingParams & { now: string }) => {
    const { now, ...fresh } = params;
    return deferMappingFresh.run(fresh).changes + deferMappingDue.run(params).changes;
  });

  const recover = db.transaction((now: Date, maxRetries: number) => {
    attempts.closeInterrupted(now, INTERRUPTED_BY_RESTART, 'restart');
    const gaveUp = giveUpInterrupted.all({ now: now.toISOString(), max_retries: maxRetries }).map(toJob);
    const requeued = requeueInterrupted.all().map(toJob);
    return { requeued, gaveUp };
  });

  return {
    enqueue(jobs, now, windowMs) {
      const [result] = enqueueGroups.immediate([jobs], now, windowMs);
      if (!result) throw new Error('enqueue: the transaction returned no result');
      return result;
    },
    enqueueGroups: (groups, now, windowMs) => enqueueGroups.immediate(groups, now, windowMs),
    claimNext(now, busyMappings = []) {
      const row = claim.immediate(now, busyMappings);
      return row ? toJob(row) : undefined;
    },
    markSuccess(id, r, items) {
      const end: AttemptEnd = {
        finishedAt: r.finishedAt,
        outcome: 'success',
        rsyncExitCode: r.rsyncExitCode ?? null,
        error: null,
        reason: null,
        bytes: r.bytes,
        durationSeconds: r.durationSeconds,
      };
      return finish.immediate(id, end, items, () =>
        markSuccess.get({
          id,
          bytes: r.bytes,
          finished_at: r.finishedAt.toISOString(),
          duration: r.durationSeconds,
          mirrored_files: mirroredJson(r.mirroredFiles),
        }),
      );
    },
    markFailed(id, r, items) {
      const reason = r.reason ?? 'unknown';
      const end: AttemptEnd = {
        finishedAt: r.finishedAt,
        outcome: 'failed',
        rsyncExitCode: r.rsyncExitCode ?? null,
        error: r.error,
        reason,
        bytes: r.bytes ?? null,
        durationSeconds: r.durationSeconds,
      };
      return finish.immediate(id, end, items, () =>
        markFailed.get({
          id,
          error: r.error,
          reason,
          gave_up: r.retryAt ? 0 : 1,
          retry_at: r.retryAt ? r.retryAt.toISOString() : null,
          finished_at: r.finishedAt.toISOString(),
          duration: r.durationSeconds,
          mirrored_files: mirroredJson(r.mirroredFiles),
        }),
      );
    },
    defer(id, error, nextAttemptAt, reason) {
      deferJob.immediate({ id, error, reason: reason ?? null, next_attempt_at: nextAttemptAt.toISOString() });
    },
    interrupt(id, error, now) {
      interruptJob.immediate(id, error, now);
    },
    deferMapping(mapping, error, nextAttemptAt, now, reason) {
      return deferMapping.immediate({
        mapping,
        error,
        reason: reason ?? null,
        next_attempt_at: nextAttemptAt.toISOString(),
        now: now.toISOString(),
      });
    },
    promoteDueRetries: (now) => promote.all(now.toISOString()).map(toJob),
    recoverInterrupted: (now, maxRetries) => recover.immediate(now, maxRetries),
    recordRsyncPid(id, pid) {
      recordRsyncPid.run(pid, id);
    },
    interruptedRsyncs: () => interruptedRsyncs.all(),
    retryFailed(id) {
      if (manualRetry.run(id).changes === 1) return 'requeued';
      return statusOf.get(id) ?? 'not_found';
    },
    retryFailedSince: (since) => manualRetrySince.all(since.toISOString()),
    releaseWaiting: () => releaseWaiting.run().changes,
  };
}

/** NULL keeps what the column holds: a failure before the mirroring step does not erase the last run's record. */
function mirroredJson(files: readonly MirroredFile[] | undefined): string | null {
  return files === undefined ? null : JSON.stringify(files);
}
