// Every fixed duration of the service, in one place. What a user may set (retry interval, rsync and
// mount timeouts, check interval) is configuration: config/defaults.ts.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
export const DAY_MS = 24 * HOUR;

export interface Timing {
  /** After SIGTERM the service exits this long later at the latest (Docker kills after 10 s). */
  shutdownGraceMs: number;
  /** A full probe of a root is reused this long by the next jobs, while the root stays on the same mount. */
  rootProbeFreshMs: number;
  /** Longest sleep of the queue between two looks when nothing is due. */
  queueIdleRecheckMs: number;
  /** The next look at the queue after it could not be read. */
  queueReadRetryMs: number;
  /** 20 jobs within 100 ms are a burst (a season pack, a backlog); 50 ms without a new one end it. */
  burst: { minJobs: number; windowMs: number; quietMs: number };
  /** A file synced within this window is not synced again by a repeated webhook. */
  duplicateWindowMs: number;
  /** POST /queue/retry-failed requeues the jobs that failed this recently. */
  retryFailedWindowMs: number;
  /** The summary's Needs Attention lists jobs that gave up this recently and are still failed. */
  needsAttentionWindowMs: number;
  /** A scheduled run missed by at most this long (the service was stopped) runs once at start. */
  scheduleCatchUpWindowMs: number;
  /** How far back the scheduler looks for the latest slot of its cron expression. */
  scheduleLookBackMs: number;
  /** The first wait after a failed delivery of an outbox row, doubled per attempt up to the maximum. */
  outboxFirstBackoffMs: number;
  outboxMaxBackoffMs: number;
  /** An outbox row still failing this long after it was written is given up. */
  outboxMaxAgeMs: number;
  /** One request to Telegram or Plex. */
  outboundRequestTimeoutMs: number;
  /** One read-only request of `sync-webhook doctor` to Telegram or Plex. */
  doctorRequestTimeoutMs: number;
  /** One request of the CLI to the service; longer than outboundRequestTimeoutMs, as /test waits for Telegram. */
  cliRequestTimeoutMs: number;
  /** rsync gets SIGTERM first (it keeps what it wrote in the partial folder), and SIGKILL this long after. */
  rsyncKillGraceMs: number;
  /** The title search index is brought up to date once no webhook came for this long, in chunks. */
  titleIndex: { quietMs: number; chunk: number; pauseMs: number };
  /** SYNC_RETENTION_DAYS: a pass this often (the first one this long after the start), in batches. */
  retention: { intervalMs: number; batch: number; pauseMs: number };
  /**
   * GET /events: changes go out at most once per window; a comment keeps a quiet stream open through
   * proxies; the browser reconnects a dropped one after retryMs; more than maxStreams at once are refused.
   */
  events: { windowMs: number; heartbeatMs: number; retryMs: number; maxStreams: number };
  /** Dashboard logins: how long one lasts, how many are kept, how late a wrong password is answered. */
  sessions: { maxAgeMs: number; maxSessions: number; loginFailureDelayMs: number };
  /** How long rsync's output pipes may stay open after it exited (a leftover child can hold them). */
  rsyncPipeDrainMs: number;
  /** The trash clean-up's removal of old days at one destination (big files on a slow share). */
  trashCleanUpTimeoutMs: number;
  /** The apprise command past its time limit gets SIGTERM, and SIGKILL this long after. */
  programKillGraceMs: number;
  /**
   * How often the running service writes "still running" to the database: the next start measures
   * the downtime from the last one (SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES), overstating it by at most this.
   */
  heartbeatIntervalMs: number;
  /**
   * How long the catch-up's child process is kept after it compared a mapping: the next mapping of a
   * pass, or a pass right after, does not start a new one; an idle service has none.
   */
  reconcileChildLingerMs: number;
}

export const TIMING: Readonly<Timing> = Object.freeze({
  shutdownGraceMs: 9 * SECOND,
  rootProbeFreshMs: 2 * SECOND,
  queueIdleRecheckMs: MINUTE,
  queueReadRetryMs: SECOND,
  burst: { minJobs: 20, windowMs: 100, quietMs: 50 },
  duplicateWindowMs: DAY_MS,
  retryFailedWindowMs: DAY_MS,
  needsAttentionWindowMs: 7 * DAY_MS,
  scheduleCatchUpWindowMs: 12 * HOUR,
  scheduleLookBackMs: 8 * DAY_MS,
  outboxFirstBackoffMs: 30 * SECOND,
  outboxMaxBackoffMs: HOUR,
  outboxMaxAgeMs: 48 * HOUR,
  outboundRequestTimeoutMs: 30 * SECOND,
  doctorRequestTimeoutMs: 10 * SECOND,
  cliRequestTimeoutMs: 40 * SECOND,
  rsyncKillGraceMs: 5 * SECOND,
  titleIndex: { quietMs: 250, chunk: 200, pauseMs: 5 },
  retention: { intervalMs: HOUR, batch: 200, pauseMs: 20 },
  events: { windowMs: 250, heartbeatMs: 20 * SECOND, retryMs: 3 * SECOND, maxStreams: 100 },
  sessions: { maxAgeMs: 30 * DAY_MS, maxSessions: 1000, loginFailureDelayMs: SECOND },
  rsyncPipeDrainMs: SECOND,
  trashCleanUpTimeoutMs: 5 * MINUTE,
  programKillGraceMs: 2 * SECOND,
  heartbeatIntervalMs: MINUTE,
  reconcileChildLingerMs: MINUTE,
});
