import { dayOf, dayRange, previousDay } from '../core/day.js';
import type { Clock, FailureReason } from '../core/types.js';
import type { DayTotals, JobActivity } from '../store/job-activity.js';

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
  /**
   * A past day's totals are read again after this long: they change only when one of its jobs is
   * retried or deleted, and reading 30 days each time costs 30 index ranges (~20 ms at a million jobs).
   */
  pastDaysTtlMs: number;
  /** How many failure reasons the report lists. */
  reasons: number;
}

export class HistoryReporter {
  private readonly pastDays = new Map<string, { totals: DayTotals; at: number }>();

  constructor(private readonly deps: HistoryDeps) {}

  report(days: number): HistoryReport {
    const { activity, timeZone, pastDaysTtlMs } = this.deps;
    const now = this.deps.clock.now();
    const today = dayOf(now, timeZone);
    const names: string[] = [today];
    while (names.length < days) names.unshift(previousDay(names[0] ?? today));
    const rows = names.map((day) => {
      if (day === today) return { day, ...activity.dayTotals(dayRange(day, timeZone)) };
      const cached = this.pastDays.get(day);
      if (cached && now.getTime() - cached.at < pastDaysTtlMs) return { day, ...cached.totals };
      const totals = activity.dayTotals(dayRange(day, timeZone));
      this.pastDays.set(day, { totals, at: now.getTime() });
      return { day, ...totals };
    });
    // Days that scrolled out of every window are forgotten.
    for (const day of this.pastDays.keys()) if (day < (names[0] ?? today)) this.pastDays.delete(day);
    const from = dayRange(names[0] ?? today, timeZone).from;
    return {
      time_zone: timeZone,
      days: rows.map((r) => ({ day: r.day, bytes: r.bytes, successes: r.successes, failures: r.failures })),
      failure_reasons: activity.failureReasons({ from, to: new Date(now.getTime() + 1) }, this.deps.reasons),
    };
  }
}
