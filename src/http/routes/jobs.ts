import type { FastifyInstance } from 'fastify';
import { InputError } from '../../core/errors.js';
import { TIMING } from '../../core/timing.js';
import { JOB_STATUSES, type Clock, type Job, type JobProgress, type JobStatus } from '../../core/types.js';
import {
  answer,
  errorResponse,
  exactObject,
  idParams,
  integer,
  jobAnswer,
  jobDetailAnswer,
  jobIds,
  jobStatus,
} from '../api-schemas.js';
import { type JobJson, jobJson } from '../job-json.js';
import { dropEmptyValues } from '../query.js';

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

const jobId = idParams('Job id must be a whole number');

const jobNotFound = errorResponse('No such job: {"error": "Job 99 not found"}');
const badJobId = errorResponse('The id is not a whole number (`field`: "id")');

export function registerJobRoutes(app: FastifyInstance, deps: JobRouteDeps): void {
  app.get<{ Querystring: { limit: number; status?: JobStatus } }>(
    '/jobs',
    {
      schema: {
        summary: 'Recent jobs, newest first',
        tags: ['jobs'],
        querystring: {
          type: 'object',
          properties: {
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_LIMIT,
              default: 50,
              description: 'How many jobs; empty counts as not given',
              'x-error': `limit must be a whole number from 1 to ${MAX_LIMIT}`,
            },
            status: {
              ...jobStatus,
              description: 'Only jobs in this state; empty counts as not given',
              'x-error': `status must be one of ${JOB_STATUSES.join(', ')}`,
            },
          },
        },
        response: {
          200: answer('The jobs', exactObject({ jobs: { type: 'array', items: jobAnswer } })),
          400: errorResponse('A bad limit or status (`field` names it)'),
        },
      },
      // ?limit=&status= (a form with empty fields) reads as no filter, as it always has.
      preValidation: async (request) => dropEmptyValues(request.query),
    },
    async (request) => {
      const { limit, status } = request.query;
      return {
        jobs: deps.jobReports.list({ limit, ...(status ? { status } : {}) }).map((job) => withProgress(job, deps)),
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/jobs/:id',
    {
      schema: {
        summary: 'One job',
        tags: ['jobs'],
        params: jobId,
        response: { 200: answer('The job', jobDetailAnswer), 400: badJobId, 404: jobNotFound },
      },
    },
    async (request) => {
      const { id } = request.params;
      const job = deps.jobReports.get(id);
      if (!job) throw new InputError(`Job ${id} not found`, 404);
      return { ...withProgress(job, deps), partial_bytes: await deps.partialBytesOf(job) };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/jobs/:id/retry',
    {
      schema: {
        summary: 'Queue a failed job again',
        description: 'Resets its retry count, so the automatic retries apply again; also a job that gave up.',
        tags: ['jobs'],
        params: jobId,
        response: {
          202: answer('Queued again', exactObject({ status: { const: 'queued' }, job_id: integer })),
          400: badJobId,
          404: jobNotFound,
          409: errorResponse('The job is not failed: {"error": "Job 1 is success, not failed: …"}'),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const outcome = deps.jobs.retryFailed(id);
      if (outcome === 'not_found') throw new InputError(`Job ${id} not found`, 404);
      if (outcome !== 'requeued')
        throw new InputError(`Job ${id} is ${outcome}, not failed: only failed jobs can be retried`, 409);
      request.log.info({ jobId: id }, `Manual retry: job ${id} queued again`);
      deps.onRequeued();
      return reply.code(202).send({ status: 'queued', job_id: id });
    },
  );

  app.post(
    '/queue/retry-failed',
    {
      schema: {
        summary: 'Queue again every job that failed in the last 24 h',
        tags: ['jobs'],
        response: {
          202: answer(
            'The jobs queued again; none when nothing failed',
            exactObject({ status: { const: 'queued' }, job_ids: jobIds }),
          ),
        },
      },
    },
    async (request, reply) => {
      const since = new Date(deps.clock.now().getTime() - TIMING.retryFailedWindowMs);
      const ids = deps.jobs.retryFailedSince(since);
      request.log.info(`Retry of failed jobs from the last 24 h: ${ids.length} queued again`);
      if (ids.length > 0) deps.onRequeued();
      return reply.code(202).send({ status: 'queued', job_ids: ids });
    },
  );
}

/** A job in progress carries its copy's progress (null until rsync prints its first line). */
function withProgress(job: Job, deps: JobRouteDeps): JobJson {
  if (job.status !== 'in_progress') return jobJson(job);
  return jobJson(job, deps.progressOf(job.id) ?? null);
}
