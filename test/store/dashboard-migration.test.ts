// Migration 013 (attempts, reason codes, the jobs list's index, the title search index) on a database
// that main's releases left at version 12: migrations run only above the recorded version, so the
// dashboard's must come after every one of them, or an upgraded database would never get its tables.
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAttemptReads } from '../../src/store/attempts.js';
import { migrations, openDatabase } from '../../src/store/database.js';
import { createJobList } from '../../src/store/job-list.js';
import { createJobStore } from '../../src/store/jobs.js';
import { createOutboxStore } from '../../src/store/outbox.js';
import { createTitleIndex } from '../../src/store/title-index.js';
import { at, DAY, newJob, t0 } from './fixture.js';

const MIGRATIONS_DIR = join(import.meta.dirname, '../../src/store/migrations');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-migrate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A database as main's version 12 left it (migrations 001-012), with a copy and a delete of a movie. */
function databaseAtVersion12(path: string): void {
  const old = new Database(path);
  old.unsafeMode(true);
  for (const file of readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d+-.*\.sql$/.test(f) && Number.parseInt(f, 10) <= 12)
    .sort()) {
    old.exec(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'));
  }
  old.pragma('user_version = 12');
  const insert = old.prepare(`INSERT INTO jobs (status, source, media_type, title, container_path, source_path,
    dest_path, mapping, dedupe_key, created_at, finished_at, kind, mirror, mirrored_files)
    VALUES (@status, 'radarr', 'movie', @title, '/movies/Old (2020)', '/src/movies/Old (2020)', '/dst/Movies',
    '/movies', @key, '2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z', @kind, @mirror, @files)`);
  insert.run({ status: 'success', title: 'Old Movie (2020)', key: 'a', kind: 'copy', mirror: null, files: null });
  insert.run({
    status: 'success',
    title: 'Old Movie (2020)',
    key: 'b',
    kind: 'delete',
    mirror: JSON.stringify({ kind: 'delete', event: 'MovieDelete', folder: '/movies/Old (2020)', scope: 'folder' }),
    files: JSON.stringify([{ path: '/dst/Movies/Old (2020)/old.mkv', action: 'deleted' }]),
  });
  old.close();
}

describe('migration 013', () => {
  it('comes after every migration of main: the last of this build, above 12', () => {
    const dashboard = migrations().find((m) => m.file.endsWith('-attempts-and-dashboard.sql'));
    expect(dashboard?.version).toBe(13);
    expect(migrations().at(-1)?.version).toBe(13);
  });

  it('upgrades a version 12 database: old jobs kept, attempts written, titles searchable', () => {
    const path = join(dir, 'v12.db');
    databaseAtVersion12(path);
    const db = openDatabase(path);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(13);
      expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      expect(db.prepare('SELECT kind, queued_by, error_reason FROM jobs ORDER BY id').raw().all()).toEqual([
        ['copy', 'webhook', null],
        ['delete', 'webhook', null],
      ]);

      const jobs = createJobStore(db, createOutboxStore(db));
      jobs.enqueue([newJob({ title: 'New Movie (2026)' })], t0, DAY);
      expect(jobs.claimNext(at(1))?.id).toBe(3);
      jobs.markFailed(
        3,
        { error: 'rsync exit 23', reason: 'rsync_partial', finishedAt: at(2), durationSeconds: 1, retryAt: null },
        [],
      );
      expect(createAttemptReads(db).ofJob(3)).toMatchObject([
        { number: 1, trigger: 'webhook', outcome: 'failed', errorReason: 'rsync_partial' },
      ]);

      // The rows of version 12 are indexed like new ones (the mark starts at 0), whatever their kind.
      const titles = createTitleIndex(db);
      expect(titles.indexNext(100)).toBe(3);
      expect(titles.pending()).toBe(false);
      const list = createJobList(db);
      const found = list.page({ limit: 10, text: 'old mov' });
      expect(found.jobs.map(({ job }) => [job.id, job.kind])).toEqual([
        [2, 'delete'],
        [1, 'copy'],
      ]);
      expect(found.jobs[0]?.job.mirroredFiles).toEqual([{ path: '/dst/Movies/Old (2020)/old.mkv', action: 'deleted' }]);
      expect(list.page({ limit: 10, text: 'new mov', status: 'failed' }).jobs.map(({ job }) => job.id)).toEqual([3]);
    } finally {
      db.close();
    }
  });
});
