import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  JOB_SOURCES,
  JOB_STATUSES,
  type Job,
  type JobFilters,
  type JobsChanged,
  type JobSource,
  type JobStatus,
  MIN_SEARCH,
} from '../api';
import { useDebounced, useLoad, useThrottled } from '../hooks';
import {
  copiesNothing,
  episodeOrYear,
  formatBytes,
  formatDuration,
  formatTime,
  KIND_LABELS,
  shortTitle,
  STATUS_LABELS,
} from '../format';

const PAGE_SIZE = 25;
/** The first page is loaded again at most this often while new jobs keep coming. */
const RELOAD_THROTTLE_MS = 1000;

export interface JobsProps {
  /** Changes when the page must load its list again (the event stream was (re)opened). */
  reload: number;
  /** The stream's latest `jobs` message, numbered so that each one is seen once. */
  changes: (JobsChanged & { seq: number }) | undefined;
  mappings: readonly string[];
  onOpenJob: (id: number) => void;
}

/** Recent jobs with filters, a title search and keyset paging (newest first; "Older" follows the cursor). */
export function JobsPanel({ reload, changes, mappings, onOpenJob }: JobsProps) {
  const [status, setStatus] = useState<JobStatus | ''>('');
  const [source, setSource] = useState<JobSource | ''>('');
  const [mapping, setMapping] = useState('');
  const [search, setSearch] = useState('');
  const settledSearch = useDebounced(search, 250);
  // The cursors of the pages after the first: "Older" adds one, "Newer" goes back by one, a filter starts over.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors.at(-1);
  const [ownReload, setOwnReload] = useState(0);
  const filters: JobFilters = { status, source, mapping, search: settledSearch };
  // The stream's `jobs` messages seen so far: a load remembers how many it started after, so that a
  // change that arrived while it ran is applied on top of its answer rather than lost.
  const seen = useRef(0);
  const page = useLoad(
    (signal) => {
      const after = seen.current;
      return api.jobs(filters, PAGE_SIZE, cursor, signal).then((answer) => ({ ...answer, after }));
    },
    [status, source, mapping, settledSearch, cursor, reload, ownReload],
  );
  // Jobs that changed since the page's load started, by id, with the message that said so.
  const [updated, setUpdated] = useState<ReadonlyMap<number, { job: Job; seq: number }>>(new Map());
  useEffect(() => {
    const after = page.data?.after ?? 0;
    setUpdated((previous) => new Map([...previous].filter(([, change]) => change.seq > after)));
  }, [page.data]);
  const reloadFirstPage = useThrottled(() => setOwnReload((n) => n + 1), RELOAD_THROTTLE_MS);
  useEffect(() => {
    if (!changes) return;
    seen.current = changes.seq;
    setUpdated((previous) => {
      const next = new Map(previous);
      for (const job of changes.jobs) next.set(job.id, { job, seq: changes.seq });
      return next;
    });
    // New jobs are at the top of the first page, a deleted one leaves a gap: that page is loaded again.
    const shown = new Set(page.data?.jobs.map((job) => job.id));
    const elsewhere = changes.jobs.some((job) => !shown.has(job.id)) || changes.deleted.length > 0;
    if (cursors.length === 0 && (elsewhere || changes.truncated)) reloadFirstPage();
  }, [changes?.seq]);
  const searchTooShort = search.trim() !== '' && [...search.trim()].length < MIN_SEARCH;
  const restart =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setCursors([]);
    };
  const jobs = page.data?.jobs.map((job) => updated.get(job.id)?.job ?? job);
  const next = page.data?.next_cursor ?? null;

  return (
    <section class="panel panel-jobs" aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">Jobs</h2>
      <search class="filters" aria-label="Filter jobs">
        <label>
          Status
          <select name="status" value={status} onChange={(e) => restart(setStatus)(parseStatus(e.currentTarget.value))}>
            <option value="">Any</option>
            {JOB_STATUSES.map((s) => (
              <option value={s} key={s}>
                {STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Source
          <select name="source" value={source} onChange={(e) => restart(setSource)(parseSource(e.currentTarget.value))}>
            <option value="">Any</option>
            {JOB_SOURCES.map((s) => (
              <option value={s} key={s}>
                {s[0]?.toUpperCase() + s.slice(1)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Mapping
          <select name="mapping" value={mapping} onChange={(e) => restart(setMapping)(e.currentTarget.value)}>
            <option value="">Any</option>
            {mappings.map((m) => (
              <option value={m} key={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label class="search">
          Search titles
          <input
            type="search"
            name="search"
            value={search}
            placeholder={`at least ${MIN_SEARCH} letters`}
            autocomplete="off"
            aria-describedby="search-hint"
            onInput={(e) => restart(setSearch)(e.currentTarget.value)}
          />
        </label>
        <p id="search-hint" class="muted hint" aria-live="polite">
          {searchTooShort ? `Type at least ${MIN_SEARCH} letters to search.` : ''}
        </p>
      </search>
      {page.error && (
        <p class="error" role="alert">
          Jobs could not be loaded: {page.error.message}
        </p>
      )}
      <div class="table-wrap" aria-busy={page.loading}>
        <table class="jobs">
          <caption class="visually-hidden">Jobs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Episode / year</th>
              <th scope="col">Source</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Size
              </th>
              <th scope="col" class="num">
                Duration
              </th>
              <th scope="col" class="num">
                Attempts
              </th>
              <th scope="col">Finished</th>
            </tr>
          </thead>
          <tbody>
            {jobs?.map((job) => (
              <JobRow key={job.id} job={job} open={onOpenJob} />
            ))}
          </tbody>
        </table>
        {jobs && jobs.length === 0 && <p class="muted empty">No job matches.</p>}
      </div>
      <nav class="pager" aria-label="Pages of jobs">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors([])}>
          Newest
        </button>
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← Newer
        </button>
        <button type="button" disabled={next === null} onClick={() => next !== null && setCursors([...cursors, next])}>
          Older →
        </button>
      </nav>
    </section>
  );
}

function JobRow({ job, open }: { job: Job; open: (id: number) => void }) {
  const attempts = job.attempt_count ?? job.retry_count + (job.status === 'queued' ? 0 : 1);
  return (
    <tr data-job-id={job.id} data-status={job.status}>
      <th scope="row" data-label="Title">
        <button type="button" class="link" onClick={() => open(job.id)} aria-haspopup="dialog">
          {shortTitle(job)}
        </button>
      </th>
      <td data-label="Episode / year">{episodeOrYear(job.details)}</td>
      <td data-label="Source">{job.source}</td>
      <td data-label="Kind" data-kind={job.kind}>
        {KIND_LABELS[job.kind] ?? job.kind}
      </td>
      <td data-label="Status">
        <span class={`status status-${job.status}`}>{STATUS_LABELS[job.status]}</span>
      </td>
      <td data-label="Size" class="num">
        {copiesNothing(job) ? '—' : formatBytes(job.details.sizeBytes ?? job.bytes_transferred)}
      </td>
      <td data-label="Duration" class="num">
        {formatDuration(job.duration_seconds)}
      </td>
      <td data-label="Attempts" class="num">
        {attempts}
      </td>
      <td data-label="Finished">{formatTime(job.finished_at)}</td>
    </tr>
  );
}

function parseStatus(value: string): JobStatus | '' {
  return JOB_STATUSES.find((s) => s === value) ?? '';
}

function parseSource(value: string): JobSource | '' {
  return JOB_SOURCES.find((s) => s === value) ?? '';
}
