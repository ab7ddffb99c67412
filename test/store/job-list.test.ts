// The jobs list: filters, title search and keyset paging on a real database, each answer checked
// against the same filter applied to every row, and the plan of each statement checked to use its index.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobQuery } from '../../src/core/job-list.js';
import type { JobSource, JobStatus } from '../../src/core/types.js';
import {
  createJobList,
  INDEXED_CANDIDATES,
  type JobList,
  NEWEST_IDS,
  NEWEST_IDS_BY_STATUS,
  NEXT_MAPPING,
  RANGE_IDS,
  ROWS_BY_ID,
  SEARCH_SCAN_BUDGET,
  UNINDEXED_SCAN_BUDGET,
  UNINDEXED_MATCHES,
} from '../../src/store/job-list.js';
import { createTitleIndex, type TitleIndex } from '../../src/store/title-index.js';
import { DAY, newJob, openTempStore, t0, type TempStore } from './fixture.js';

let store: TempStore;
let list: JobList;
let titles: TitleIndex;

beforeEach(() => {
  store = openTempStore();
  list = createJobList(store.db);
  titles = createTitleIndex(store.db);
});
afterEach(() => store.close());

interface Seeded {
  id: number;
  status: JobStatus;
  source: JobSource;
  mapping: string;
  title: string;
}

const STATUSES: JobStatus[] = ['queued', 'in_progress', 'success', 'failed'];
const SOURCES: JobSource[] = ['radarr', 'sonarr', 'manual', 'reconcile'];
const MAPPINGS = ['/movies', '/movies-4k', '/tv', '/tv-4k'];

/** Jobs with every mix of status, source and mapping (set straight in the rows: the subject is the reads). */
function seed(n: number, title: (i: number) => string = (i) => `Title ${i}`): Seeded[] {
  const seeded: Seeded[] = [];
  const setState = store.db.prepare('UPDATE jobs SET status = ?, source = ?, mapping = ? WHERE id = ?');
  store.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const [id] = store.jobs.enqueue([newJob({ title: title(i), dedupeKey: `k${i}` })], t0, DAY).ids;
      if (id === undefined) throw new Error('no id');
      // Uneven spreads, so that some combinations are rare and some empty.
      const row: Seeded = {
        id,
        status: STATUSES[(i * 7) % 11 < 6 ? 2 : i % 4] ?? 'success',
        source: SOURCES[i % 13 === 0 ? 2 : i % 17 === 0 ? 3 : i % 2] ?? 'radarr',
        mapping: MAPPINGS[i % 5 === 0 ? 1 : (i * 3) % 4] ?? '/movies',
        title: title(i),
      };
      setState.run(row.status, row.source, row.mapping, id);
      seeded.push(row);
    }
  })();
  return seeded;
}

/** Every page of a query, following the cursors. */
function allPages(q: Omit<JobQuery, 'before'>): { ids: number[]; pages: number } {
  const ids: number[] = [];
  let pages = 0;
  let before: number | undefined;
  do {
    const page = list.page({ ...q, ...(before === undefined ? {} : { before }) });
    pages++;
    ids.push(...page.jobs.map((j) => j.job.id));
    before = page.nextBefore ?? undefined;
  } while (before !== undefined && pages < 10_000);
  return { ids, pages };
}

describe('paging', () => {
  it('answers newest first, a page at a time, and a job inserted meanwhile does not shift the pages', () => {
    seed(7);
    const first = list.page({ limit: 3 });
    expect(first.jobs.map((j) => j.job.id)).toEqual([7, 6, 5]);
    expect(first.nextBefore).toBe(5);
    store.jobs.enqueue([newJob({ dedupeKey: 'new' })], t0, DAY);
    const second = list.page({ limit: 3, before: 5 });
    expect(second.jobs.map((j) => j.job.id)).toEqual([4, 3, 2]);
    const last = list.page({ limit: 3, before: 2 });
    expect(last).toMatchObject({ nextBefore: null });
    expect(last.jobs.map((j) => j.job.id)).toEqual([1]);
    expect(list.page({ limit: 3 }).jobs.map((j) => j.job.id)).toEqual([8, 7, 6]);
  });

  it('ends with a null cursor when the last page is exactly full', () => {
    seed(4);
    expect(list.page({ limit: 2, before: 3 })).toMatchObject({ nextBefore: null });
    expect(list.page({ limit: 4 }).nextBefore).toBeNull();
  });

  it('gives each job its attempt count', () => {
    seed(2);
    store.db.exec("UPDATE jobs SET status = 'queued'");
    store.jobs.claimNext(t0);
    expect(list.page({ limit: 5 }).jobs.map((j) => [j.job.id, j.attemptCount])).toEqual([
      [2, 0],
      [1, 1],
    ]);
  });
});

describe('filters', () => {
  it('every combination of status, source and mapping answers exactly the matching jobs, over all pages', () => {
    const seeded = seed(300);
    for (const status of [undefined, ...STATUSES]) {
      for (const source of [undefined, ...SOURCES]) {
        for (const mapping of [undefined, ...MAPPINGS, '/gone']) {
          const q = { limit: 7, ...(status && { status }), ...(source && { source }), ...(mapping && { mapping }) };
          const expected = seeded
            .filter((j) => (!status || j.status === status) && (!source || j.source === source))
            .filter((j) => !mapping || j.mapping === mapping)
            .map((j) => j.id)
            .reverse();
          const got = allPages(q);
          expect(got.ids, JSON.stringify(q)).toEqual(expected);
          expect(got.pages, JSON.stringify(q)).toBe(Math.max(1, Math.ceil(expected.length / 7)));
        }
      }
    }
  });
});

describe('title search', () => {
  const titlesOf = (page: { jobs: { job: { title: string } }[] }) => page.jobs.map((j) => j.job.title);

  it('finds a substring anywhere, whatever its case and accents, before and after the titles are indexed', () => {
    seed(4, (i) => ['Amélie (2001)', 'The Office - S01E05: Basketball', 'Office Space (1999)', 'Dune (2021)'][i] ?? '');
    for (const phase of ['unindexed', 'indexed']) {
      if (phase === 'indexed') expect(titles.indexNext(100)).toBe(4);
      expect(titlesOf(list.page({ limit: 10, text: 'OFFICE' })), phase).toEqual([
        'Office Space (1999)',
        'The Office - S01E05: Basketball',
      ]);
      expect(titlesOf(list.page({ limit: 10, text: 's01e05' })), phase).toEqual(['The Office - S01E05: Basketball']);
      expect(titlesOf(list.page({ limit: 10, text: 'nope' })), phase).toEqual([]);
    }
    // Accents are folded by the index (LIKE, for titles not indexed yet, folds ASCII case only).
    expect(titlesOf(list.page({ limit: 10, text: 'amelie' }))).toEqual(['Amélie (2001)']);
    expect(titles.pending()).toBe(false);
  });

  it('takes quotes and LIKE wildcards literally', () => {
    seed(4, (i) => ['Say "Hi" (2020)', '100% Wolf (2020)', '100 Wolves (2020)', 'A_B (2020)'][i] ?? '');
    for (const phase of ['unindexed', 'indexed']) {
      if (phase === 'indexed') titles.indexNext(100);
      expect(titlesOf(list.page({ limit: 10, text: '"Hi"' })), phase).toEqual(['Say "Hi" (2020)']);
      expect(titlesOf(list.page({ limit: 10, text: '100%' })), phase).toEqual(['100% Wolf (2020)']);
      expect(titlesOf(list.page({ limit: 10, text: 'A_B' })), phase).toEqual(['A_B (2020)']);
    }
  });

  it('finds the text itself, not a title that merely holds each of its 3-character pieces', () => {
    seed(3, (i) => ['abcbcd xyz', 'the abcd show', 'bcd abc'][i] ?? '');
    titles.indexNext(10);
    expect(titlesOf(list.page({ limit: 10, text: 'abcd' }))).toEqual(['the abcd show']);
    expect(titlesOf(list.page({ limit: 10, text: 'bcd abc' }))).toEqual(['bcd abc']);
  });

  it('pages through matches half indexed, half not, without a gap or a repeat, with filters', () => {
    const seeded = seed(120, (i) => (i % 3 === 0 ? `Show ${i} - S01E0${i % 9}` : `Movie ${i} (2020)`));
    titles.indexNext(70);
    expect(titles.pending()).toBe(true);
    for (const q of [
      { text: 'show' },
      { text: 'show', status: 'success' as const },
      { text: 'movie', source: 'manual' as const },
    ]) {
      const expected = seeded
        .filter((j) => j.title.toLowerCase().includes(q.text))
        .filter((j) => (!('status' in q) || j.status === q.status) && (!('source' in q) || j.source === q.source))
        .map((j) => j.id)
        .reverse();
      expect(allPages({ limit: 4, ...q }).ids, JSON.stringify(q)).toEqual(expected);
    }
  });

  it('reads UNINDEXED_SCAN_BUDGET titles not indexed yet at most, then answers a short page and a cursor', () => {
    const n = UNINDEXED_SCAN_BUDGET + 30;
    seed(n, (i) => (i < 20 ? `Rare ${i}` : `Plain ${i}`));
    const first = list.page({ limit: 50, text: 'rare' });
    expect(first.jobs).toEqual([]);
    expect(first.nextBefore).toBe(n - UNINDEXED_SCAN_BUDGET + 1);
    const second = list.page({ limit: 50, text: 'rare', before: first.nextBefore ?? 0 });
    expect(second.jobs.map((j) => j.job.title)).toEqual(Array.from({ length: 20 }, (_, i) => `Rare ${19 - i}`));
    expect(second.nextBefore).toBeNull();
  });

  it('a filtered search reads SEARCH_SCAN_BUDGET matches at most, then answers a short page and a cursor', () => {
    const n = SEARCH_SCAN_BUDGET + 50;
    seed(n, (i) => `Common ${i}`);
    store.db.exec("UPDATE jobs SET source = 'radarr'");
    store.db.exec("UPDATE jobs SET source = 'manual' WHERE id IN (1, 2)");
    titles.indexNext(n);
    const first = list.page({ limit: 10, text: 'common', source: 'manual' });
    expect(first.jobs).toEqual([]);
    expect(first.nextBefore).toBe(n - SEARCH_SCAN_BUDGET + 1);
    const second = list.page({ limit: 10, text: 'common', source: 'manual', before: first.nextBefore ?? 0 });
    expect(second.jobs.map((j) => j.job.id)).toEqual([2, 1]);
    expect(second.nextBefore).toBeNull();
  });
});

describe('query plans: every read walks an index, none scans the table', () => {
  const plan = (sql: string) =>
    store.db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all({
        before: 1,
        n: 1,
        status: 'failed',
        source: 'manual',
        mapping: '/tv',
        after: '',
        mark: 0,
        pattern: '%x%',
        trigrams: '"abc" AND "bcd"',
        ids: '[1]',
      })
      .map((row) => (row as { detail: string }).detail);

  it.each([
    ['newest', NEWEST_IDS, ['SEARCH jobs USING INTEGER PRIMARY KEY (rowid<?)']],
    ['by status', NEWEST_IDS_BY_STATUS, ['SEARCH jobs USING COVERING INDEX jobs_status_id (status=? AND id<?)']],
    [
      'one (status, source, mapping) range',
      RANGE_IDS,
      ['SEARCH jobs USING COVERING INDEX jobs_filters (status=? AND source=? AND mapping=? AND id<?)'],
    ],
    [
      'the next mapping present',
      NEXT_MAPPING,
      ['SEARCH jobs USING COVERING INDEX jobs_filters (status=? AND source=? AND mapping>?)'],
    ],
    ['titles not indexed yet', UNINDEXED_MATCHES, ['SEARCH jobs USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)']],
  ])('%s', (_name, sql, expected) => {
    expect(plan(sql)).toEqual(expected);
  });

  it('title candidates: the trigram index in rowid order (no sort), each job by its primary key', () => {
    const steps = plan(INDEXED_CANDIDATES);
    expect(steps[0]).toMatch(/^SCAN t VIRTUAL TABLE INDEX \d+:M/);
    expect(steps.slice(1)).toEqual(['SEARCH j USING INTEGER PRIMARY KEY (rowid=?)']);
  });

  it('rows of a page: by primary key, the attempt count from its index', () => {
    const steps = plan(ROWS_BY_ID);
    expect(steps).toContain('SEARCH jobs USING INTEGER PRIMARY KEY (rowid=?)');
    expect(steps).toContain('SEARCH a USING COVERING INDEX sqlite_autoindex_attempts_1 (job_id=?)');
    expect(steps.join('\n')).not.toMatch(/SCAN jobs|TEMP B-TREE/);
  });
});
