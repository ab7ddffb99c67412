import type { Db } from './database.js';
import { commitLazily } from './lazy-commit.js';

// The FTS5 trigram index of job titles (migration 013) is filled here, off the webhook path: an
// insert into it costs 40-90 µs per title (several times the job's own insert), which the answer to
// Radarr/Sonarr would otherwise wait for. Jobs above `indexed_up_to` are searched with LIKE meanwhile
// (store/job-list.ts), so a search never misses a job.

const MARK = `SELECT indexed_up_to FROM job_titles_state`;
const NEXT_MARK = `SELECT MAX(id) FROM (SELECT id FROM jobs WHERE id > ? ORDER BY id LIMIT ?)`;
const INDEX = `INSERT INTO job_titles (rowid, title) SELECT id, title FROM jobs WHERE id > ? AND id <= ?`;
const SET_MARK = `UPDATE job_titles_state SET indexed_up_to = ?`;
const NEWEST = `SELECT COALESCE(MAX(id), 0) FROM jobs`;

export interface TitleIndex {
  /** Indexes the titles of up to `max` jobs above the mark, in one transaction; returns how many. */
  indexNext(max: number): number;
  /** Jobs wait to be indexed. */
  pending(): boolean;
}

export function createTitleIndex(db: Db): TitleIndex {
  const mark = db.prepare<[], number>(MARK).pluck();
  const nextMark = db.prepare<[after: number, max: number], number | null>(NEXT_MARK).pluck();
  const index = db.prepare<[after: number, upTo: number]>(INDEX);
  const setMark = db.prepare<[upTo: number]>(SET_MARK);
  const newest = db.prepare<[], number>(NEWEST).pluck();

  const indexNext = db.transaction((max: number) => {
    const from = mark.get() ?? 0;
    const upTo = nextMark.get(from, max);
    if (upTo === null || upTo === undefined) return 0;
    const added = index.run(from, upTo).changes;
    setMark.run(upTo);
    return added;
  });

  return {
    indexNext: (max) => commitLazily(db, () => indexNext.immediate(max)),
    pending: () => (newest.get() ?? 0) > (mark.get() ?? 0),
  };
}
