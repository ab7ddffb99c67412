import type { Job, JobSource, JobStatus, MediaType, NewJob } from '../core/types.js';
import type { Db } from './database.js';
import type { OutboxItem, OutboxStore } from './outbox.js';
import { createWalSync, type WalSync } from './wal-sync.js';

interface JobRow {
  id: number;
  status: JobStatus;
  source: JobSource;
  media_type: MediaType;
  title: string;
  container_path: string;
  source_path: string;
  dest_path: string;
  mapping: string;
  dedupe_key: string;
  details: string;
  is_upgrade: number;
  wait_for_stable_size: number;
  retry_count: number;
  gave_up: number;
  error: string | null;
  bytes_transferred: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_seconds: number | null;
  next_attempt_at: string | null;
  rsync_pid: number | null;
}

const COLUMNS = `id, status, source, media_type, title, container_path, source_path, dest_path, mapping,
  dedupe_key, details, is_upgrade, wait_for_stable_size, retry_count, gave_up, error, bytes_transferred,
  created_at, started_at, finished_at, duration_seconds, next_attempt_at, rsync_pid`;

const INSERT = `INSERT INTO jobs (status, source, media_type, title, container_path, source_path, dest_path,
  mapping, dedupe_key, details, is_upgrade, wait_for_stable_size, created_at)
  VALUES ('queued', @source, @media_type, @title, @container_path, @source_path, @dest_path,
  @mapping, @dedupe_key, @details, @is_upgrade, @wait_for_stable_size, @created_at)`;

// A file already queued, being copied, or copied within the window is not queued again.
const FIND_DUPLICATE = `SELECT id FROM jobs WHERE dedupe_key = ?
  AND (status IN ('queued', 'in_progress') OR (status = 'success' AND finished_at >= ?))
  ORDER BY id DESC LIMIT 1`;

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
  RETURNING ${COLUMNS}`;

const MARK_SUCCEEDED = `UPDATE jobs SET status = 'success', error = NULL, gave_up = 0, next_attempt_at = NULL,
  bytes_transferred = @bytes, finished_at = @finished_at, duration_seconds = @duration
  WHERE id = @id AND status = 'in_progress' RETURNING ${COLUMNS}`;

const MARK_FAILED = `UPDATE jobs SET status = 'failed', error = @error, gave_up = @gave_up,
  next_attempt_at = @retry_at, finished_at = @finished_at, duration_seconds = @duration
  WHERE id = @id AND status = 'in_progress' RETURNING ${COLUMNS}`;

// Not ready (mount down, source growing): back to the queue, no retry used, not a failure.
const DEFER = `UPDATE jobs SET status = 'queued', error = @error, next_attempt_at = @next_attempt_at,
  started_at = NULL WHERE id = @id AND status = 'in_progress'`;

// The same mount is down for every queued job of the mapping: the fresh ones and those due again
// all wait, in two index ranges rather than one job at a time.
const DEFER_MAPPING_FRESH = `UPDATE jobs SET error = @error, next_attempt_at = @next_attempt_at
  WHERE status = 'queued' AND next_attempt_at IS NULL AND mapping = @mapping`;
const DEFER_MAPPING_DUE = `UPDATE jobs SET error = @error, next_attempt_at = @next_attempt_at
  WHERE status = 'queued' AND next_attempt_at <= @now AND mapping = @mapping`;

const PROMOTE_DUE_RETRIES = `UPDATE jobs SET status = 'queued', retry_count = retry_count + 1,
  next_attempt_at = NULL, finished_at = NULL, duration_seconds = NULL
  WHERE status = 'failed' AND gave_up = 0 AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?
  RETURNING ${COLUMNS}`;

const GIVE_UP_INTERRUPTED = `UPDATE jobs SET status = 'failed', gave_up = 1, next_attempt_at = NULL,
  error = 'Interrupted by restart', finished_at = @now
  WHERE status = 'in_progress' AND retry_count >= @max_retries RETURNING ${COLUMNS}`;
const REQUEUE_INTERRUPTED = `UPDATE jobs SET status = 'queued', retry_count = retry_count + 1,
  error = 'Interrupted by restart', next_attempt_at = NULL, started_at = NULL
  WHERE status = 'in_progress' RETURNING ${COLUMNS}`;

const MANUAL_RETRY = `UPDATE jobs SET status = 'queued', retry_count = 0, gave_up = 0, next_attempt_at = NULL,
  finished_at = NULL, duration_seconds = NULL WHERE id = ? AND status = 'failed'`;
const MANUAL_RETRY_SINCE = `UPDATE jobs SET status = 'queued', retry_count = 0, gave_up = 0, next_attempt_at = NULL,
  finished_at = NULL, duration_seconds = NULL WHERE status = 'failed' AND finished_at >= ? RETURNING id`;

const RELEASE_WAITING = `UPDATE jobs SET next_attempt_at = NULL
  WHERE status = 'queued' AND next_attempt_at IS NOT NULL`;

const RECORD_RSYNC_PID = `UPDATE jobs SET rsync_pid = ? WHERE id = ? AND status = 'in_progress'`;
const INTERRUPTED = `SELECT id, source_path, rsync_pid FROM jobs WHERE status = 'in_progress' AND rsync_pid IS NOT NULL`;

const GET = `SELECT ${COLUMNS} FROM jobs WHERE id = ?`;
const STATUS_OF = `SELECT status FROM jobs WHERE id = ?`;
const LIST = `SELECT ${COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?`;
const LIST_BY_STATUS = `SELECT ${COLUMNS} FROM jobs WHERE status = ? ORDER BY id DESC LIMIT ?`;
const STATUS_COUNTS = `SELECT status, count FROM job_status_counts`;
const COUNT_FINISHED_SINCE = `SELECT COUNT(*) FROM jobs WHERE status = ? AND finished_at >= ? AND finished_at < ?`;
const NEXT_DUE = `SELECT MIN(next_attempt_at) FROM jobs WHERE status = ? AND next_attempt_at IS NOT NULL`;

const DAY_TOTALS = `SELECT status, media_type, COUNT(*) AS n, COALESCE(SUM(bytes_transferred), 0) AS bytes,
  COALESCE(SUM(duration_seconds), 0) AS seconds
  FROM jobs WHERE status IN ('success', 'failed') AND finished_at >= ? AND finished_at < ?
  GROUP BY status, media_type`;
const DAY_FAILED_TITLES = `SELECT title FROM jobs WHERE status = 'failed' AND finished_at >= ? AND finished_at < ?
  ORDER BY finished_at DESC LIMIT ?`;
// Still failed with no retry left: stays listed day after day until retried or a week old.
const GAVE_UP_BEFORE = `SELECT title FROM jobs WHERE status = 'failed' AND finished_at >= ? AND finished_at < ?
  AND gave_up = 1 ORDER BY finished_at DESC`;
const NEEDS_ATTENTION_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface EnqueueResult {
  /** One entry per request, in order: the new or the existing job id. */
  ids: number[];
  /** True for the entries that created a row. */
  created: boolean[];
}

export interface FinishedTotals {
  successful: number;
  failed: number;
  movies: number;
  episodes: number;
  bytes: number;
  durationSeconds: number;
}

export interface DayReport extends FinishedTotals {
  failedTitles: string[];
  /** Jobs that gave up (no retry left) in the 7 days up to the end of the range and are still failed. */
  needsAttention: string[];
}

export interface Range {
  from: Date;
  to: Date;
}

export interface JobStore {
  enqueue(jobs: readonly NewJob[], now: Date, duplicateWindowMs: number): EnqueueResult;
  /**
   * Several webhooks' jobs in one transaction: one result per group, in order, as soon as it is
   * committed; `durable` resolves once that commit is on disk (the fsync runs off the event loop).
   */
  enqueueGroups(
    groups: readonly (readonly NewJob[])[],
    now: Date,
    duplicateWindowMs: number,
  ): { results: EnqueueResult[]; durable: Promise<void> };
  /** The oldest due queued job, skipping the mappings listed in `busyMappings`; marks it in progress. */
  claimNext(now: Date, busyMappings?: readonly string[]): Job | undefined;
  markSucceeded(
    id: number,
    r: { bytes: number | null; finishedAt: Date; durationSeconds: number },
    outbox: readonly OutboxItem[],
  ): Job;
  markFailed(
    id: number,
    r: { error: string; finishedAt: Date; durationSeconds: number; retryAt: Date | null },
    outbox: readonly OutboxItem[],
  ): Job;
  defer(id: number, error: string, nextAttemptAt: Date): void;
  /** Every queued job of a mapping that is not already waiting waits too (its mount is down). */
  deferMapping(mapping: string, error: string, nextAttemptAt: Date, now: Date): number;
  promoteDueRetries(now: Date): Job[];
  recoverInterrupted(now: Date, maxRetries: number): { requeued: Job[]; gaveUp: Job[] };
  /** Remembers the rsync a running job started (see runner/orphans.ts). */
  recordRsyncPid(id: number, pid: number): void;
  /** In-progress jobs of a previous run whose rsync may still be alive. */
  interruptedRsyncs(): { id: number; sourcePath: string; rsyncPid: number | null }[];
  /** 'requeued' on success; otherwise why not: no such job, or the status it has instead of failed. */
  retryFailed(id: number): 'requeued' | 'not_found' | JobStatus;
  retryFailedSince(since: Date): number[];
  releaseWaiting(): number;
  get(id: number): Job | undefined;
  list(o: { limit: number; status?: JobStatus }): Job[];
  statusCounts(): Record<JobStatus, number>;
  countFinished(status: 'success' | 'failed', range: Range): number;
  nextDueAt(): Date | undefined;
  dayReport(range: Range, listLimit: number): DayReport;
}

export function createJobStore(
  db: Db,
  outbox: Pick<OutboxStore, 'add'>,
  walSync: WalSync = createWalSync(db),
): JobStore {
  // Webhook inserts commit without the fsync inside COMMIT, then walSync syncs the WAL off this thread;
  // every other write keeps synchronous=FULL.
  // (A prepared PRAGMA takes effect when prepared, not when run: exec runs it each time.)
  const syncInsideCommit = () => db.exec('PRAGMA synchronous = FULL');
  const syncAfterCommit = () => db.exec('PRAGMA synchronous = NORMAL');
  const insert = db.prepare(INSERT);
  const findDuplicate = db.prepare(FIND_DUPLICATE).pluck();
  const claimNext = db.prepare(CLAIM_NEXT);
  const markSucceeded = db.prepare(MARK_SUCCEEDED);
  const markFailed = db.prepare(MARK_FAILED);
  const defer = db.prepare(DEFER);
  const deferMappingFresh = db.prepare(DEFER_MAPPING_FRESH);
  const deferMappingDue = db.prepare(DEFER_MAPPING_DUE);
  const deferMapping = db.transaction(
    (params: { mapping: string; error: string; next_attempt_at: string; now: string }) => {
      const { now, ...fresh } = params;
      return deferMappingFresh.run(fresh).changes + deferMappingDue.run(params).changes;
    },
  );
  const promote = db.prepare(PROMOTE_DUE_RETRIES);
  const giveUpInterrupted = db.prepare(GIVE_UP_INTERRUPTED);
  const requeueInterrupted = db.prepare(REQUEUE_INTERRUPTED);
  const manualRetry = db.prepare(MANUAL_RETRY);
  const manualRetrySince = db.prepare(MANUAL_RETRY_SINCE).pluck();
  const releaseWaiting = db.prepare(RELEASE_WAITING);
  const recordRsyncPid = db.prepare(RECORD_RSYNC_PID);
  const interrupted = db.prepare(INTERRUPTED);
  const get = db.prepare(GET);
  const statusOf = db.prepare(STATUS_OF).pluck();
  const list = db.prepare(LIST);
  const listByStatus = db.prepare(LIST_BY_STATUS);
  const statusCounts = db.prepare(STATUS_COUNTS);
  const countFinished = db.prepare(COUNT_FINISHED_SINCE).pluck();
  const nextDue = db.prepare(NEXT_DUE).pluck();
  const dayTotals = db.prepare(DAY_TOTALS);
  const dayFailedTitles = db.prepare(DAY_FAILED_TITLES).pluck();
  const gaveUpBefore = db.prepare(GAVE_UP_BEFORE).pluck();

  const insertGroup = (jobs: readonly NewJob[], now: Date, windowMs: number): EnqueueResult => {
    const createdAt = now.toISOString();
    const windowStart = new Date(now.getTime() - windowMs).toISOString();
    const result: EnqueueResult = { ids: [], created: [] };
    for (const job of jobs) {
      const existing = job.isUpgrade
        ? undefined
        : (findDuplicate.get(job.dedupeKey, windowStart) as number | undefined);
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
      });
      result.ids.push(Number(info.lastInsertRowid));
      result.created.push(true);
    }
    return result;
  };
  const enqueueGroups = db.transaction((groups: readonly (readonly NewJob[])[], now: Date, windowMs: number) =>
    groups.map((group) => insertGroup(group, now, windowMs)),
  );

  const finish = db.transaction(
    (statement: typeof markSucceeded, params: Record<string, unknown>, items: readonly OutboxItem[], id: number) => {
      const row = statement.get(params) as JobRow | undefined;
      if (!row) throw new Error(`job ${id} is not in progress; its outcome was not recorded`);
      outbox.add(items, id, new Date(String(params.finished_at)));
      return toJob(row);
    },
  );

  const recover = db.transaction((now: Date, maxRetries: number) => {
    const gaveUp = (giveUpInterrupted.all({ now: now.toISOString(), max_retries: maxRetries }) as JobRow[]).map(toJob);
    const requeued = (requeueInterrupted.all() as JobRow[]).map(toJob);
    return { requeued, gaveUp };
  });

  return {
    enqueue(jobs, now, windowMs) {
      const [result] = enqueueGroups.immediate([jobs], now, windowMs);
      if (!result) throw new Error('enqueue: the transaction returned no result');
      return result;
    },
    enqueueGroups(groups, now, windowMs) {
      syncAfterCommit();
      try {
        const results = enqueueGroups.immediate(groups, now, windowMs);
        return { results, durable: walSync.sync() };
      } finally {
        syncInsideCommit();
      }
    },
    claimNext(now, busyMappings = []) {
      const row = claimNext.get({ now: now.toISOString(), busy: JSON.stringify(busyMappings) }) as JobRow | undefined;
      return row ? toJob(row) : undefined;
    },
    markSucceeded(id, r, items) {
      const params = { id, bytes: r.bytes, finished_at: r.finishedAt.toISOString(), duration: r.durationSeconds };
      return finish.immediate(markSucceeded, params, items, id);
    },
    markFailed(id, r, items) {
      const params = {
        id,
        error: r.error,
        gave_up: r.retryAt ? 0 : 1,
        retry_at: r.retryAt ? r.retryAt.toISOString() : null,
        finished_at: r.finishedAt.toISOString(),
        duration: r.durationSeconds,
      };
      return finish.immediate(markFailed, params, items, id);
    },
    defer(id, error, nextAttemptAt) {
      defer.run({ id, error, next_attempt_at: nextAttemptAt.toISOString() });
    },
    deferMapping(mapping, error, nextAttemptAt, now) {
      return deferMapping.immediate({
        mapping,
        error,
        next_attempt_at: nextAttemptAt.toISOString(),
        now: now.toISOString(),
      });
    },
    promoteDueRetries(now) {
      return (promote.all(now.toISOString()) as JobRow[]).map(toJob);
    },
    recoverInterrupted: (now, maxRetries) => recover.immediate(now, maxRetries),
    recordRsyncPid(id, pid) {
      recordRsyncPid.run(pid, id);
    },
    interruptedRsyncs() {
      const rows = interrupted.all() as { id: number; source_path: string; rsync_pid: number | null }[];
      return rows.map((row) => ({ id: row.id, sourcePath: row.source_path, rsyncPid: row.rsync_pid }));
    },
    retryFailed(id) {
      if (manualRetry.run(id).changes === 1) return 'requeued';
      const status = statusOf.get(id) as JobStatus | undefined;
      return status ?? 'not_found';
    },
    retryFailedSince(since) {
      return manualRetrySince.all(since.toISOString()) as number[];
    },
    releaseWaiting() {
      return releaseWaiting.run().changes;
    },
    get(id) {
      const row = get.get(id) as JobRow | undefined;
      return row ? toJob(row) : undefined;
    },
    list({ limit, status }) {
      const rows = (status ? listByStatus.all(status, limit) : list.all(limit)) as JobRow[];
      return rows.map(toJob);
    },
    statusCounts() {
      const counts: Record<JobStatus, number> = { queued: 0, in_progress: 0, success: 0, failed: 0 };
      for (const row of statusCounts.all() as { status: JobStatus; count: number }[]) counts[row.status] = row.count;
      return counts;
    },
    countFinished(status, range) {
      return countFinished.get(status, range.from.toISOString(), range.to.toISOString()) as number;
    },
    nextDueAt() {
      const [first] = [nextDue.get('queued'), nextDue.get('failed')]
        .filter((v): v is string => typeof v === 'string')
        .sort();
      return first === undefined ? undefined : new Date(first);
    },
    dayReport(range, listLimit) {
      const from = range.from.toISOString();
      const to = range.to.toISOString();
      const totals: DayReport = {
        successful: 0,
        failed: 0,
        movies: 0,
        episodes: 0,
        bytes: 0,
        durationSeconds: 0,
        failedTitles: dayFailedTitles.all(from, to, listLimit) as string[],
        needsAttention: gaveUpBefore.all(
          new Date(range.to.getTime() - NEEDS_ATTENTION_WINDOW_MS).toISOString(),
          to,
        ) as string[],
      };
      const rows = dayTotals.all(from, to) as {
        status: 'success' | 'failed';
        media_type: MediaType;
        n: number;
        bytes: number;
        seconds: number;
      }[];
      for (const row of rows) {
        if (row.status === 'failed') {
          totals.failed += row.n;
          continue;
        }
        totals.successful += row.n;
        totals.bytes += row.bytes;
        totals.durationSeconds += row.seconds;
        if (row.media_type === 'movie') totals.movies += row.n;
        else totals.episodes += row.n;
      }
      return totals;
    },
  };
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    status: row.status,
    source: row.source,
    mediaType: row.media_type,
    title: row.title,
    containerPath: row.container_path,
    sourcePath: row.source_path,
    destPath: row.dest_path,
    mapping: row.mapping,
    details: JSON.parse(row.details) as Job['details'],
    isUpgrade: row.is_upgrade === 1,
    waitForStableSize: row.wait_for_stable_size === 1,
    retryCount: row.retry_count,
    gaveUp: row.gave_up === 1,
    error: row.error,
    bytesTransferred: row.bytes_transferred,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationSeconds: row.duration_seconds,
    nextAttemptAt: row.next_attempt_at,
  };
}
