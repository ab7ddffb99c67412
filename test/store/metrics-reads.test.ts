// What GET /metrics reads from the database at each scrape: the values, and the query plans of the
// statements that really run (SQLite's own EXPLAIN QUERY PLAN): index lookups only, never a scan of
// the jobs table, so a scrape stays in milliseconds at a million jobs (bench/history.mjs times it).
import Database from 'better-sqlite3';
import type { OutboxPayload } from '../../src/core/notify-event.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJobReports } from '../../src/store/job-reports.js';
import { createOutboxStore } from '../../src/store/outbox.js';
import { at, DAY, newJob, openTempStore, runToFailure, t0, type TempStore } from './fixture.js';

let store: TempStore;

beforeEach(() => {
  store = openTempStore();
});

afterEach(() => store.close());

/** The store's metric reads on a second connection that reports the SQL of every statement it runs. */
function tracedReads() {
  const ran: string[] = [];
  const traced = new Database(store.db.name, { verbose: (sql) => ran.push(String(sql)) });
  const reports = createJobReports(traced);
  const outbox = createOutboxStore(traced);
  return {
    ran,
    read: () => ({
      counts: reports.statusCounts(),
      oldest: reports.oldestQueuedCreatedAt(),
      pending: outbox.pendingByTarget(),
    }),
    plan: (sql: string) =>
      traced
        .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all()
        .map((row) => row.detail),
    close: () => traced.close(),
  };
}

describe('the reads of a scrape', () => {
  it('give the oldest queued job and the pending rows per target', () => {
    const { jobs, reports, outbox } = store;
    expect(reports.oldestQueuedCreatedAt()).toBeUndefined();
    expect(outbox.pendingByTarget()).toEqual([]);
    jobs.enqueue([newJob({ dedupeKey: 'a' })], t0, DAY);
    jobs.enqueue([newJob({ dedupeKey: 'b' })], at(60_000), DAY);
    jobs.enqueue([newJob({ dedupeKey: 'c' })], at(120_000), DAY);
    expect(reports.oldestQueuedCreatedAt()).toEqual(t0);
    // The oldest one runs and fails: the next oldest still waiting is the answer.
    runToFailure(jobs, 1, at(10 * 60_000), at(130_000));
    expect(reports.oldestQueuedCreatedAt()).toEqual(at(60_000));

    // Targets are ids as configured (tgram://…, plex://…): the label is whatever the row says.
    const scan: OutboxPayload = {
      type: 'scan',
      scan: { mapping: '/movies', path: '/dst/Movies/A (2024)', mediaType: 'movie', change: 'created' },
    };
    outbox.add([{ target: 'tgram://1/2', payload: scan }], null, t0);
    outbox.add([{ target: 'tgram://1/2', payload: scan }], null, t0);
    outbox.add([{ target: 'plex://nas:32400', payload: scan }], null, t0);
    outbox.markSent([1], at(1));
    outbox.markDead([3], 'refused');
    expect(outbox.pendingByTarget()).toEqual([{ target: 'tgram://1/2', count: 1 }]);
  });

  it('run on indexes and the counts table only: no scan of jobs or of the whole outbox', () => {
    const traced = tracedReads();
    try {
      traced.read();
      expect(traced.ran).toHaveLength(3);
      const plans = Object.fromEntries(traced.ran.map((sql) => [sql, traced.plan(sql)]));
      for (const [sql, plan] of Object.entries(plans)) {
        for (const step of plan) {
          const ok =
            /^SEARCH jobs USING (COVERING )?INDEX /.test(step) ||
            step === 'SCAN outbox USING COVERING INDEX outbox_pending' ||
            step === 'SCAN job_status_counts';
          expect(ok, `${sql}\n  ${step}`).toBe(true);
        }
      }
      expect(Object.values(plans).flat()).toContain('SEARCH jobs USING INDEX jobs_status_id (status=?)');
    } finally {
      traced.close();
    }
  });
});
