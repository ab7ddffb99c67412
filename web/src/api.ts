// The JSON API the page reads, as docs/api.md describes it. URLs are relative to the page, so the
// dashboard works at / and behind a proxy under a sub-path alike. Field names stay the API's own
// (snake_case): the page documents the API by using it.

export type JobStatus = 'queued' | 'in_progress' | 'success' | 'failed';
export type JobSource = 'radarr' | 'sonarr' | 'manual';
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'in_progress', 'success', 'failed'];
export const JOB_SOURCES: readonly JobSource[] = ['radarr', 'sonarr', 'manual'];

export interface MediaDetails {
  title: string;
  year?: number;
  episodeCode?: string;
  episodeTitle?: string;
  quality?: string;
  sizeBytes?: number;
}

export interface Progress {
  bytes: number;
  percent: number;
  rate: string;
  eta: string;
  updated_at: string;
}

export interface Job {
  id: number;
  status: JobStatus;
  source: JobSource;
  media_type: 'movie' | 'episode';
  title: string;
  container_path: string;
  source_path: string;
  dest_path: string;
  mapping: string;
  details: MediaDetails;
  is_upgrade: boolean;
  retry_count: number;
  gave_up: boolean;
  error: string | null;
  error_reason?: string | null;
  bytes_transferred: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_seconds: number | null;
  next_attempt_at: string | null;
  attempt_count?: number;
  progress?: Progress | null;
}

export interface Attempt {
  number: number;
  trigger: string;
  started_at: string;
  finished_at: string | null;
  outcome: 'success' | 'failed' | 'interrupted' | null;
  rsync_exit_code: number | null;
  error: string | null;
  error_reason: string | null;
  bytes: number | null;
  duration_seconds: number | null;
}

export interface Delivery {
  target: string;
  kind?: string;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface JobDetail extends Job {
  attempts?: Attempt[];
  deliveries?: Delivery[];
}

export interface JobPage {
  jobs: Job[];
  /** The cursor of the next (older) page; absent or null at the end. */
  next_before?: number | null;
}

export interface JobFilters {
  status?: JobStatus | '';
  source?: JobSource | '';
  mapping?: string;
  search?: string;
}

export interface Health {
  status: 'healthy' | 'degraded' | 'unhealthy';
  timestamp?: string;
  dry_run?: boolean;
  notifications?: boolean;
  nfs_status?: string;
  nfs_issues?: string[];
  nfs_down_since?: Record<string, string>;
  jobs_24h?: Record<JobStatus, number>;
  uptime_since?: string;
  version?: string;
}

/** An answer the page shows as an action's outcome: its status code and the API's own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Reads JSON from a path relative to the page; a 4xx/5xx becomes an ApiError with the API's `error` text. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return readAnswer<T>(await fetch(path, { headers: { accept: 'application/json' }, signal: signal ?? null }));
}

/** A POST with a JSON body (or none); same-origin, so the browser adds its cached credentials. */
export async function postJson<T>(path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method: 'POST', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  return readAnswer<T>(await fetch(path, init));
}

async function readAnswer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const said = body && typeof body === 'object' && 'error' in body ? String(body.error) : text.slice(0, 200);
    throw new ApiError(response.status, said || `${response.status} ${response.statusText}`);
  }
  return body as T;
}

export function jobsQuery(filters: JobFilters, limit: number, before?: number): string {
  const params = new URLSearchParams({ limit: String(limit) });
  if (filters.status) params.set('status', filters.status);
  if (filters.source) params.set('source', filters.source);
  if (filters.mapping) params.set('mapping', filters.mapping);
  if (filters.search?.trim()) params.set('search', filters.search.trim());
  if (before !== undefined) params.set('before', String(before));
  return `jobs?${params}`;
}

export const api = {
  jobs: (filters: JobFilters, limit: number, before?: number, signal?: AbortSignal) =>
    getJson<JobPage>(jobsQuery(filters, limit, before), signal),
  job: (id: number, signal?: AbortSignal) => getJson<JobDetail>(`jobs/${id}`, signal),
  health: (signal?: AbortSignal) => getJson<Health>('health', signal),
  retry: (id: number) => postJson<{ status: string; job_id: number }>(`jobs/${id}/retry`),
  retryFailed: () => postJson<{ status: string; job_ids: number[] }>('queue/retry-failed'),
  syncManual: (path: string, type: 'movie' | 'tv') =>
    postJson<{ status: string; job_id?: number; job_ids?: number[] }>('sync/manual', { path, type }),
  testNotification: () => postJson<{ status: string }>('test'),
  sendSummary: () => postJson<{ status: string; day: string; notifications: boolean }>('summary/send'),
  browse,
  healthDetails,
  history,
};

/** One folder of a mapping's source, by its container path; `parent` is null at the mapping's root. */
export interface Folder {
  mapping: string;
  path: string;
  parent: string | null;
  entries: { name: string; path: string; type: 'directory' | 'file' }[];
}

export function browse(mapping: string, path: string | null, signal?: AbortSignal): Promise<Folder> {
  const params = new URLSearchParams({ mapping });
  if (path !== null) params.set('path', path);
  return getJson<Folder>(`browse?${params}`, signal);
}

export type RootState = 'ok' | 'not_mounted' | 'hung' | 'empty' | 'not_writable' | 'checking' | string;

/** What the health panel reads: each mapping's roots, rsync, the targets; nothing secret. */
export interface HealthDetails {
  status: 'healthy' | 'degraded';
  version: string;
  uptime_since: string;
  rsync_version: string | null;
  mappings: {
    container: string;
    source: { path: string; state: RootState; problem: string | null; since: string | null };
    destination: { path: string; state: RootState; problem: string | null; since: string | null };
  }[];
  targets: { name: string; kind: string; last_sent_at: string | null; pending: number; last_error: string | null }[];
}

export interface History {
  days: { day: string; bytes: number; successes: number; failures: number }[];
  top_reasons: { reason: string; count: number }[];
}

export function healthDetails(signal?: AbortSignal): Promise<HealthDetails> {
  return getJson<HealthDetails>('health/details', signal);
}

export function history(signal?: AbortSignal): Promise<History> {
  return getJson<History>('history', signal);
}
