import type { FastifyInstance } from 'fastify';
import { InputError } from '../../core/errors.js';
import { TIMING } from '../../core/timing.js';
import { JOB_STATUSES, type Clock, type Job, type JobProgress, type JobStatus } from '../../core/types.js';
import { type JobJson, jobJson } from '../job-json.js';

/** The job store's manual retries (store/jobs.ts implements them). */
export interface ManualRetries {
  /** 'requeued' on success; otherwise why not: no such job, or the status it has instead of failed. */
  retryFailed(id: number): 'requeued' | 'not_found' | JobStatus;
  /** Requeues every job that failed since then; returns their ids. */
  retryFailedSince(since: Date): number[];
}

/** The job reads the routes answer from (store/job-reports.ts implements them). */
export interface JobReads {
  get(id: number): Job | undefined;
  /** Newest first. */
  list(o: { limit: number; status?: JobStatus }): Job[];
}

export interface JobRouteDeps {
  jobs: ManualRetries;
  jobReports: JobReads;
  clock: Clock;
  /** Wakes the runner after jobs were put back in the queue. */
  onRequeued: () => void;
  /** The running copy's last progress line, for jobs in progress. */
  progressOf: (jobId: number) => JobProgress | undefined;
  /**
   * Bytes the job's partial copy holds at the destination (a child process with the mount timeout;
   * null when the share did not answer). GET /jobs/<id> only: the list would start one per job.
   */
  partialBytesOf: (job: Job) => Promise<number | null>;
}

const MAX_LIMIT = 1000;

export function registerJobRoutes(app: FastifyInstance, deps: JobRouteDeps): void {
  app.get<{ Querystring: { limit?: string; status?: string } }>('/jobs', async (request) => {
    const limit = parseLimit(request.query.limit);
    const status = parseStatus(request.query.status);
    return {
      jobs: deps.jobReports.list({ limit, ...(status ? { status } : {}) }).map((job) => withProgress(job, deps)),
    };
  });

  app.get<{ Params: { id: string } }>('/jobs/:id', async (request) => {
    const id = parseId(request.params.id);
    const job = deps.jobReports.get(id);
    if (!job) throw new InputError(`Job ${id} not found`, 404);
    return { ...withProgress(job, deps), partial_bytes: await deps.partialBytesOf(job) };
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
function withProgress(job: Job, deps: JobRouteDeps): JobJson {
  if (job.status !== 'in_progress') return jobJson(job);
  return jobJson(job, deps.progressOf(job.id) ?? null);
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
  if (raw === undefined || raw === '') return undefined;
  if (!isJobStatus(raw)) {
    throw new InputError(`status must be one of ${JOB_STATUSES.join(', ')}, got ${JSON.stringify(raw)}`, 400, 'status');
  }
  return raw;
}

function isJobStatus(raw: string): raw is JobStatus {
  return JOB_STATUSES.some((status) => status === raw);
}

function parseId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw))
    throw new InputError(`Job id must be a whole number, got ${JSON.stringify(raw)}`, 400, 'id');
  return Number(raw);
}
