// Upgrades, renames and deletes in the store (migration 011): a job's kind and what its event asked,
// the duplicate check by kind, and what a run did to each file, recorded with its outcome.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MirroredFile, MirrorPlan, NewJob } from '../../src/core/types.js';
import { at, DAY, newJob, openTempStore, t0, type TempStore } from './fixture.js';

const FILE = '/src/movies/Movie (2024)/movie.mkv';
const DELETE: MirrorPlan = {
  kind: 'delete',
  event: 'MovieFileDelete',
  folder: '/movies/Movie (2024)',
  scope: 'files',
  files: ['/movies/Movie (2024)/movie.mkv'],
};
const deleteJob = (over: Partial<NewJob> = {}) => newJob({ dedupeKey: FILE, mirror: DELETE, ...over });

let store: TempStore;
beforeEach(() => {
  store = openTempStore();
});
afterEach(() => store.close());

describe('kinds', () => {
  it('a copy is a copy; a rename, delete or upgrade keeps its kind and what its event asked', () => {
    const upgrade: MirrorPlan = {
      kind: 'upgrade',
      event: 'Download',
      folder: '/m',
      newFile: '/m/b',
      replaced: ['/m/a'],
    };
    const rename: MirrorPlan = { kind: 'rename', event: 'Rename', folder: '/m', renames: [{ from: null, to: '/m/c' }] };
    store.jobs.enqueue(
      [
        newJob({ dedupeKey: 'a' }),
        newJob({ dedupeKey: 'b', isUpgrade: true, mirror: upgrade }),
        newJob({ dedupeKey: 'c', mirror: rename }),
        deleteJob(),
      ],
      t0,
      DAY,
    );
    expect([1, 2, 3, 4].map((id) => store.reports.get(id))).toMatchObject([
      { kind: 'copy', mirror: null, mirroredFiles: null },
      { kind: 'upgrade', mirror: upgrade, mirroredFiles: null },
      { kind: 'rename', mirror: rename },
      { kind: 'delete', mirror: DELETE },
    ]);
  });

  it('refuses a kind it does not know', () => {
    store.jobs.enqueue([newJob()], t0, DAY);
    expect(() => store.db.prepare(`UPDATE jobs SET kind = 'move'`).run()).toThrow(/CHECK constraint failed/);
  });
});

describe('the duplicate check, by kind', () => {
  it('a delete and a copy of one file never fold into each other', () => {
    expect(
      store.jobs.enqueue([newJob({ dedupeKey: FILE }), deleteJob(), newJob({ dedupeKey: FILE })], t0, DAY),
    ).toEqual({
      ids: [1, 2, 1],
      created: [true, true, false],
    });
  });

  it('a delete folds into one still waiting or running, never into one done', () => {
    store.jobs.enqueue([deleteJob()], t0, DAY);
    expect(store.jobs.enqueue([deleteJob()], at(1), DAY)).toEqual({ ids: [1], created: [false] });
    store.jobs.claimNext(at(2));
    expect(store.jobs.enqueue([deleteJob()], at(3), DAY).created).toEqual([false]);
    store.jobs.markSuccess(1, { bytes: null, finishedAt: at(4), durationSeconds: 0, mirroredFiles: [] }, []);
    expect(store.jobs.enqueue([deleteJob()], at(5), DAY)).toEqual({ ids: [2], created: [true] });
  });

  it('a copy no longer counts once a rename or delete of its file or folder came after it', () => {
    store.jobs.enqueue([newJob({ dedupeKey: FILE })], t0, DAY);
    store.jobs.claimNext(at(1));
    store.jobs.markSuccess(1, { bytes: 1, finishedAt: at(2), durationSeconds: 1 }, []);
    expect(store.jobs.enqueue([newJob({ dedupeKey: FILE })], at(3), DAY).created).toEqual([false]);
    // The delete job's source path is the movie folder, above the copy's file.
    store.jobs.enqueue([deleteJob({ dedupeKey: 'another file', sourcePath: '/src/movies/Movie (2024)' })], at(4), DAY);
    expect(store.jobs.enqueue([newJob({ dedupeKey: FILE })], at(5), DAY)).toEqual({ ids: [3], created: [true] });
  });

  it('a delete of a folder whose name only starts like the copy’s does not count', () => {
    store.jobs.enqueue([newJob({ dedupeKey: FILE })], t0, DAY);
    store.jobs.claimNext(at(1));
    store.jobs.markSuccess(1, { bytes: 1, finishedAt: at(2), durationSeconds: 1 }, []);
    store.jobs.enqueue([deleteJob({ dedupeKey: 'x', sourcePath: '/src/movies/Movie (2024) Extended' })], at(3), DAY);
    store.jobs.enqueue([deleteJob({ dedupeKey: 'y', sourcePath: '/src/movies/Movie', mapping: '/other' })], at(3), DAY);
    expect(store.jobs.enqueue([newJob({ dedupeKey: FILE })], at(4), DAY)).toEqual({ ids: [1], created: [false] });
  });
});

describe('what a run did to each file', () => {
  const files: MirroredFile[] = [
    { path: '/dst/a.mkv', action: 'trashed', to: '/dst/.sync-webhook-trash/2026-03-10/a.mkv' },
    { path: '/dst/b.mkv', action: 'kept', reason: 'still at the source' },
  ];

  it('is recorded with the outcome, and a failure before the step keeps the last record', () => {
    store.jobs.enqueue([deleteJob()], t0, DAY);
    store.jobs.claimNext(at(1));
    store.jobs.markFailed(
      1,
      { error: 'timeout', finishedAt: at(2), durationSeconds: 1, retryAt: at(900_000), mirroredFiles: files },
      [],
    );
    expect(store.reports.get(1)?.mirroredFiles).toEqual(files);
    store.jobs.promoteDueRetries(at(900_000));
    store.jobs.claimNext(at(900_001));
    store.jobs.markFailed(1, { error: 'share down', finishedAt: at(900_002), durationSeconds: 1, retryAt: null }, []);
    expect(store.reports.get(1)?.mirroredFiles).toEqual(files);
    store.jobs.retryFailed(1);
    store.jobs.claimNext(at(900_003));
    store.jobs.markSuccess(1, { bytes: null, finishedAt: at(900_004), durationSeconds: 0, mirroredFiles: [] }, []);
    expect(store.reports.get(1)).toMatchObject({ status: 'success', mirroredFiles: [] });
  });
});
