import { useState } from 'preact/hooks';
import { api, JOB_SOURCES, JOB_STATUSES, type Job, type JobFilters, type JobSource, type JobStatus } from '../api';
import { useDebounced, useLoad } from '../hooks';
import { episodeOrYear, formatBytes, formatDuration, formatTime, shortTitle, STATUS_LABELS } from '../format';

const PAGE_SIZE = 25;

export interface JobsProps {
  /** Changes whenever a job changed: the page on screen is loaded again. */
  reload: number;
  mappings: readonly string[];
  onOpenJob: (id: number) => void;
}

/** Recent jobs with filters, a title search and keyset paging (newest first; "Older" follows the cursor). */
export function JobsPanel({ reload, mappings, onOpenJob }: JobsProps) {
  const [status, setStatus] = useState<JobStatus | ''>('');
  const [source, setSource] = useState<JobSource | ''>('');
  const [mapping, setMapping] = useState('');
  const [search, setSearch] = useState('');
  const settledSearch = useDebounced(search, 250);
  // The cursors of the pages before this one: "Newer" goes back by one, a new filter starts over.
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors.at(-1);
  const filters: JobFilters = { status, source, mapping, search: settledSearch };
  const page = useLoad(
    (signal) => api.jobs(filters, PAGE_SIZE, before, signal),
    [status, source, mapping, settledSearch, before, reload],
  );
  const restart =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setCursors([]);
    };
  const jobs = page.data?.jobs;
  const next = page.data?.next_before ?? null;

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
            placeholder="at least 3 letters"
            autocomplete="off"
            onInput={(e) => restart(setSearch)(e.currentTarget.value)}
          />
        </label>
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
      <td data-label="Status">
        <span class={`status status-${job.status}`}>{STATUS_LABELS[job.status]}</span>
      </td>
      <td data-label="Size" class="num">
        {formatBytes(job.details.sizeBytes ?? job.bytes_transferred)}
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
