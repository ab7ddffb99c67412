import type { JobQuery, ListedJob } from '../core/job-list.js';
import { JOB_SOURCES, JOB_STATUSES, type JobSource, type JobStatus } from '../core/types.js';
import type { Db } from './database.js';
import { JOB_COLUMNS, type JobRow, toJob } from './job-row.js';

// The jobs list of GET /jobs and the dashboard: filters, substring search of titles, keyset paging.
// Newest first (id order is creation order); a page ends at an id, the next one starts below it, so a
// job inserted meanwhile never shifts a page. Every read is bounded, whatever the filters match at a
// million rows: see each statement.

export interface JobPage {
  jobs: ListedJob[];
  /**
   * Where the next page starts (`before`), or null at the end. A search may end a page short of
   * `limit` with a cursor: it looked at SEARCH_SCAN_BUDGET candidate titles and stops there, so that
   * a common word with a rare filter cannot make one request read the whole table.
   */
  nextBefore: number | null;
}

export interface JobList {
  page(query: JobQuery): JobPage;
  /** These jobs, newest first (the event stream's changed jobs). */
  byIds(ids: readonly number[]): ListedJob[];
}

/** Candidate titles a search looks at per request before it answers what it found. */
export const SEARCH_SCAN_BUDGET = 2000;
/** Titles not indexed yet a search reads by LIKE per request, before it answers what it found. */
export const UNINDEXED_SCAN_BUDGET = 20_000;
/** The rarest trigrams of the searched text that pick the candidates. */
const RAREST_TRIGRAMS = 3;
/** Trigrams of the searched text whose frequency is estimated: side by side ones, from the start and the end. */
const TRIGRAMS_RANKED = 6;
/** A trigram's frequency is estimated among this many of the newest indexed titles ... */
const FREQUENCY_WINDOW = 2000;
/** ... and counted up to this many: commoner ones are all equally common for the choice. */
const FREQUENCY_CAP = 100;

// No filter, or the status alone: one walk down the primary key or the (status, id) index.
export const NEWEST_IDS = `SELECT id FROM jobs WHERE id < @before ORDER BY id DESC LIMIT @n`;
export const NEWEST_IDS_BY_STATUS = `SELECT id FROM jobs WHERE status = @status AND id < @before
  ORDER BY id DESC LIMIT @n`;
// Source or mapping: one short range of jobs_filters (status, source, mapping, id) per combination of
// the three (4 × 3 × the mappings present), each at most a page long, merged in memory. The mappings
// present under a (status, source) are found by skipping along the same index.
export const RANGE_IDS = `SELECT id FROM jobs WHERE status = @status AND source = @source AND mapping = @mapping
  AND id < @before ORDER BY id DESC LIMIT @n`;
export const NEXT_MAPPING = `SELECT mapping FROM jobs WHERE status = @status AND source = @source
  AND mapping > @after ORDER BY mapping LIMIT 1`;
// Search: the titles not indexed yet (above the mark: normally none or a few; all of them once, after
// the upgrade that added the index) by LIKE, newest first, UNINDEXED_SCAN_BUDGET rows a request ...
export const UNINDEXED_MATCHES = `SELECT id FROM jobs WHERE id > @mark AND id < @before
  AND title LIKE @pattern ESCAPE '\\' AND (@status IS NULL OR status = @status)
  AND (@source IS NULL OR source = @source) AND (@mapping IS NULL OR mapping = @mapping)
  ORDER BY id DESC LIMIT @n`;
// ... then the trigram index: the titles holding the text's rarest trigrams (a phrase of every trigram
// would walk the long lists of the common ones: 180 ms for "Show 4321 (2020) - S04" at a million
// titles), newest first, each with its title to check and its filter columns, by the primary key.
export const INDEXED_CANDIDATES = `SELECT t.rowid AS id, j.title, j.status, j.source, j.mapping
  FROM job_titles t JOIN jobs j ON j.id = t.rowid
  WHERE job_titles MATCH @trigrams AND t.rowid < @before ORDER BY t.rowid DESC`;
// How common a trigram is, among the newest titles: counting all of them would read its whole list
// (30 ms for one in 70 % of a million titles; so does COUNT with "rowid > ?"), walking it down from
// the newest and stopping below the window, or at the cap, reads a few hundred entries at most.
export const TRIGRAM_TITLES_NEWEST_FIRST = `SELECT rowid FROM job_titles WHERE job_titles MATCH ? ORDER BY rowid DESC`;
const MARK = `SELECT indexed_up_to FROM job_titles_state`;
const NEWEST_ID = `SELECT COALESCE(MAX(id), 0) FROM jobs`;
export const ROWS_BY_ID = `SELECT ${JOB_COLUMNS}, (SELECT COUNT(*) FROM attempts a WHERE a.job_id = jobs.id)
  AS attempt_count FROM jobs WHERE id IN (SELECT value FROM json_each(@ids)) ORDER BY id DESC`;

/** Larger than any id SQLite hands out. */
const NO_CURSOR = Number.MAX_SAFE_INTEGER;

type CandidateRow = [id: number, title: string, status: JobStatus, source: JobSource, mapping: string];

export function createJobList(db: Db): JobList {
  const newest = db.prepare<{ before: number; n: number }, number>(NEWEST_IDS).pluck();
  const newestByStatus = db
    .prepare<{ status: JobStatus; before: number; n: number }, number>(NEWEST_IDS_BY_STATUS)
    .pluck();
  const range = db
    .prepare<{ status: JobStatus; source: JobSource; mapping: string; before: number; n: number }, number>(RANGE_IDS)
    .pluck();
  const nextMapping = db.prepare<{ status: JobStatus; source: JobSource; after: string }, string>(NEXT_MAPPING).pluck();
  const unindexed = db
    .prepare<
      {
        mark: number;
        before: number;
        pattern: string;
        status: JobStatus | null;
        source: JobSource | null;
        mapping: string | null;
        n: number;
      },
      number
    >(UNINDEXED_MATCHES)
    .pluck();
  const candidates = db.prepare<{ trigrams: string; before: number }, CandidateRow>(INDEXED_CANDIDATES).raw();
  const trigramTitles = db.prepare<[trigram: string], number>(TRIGRAM_TITLES_NEWEST_FIRST).pluck();
  /** How many of the titles above `after` hold the trigram (a phrase), up to FREQUENCY_CAP. */
  const recentTitlesWith = (phrase: string, after: number): number => {
    let count = 0;
    for (const id of trigramTitles.iterate(phrase)) {
      if (id <= after || ++count >= FREQUENCY_CAP) break;
    }
    return count;
  };
  const mark = db.prepare<[], number>(MARK).pluck();
  const newestId = db.prepare<[], number>(NEWEST_ID).pluck();
  const rowsById = db.prepare<{ ids: string }, JobRow & { attempt_count: number }>(ROWS_BY_ID);

  const rows = (ids: readonly number[]): ListedJob[] =>
    ids.length === 0
      ? []
      : rowsById.all({ ids: JSON.stringify(ids) }).map((row) => ({ job: toJob(row), attemptCount: row.attempt_count }));

  /** A page from ids in descending order, of which there may be one more than the page holds. */
  const pageOf = (ids: readonly number[], limit: number): JobPage => {
    const shown = ids.slice(0, limit);
    const last = shown.at(-1);
    return { jobs: rows(shown), nextBefore: ids.length > limit && last !== undefined ? last : null };
  };

  const mappingsPresent = (status: JobStatus, source: JobSource): string[] => {
    const found: string[] = [];
    for (let after = nextMapping.get({ status, source, after: '' }); after !== undefined; ) {
      found.push(after);
      after = nextMapping.get({ status, source, after });
    }
    return found;
  };

  const filteredIds = (q: JobQuery, before: number): number[] => {
    const n = q.limit + 1;
    const ids: number[] = [];
    for (const status of q.status ? [q.status] : JOB_STATUSES) {
      for (const source of q.source ? [q.source] : JOB_SOURCES) {
        for (const mapping of q.mapping ? [q.mapping] : mappingsPresent(status, source)) {
          ids.push(...range.all({ status, source, mapping, before, n }));
        }
      }
    }
    return ids.sort((a, b) => b - a).slice(0, n);
  };

  const search = (q: JobQuery & { text: string }, before: number): JobPage => {
    const n = q.limit + 1;
    const filters = { status: q.status ?? null, source: q.source ?? null, mapping: q.mapping ?? null };
    const indexedUpTo = mark.get() ?? 0;
    const top = Math.min(before, (newestId.get() ?? 0) + 1);
    const floor = Math.max(indexedUpTo, top - 1 - UNINDEXED_SCAN_BUDGET);
    const ids = unindexed.all({ mark: floor, before: top, pattern: likePattern(q.text), ...filters, n });
    if (ids.length >= n) return pageOf(ids, q.limit);
    // More titles wait to be indexed below the part read: the next page goes on from there.
    if (floor > indexedUpTo) return { jobs: rows(ids), nextBefore: floor + 1 };
    let scanned = 0;
    let lastScanned: number | undefined;
    const needle = foldForSearch(q.text);
    const wanted = (row: CandidateRow) =>
      (!q.status || row[2] === q.status) &&
      (!q.source || row[3] === q.source) &&
      (!q.mapping || row[4] === q.mapping) &&
      foldForSearch(row[1]).includes(needle);
    // Each trigram a phrase of its own, so that the index folds it as it folded the titles.
    const sampleFrom = Math.max(indexedUpTo - FREQUENCY_WINDOW, 0);
    const rarest = sideBySideTrigrams(q.text, TRIGRAMS_RANKED)
      .map((trigram) => `"${trigram.replaceAll('"', '""')}"`)
      .map((phrase) => ({ phrase, titles: recentTitlesWith(phrase, sampleFrom) }))
      .sort((a, b) => a.titles - b.titles)
      .slice(0, RAREST_TRIGRAMS);
    const trigrams = rarest.map(({ phrase }) => phrase).join(' AND ');
    for (const row of candidates.iterate({ trigrams, before: Math.min(before, indexedUpTo + 1) })) {
      scanned++;
      lastScanned = row[0];
      if (wanted(row)) ids.push(row[0]);
      // Leaving the loop early resets the statement (better-sqlite3 closes the iterator).
      if (ids.length >= n || scanned >= SEARCH_SCAN_BUDGET) break;
    }
    if (ids.length < n && scanned >= SEARCH_SCAN_BUDGET && lastScanned !== undefined) {
      return { jobs: rows(ids), nextBefore: lastScanned };
    }
    return pageOf(ids, q.limit);
  };

  return {
    byIds: rows,
    page(q) {
      const before = q.before ?? NO_CURSOR;
      const n = q.limit + 1;
      if (q.text !== undefined) return search({ ...q, text: q.text }, before);
      if (q.source || q.mapping) return pageOf(filteredIds(q, before), q.limit);
      const ids = q.status ? newestByStatus.all({ status: q.status, before, n }) : newest.all({ before, n });
      return pageOf(ids, q.limit);
    },
  };
}

/**
 * A title as the index compares it: without case or accents (the trigram tokenizer's
 * remove_diacritics), so that a candidate is kept exactly when the index would match the text.
 */
function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Up to `max` distinct 3-character pieces of `text` (by code point, as the tokenizer cuts them) that do
 * not overlap, taken alternately from the start and the end: pieces apart say more together than
 * neighbours that share two characters, and both ends of the text are looked at.
 */
function sideBySideTrigrams(text: string, max: number): string[] {
  const chars = [...text];
  const starts: number[] = [];
  for (let i = 0; i + 3 <= chars.length; i += 3) starts.push(i);
  if (chars.length % 3 !== 0) starts.push(chars.length - 3);
  const order: number[] = [];
  while (starts.length > 0) {
    const first = starts.shift();
    if (first !== undefined) order.push(first);
    const last = starts.pop();
    if (last !== undefined) order.push(last);
  }
  const found = new Set(order.map((i) => chars.slice(i, i + 3).join('')));
  return [...found].slice(0, max);
}

/** `text` anywhere in the title, with LIKE's own wildcards taken literally. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
