// SYNC_RETENTION_DAYS: finished jobs older than the cutoff go with their attempts, outbox rows and
// indexed titles, a batch per transaction; nothing unfinished or recent is touched.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxItem } from '../../src/core/notify-event.js';
import { createJobList } from '../../src/store/job-list.js';
import { createRetention, PRUNABLE, type Retention } from '../../src/store/retention.js';
import { createTitleIndex } from '../../src/store/title-index.js';
import { at, DAY, newJob, openTempStore, t0, type TempStore } from './fixture.js';

let store: TempStore;
let retention: Retention;

beforeEach(() => {
  store = openTempStore();
  retention = createRetention(store.db);
});
afterEach(() => store.close());

const count = (sql: string) => store.db.prepare(sql).pluck().get();
const message: OutboxItem = {
  target: 'tgram://1/2',
  payload: { type: 'telegram_html', message: { title: 't', body: 'b' } },
};

/** Job `key` run to success at `finishedAt`, with a message whose delivery ended as `delivery`. */
function succeeded(key: string, finishedAt: Date, delivery: 'sent' | 'dead' | 'pending' = 'sent'): number {
  const { jobs, outbox } = store;
  jobs.enqueue([newJob({ dedupeKey: key, title: `Title ${key}` })], finishedAt, DAY);
  const job = jobs.claimNext(finishedAt);
  if (!job) throw new Error('nothing claimed');
  jobs.markSuccess(job.id, { bytes: 1, finishedAt, durationSeconds: 1 }, [message]);
  const row = store.db.prepare<[number], number>('SELECT id FROM outbox WHERE job_id = ?').pluck().get(job.id);
  if (row !== undefined && delivery === 'sent') outbox.markSent([row], finishedAt);
  if (row !== undefined && delivery === 'dead') outbox.markDead([row], 'refused');
  return job.id;
}

function failed(key: string, finishedAt: Date, retryAt: Date | null): number {
  const { jobs } = store;
  jobs.enqueue([newJob({ dedupeKey: key, title: `Title ${key}` })], finishedAt, DAY);
  const job = jobs.claimNext(finishedAt);
  if (!job) throw new Error('nothing claimed');
  jobs.markFailed(job.id, { error: 'boom', finishedAt, durationSeconds: 1, retryAt }, []);
  return job.id;
}

describe('pruneFinishedBefore', () => {
  it('deletes old successes and given-up failures with their attempts, delivered outbox rows and titles', () => {
    const cutoff = at(40 * DAY);
    const oldSuccess = succeeded('a', at(DAY));
    const oldDead = succeeded('b', at(2 * DAY), 'dead');
    const oldGaveUp = failed('c', at(3 * DAY), null);
    const oldPendingMessage = succeeded('d', at(4 * DAY), 'pending');
    const oldRetrying = failed('e', at(5 * DAY), at(100 * DAY));
    const recent = succeeded('f', at(41 * DAY));
    store.jobs.enqueue([newJob({ dedupeKey: 'queued' })], at(6 * DAY), DAY);
    createTitleIndex(store.db).indexNext(100);

    const deleted = retention.pruneFinishedBefore(cutoff, 100);

    expect(deleted.sort()).toEqual([oldSuccess, oldDead, oldGaveUp, oldPendingMessage].sort());
    expect(store.db.prepare('SELECT id FROM jobs ORDER BY id').pluck().all()).toEqual([oldRetrying, recent, 7]);
    expect(count('SELECT COUNT(*) FROM attempts WHERE job_id IN (1, 2, 3, 4)')).toBe(0);
    expect(count('SELECT COUNT(*) FROM attempts')).toBe(2);
    // The message still pending is not the job's to cancel: it stays, without its job.
    expect(store.db.prepare('SELECT job_id, status FROM outbox ORDER BY id').all()).toEqual([
      { job_id: null, status: 'pending' },
      { job_id: recent, status: 'sent' },
    ]);
    expect(store.reports.statusCounts()).toEqual({ queued: 1, in_progress: 0, success: 1, failed: 1 });
    const titles = createJobList(store.db).page({ limit: 10, text: 'title' });
    expect(titles.jobs.map((j) => j.job.id).sort()).toEqual([oldRetrying, recent]);
  });

  it('deletes at most `max` per call, until none is left', () => {
    for (let i = 0; i < 5; i++) succeeded(`k${i}`, at(i * 1000));
    expect(retention.pruneFinishedBefore(at(DAY), 2)).toHaveLength(2);
    expect(retention.pruneFinishedBefore(at(DAY), 2)).toHaveLength(2);
    expect(retention.pruneFinishedBefore(at(DAY), 2)).toHaveLength(1);
    expect(retention.pruneFinishedBefore(at(DAY), 2)).toEqual([]);
  });

  it('lowers the title index mark when the newest job goes, so the id handed out again gets indexed', () => {
    succeeded('a', at(1000));
    const titles = createTitleIndex(store.db);
    titles.indexNext(10);
    retention.pruneFinishedBefore(at(DAY), 10);
    const [reused] = store.jobs.enqueue([newJob({ dedupeKey: 'n', title: 'Brand New (2026)' })], t0, DAY).ids;
    expect(reused).toBe(1);
    expect(titles.pending()).toBe(true);
    titles.indexNext(10);
    expect(
      createJobList(store.db)
        .page({ limit: 5, text: 'brand' })
        .jobs.map((j) => j.job.id),
    ).toEqual([1]);
  });

  it('reads the candidates from the finish-time index alone', () => {
    const plan = store.db
      .prepare(`EXPLAIN QUERY PLAN ${PRUNABLE}`)
      .all({ cutoff: t0.toISOString(), max: 10 })
      .map((row) => (row as { detail: string }).detail)
      .filter((detail) => / jobs /.test(detail));
    expect(plan).toEqual([
      'SEARCH jobs USING COVERING INDEX jobs_status_finished (status=? AND finished_at<?)',
      'SEARCH jobs USING COVERING INDEX jobs_status_finished (status=? AND finished_at<?)',
    ]);
  });
});
