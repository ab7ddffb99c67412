import { dayRange } from '../core/day.js';
import type { Clock } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import { renderDailySummary, SUMMARY_LIST_LIMIT, type DailySummary } from '../notify/render.js';
import type { JobReports } from '../store/job-reports.js';
import type { OutboxStore } from '../store/outbox.js';

export interface SummaryDeps {
  jobReports: Pick<JobReports, 'dayReport'>;
  outbox: Pick<OutboxStore, 'add'>;
  clock: Clock;
  log: Logger;
  timeZone: string;
  notifications: boolean;
  /** Wakes the outbox dispatcher after the message is written. */
  onQueued: () => void;
}

/** The figures of one local calendar day, up to `until` when the day is still running. */
export function buildDailySummary(
  jobReports: Pick<JobReports, 'dayReport'>,
  day: string,
  timeZone: string,
  until?: Date,
): DailySummary {
  const range = dayRange(day, timeZone);
  if (until && until < range.to) range.to = until;
  const report = jobReports.dayReport(range, SUMMARY_LIST_LIMIT + 1);
  return {
    day,
    successful: report.successful,
    failed: report.failed,
    movies: report.movies,
    episodes: report.episodes,
    bytes: report.bytes,
    durationSeconds: report.durationSeconds,
    failedTitles: report.failedTitles,
    failedTotal: report.failed,
    needsAttention: report.needsAttention.slice(0, SUMMARY_LIST_LIMIT),
    needsAttentionTotal: report.needsAttention.length,
  };
}

/** Writes the summary of `day` to the outbox (so it survives a restart) and returns it. */
export function queueDailySummary(deps: SummaryDeps, day: string, until?: Date): DailySummary {
  const summary = buildDailySummary(deps.jobReports, day, deps.timeZone, until);
  if (deps.notifications) {
    deps.outbox.add([{ target: 'telegram', payload: renderDailySummary(summary) }], null, deps.clock.now());
    deps.onQueued();
  } else {
    deps.log.info(`Daily summary for ${day} not sent: Telegram is not configured`);
  }
  deps.log.info(`Daily summary for ${day}: ${summary.successful} success, ${summary.failed} failed`);
  return summary;
}
