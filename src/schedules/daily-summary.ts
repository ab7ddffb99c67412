import { dayRange } from '../core/day.js';
import type { Clock } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { SummaryFigures, TargetRouting } from '../core/notify-event.js';
import { dailySummaryEvent, SUMMARY_LIST_LIMIT } from '../notify/events.js';
import type { JobReports } from '../store/job-reports.js';
import type { OutboxStore } from '../store/outbox.js';

export interface SummaryDeps {
  jobReports: Pick<JobReports, 'dayReport'>;
  outbox: Pick<OutboxStore, 'add'>;
  clock: Clock;
  log: Logger;
  timeZone: string;
  /** Which notification targets get the summary. */
  routing: Pick<TargetRouting, 'notifiersFor'>;
  /** Wakes the outbox dispatcher after the message is written. */
  onQueued: () => void;
}

/** The figures of one local calendar day, up to `until` when the day is still running. */
export function buildDailySummary(
  jobReports: Pick<JobReports, 'dayReport'>,
  day: string,
  timeZone: string,
  until?: Date,
): SummaryFigures {
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
export function queueDailySummary(deps: SummaryDeps, day: string, until?: Date): SummaryFigures {
  const summary = buildDailySummary(deps.jobReports, day, deps.timeZone, until);
  const event = dailySummaryEvent(summary, deps.clock.now());
  const targets = deps.routing.notifiersFor('summary');
  if (targets.length > 0) {
    deps.outbox.add(
      targets.map((target) => ({ target, payload: { type: 'notify', event } })),
      null,
      deps.clock.now(),
    );
    deps.onQueued();
  } else {
    deps.log.info(`Daily summary for ${day} not sent: no notification target takes summaries`);
  }
  deps.log.info(`Daily summary for ${day}: ${summary.successful} success, ${summary.failed} failed`);
  return summary;
}
