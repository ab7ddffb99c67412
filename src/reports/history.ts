import { dayOf, dayRange, previousDay } from '../core/day.js';
import type { Clock, FailureReason } from '../core/types.js';
import type { JobActivity } from '../store/job-activity.js';

// GET /history: per calendar day in TZ, the bytes synced and the jobs that succeeded or failed (counted
// as the daily summary counts them: by each job's final state on the day it finished), and the reasons
// of the attempts that failed over the same days, commonest first (every failed attempt counts,
// also those a retry later made good).

export interface HistoryReport {
  time_zone: string;
  /** Oldest first; the last one is today so far. */
  days: { day: string; bytes: number; successes: number; failures: number }[];
  failure_reasons: { reason: FailureReason; count: number }[];
}

export interface HistoryDeps {
  activity: Pick<JobActivity, 'dayTotals' | 'failureReasons'>;
  clock: Clock;
  timeZone: string;
}

export function historyReport(deps: HistoryDeps, days: number, reasons: number): HistoryReport {
  const { activity, timeZone } = deps;
  const now = deps.clock.now();
  const names: string[] = [dayOf(now, timeZone)];
  while (names.length < days) names.unshift(previousDay(names[0] ?? ''));
  const rows = names.map((day) => ({ day, ...activity.dayTotals(dayRange(day, timeZone)) }));
  const from = dayRange(names[0] ?? '', timeZone).from;
  return {
    time_zone: timeZone,
    days: rows.map((r) => ({ day: r.day, bytes: r.bytes, successes: r.successes, failures: r.failures })),
    failure_reasons: activity.failureReasons({ from, to: new Date(now.getTime() + 1) }, reasons),
  };
}
