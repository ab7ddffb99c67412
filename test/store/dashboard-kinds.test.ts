// The dashboard's reads and upkeep over every kind of job (copy, upgrade, rename, delete): the queue's
// size behind the ETA, the title index, and SYNC_RETENTION_DAYS' pruning.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobKind, MirrorPlan, NewJob } from '../../src/core/types.js';
import { createJobActivity } from '../../src/store/job-activity.js';
import { createJobList } from '../../src/store/job-list.js';
import { createRetention } from '../../src/store/retention.js';
import { createTitleIndex } from '../../src/store/title-index.js';
import { at, DAY, newJob, openTempStore, t0, type TempStore } from './fixture.js';

const FOLDER = '/movies/Movie (2024)';
const PLANS: Record<Exclude<JobKind, 'copy'>, MirrorPlan> = {
  upgrade: {
    kind: 'upgrade',
    event: 'Download',
    folder: FOLDER,
    newFile: `${FOLDER}/b.mkv`,
    replaced: [`${FOLDER}/a.mkv`],
  },
  rename: {
    kind: 'rename',
    event: 'Rename',
    folder: FOLDER,
    renames: [{ from: `${FOLDER}/b.mkv`, to: `${FOLDER}/c.mkv` }],
  },
  delete: { kind: 'delete', event: 'MovieFileDelete', folder: FOLDER, scope: 'files', files: [`${FOLDER}/c.mkv`] },
};

/** One job of each kind, each with a size its event named and a title of its own. */
function oneOfEach(): NewJob[] {
  return (['copy', 'upgrade', 'rename', 'delete'] as const).map((kind) =>
    newJob({
      title: `Movie ${kind} (2024)`,
      dedupeKey: `${FOLDER}/${kind}`,
      isUpgrade: kind === 'upgrade',
      details: { title: 'Movie', year: 2024, sizeBytes: 1000 },
      ...(kind === 'copy' ? {} : { mirror: PLANS[kind] }),
    }),
  );
}

let store: TempStore;
beforeEach(() => {
  store = openTempStore();
});
afterEach(() => store.close());

describe('every kind of job', () => {
  it("the queue's size counts what copies will copy; a rename or delete adds nothing and is no unknown size", () => {
    store.jobs.enqueue(oneOfEach(), t0, DAY);
    store.jobs.enqueue([newJob({ dedupeKey: 'manual', details: { title: 'Manual' } })], t0, DAY);
    expect(createJobActivity(store.db).queueSize(100)).toEqual({ jobs: 5, bytes: 2000, unknown: 1 });
  });

  it('is indexed for the title search, and pruned by the retention once finished, with what it did', () => {
    const ids = store.jobs.enqueue(oneOfEach(), t0, DAY).ids;
    for (const id of ids) {
      expect(store.jobs.claimNext(at(1))?.id).toBe(id);
      const mirroredFiles = [{ path: `/dst/Movies/Movie (2024)/${id}.mkv`, action: 'deleted' as const }];
      store.jobs.markSuccess(id, { bytes: null, finishedAt: at(2), durationSeconds: 1, mirroredFiles }, []);
    }
    expect(createTitleIndex(store.db).indexNext(100)).toBe(4);
    const list = createJobList(store.db);
    for (const kind of ['copy', 'upgrade', 'rename', 'delete']) {
      expect(list.page({ limit: 10, text: `movie ${kind}` }).jobs.map(({ job }) => job.kind)).toEqual([kind]);
    }

    expect(createRetention(store.db).pruneFinishedBefore(at(DAY), 100).sort()).toEqual([...ids].sort());
    expect(store.db.prepare('SELECT COUNT(*) FROM jobs').pluck().get()).toBe(0);
    expect(store.db.prepare('SELECT COUNT(*) FROM attempts').pluck().get()).toBe(0);
    expect(list.page({ limit: 10, text: 'movie' }).jobs).toEqual([]);
  });
});
