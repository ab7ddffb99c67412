import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { NewJob } from '../../src/core/types.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { createJobReports, type JobReports } from '../../src/store/job-reports.js';
import { createJobStore, type JobStore } from '../../src/store/jobs.js';
import { createOutboxStore, type OutboxStore } from '../../src/store/outbox.js';

export const DAY = 24 * 60 * 60 * 1000;
export const t0 = new Date('2026-03-10T10:00:00.000Z');
export const at = (ms: number) => new Date(t0.getTime() + ms);

export function newJob(over: Partial<NewJob> = {}): NewJob {
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

/** A temp database file with the real migrations, and the stores on it. */
export interface TempStore {
  dir: string;
  db: Db;
  jobs: JobStore;
  reports: JobReports;
  outbox: OutboxStore;
  close(): void;
}

export function openTempStore(): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'sync-store-'));
  const db = openDatabase(join(dir, 'jobs.db'));
  const outbox = createOutboxStore(db);
  return {
    dir,
    db,
    jobs: createJobStore(db, outbox),
    reports: createJobReports(db),
    outbox,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Claims job `id` and records a failure, with an automatic retry at `retryAt` or none. */
export function runToFailure(jobs: JobStore, id: number, retryAt: Date | null, now: Date) {
  expect(jobs.claimNext(now)?.id).toBe(id);
  return jobs.markFailed(id, { error: 'rsync exit 23', finishedAt: now, durationSeconds: 1, retryAt }, []);
}
