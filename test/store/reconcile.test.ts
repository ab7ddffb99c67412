// The catch-up's tables (migration 006): jobs with source 'reconcile', folding a catch-up item into a
// job that already copies it, the passes, and the heartbeat.
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReconcileFindings, ReconcileItem } from '../../src/core/reconcile.js';
import type { NewJob } from '../../src/core/types.js';
import { openDatabase } from '../../src/store/database.js';
import { FIND_COVERING } from '../../src/store/jobs.js';
import { createHeartbeatStore } from '../../src/store/heartbeat.js';
import { createReconcileRunStore, RECONCILE_RUNS_KEPT } from '../../src/store/reconcile-runs.js';
import { at, DAY, newJob, openTempStore, t0, type TempStore } from './fixture.js';

let store: TempStore;
beforeEach(() => {
  store = openTempStore();
});
afterEach(() => store.close());

/** A catch-up job for `sourcePath`, covered by jobs of it and the folders above it up to /src/movies. */
function catchUp(sourcePath: string, lookedAt: Date, over: Partial<NewJob> = {}): NewJob {
  const sourcePaths: string[] = [];
  for (let p = sourcePath; p.length > '/src/movies'.length; p = p.slice(0, p.lastIndexOf('/'))) sourcePaths.push(p);
  return newJob({
    source: 'reconcile',
    sourcePath,
    dedupeKey: sourcePath,
    coveredBy: { sourcePaths, lookedAt },
    ...over,
  });
}

describe('migration 006', () => {
  it('lets jobs come from a catch-up pass, and nothing else new', () => {
    const { ids } = store.jobs.enqueue([newJob({ source: 'reconcile', dedupeKey: 'r' })], t0, DAY);
    expect(store.reports.get(ids[0] ?? 0)?.source).toBe('reconcile');
    expect(() =>
      store.db
        .prepare(`INSERT INTO jobs (status, source, media_type, title, container_path, source_path, dest_path,
          mapping, dedupe_key, created_at) VALUES ('queued', 'bogus', 'movie', 't', 'c', 's', 'd', 'm', 'k', 'x')`)
        .run(),
    ).toThrow(/CHECK constraint failed/);
  });

  it('upgrades a database of an earlier version in place: rows, counts and links kept', () => {
    const path = join(store.dir, 'v4.db');
    const old = new Database(path);
    const dir = join(import.meta.dirname, '../../src/store/migrations');
    for (const file of readdirSync(dir)
      .filter((f) => /^00[1-4]-/.test(f))
      .sort()) {
      old.exec(readFileSync(join(dir, file), 'utf8'));
    }
    old.pragma('user_version = 4');
    old
      .prepare(`INSERT INTO jobs (status, source, media_type, title, container_path, source_path, dest_path, mapping,
        dedupe_key, created_at) VALUES ('success', 'radarr', 'movie', 'Old', '/movies/Old', '/s/Old', '/d', '/movies',
        '/s/Old/old.mkv', '2025-01-01T00:00:00.000Z')`)
      .run();
    old
      .prepare(`INSERT INTO outbox (target, job_id, payload, next_attempt_at, created_at) VALUES ('telegram', 1, '{}',
      '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z')`)
      .run();
    old.close();

    const db = openDatabase(path);
    try {
      expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(6);
      expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      expect(db.prepare('SELECT title FROM jobs').pluck().all()).toEqual(['Old']);
      expect(db.prepare('SELECT job_id FROM outbox').pluck().all()).toEqual([1]);
      expect(db.prepare("SELECT count FROM job_status_counts WHERE status = 'success'").pluck().get()).toBe(1);
      const insert = `INSERT INTO jobs (status, source, media_type, title, container_path, source_path, dest_path,
        mapping, dedupe_key, created_at) VALUES ('queued', 'reconcile', 'movie', 'New', 'c', 's', 'd', 'm', 'k', 'x')`;
      db.prepare(insert).run();
      expect(db.prepare("SELECT count FROM job_status_counts WHERE status = 'queued'").pluck().get()).toBe(1);
      // Defensive mode is back on once the migrations ran.
      expect(() => db.exec("UPDATE sqlite_schema SET sql = sql WHERE name = 'jobs'")).toThrow();
    } finally {
      db.close();
    }
  });
});

describe('a catch-up item folds into a job that already copies it', () => {
  const movie = '/src/movies/Movie (2024)';
  const looked = at(1000);

  it.each([
    ['the same item, queued', movie, (id: number) => id],
    ['the folder above it (a manual sync), queued', '/src/movies/Movie (2024)/Movie.mkv', (id: number) => id],
  ])('%s', (_name, path, expected) => {
    const { ids } = store.jobs.enqueue([newJob({ sourcePath: movie })], t0, DAY);
    const id = ids[0] ?? 0;
    expect(store.jobs.enqueue([catchUp(path, looked)], at(2000), DAY)).toEqual({
      ids: [expected(id)],
      created: [false],
    });
  });

  it('and into one in progress, or one that succeeded after the pass looked, but not before', () => {
    const { ids } = store.jobs.enqueue([newJob({ sourcePath: movie })], t0, DAY);
    const id = ids[0] ?? 0;
    store.jobs.claimNext(at(10));
    expect(store.jobs.enqueue([catchUp(movie, looked)], at(20), DAY).created).toEqual([false]);
    store.jobs.markSuccess(id, { bytes: 1, finishedAt: at(500), durationSeconds: 1 }, []);
    // It finished before the pass looked, and the pass still found the item missing: copy again.
    const again = store.jobs.enqueue([catchUp(movie, looked)], at(2000), DAY);
    expect(again.created).toEqual([true]);
    const later = store.jobs.enqueue([catchUp('/src/movies/Other (2020)', looked)], at(2100), DAY);
    expect(later.created).toEqual([true]);
    const otherId = later.ids[0] ?? 0;
    // The runner takes the copy queued by `again`, then Other's, which succeeds after the pass looked.
    store.jobs.claimNext(at(2200));
    store.jobs.claimNext(at(2200));
    store.jobs.markSuccess(otherId, { bytes: 1, finishedAt: at(3000), durationSeconds: 1 }, []);
    expect(store.jobs.enqueue([catchUp('/src/movies/Other (2020)', looked)], at(4000), DAY).created).toEqual([false]);
  });

  it('but not into a failed job, a job of another item, or one of a folder below it', () => {
    const { ids } = store.jobs.enqueue(
      [
        newJob({ sourcePath: '/src/movies/Failed (2020)', dedupeKey: '/src/movies/Failed (2020)/f.mkv' }),
        newJob({
          sourcePath: '/src/movies/Movie (2024) Extended',
          dedupeKey: '/src/movies/Movie (2024) Extended/e.mkv',
        }),
        newJob({ sourcePath: `${movie}/Subs`, dedupeKey: `${movie}/Subs/s.srt` }),
      ],
      t0,
      DAY,
    );
    store.jobs.claimNext(at(1));
    store.jobs.markFailed(ids[0] ?? 0, { error: 'x', finishedAt: at(2), durationSeconds: 1, retryAt: null }, []);
    const result = store.jobs.enqueue(
      [catchUp('/src/movies/Failed (2020)', looked), catchUp(movie, looked)],
      at(2000),
      DAY,
    );
    expect(result.created).toEqual([true, true]);
  });

  it('where a webhook repeated within the day would fold, a catch-up item of an old success does not', () => {
    store.jobs.enqueue([newJob({ sourcePath: movie })], t0, DAY);
    store.jobs.claimNext(at(1));
    store.jobs.markSuccess(1, { bytes: 1, finishedAt: at(2), durationSeconds: 1 }, []);
    expect(store.jobs.enqueue([newJob({ sourcePath: movie })], at(3), DAY).created).toEqual([false]);
    expect(store.jobs.enqueue([catchUp(movie, at(3))], at(4), DAY).created).toEqual([true]);
  });
});

describe('folding catch-up items, through the duplicate index', () => {
  const movie = '/src/movies/Movie (2024)';

  it('folds a later item into a job an earlier item of the same group queued', () => {
    const result = store.jobs.enqueue(
      [catchUp(movie, at(1000)), catchUp(`${movie}/Extras`, at(1000)), catchUp(`${movie} Extended`, at(1000))],
      at(2000),
      DAY,
    );
    expect(result.created).toEqual([true, false, true]);
    expect(result.ids[1]).toBe(result.ids[0]);
  });

  it("counts a success after each item's own pass looked, whichever item of the group looked first", () => {
    const { ids } = store.jobs.enqueue([newJob({ sourcePath: movie })], t0, DAY);
    store.jobs.claimNext(at(1));
    store.jobs.markSuccess(ids[0] ?? 0, { bytes: 1, finishedAt: at(500), durationSeconds: 1 }, []);
    const result = store.jobs.enqueue(
      [catchUp('/src/movies/Other (2020)', at(100)), catchUp(movie, at(1000)), catchUp(`${movie}/a.mkv`, at(400))],
      at(2000),
      DAY,
    );
    // The second pass looked after the success at 500, so the folder is queued again; the third item,
    // inside that folder, folds into the job just queued for it.
    expect(result.created).toEqual([true, true, false]);
    expect(result.ids[2]).toBe(result.ids[1]);
  });

  it('picks the newest covering job, and never a rename or delete of the same folder', () => {
    const file = `${movie}/a.mkv`;
    const manual = newJob({ source: 'manual', sourcePath: movie, dedupeKey: movie });
    const radarr = newJob({ sourcePath: movie, dedupeKey: file });
    const [manualId, radarrId] = store.jobs.enqueue([manual, radarr], t0, DAY).ids;
    const deleted = newJob({
      sourcePath: movie,
      dedupeKey: file,
      mirror: { kind: 'delete', event: 'MovieFileDelete', folder: movie, scope: 'files', files: [file] },
    });
    store.jobs.enqueue([deleted], t0, DAY);
    expect(manualId).toBeLessThan(radarrId ?? 0);
    // The manual sync of the folder (key: the folder) and Radarr's job of it (key: the movie's file) both
    // copy the file; the newer wins, and the delete, newer still, copies nothing.
    expect(store.jobs.enqueue([catchUp(file, at(1000))], at(2000), DAY).ids).toEqual([radarrId]);
  });

  it("does not read a library's jobs for a folder far above the item", () => {
    // Radarr's job of the movie folder keys the movie's file; a subtitle two folders below is not matched
    // to it (that would take a range over every job below each folder above), and is copied once more.
    store.jobs.enqueue([newJob({ sourcePath: movie, dedupeKey: `${movie}/movie.mkv` })], t0, DAY);
    expect(store.jobs.enqueue([catchUp(`${movie}/Subs/en.srt`, at(1000))], at(2000), DAY).created).toEqual([true]);
    const plan = store.db
      .prepare<{ item: string; parent: string; paths: string; looked_at: string }, { detail: string }>(
        `EXPLAIN QUERY PLAN ${FIND_COVERING}`,
      )
      .all({ item: 'x', parent: 'z', paths: '[]', looked_at: 'y' });
    expect(plan.filter((row) => row.detail.includes('dedupe_key>?'))).toHaveLength(2);
    // Every read of the table is a lookup of the duplicate index; the scans are of the 64-key ranges.
    const reads = plan.map((row) => row.detail).filter((detail) => / (jobs|j) USING| SCAN jobs/.test(detail));
    expect(reads.length).toBe(4);
    for (const detail of reads) expect(detail).toMatch(/^SEARCH (jobs|j) USING INDEX jobs_dedupe \(dedupe_key/);
  });

  it('finds a manual sync of the file itself, and no job of a folder whose name only starts the same', () => {
    const manual = newJob({ source: 'manual', sourcePath: `${movie}/a.mkv`, dedupeKey: `${movie}/a.mkv` });
    const sibling = newJob({ sourcePath: `${movie}-Extras`, dedupeKey: `${movie}-Extras/a.mkv` });
    const [manualId] = store.jobs.enqueue([manual, sibling], t0, DAY).ids;
    expect(store.jobs.enqueue([catchUp(`${movie}/a.mkv`, at(1000))], at(2000), DAY).ids).toEqual([manualId]);
    // Neither the file below the folder nor the folder whose name starts the same copies the whole folder.
    expect(store.jobs.enqueue([catchUp(movie, at(1000))], at(2000), DAY).created).toEqual([true]);
  });

  it("finds Radarr's job of the folder holding the item among the folder's first keys only", () => {
    const folder = '/src/movies/Flat';
    const many = Array.from({ length: 70 }, (_, i) => {
      const episode = `${folder}/e${String(i).padStart(2, '0')}.mkv`;
      return newJob({ source: 'sonarr', sourcePath: episode, dedupeKey: episode });
    });
    store.jobs.enqueue(many, t0, DAY);
    // A folder job keyed after 64 others of the folder is not looked for: the item is copied once more.
    store.jobs.enqueue([newJob({ sourcePath: folder, dedupeKey: `${folder}/zz.mkv` })], t0, DAY);
    expect(store.jobs.enqueue([catchUp(`${folder}/new.mkv`, at(1000))], at(2000), DAY).created).toEqual([true]);
    // Keyed among the first, it is found.
    const [early] = store.jobs.enqueue([newJob({ sourcePath: folder, dedupeKey: `${folder}/a.mkv` })], t0, DAY).ids;
    expect(store.jobs.enqueue([catchUp(`${folder}/other.mkv`, at(1000))], at(2000), DAY).ids).toEqual([early]);
  });

  it('has no index on source_path any more (migration 012): a webhook insert does not pay for the pass', () => {
    const indexes = store.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'jobs'");
    expect(indexes.pluck().all()).not.toContain('jobs_source_path');
    expect(indexes.pluck().all()).toContain('jobs_dedupe');
  });
});

describe('the passes', () => {
  const item = (path: string, over: Partial<ReconcileItem> = {}): ReconcileItem => ({
    mapping: '/movies',
    containerPath: path,
    mediaType: 'movie',
    shape: 'folder',
    bytes: 10,
    why: 'missing',
    detail: 'not at the destination (1 file)',
    ...over,
  });
  const findings = (items: ReconcileItem[]): ReconcileFindings => ({
    results: [
      {
        mapping: '/movies',
        kind: 'movie',
        status: 'checked',
        sourceEntries: 4,
        destinationEntries: 2,
        items: items.length,
        bytes: 10 * items.length,
        skipped: 0,
        warnings: [],
      },
    ],
    items,
    skipped: [{ mapping: '/movies', containerPath: '/movies/New', reason: 'settling', detail: 'changed 1 min ago' }],
  });

  it('begin, finish once, queue once; the list leaves the items out', () => {
    const runs = createReconcileRunStore(store.db);
    const run = runs.begin({ startedBy: 'api', queue: false, mappings: ['/movies'], settleMinutes: 10, now: t0 });
    expect(run).toMatchObject({ id: 1, status: 'running', mappings: ['/movies'], results: null, items: [] });
    const found = findings([item('/movies/A'), item('/movies/B')]);
    expect(runs.finish(1, { status: 'done', findings: found, error: null, now: at(5) })).toBe(true);
    expect(runs.finish(1, { status: 'failed', findings: found, error: 'x', now: at(6) })).toBe(false);
    expect(runs.get(1)).toMatchObject({
      status: 'done',
      finishedAt: at(5).toISOString(),
      items: found.items,
      queued: null,
    });

    const queued = [item('/movies/A', { jobId: 4, folded: false }), item('/movies/B', { jobId: 2, folded: true })];
    expect(runs.markQueued(1, queued, at(7))).toBe(true);
    expect(runs.markQueued(1, queued, at(8))).toBe(false);
    expect(runs.get(1)).toMatchObject({
      queuedAt: at(7).toISOString(),
      queued: { created: 1, folded: 1 },
      items: queued,
    });
    const [listed] = runs.list(10);
    expect(listed).toMatchObject({ id: 1, results: found.results });
    expect(listed).not.toHaveProperty('items');
  });

  it('a pass that queued as it finished, one the last stop interrupted, and only the newest kept', () => {
    const runs = createReconcileRunStore(store.db);
    const first = runs.begin({ startedBy: 'schedule', queue: true, mappings: null, settleMinutes: 10, now: t0 });
    const items = [item('/movies/A', { jobId: 1, folded: false }), item('/movies/B')];
    runs.finish(first.id, {
      status: 'timed_out',
      findings: findings(items),
      error: 'late',
      now: at(1),
      queuedAt: at(1),
    });
    expect(runs.get(first.id)?.queued).toEqual({ created: 1, folded: 0 });

    runs.begin({ startedBy: 'after_downtime', queue: true, mappings: null, settleMinutes: 10, now: at(2) });
    expect(runs.interruptRunning(at(3))).toBe(1);
    expect(runs.list(1)[0]).toMatchObject({ status: 'interrupted', error: 'The service stopped while the pass ran' });

    for (let i = 0; i < RECONCILE_RUNS_KEPT + 5; i++) {
      runs.begin({ startedBy: 'api', queue: false, mappings: null, settleMinutes: 0, now: at(10 + i) });
    }
    const kept = runs.list(1000);
    expect(kept).toHaveLength(RECONCILE_RUNS_KEPT);
    expect(kept[0]?.id).toBe(RECONCILE_RUNS_KEPT + 7);
    expect(runs.get(first.id)).toBeUndefined();
  });
});

describe('the heartbeat', () => {
  it('is unknown before the first beat, then the last one', () => {
    const heartbeat = createHeartbeatStore(store.db);
    expect(heartbeat.lastSeen()).toBeUndefined();
    heartbeat.beat(t0);
    heartbeat.beat(at(60_000));
    expect(heartbeat.lastSeen()).toEqual(at(60_000));
  });
});
