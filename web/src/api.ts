// The JSON API the page reads, as docs/api.md describes it. URLs are relative to the page, so the
// dashboard works at / and behind a proxy under a sub-path alike. Field names stay the API's own
// (snake_case): the page documents the API by using it.

export type JobStatus = 'queued' | 'in_progress' | 'success' | 'failed';
export type JobSource = 'radarr' | 'sonarr' | 'manual' | 'reconcile';
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'in_progress', 'success', 'failed'];
export const JOB_SOURCES: readonly JobSource[] = ['radarr', 'sonarr', 'manual', 'reconcile'];
/** What a job does: copy, or mirror an upgrade, rename or delete at the destination (docs/mirroring.md). */
export type JobKind = 'copy' | 'upgrade' | 'rename' | 'delete';

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
  error_reason: string | null;
  bytes_transferred: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_seconds: number | null;
  next_attempt_at: string | null;
  kind: JobKind;
  /** Upgrades, renames and deletes: the Radarr/Sonarr event, what it asked, and what the last run did. */
  event?: string;
  replaced_files?: string[];
  renamed_files?: { from: string | null; to: string }[];
  delete_scope?: 'files' | 'folder';
  deleted_files?: string[];
  files?: MirroredFile[] | null;
  attempt_count?: number;
  progress?: Progress | null;
}

/** What a mirroring run did to one file at the destination. */
export interface MirroredFile {
  path: string;
  action: 'deleted' | 'trashed' | 'renamed' | 'kept' | 'absent';
  /** Trashed: where in the trash; renamed: the new path. */
  to: string | null;
  /** Kept: why. */
  reason: string | null;
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
  id: number;
  target: string;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  next_attempt_at: string | null;
}

export interface JobDetail extends Job {
  attempts?: Attempt[];
  deliveries?: Delivery[];
}

export interface JobPage {
  jobs: Job[];
  /** The cursor of the next (older) page; null at the end. */
  next_cursor: string | null;
}

export interface JobFilters {
  status?: JobStatus | '';
  source?: JobSource | '';
  mapping?: string;
  search?: string;
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

/** The title index is made of 3-character pieces: the API refuses a shorter search. */
export const MIN_SEARCH = 3;

export function jobsQuery(filters: JobFilters, limit: number, cursor?: string): string {
  const params = new URLSearchParams({ limit: String(limit) });
  if (filters.status) params.set('status', filters.status);
  if (filters.source) params.set('source', filters.source);
  if (filters.mapping) params.set('mapping', filters.mapping);
  const search = filters.search?.trim() ?? '';
  if ([...search].length >= MIN_SEARCH) params.set('q', search);
  if (cursor !== undefined) params.set('cursor', cursor);
  return `jobs?${params}`;
}

export const api = {
  jobs: (filters: JobFilters, limit: number, cursor?: string, signal?: AbortSignal) =>
    getJson<JobPage>(jobsQuery(filters, limit, cursor), signal),
  job: (id: number, signal?: AbortSignal) => getJson<JobDetail>(`jobs/${id}`, signal),
  retry: (id: number) => postJson<{ status: string; job_id: number }>(`jobs/${id}/retry`),
  retryFailed: () => postJson<{ status: string; job_ids: number[] }>('queue/retry-failed'),
  syncManual: (path: string, type: 'movie' | 'tv') =>
    postJson<{ status: string; job_id?: number; job_ids?: number[] }>('sync/manual', { path, type }),
  testNotification: () => postJson<{ status: string }>('test'),
  sendSummary: () => postJson<{ status: string; day: string; notifications: boolean }>('summary/send'),
  now: (signal?: AbortSignal) => getJson<Now>('queue', signal),
  healthDetails: (signal?: AbortSignal) => getJson<HealthDetails>('health/details', signal),
  history: (signal?: AbortSignal) => getJson<History>('history', signal),
  mappings: (signal?: AbortSignal) => getJson<{ mappings: MappingInfo[] }>('mappings', signal),
  folders,
};

/** GET /queue and the stream's `snapshot.now` and `now`: the copies running and the queue behind them. */
export interface Now {
  running: Job[];
  queue: {
    count: number;
    /** The first jobs in line, in the order they will run. */
    jobs: Job[];
    known_bytes: number;
    /** Queued jobs without a known size (manual syncs): the estimate leaves them out. */
    without_size: number;
    sized_over: number;
  };
  eta: {
    seconds: number | null;
    basis: 'running_copies' | 'median_last_day' | 'none';
    bytes_per_second: number | null;
    remaining_bytes: number;
  };
  counts: Record<JobStatus, number>;
}

export type RootState = 'ok' | 'checking' | 'not_mounted' | 'hung' | 'empty' | 'not_writable' | string;

export interface RootHealth {
  path: string;
  state: RootState;
  problem: string | null;
  since: string | null;
}

/** GET /health/details and the stream's `health`: nothing secret. */
export interface HealthDetails {
  status: 'healthy' | 'degraded' | 'unhealthy';
  version: string;
  uptime_since: string;
  rsync_version: string | null;
  dry_run: boolean;
  mappings: { container: string; source: RootHealth; destination: RootHealth }[];
  targets: HealthTarget[];
}

/** A notification target or media server, by its id (docs/api-dashboard.md, GET /health/details). */
export interface HealthTarget {
  target: string;
  kind: 'notification' | 'media_server';
  last_sent_at: string | null;
  pending: number;
  last_success: string | null;
  last_failure: string | null;
  last_error: string | null;
  problems: string[];
}

export interface History {
  time_zone: string;
  days: { day: string; bytes: number; successes: number; failures: number }[];
  failure_reasons: { reason: string; count: number }[];
}

/** GET /mappings/folders: the folders of one folder of a mapping's source (`path` relative to its root). */
export interface FolderListing {
  mapping: string;
  path: string;
  folders: { name: string; path: string; container_path: string }[];
  truncated: boolean;
}

export interface MappingInfo {
  container: string;
  source: string;
  destination: string;
}

/** The stream's `jobs`: the jobs that changed (as GET /jobs lists them), those deleted, and "more changed". */
export interface JobsChanged {
  jobs: Job[];
  deleted: number[];
  truncated: boolean;
}

function folders(mapping: string, path: string, signal?: AbortSignal): Promise<FolderListing> {
  const params = new URLSearchParams({ mapping });
  if (path) params.set('path', path);
  return getJson<FolderListing>(`mappings/folders?${params}`, signal);
}

/** GET /session: whether this page must log in first, and with what. */
export interface Session {
  auth_required: boolean;
  authenticated: boolean;
  methods: { password: boolean; api_key: boolean };
}

export const session = {
  get: (signal?: AbortSignal) => getJson<Session>('session', signal),
  /** The Basic username and password, or (any username) the API key as the password; sets an HttpOnly cookie. */
  login: (username: string, password: string) => postJson<{ status: string }>('login', { username, password }),
  logout: () => postJson<{ status: string }>('logout'),
};
