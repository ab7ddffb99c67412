import type { FailureReason, Job } from '../core/types.js';
import type { Db } from './database.js';
import { JOB_COLUMNS, type JobRow, toJob } from './job-row.js';
import type { Range } from './job-reports.js';

// Reads for the dashboard's panels (GET /queue, GET /history, the event stream): the copies running,
// the queue behind them, the rates of recent copies, a day's totals, the commonest failure reasons.
// Each is an index range; none reads the whole table.

const RUNNING = `SELECT ${JOB_COLUMNS} FROM jobs WHERE status = 'in_progress' ORDER BY id`;
// In claim order: fresh jobs by id (the ones waiting for a share are listed among them by id too).
const QUEUE_HEAD = `SELECT ${JOB_COLUMNS} FROM jobs WHERE status = 'queued' ORDER BY id LIMIT ?`;
// The sizes Radarr/Sonarr gave, over the first `max` queued jobs (a burst can queue thousands). A rename
// or delete copies nothing, whatever size its event named: it counts as 0 bytes, not as an unknown size.
const QUEUE_SIZE = `SELECT COUNT(*) AS jobs, COALESCE(SUM(size), 0) AS bytes, COUNT(*) - COUNT(size) AS unknown
  FROM (SELECT CASE WHEN kind IN ('rename', 'delete') THEN 0 ELSE json_extract(details, '$.sizeBytes') END AS size
    FROM jobs WHERE status = 'queued' ORDER BY id LIMIT ?)`;
const RATES = `SELECT bytes_transferred * 1.0 / duration_seconds FROM jobs
  WHERE status = 'success' AND finished_at >= ? AND bytes_transferred > 0 AND duration_seconds > 0`;
export const DAY_TOTALS = `SELECT status, COUNT(*) AS n, COALESCE(SUM(bytes_transferred), 0) AS bytes
  FROM jobs WHERE status IN ('success', 'failed') AND finished_at >= ? AND finished_at < ? GROUP BY status`;
export const FAILURE_REASONS = `SELECT COALESCE(reason, 'unknown') AS reason, COUNT(*) AS count FROM attempts
  WHERE outcome = 'failed' AND finished_at >= ? AND finished_at < ? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`;

export interface QueueSize {
  /** Queued jobs counted (at most the `max` asked for). */
  jobs: number;
  /** Their sizes, as Radarr/Sonarr gave them. */
  bytes: number;
  /** Of them, how many copies came without a size (manual syncs). */
  unknown: number;
}

export interface DayTotals {
  successes: number;
  failures: number;
  /** Bytes copied by the successes. */
  bytes: number;
}

export interface JobActivity {
  running(): Job[];
  queueHead(limit: number): Job[];
  queueSize(max: number): QueueSize;
  /** Bytes per second of each copy that succeeded since then (with bytes and a duration). */
  successRates(since: Date): number[];
  /** The jobs that finished in the range, by their final state (as the daily summary counts them). */
  dayTotals(range: Range): DayTotals;
  /** The reasons of the attempts that failed in the range, commonest first. */
  failureReasons(range: Range, limit: number): { reason: FailureReason; count: number }[];
}

export function createJobActivity(db: Db): JobActivity {
  const running = db.prepare<[], JobRow>(RUNNING);
  const queueHead = db.prepare<[limit: number], JobRow>(QUEUE_HEAD);
  const queueSize = db.prepare<[max: number], QueueSize>(QUEUE_SIZE);
  const rates = db.prepare<[since: string], number>(RATES).pluck();
  const dayTotals = db.prepare<[from: string, to: string], { status: 'success' | 'failed'; n: number; bytes: number }>(
    DAY_TOTALS,
  );
  const failureReasons = db.prepare<
    [from: string, to: string, limit: number],
    { reason: FailureReason; count: number }
  >(FAILURE_REASONS);

  return {
    running: () => running.all().map(toJob),
    queueHead: (limit) => queueHead.all(limit).map(toJob),
    queueSize: (max) => queueSize.get(max) ?? { jobs: 0, bytes: 0, unknown: 0 },
    successRates: (since) => rates.all(since.toISOString()),
    dayTotals(range) {
      const totals: DayTotals = { successes: 0, failures: 0, bytes: 0 };
      for (const row of dayTotals.all(range.from.toISOString(), range.to.toISOString())) {
        if (row.status === 'success') {
          totals.successes = row.n;
          totals.bytes = row.bytes;
        } else totals.failures = row.n;
      }
      return totals;
    },
    failureReasons: (range, limit) => failureReasons.all(range.from.toISOString(), range.to.toISOString(), limit),
  };
}
