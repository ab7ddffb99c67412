import { describe, expect, it } from 'vitest';
import type { Range } from '../store/job-reports.js';
import { HistoryReporter } from './history.js';

function reporter(now: { at: Date }) {
  const asked: string[] = [];
  const history = new HistoryReporter({
    activity: {
      dayTotals: (range: Range) => {
        asked.push(range.from.toISOString());
        return { successes: 1, failures: 0, bytes: asked.length };
      },
      failureReasons: () => [{ reason: 'mount_down', count: 2 }],
    },
    clock: { now: () => now.at },
    timeZone: 'Europe/Berlin',
    pastDaysTtlMs: 60_000,
    reasons: 10,
  });
  return { history, asked };
}

describe('HistoryReporter', () => {
  it('gives the days in TZ, oldest first, today last, each from its own range', () => {
    const { history, asked } = reporter({ at: new Date('2026-03-10T23:30:00Z') });
    const report = history.report(3);
    expect(report.time_zone).toBe('Europe/Berlin');
    // 23:30 UTC is already the 11th in Berlin.
    expect(report.days.map((d) => d.day)).toEqual(['2026-03-09', '2026-03-10', '2026-03-11']);
    expect(asked).toEqual(['2026-03-08T23:00:00.000Z', '2026-03-09T23:00:00.000Z', '2026-03-10T23:00:00.000Z']);
    expect(report.failure_reasons).toEqual([{ reason: 'mount_down', count: 2 }]);
  });

  it('reads today every time, a past day again only once its figures are older than the TTL', () => {
    const now = { at: new Date('2026-03-10T12:00:00Z') };
    const { history, asked } = reporter(now);
    history.report(3);
    history.report(3);
    expect(asked).toHaveLength(4);
    now.at = new Date(now.at.getTime() + 61_000);
    history.report(3);
    expect(asked).toHaveLength(7);
  });
});
