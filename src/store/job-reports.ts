import type { FinishedTotals, Job, JobStatus, MediaType } from '../core/types.js';
import type { Db } from './database.js';
import { JOB_COLUMNS, type JobRow, toJob } from './job-row.js';
import { TIMING } from '../core/timing.js';

export interface DayReport extends FinishedTotals {
  failedTitles: string[];
  /** Jobs that gave up (no retry left) in the 7 days up to the end of the range and are still failed. */
  needsAttention: string[];
}

export interface Range {
  from: Date;
  to: Date;
}

/** Reads of the jobs table for the API, /health and /stats, the daily summary and the runner's timer. */
export interface JobReports {
  get(id: number): Job | undefined;
  /** Newest first. */
  list(o: { limit: number; status?: JobStatus }): Job[];
  statusCounts(): Record<JobStatus, number>;
  countFinished(status: 'success' | 'failed', range: Range): number;
  /** When the next waiting queued job or automatic retry is due. */
  nextDueAt(): Date | undefined;
  /** When the queued job with the lowest id (the oldest webhook still waiting) was created. */
  oldestQueuedCreatedAt(): Date | undefined;
  dayReport(range: Range, listLimit: number): DayReport;
}

export function createJobReports(db: Db): JobReports {
  const get = db.prepare<[id: number], JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`);
  const list = db.prepare<[limit: number], JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?`);
  const listByStatus = db.prepare<[status: JobStatus, limit: number], JobRow>(
    `SELECT ${JOB_COLUMNS} FROM jobs WHERE status = ? ORDER BY id DESC LIMIT ?`,
  );
  // Kept by triggers on every transition: no scan of the jobs table.
  const statusCounts = db.prepare<[], { status: JobStatus; count: number }>(
    'SELECT status, count FROM job_status_counts',
  );
  const countFinished = db
    .prepare<[status: JobStatus, from: string, to: string], number>(
      'SELECT COUNT(*) FROM jobs WHERE status = ? AND finished_at >= ? AND finished_at < ?',
    )
    .pluck();
  // Per status, MIN is one lookup on the (status, next_attempt_at) index.
  const nextDue = db
    .prepare<[status: JobStatus], string | null>(
      'SELECT MIN(next_attempt_at) FROM jobs WHERE status = ? AND next_attempt_at IS NOT NULL',
    )
    .pluck();
  // The lowest id of one status is the first entry of the (status, id) index: one lookup at any size.
  const oldestQueued = db
    .prepare<[], string>(`SELECT created_at FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1`)
    .pluck();
  const dayReport = createDayReport(db);

  return {
    get(id) {
      const row = get.get(id);
      return row ? toJob(row) : undefined;
    },
    list({ limit, status }) {
      const rows = status ? listByStatus.all(status, limit) : list.all(limit);
      return rows.map(toJob);
    },
    statusCounts() {
      const counts: Record<JobStatus, number> = { queued: 0, in_progress: 0, success: 0, failed: 0 };
      for (const row of statusCounts.all()) counts[row.status] = row.count;
      return counts;
    },
    countFinished(status, range) {
      return countFinished.get(status, range.from.toISOString(), range.to.toISOString()) ?? 0;
    },
    nextDueAt() {
      const [first] = [nextDue.get('queued'), nextDue.get('failed')]
        .filter((v): v is string => typeof v === 'string')
        .sort();
      return first === undefined ? undefined : new Date(first);
    },
    oldestQueuedCreatedAt() {
      const createdAt = oldestQueued.get();
      return createdAt === undefined ? undefined : new Date(createdAt);
    },
    dayReport,
  };
}

const DAY_TOTALS = `SELECT status, media_type, COUNT(*) AS n, COALESCE(SUM(bytes_transferred), 0) AS bytes,
  COALESCE(SUM(duration_seconds), 0) AS seconds
  FROM jobs WHERE status IN ('success', 'failed') AND finished_at >= ? AND finished_at < ?
  GROUP BY status, media_type`;
const DAY_FAILED_TITLES = `SELECT title FROM jobs WHERE status = 'failed' AND finished_at >= ? AND finished_at < ?
  ORDER BY finished_at DESC LIMIT ?`;
// Still failed with no retry left: stays listed day after day until retried or a week old.
const GAVE_UP_BEFORE = `SELECT title FROM jobs WHERE status = 'failed' AND finished_at >= ? AND finished_at < ?
  AND gave_up = 1 ORDER BY finished_at DESC`;

interface DayTotalsRow {
  status: 'success' | 'failed';
  media_type: MediaType;
  n: number;
  bytes: number;
  seconds: number;
}

function createDayReport(db: Db): JobReports['dayReport'] {
  const dayTotals = db.prepare<[from: string, to: string], DayTotalsRow>(DAY_TOTALS);
  const dayFailedTitles = db.prepare<[from: string, to: string, limit: number], string>(DAY_FAILED_TITLES).pluck();
  const gaveUpBefore = db.prepare<[from: string, to: string], string>(GAVE_UP_BEFORE).pluck();

  return (range, listLimit) => {
    const from = range.from.toISOString();
    const to = range.to.toISOString();
    const totals: DayReport = {
      successful: 0,
      failed: 0,
      movies: 0,
      episodes: 0,
      bytes: 0,
      durationSeconds: 0,
      failedTitles: dayFailedTitles.all(from, to, listLimit),
      needsAttention: gaveUpBefore.all(new Date(range.to.getTime() - TIMING.needsAttentionWindowMs).toISOString(), to),
    };
    for (const row of dayTotals.all(from, to)) {
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
  };
}
