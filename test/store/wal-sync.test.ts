import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewJob } from '../../src/core/types.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { createJobReports } from '../../src/store/job-reports.js';
import { createJobStore } from '../../src/store/jobs.js';
import { createOutboxStore } from '../../src/store/outbox.js';
import { createWalSync, type WalSync } from '../../src/store/wal-sync.js';

const job = (n: number): NewJob => ({
  source: 'radarr',
  mediaType: 'movie',
  title: `Movie ${n}`,
  containerPath: `/movies/Movie ${n}`,
  sourcePath: `/src/movies/Movie ${n}`,
  destPath: '/dst/Movies',
  mapping: '/movies',
  details: { title: `Movie ${n}` },
  isUpgrade: false,
  waitForStableSize: false,
  dedupeKey: `/src/movies/Movie ${n}/m.mkv`,
});

let dir: string;
let db: Db;
let walSync: WalSync;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-wal-'));
  db = openDatabase(join(dir, 'jobs.db'));
  walSync = createWalSync(db);
});

afterEach(() => {
  db.close();
  walSync.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('webhook inserts: commit now, fsync off the event loop', () => {
  it('answers with the rows at once and resolves durable after the WAL sync', async () => {
    const jobs = createJobStore(db, createOutboxStore(db));
    const { result, durable } = walSync.commitThenSync(() =>
      jobs.enqueueGroups([[job(1)], [job(2), job(1)]], new Date(), 60_000),
    );
    expect(result).toEqual([
      { ids: [1], created: [true] },
      { ids: [2, 1], created: [true, false] },
    ]);
    await expect(durable).resolves.toBeUndefined();
    expect(createJobReports(db).get(2)?.status).toBe('queued');
  });

  it('leaves every other write of the connection at synchronous=FULL', async () => {
    const jobs = createJobStore(db, createOutboxStore(db));
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    const { durable } = walSync.commitThenSync(() => jobs.enqueueGroups([[job(1)]], new Date(), 60_000));
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    // Awaited, so that afterEach does not close the WAL file under the sync still running (EBADF).
    await durable;
  });

  it('restores synchronous=FULL when the insert fails', () => {
    const jobs = createJobStore(db, createOutboxStore(db));
    const bad = { ...job(1), mediaType: 'film' } as unknown as NewJob;
    expect(() => walSync.commitThenSync(() => jobs.enqueueGroups([[bad]], new Date(), 60_000))).toThrow(
      /CHECK constraint/,
    );
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  const sharesOneSync =
    'shares one sync among the calls that arrive while one runs, and never resolves a call with an older one';
  it(sharesOneSync, async () => {
    db.prepare('CREATE TABLE t (x)').run();
    const first = walSync.sync();
    const second = walSync.sync();
    const third = walSync.sync();
    expect(second).toBe(third);
    expect(second).not.toBe(first);
    let firstDone = false;
    void first.then(() => (firstDone = true));
    await second;
    expect(firstDone).toBe(true);
  });

  it('rejects with the WAL path when the sync fails, so the webhook is not acknowledged', async () => {
    const gone = createWalSync({ memory: false, name: join(dir, 'missing.db') } as Db);
    await expect(gone.sync()).rejects.toThrow(/^Cannot sync .*missing\.db-wal to disk: ENOENT/);
  });

  it('has nothing to sync for an in-memory database', async () => {
    const memory = openDatabase(':memory:');
    await expect(createWalSync(memory).sync()).resolves.toBeUndefined();
    memory.close();
  });
});
