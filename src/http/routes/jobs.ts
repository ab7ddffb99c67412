import type { FastifyInstance } from 'fastify';
import { InputError } from '../../core/errors.js';
import { TIMING } from '../../core/timing.js';
import {
  type Attempt,
  type Clock,
  type Job,
  JOB_SOURCES,
  JOB_STATUSES,
  type JobProgress,
  type JobSource,
  type JobStatus,
} from '../../core/types.js';
import { attemptJson, type JobJson, jobJson } from '../job-json.js';

/** The job store's manual retries (store/jobs.ts implements them). */
export interface ManualRetries {
  /** 'requeued' on success; otherwise why not: no such job, or the status it has instead of failed. */
  retryFailed(id: number): 'requeued' | 'not_found' | JobStatus;
  /** Requeues every job that failed since then; returns their ids. */
  retryFailedSince(since: Date): number[];
}

/** The job reads the routes answer from (store/job-reports.ts, job-list.ts, attempts.ts, job-deliveries.ts). */
export interface JobReads {
  get(id: number): Job | undefined;
}

export interface JobListQuery {
  limit: number;
  status?: JobStatus;
  source?: JobSource;
  mapping?: string;
  text?: string;
  before?: number;
}

export interface ListedJob {
  job: Job;
  attemptCount: number;
}

export interface JobListReads {
  page(query: JobListQuery): { jobs: ListedJob[]; nextBefore: number | null };
  /** Newest first. */
  byIds(ids: readonly number[]): ListedJob[];
}

/** An outbox row of the job: a notification or a media-server scan, delivered or not. */
export interface JobDelivery {
  id: number;
  /** The target as the outbox names it. */
  target: string;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string;
}

export interface JobRouteDeps {
  jobs: ManualRetries;
  jobReports: JobReads;
  jobList: JobListReads;
  attempts: { ofJob(jobId: number): Attempt[] };
  deliveries: { ofJob(jobId: number): JobDelivery[] };
  /** The configured mappings' container prefixes: the values ?mapping= takes. */
  mappingNames: readonly string[];
  clock: Clock;
  /** Wakes the runner after jobs were put back in the queue. */
  onRequeued: () => void;
  /** The running copy's last progress line, for jobs in progress. */
  progressOf: (jobId: number) => JobProgress | undefined;
}

const MAX_LIMIT = 1000;
/** The title index is made of 3-character pieces: a shorter text cannot use it. */
const MIN_SEARCH = 3;
const MAX_SEARCH = 200;

interface ListQuery {
  limit?: string;
  status?: string;
  source?: string;
  mapping?: string;
  q?: string;
  cursor?: string;
}

export function registerJobRoutes(app: FastifyInstance, deps: JobRouteDeps): void {
  app.get<{ Querystring: ListQuery }>('/jobs', async (request) => {
    const query = parseListQuery(request.query, deps.mappingNames);
    const page = deps.jobList.page(query);
    return {
      jobs: page.jobs.map(({ job, attemptCount }) => withProgress(job, deps, attemptCount)),
      next_cursor: page.nextBefore === null ? null : String(page.nextBefore),
    };
  });

  app.get<{ Params: { id: string } }>('/jobs/:id', async (request) => {
    const id = parseId(request.params.id);
    const job = deps.jobReports.get(id);
    if (!job) throw new InputError(`Job ${id} not found`, 404);
    const attempts = deps.attempts.ofJob(id);
    return {
      ...withProgress(job, deps, attempts.length),
      attempts: attempts.map(attemptJson),
      deliveries: deps.deliveries.ofJob(id).map((d) => ({
        id: d.id,
        target: d.target,
        status: d.status,
        attempts: d.attempts,
        last_error: d.lastError,
        created_at: d.createdAt,
        sent_at: d.sentAt,
        next_attempt_at: d.status === 'pending' ? d.nextAttemptAt : null,
      })),
    };
  });

  app.post<{ Params: { id: string } }>('/jobs/:id/retry', async (request, reply) => {
    const id = parseId(request.params.id);
    const outcome = deps.jobs.retryFailed(id);
    if (outcome === 'not_found') throw new InputError(`Job ${id} not found`, 404);
    if (outcome !== 'requeued')
      throw new InputError(`Job ${id} is ${outcome}, not failed: only failed jobs can be retried`, 409);
    request.log.info({ jobId: id }, `Manual retry: job ${id} queued again`);
    deps.onRequeued();
    return reply.code(202).send({ status: 'queued', job_id: id });
  });

  app.post('/queue/retry-failed', async (request, reply) => {
    const since = new Date(deps.clock.now().getTime() - TIMING.retryFailedWindowMs);
    const ids = deps.jobs.retryFailedSince(since);
    request.log.info(`Retry of failed jobs from the last 24 h: ${ids.length} queued again`);
    if (ids.length > 0) deps.onRequeued();
    return reply.code(202).send({ status: 'queued', job_ids: ids });
  });
}

/** A job in progress carries its copy's progress (null until rsync prints its first line). */
export function withProgress(job: Job, deps: Pick<JobRouteDeps, 'progressOf'>, attemptCount: number): JobJson {
  if (job.status !== 'in_progress') return jobJson(job, { attemptCount });
  return jobJson(job, { attemptCount, progress: deps.progressOf(job.id) ?? null });
}

/** Every parameter checked on its own; a bad one answers 400 naming it. Unknown parameters are ignored. */
export function parseListQuery(raw: ListQuery, mappings: readonly string[]): JobListQuery {
  const status = parseStatus(raw.status);
  const source = parseChoice(raw.source, 'source', JOB_SOURCES);
  const mapping = parseChoice(raw.mapping, 'mapping', mappings);
  const text = parseSearch(raw.q);
  const before = parseCursor(raw.cursor);
  return {
    limit: parseLimit(raw.limit),
    ...(status && { status }),
    ...(source && { source }),
    ...(mapping && { mapping }),
    ...(text && { text }),
    ...(before !== undefined && { before }),
  };
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 50;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) {
    throw new InputError(
      `limit must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(raw)}`,
      400,
      'limit',
    );
  }
  return Number(raw);
}

function parseStatus(raw: string | undefined): JobStatus | undefined {
  return parseChoice(raw, 'status', JOB_STATUSES);
}

function parseChoice<T extends string>(raw: string | undefined, name: string, allowed: readonly T[]): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  const found = allowed.find((value) => value === raw);
  if (found === undefined) {
    throw new InputError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`, 400, name);
  }
  return found;
}

function parseSearch(raw: string | undefined): string | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  const length = [...text].length;
  if (length < MIN_SEARCH || length > MAX_SEARCH || /[\p{Cc}]/u.test(text)) {
    throw new InputError(
      `q must be ${MIN_SEARCH} to ${MAX_SEARCH} characters of a title, without control characters, ` +
        `got ${JSON.stringify(raw)}`,
      400,
      'q',
    );
  }
  return text;
}

function parseCursor(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[1-9]\d{0,14}$/.test(raw)) {
    throw new InputError(
      `cursor must be the next_cursor of a previous page, got ${JSON.stringify(raw)}`,
      400,
      'cursor',
    );
  }
  return Number(raw);
}

function parseId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw))
    throw new InputError(`Job id must be a whole number, got ${JSON.stringify(raw)}`, 400, 'id');
  return Number(raw);
}
