import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewJob } from '../../src/core/types.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { createJobStore, type JobStore } from '../../src/store/jobs.js';
import { createOutboxStore, type OutboxStore } from '../../src/store/outbox.js';

const DAY = 24 * 60 * 60 * 1000;
const t0 = new Date('2026-03-10T10:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

function newJob(over: Partial<NewJob> = {}): NewJob {
  return {
    source: 'radarr',
    mediaType: 'movie',
    title: 'Movie (2024)',
    containerPath: '/movies/Movie (2024)',
    sourcePath: '/src/movies/Movie (2024)',
    destPath: '/dst/Movies',
    mapping: '/movies',
    details: { title: 'Movie', year: 2024, quality: 'Bluray-1080p', sizeBytes: 1000 },
    isUpgrade: false,
    waitForStableSize: false,
    dedupeKey: '/src/movies/Movie (2024)/movie.mkv',
    ...over,
  };
}

let dir: string;
let db: Db;
let jobs: JobStore;
let outbox: OutboxStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-store-'));
  db = openDatabase(join(dir, 'jobs.db'));
  outbox = createOutboxStore(db);
  jobs = createJobStore(db, outbox);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function runToFailure(id: number, retryAt: Date | null, now: Date) {
  expect(jobs.claimNext(now)?.id).toBe(id);
  return jobs.markFailed(id, { error: 'rsync exit 23', finishedAt: now, durationSeconds: 1, retryAt }, []);
}

describe('enqueue', () => {
  it('inserts queued rows and answers their ids in order', () => {
    const r = jobs.enqueue([newJob(), newJob({ dedupeKey: 'b' })], t0, DAY);
    expect(r).toEqual({ ids: [1, 2], created: [true, true] });
    expect(jobs.get(1)).toMatchObject({
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
    jobs.markSucceeded(1, { bytes: 10, finishedAt: at(4), durationSeconds: 1 }, []);
    expect(jobs.enqueue([newJob()], at(5), DAY).created).toEqual([false]);
    expect(jobs.enqueue([newJob()], at(4 + DAY + 1), DAY)).toEqual({ ids: [2], created: [true] });
  });

  it('queues a file again when its earlier job failed', () => {
    jobs.enqueue([newJob()], t0, DAY);
    runToFailure(1, null, at(1));
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
    expect(jobs.get(1)).toMatchObject({
      status: 'queued',
      error: 'Waiting for mount: source /src is not mounted',
      retryCount: 0,
    });
    expect(jobs.claimNext(at(1))?.id).toBe(2);
    expect(jobs.claimNext(at(2))).toBeUndefined();
    expect(jobs.nextDueAt()).toEqual(at(30_000));
    expect(jobs.claimNext(at(30_000))?.id).toBe(1);
  });

  it('records success with its numbers and the outbox rows in one step', () => {
    jobs.enqueue([newJob()], t0, DAY);
    jobs.claimNext(t0);
    const done = jobs.markSucceeded(1, { bytes: 1234, finishedAt: at(5000), durationSeconds: 5 }, [
      { target: 'telegram', payload: { title: 'Movie Synced', body: 'x' } },
    ]);
    expect(done).toMatchObject({
      status: 'success',
      bytesTransferred: 1234,
      durationSeconds: 5,
      error: null,
      finishedAt: at(5000).toISOString(),
    });
    expect(outbox.head('telegram')).toMatchObject({
      job_id: 1,
      payload: { title: 'Movie Synced', body: 'x' },
      attempts: 0,
    });
  });

  it('refuses to record an outcome for a job that is not in progress, and writes no outbox row', () => {
    jobs.enqueue([newJob()], t0, DAY);
    expect(() =>
      jobs.markSucceeded(1, { bytes: 1, finishedAt: t0, durationSeconds: 1 }, [{ target: 'telegram', payload: {} }]),
    ).toThrow(/not in progress/);
    expect(outbox.head('telegram')).toBeUndefined();
    expect(jobs.get(1)?.status).toBe('queued');
  });

  it('promotes a failed job when its retry is due, on the same row with retry_count + 1', () => {
    jobs.enqueue([newJob()], t0, DAY);
    runToFailure(1, at(900_000), at(1));
    expect(jobs.get(1)).toMatchObject({ status: 'failed', gaveUp: false, nextAttemptAt: at(900_000).toISOString() });
    expect(jobs.promoteDueRetries(at(899_999))).toEqual([]);
    expect(jobs.nextDueAt()).toEqual(at(900_000));
    const [promoted] = jobs.promoteDueRetries(at(900_000));
    expect(promoted).toMatchObject({ id: 1, status: 'queued', retryCount: 1, nextAttemptAt: null });
    expect(jobs.list({ limit: 10 })).toHaveLength(1);
  });

  it('never promotes a job that gave up', () => {
    jobs.enqueue([newJob()], t0, DAY);
    runToFailure(1, null, at(1));
    expect(jobs.get(1)?.gaveUp).toBe(true);
    expect(jobs.promoteDueRetries(at(10 * DAY))).toEqual([]);
    expect(jobs.nextDueAt()).toBeUndefined();
  });

  it('manual retry requeues a failed row with retry_count 0; other states are refused', () => {
    jobs.enqueue([newJob()], t0, DAY);
    expect(jobs.retryFailed(1)).toBe('queued');
    jobs.claimNext(t0);
    expect(jobs.retryFailed(1)).toBe('in_progress');
    jobs.markFailed(1, { error: 'x', finishedAt: at(1), durationSeconds: 1, retryAt: null }, []);
    db.prepare('UPDATE jobs SET retry_count = 3 WHERE id = 1').run();
    expect(jobs.retryFailed(1)).toBe('requeued');
    expect(jobs.get(1)).toMatchObject({ status: 'queued', retryCount: 0, gaveUp: false });
    expect(jobs.retryFailed(99)).toBe('not_found');
  });

  it('retry-failed takes only failures of the window', () => {
    jobs.enqueue([newJob({ dedupeKey: 'old' }), newJob({ dedupeKey: 'new' }), newJob({ dedupeKey: 'ok' })], t0, DAY);
    runToFailure(1, null, t0);
    runToFailure(2, null, at(DAY));
    jobs.claimNext(at(DAY));
    jobs.markSucceeded(3, { bytes: 1, finishedAt: at(DAY), durationSeconds: 1 }, []);
    expect(jobs.retryFailedSince(at(DAY - 1))).toEqual([2]);
    expect(jobs.get(1)?.status).toBe('failed');
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
    expect(jobs.get(2)).toMatchObject({
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

describe('reads', () => {
  it('keeps status counters exact through every transition', () => {
    jobs.enqueue([newJob({ dedupeKey: 'a' }), newJob({ dedupeKey: 'b' }), newJob({ dedupeKey: 'c' })], t0, DAY);
    jobs.claimNext(t0);
    jobs.markSucceeded(1, { bytes: 1, finishedAt: t0, durationSeconds: 1 }, []);
    runToFailure(2, at(10), t0);
    expect(jobs.statusCounts()).toEqual({ queued: 1, in_progress: 0, success: 1, failed: 1 });
    jobs.promoteDueRetries(at(10));
    expect(jobs.statusCounts()).toEqual({ queued: 2, in_progress: 0, success: 1, failed: 0 });
    const actual = db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all() as {
      status: string;
      n: number;
    }[];
    for (const { status, n } of actual) expect(jobs.statusCounts()[status as 'queued']).toBe(n);
  });

  it('lists newest first, filtered by status, limited', () => {
    jobs.enqueue(
      [1, 2, 3, 4].map((i) => newJob({ dedupeKey: String(i) })),
      t0,
      DAY,
    );
    jobs.claimNext(t0);
    expect(jobs.list({ limit: 2 }).map((j) => j.id)).toEqual([4, 3]);
    expect(jobs.list({ limit: 10, status: 'in_progress' }).map((j) => j.id)).toEqual([1]);
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
      if (k.outcome === 'success')
        jobs.markSucceeded(id, { bytes: k.bytes, finishedAt: at(id), durationSeconds: 2 }, []);
      else
        jobs.markFailed(
          id,
          { error: 'x', finishedAt: at(id), durationSeconds: 1, retryAt: k.outcome === 'retrying' ? at(DAY) : null },
          [],
        );
    }
    const report = jobs.dayReport({ from: t0, to: at(DAY) }, 6);
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
    const nextDay = jobs.dayReport({ from: at(DAY), to: at(2 * DAY) }, 6);
    expect(nextDay.successful).toBe(0);
    // A job that gave up keeps needing attention on the following days, for a week.
    expect(nextDay.needsAttention).toEqual(['f2']);
    expect(jobs.dayReport({ from: at(8 * DAY), to: at(9 * DAY) }, 6).needsAttention).toEqual([]);
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
    db = openDatabase(join(dir, 'jobs.db'));
    expect(createJobStore(db, createOutboxStore(db)).get(1)?.title).toBe('Movie (2024)');
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });
});
