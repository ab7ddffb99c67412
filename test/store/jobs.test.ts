import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/database.js';
import { createJobReports, type JobReports } from '../../src/store/job-reports.js';
import type { JobStore } from '../../src/store/jobs.js';
import type { OutboxStore } from '../../src/store/outbox.js';
import { at, DAY, newJob, openTempStore, runToFailure, t0, type TempStore } from './fixture.js';
import type { OutboxPayload } from '../../src/core/notify-event.js';

const HTML: OutboxPayload = { type: 'telegram_html', message: { title: 'Movie Synced', body: 'x' } };

let store: TempStore;
let dir: string;
let db: Db;
let jobs: JobStore;
let reports: JobReports;
let outbox: OutboxStore;

beforeEach(() => {
  store = openTempStore();
  ({ dir, db, jobs, reports, outbox } = store);
});

afterEach(() => store.close());

describe('enqueue', () => {
  it('inserts queued rows and answers their ids in order', () => {
    const r = jobs.enqueue([newJob(), newJob({ dedupeKey: 'b' })], t0, DAY);
    expect(r).toEqual({ ids: [1, 2], created: [true, true] });
    expect(reports.get(1)).toMatchObject({
      status: 'queued',
      retryCount: 0,
      createdAt: t0.toISOString(),
      details: { quality: 'Bluray-1080p' },
    });
  });

  it('folds a file that is queued, in progress, or succeeded within the window', () => {
    jobs.enqueue([newJob()], t0, DAY);
    expect(jobs.enqueue([newJob()], at(1), DAY)).toEqual({ ids: [1], created: [false] });
    jobs.claimNext(at(2));
    expect(jobs.enqueue([newJob()], at(3), DAY).created).toEqual([false]);
    jobs.markSuccess(1, { bytes: 10, finishedAt: at(4), durationSeconds: 1 }, []);
    expect(jobs.enqueue([newJob()], at(5), DAY).created).toEqual([false]);
    expect(jobs.enqueue([newJob()], at(4 + DAY + 1), DAY)).toEqual({ ids: [2], created: [true] });
  });

  it('queues a file again when its earlier job failed', () => {
    jobs.enqueue([newJob()], t0, DAY);
    runToFailure(jobs, 1, null, at(1));
    expect(jobs.enqueue([newJob()], at(2), DAY)).toEqual({ ids: [2], created: [true] });
  });

  it('always queues an upgrade', () => {
    jobs.enqueue([newJob()], t0, DAY);
    expect(jobs.enqueue([newJob({ isUpgrade: true })], at(1), DAY)).toEqual({ ids: [2], created: [true] });
  });

  it('folds duplicates inside one batch too', () => {
    expect(jobs.enqueue([newJob(), newJob()], t0, DAY)).toEqual({ ids: [1, 1], created: [true, false] });
  });
});

describe('the state machine', () => {
  it('claims the oldest due job and skips ones waiting for later', () => {
    jobs.enqueue([newJob({ dedupeKey: 'a' }), newJob({ dedupeKey: 'b' })], t0, DAY);
    jobs.claimNext(t0);
    jobs.defer(1, 'Waiting for mount: source /src is not mounted', at(30_000));
    expect(reports.get(1)).toMatchObject({
      status: 'queued',
      error: 'Waiting for mount: source /src is not mounted',
      retryCount: 0,
    });
    expect(jobs.claimNext(at(1))?.id).toBe(2);
    expect(jobs.claimNext(at(2))).toBeUndefined();
    expect(reports.nextDueAt()).toEqual(at(30_000));
    expect(jobs.claimNext(at(30_000))?.id).toBe(1);
  });

  it('records success with its numbers and the outbox rows in one step', () => {
    jobs.enqueue([newJob()], t0, DAY);
    jobs.claimNext(t0);
    const done = jobs.markSuccess(1, { bytes: 1234, finishedAt: at(5000), durationSeconds: 5 }, [
      { target: 'tgram://1/2', payload: { type: 'telegram_html', message: { title: 'Movie Synced', body: 'x' } } },
    ]);
    expect(done).toMatchObject({
      status: 'success',
      bytesTransferred: 1234,
      durationSeconds: 5,
      error: null,
      finishedAt: at(5000).toISOString(),
    });
    expect(outbox.head('tgram://1/2')).toMatchObject({
      jobId: 1,
      payload: { type: 'telegram_html', message: { title: 'Movie Synced', body: 'x' } },
      attempts: 0,
    });
  });

  it('refuses to record an outcome for a job that is not in progress, and writes no outbox row', () => {
    jobs.enqueue([newJob()], t0, DAY);
    expect(() =>
      jobs.markSuccess(1, { bytes: 1, finishedAt: t0, durationSeconds: 1 }, [{ target: 'tgram://1/2', payload: HTML }]),
    ).toThrow(/not in progress/);
    expect(outbox.head('tgram://1/2')).toBeUndefined();
    expect(reports.get(1)?.status).toBe('queued');
  });

  it('promotes a failed job when its retry is due, on the same row with retry_count + 1', () => {
    jobs.enqueue([newJob()], t0, DAY);
    runToFailure(jobs, 1, at(900_000), at(1));
    expect(reports.get(1)).toMatchObject({ status: 'failed', gaveUp: false, nextAttemptAt: at(900_000).toISOString() });
    expect(jobs.promoteDueRetries(at(899_999))).toEqual([]);
    expect(reports.nextDueAt()).toEqual(at(900_000));
    const [promoted] = jobs.promoteDueRetries(at(900_000));
    expect(promoted).toMatchObject({ id: 1, status: 'queued', retryCount: 1, nextAttemptAt: null });
    expect(db.prepare('SELECT COUNT(*) FROM jobs').pluck().get()).toBe(1);
  });

  it('never promotes a job that gave up', () => {
    jobs.enqueue([newJob()], t0, DAY);
    runToFailure(jobs, 1, null, at(1));
    expect(reports.get(1)?.gaveUp).toBe(true);
    expect(jobs.promoteDueRetries(at(10 * DAY))).toEqual([]);
    expect(reports.nextDueAt()).toBeUndefined();
  });

  it('manual retry requeues a failed row with retry_count 0; other states are refused', () => {
    jobs.enqueue([newJob()], t0, DAY);
    expect(jobs.retryFailed(1)).toBe('queued');
    jobs.claimNext(t0);
    expect(jobs.retryFailed(1)).toBe('in_progress');
    jobs.markFailed(1, { error: 'x', finishedAt: at(1), durationSeconds: 1, retryAt: null }, []);
    db.prepare('UPDATE jobs SET retry_count = 3 WHERE id = 1').run();
    expect(jobs.retryFailed(1)).toBe('requeued');
    expect(reports.get(1)).toMatchObject({ status: 'queued', retryCount: 0, gaveUp: false });
    expect(jobs.retryFailed(99)).toBe('not_found');
  });

  it('retry-failed takes only failures of the window', () => {
    jobs.enqueue([newJob({ dedupeKey: 'old' }), newJob({ dedupeKey: 'new' }), newJob({ dedupeKey: 'ok' })], t0, DAY);
    runToFailure(jobs, 1, null, t0);
    runToFailure(jobs, 2, null, at(DAY));
    jobs.claimNext(at(DAY));
    jobs.markSuccess(3, { bytes: 1, finishedAt: at(DAY), durationSeconds: 1 }, []);
    expect(jobs.retryFailedSince(at(DAY - 1))).toEqual([2]);
    expect(reports.get(1)?.status).toBe('failed');
  });

  it('recovers interrupted jobs: requeued with retry_count + 1, or given up at the limit', () => {
    jobs.enqueue([newJob({ dedupeKey: 'a' }), newJob({ dedupeKey: 'b' })], t0, DAY);
    jobs.claimNext(t0);
    jobs.claimNext(t0);
    db.prepare('UPDATE jobs SET retry_count = 3 WHERE id = 2').run();
    const { requeued, gaveUp } = jobs.recoverInterrupted(at(1), 3);
    expect(requeued.map((j) => [j.id, j.status, j.retryCount, j.error])).toEqual([
      [1, 'queued', 1, 'Interrupted by restart'],
    ]);
    expect(gaveUp.map((j) => [j.id, j.status, j.gaveUp, j.error])).toEqual([
      [2, 'failed', true, 'Interrupted by restart'],
    ]);
  });

  it('makes every fresh queued job of a mapping wait with the same reason, leaving other mappings alone', () => {
    jobs.enqueue(
      [newJob({ dedupeKey: 'a' }), newJob({ dedupeKey: 'b' }), newJob({ dedupeKey: 'c', mapping: '/tv' })],
      t0,
      DAY,
    );
    expect(jobs.deferMapping('/movies', 'Waiting for mount: destination /dst is not mounted', at(30_000), t0)).toBe(2);
    expect(reports.get(2)).toMatchObject({
      status: 'queued',
      error: 'Waiting for mount: destination /dst is not mounted',
      retryCount: 0,
    });
    expect(jobs.claimNext(at(1))?.mapping).toBe('/tv');
    expect(jobs.claimNext(at(2))).toBeUndefined();
  });

  it('releases jobs waiting for a mount so they run at once', () => {
    jobs.enqueue([newJob()], t0, DAY);
    jobs.claimNext(t0);
    jobs.defer(1, 'Waiting for mount', at(60_000));
    expect(jobs.claimNext(at(1))).toBeUndefined();
    expect(jobs.releaseWaiting()).toBe(1);
    expect(jobs.claimNext(at(2))?.id).toBe(1);
  });
});

describe('openDatabase', () => {
  it('refuses a file that is not a database, naming SYNC_DB_PATH', async () => {
    const { writeFileSync } = await import('node:fs');
    const bad = join(dir, 'corrupt.db');
    writeFileSync(bad, 'this is not a database file, just some text that is long enough'.repeat(100));
    expect(() => openDatabase(bad)).toThrow(/SYNC_DB_PATH \(.*corrupt\.db\) cannot be used/);
  });

  it('refuses a folder that cannot be created, naming SYNC_DB_PATH', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'file'), '');
    expect(() => openDatabase(join(dir, 'file', 'sub', 'jobs.db'))).toThrow(/SYNC_DB_PATH/);
  });

  it('is idempotent: reopening keeps the rows and the schema version', () => {
    jobs.enqueue([newJob()], t0, DAY);
    db.close();
    const reopened = openDatabase(join(dir, 'jobs.db'));
    expect(createJobReports(reopened).get(1)?.title).toBe('Movie (2024)');
    expect(reopened.pragma('journal_mode', { simple: true })).toBe('wal');
    reopened.close();
  });
});
