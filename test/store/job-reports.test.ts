import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/database.js';
import type { JobReports } from '../../src/store/job-reports.js';
import { createJobList } from '../../src/store/job-list.js';
import type { JobStore } from '../../src/store/jobs.js';
import { at, DAY, newJob, openTempStore, runToFailure, t0, type TempStore } from './fixture.js';

let store: TempStore;
let db: Db;
let jobs: JobStore;
let reports: JobReports;

beforeEach(() => {
  store = openTempStore();
  ({ db, jobs, reports } = store);
});

afterEach(() => store.close());

describe('reads', () => {
  it('keeps status counters exact through every transition', () => {
    jobs.enqueue([newJob({ dedupeKey: 'a' }), newJob({ dedupeKey: 'b' }), newJob({ dedupeKey: 'c' })], t0, DAY);
    jobs.claimNext(t0);
    jobs.markSuccess(1, { bytes: 1, finishedAt: t0, durationSeconds: 1 }, []);
    runToFailure(jobs, 2, at(10), t0);
    expect(reports.statusCounts()).toEqual({ queued: 1, in_progress: 0, success: 1, failed: 1 });
    jobs.promoteDueRetries(at(10));
    expect(reports.statusCounts()).toEqual({ queued: 2, in_progress: 0, success: 1, failed: 0 });
    const actual = db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all() as {
      status: string;
      n: number;
    }[];
    for (const { status, n } of actual) expect(reports.statusCounts()[status as 'queued']).toBe(n);
  });

  it('lists newest first, filtered by status, limited', () => {
    jobs.enqueue(
      [1, 2, 3, 4].map((i) => newJob({ dedupeKey: String(i) })),
      t0,
      DAY,
    );
    jobs.claimNext(t0);
    const list = createJobList(db);
    expect(list.page({ limit: 2 }).jobs.map((j) => j.job.id)).toEqual([4, 3]);
    expect(list.page({ limit: 10, status: 'in_progress' }).jobs.map((j) => j.job.id)).toEqual([1]);
  });

  it('reports a day: successes by kind, bytes, failures, and the ones that gave up', () => {
    const kinds = [
      { key: 'm1', media: 'movie', outcome: 'success', bytes: 100 },
      { key: 'e1', media: 'episode', outcome: 'success', bytes: 50 },
      { key: 'f1', media: 'movie', outcome: 'retrying', bytes: 0 },
      { key: 'f2', media: 'episode', outcome: 'gave_up', bytes: 0 },
    ] as const;
    jobs.enqueue(
      kinds.map((k) => newJob({ dedupeKey: k.key, mediaType: k.media, title: k.key })),
      t0,
      DAY,
    );
    for (const [i, k] of kinds.entries()) {
      const id = i + 1;
      jobs.claimNext(t0);
      if (k.outcome === 'success') jobs.markSuccess(id, { bytes: k.bytes, finishedAt: at(id), durationSeconds: 2 }, []);
      else
        jobs.markFailed(
          id,
          { error: 'x', finishedAt: at(id), durationSeconds: 1, retryAt: k.outcome === 'retrying' ? at(DAY) : null },
          [],
        );
    }
    const report = reports.dayReport({ from: t0, to: at(DAY) }, 6);
    expect(report).toEqual({
      successful: 2,
      failed: 2,
      movies: 1,
      episodes: 1,
      bytes: 150,
      durationSeconds: 4,
      failedTitles: ['f2', 'f1'],
      needsAttention: ['f2'],
    });
    const nextDay = reports.dayReport({ from: at(DAY), to: at(2 * DAY) }, 6);
    expect(nextDay.successful).toBe(0);
    // A job that gave up keeps needing attention on the following days, for a week.
    expect(nextDay.needsAttention).toEqual(['f2']);
    expect(reports.dayReport({ from: at(8 * DAY), to: at(9 * DAY) }, 6).needsAttention).toEqual([]);
  });
});
