import type { JobDelivery, JobQuery, ListedJob } from '../../core/job-list.js';
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
import { attemptJson, type JobJson, jobJson } from '../job-json.js';
import { dropEmptyValues } from '../query.js';

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

export interface JobListReads {
  page(query: JobQuery): { jobs: ListedJob[]; nextBefore: number | null };
  /** Newest first. */
  byIds(ids: readonly number[]): ListedJob[];
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
  /**
   * Bytes the job's partial copy holds at the destination (a child process with the mount timeout;
   * null when the share did not answer). GET /jobs/<id> only: the list would start one per job.
   */
  partialBytesOf: (job: Job) => Promise<number | null>;
}

const MAX_LIMIT = 1000;
/** The title index is made of 3-character pieces: a shorter text cannot use it. */
const MIN_SEARCH = 3;
const MAX_SEARCH = 200;

/** ?limit=…&status=… as the route's schema lets them through (limit turned into a number). */
interface ListQuery {
  limit?: number;
  status?: JobStatus;
  source?: JobSource;
  mapping?: string;
  q?: string;
  cursor?: string;
}

const jobId = idParams('Job id must be a whole number');

const jobNotFound = errorResponse('No such job: {"error": "Job 99 not found"}');
const badJobId = errorResponse('The id is not a whole number (`field`: "id")');

export function registerJobRoutes(app: FastifyInstance, deps: JobRouteDeps): void {
  app.get<{ Querystring: ListQuery }>(
    '/jobs',
    {
      schema: {
        summary: 'Recent jobs, newest first',
        description: 'Filters combine; `next_cursor` is the `cursor` of the next (older) page, null on the last one.',
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
            source: {
              type: 'string',
              enum: [...JOB_SOURCES],
              description: 'Only jobs from this sender; empty counts as not given',
              'x-error': `source must be one of ${JOB_SOURCES.join(', ')}`,
            },
            mapping: {
              type: 'string',
              // Checked by the handler: the configured mappings are no part of the description.
              description: 'Only jobs of this mapping (its container prefix); empty counts as not given',
            },
            q: {
              type: 'string',
              // Blanks around the text do not count; only blanks is no search.
              pattern: `^\\s*(?:[^\\p{Cc}\\s][^\\p{Cc}]{${MIN_SEARCH - 2},${MAX_SEARCH - 2}}[^\\p{Cc}\\s])?\\s*$`,
              description: `Only jobs whose title holds this text (${MIN_SEARCH} to ${MAX_SEARCH} characters)`,
              'x-error': `q must be ${MIN_SEARCH} to ${MAX_SEARCH} characters of a title, without control characters`,
            },
            cursor: {
              type: 'string',
              pattern: '^[1-9][0-9]{0,14}$',
              description: 'The `next_cursor` of the previous page',
              'x-error': 'cursor must be the next_cursor of a previous page',
            },
          },
        },
        response: {
          200: answer(
            'A page of jobs',
            exactObject({
              jobs: { type: 'array', items: jobAnswer },
              next_cursor: { type: ['string', 'null'], description: 'The cursor of the next page; null: last page' },
            }),
          ),
          400: errorResponse('A bad limit, status, source, mapping, q or cursor (`field` names it)'),
        },
      },
      // ?limit=&status= (a form with empty fields) reads as no filter, as it always has.
      preValidation: async (request) => dropEmptyValues(request.query),
    },
    async (request) => {
      const page = deps.jobList.page(listQuery(request.query, deps.mappingNames));
      return {
        jobs: page.jobs.map(({ job, attemptCount }) => withProgress(job, deps, attemptCount)),
        next_cursor: page.nextBefore === null ? null : String(page.nextBefore),
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/jobs/:id',
    {
      schema: {
        summary: 'One job, with its attempts and deliveries',
        tags: ['jobs'],
        params: jobId,
        response: { 200: answer('The job', jobDetailAnswer), 400: badJobId, 404: jobNotFound },
      },
    },
    async (request) => {
      const { id } = request.params;
      const job = deps.jobReports.get(id);
      if (!job) throw new InputError(`Job ${id} not found`, 404);
      const attempts = deps.attempts.ofJob(id);
      return {
        ...withProgress(job, deps, attempts.length),
        partial_bytes: await deps.partialBytesOf(job),
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
export function withProgress(job: Job, deps: Pick<JobRouteDeps, 'progressOf'>, attemptCount: number): JobJson {
  if (job.status !== 'in_progress') return jobJson(job, { attemptCount });
  return jobJson(job, { attemptCount, progress: deps.progressOf(job.id) ?? null });
}

/** The list's query, from parameters the route's schema has checked but the mapping. Unknown ones are ignored. */
function listQuery(raw: ListQuery, mappings: readonly string[]): JobQuery {
  if (raw.mapping !== undefined && !mappings.includes(raw.mapping)) {
    throw new InputError(
      `mapping must be one of ${mappings.join(', ')}, got ${JSON.stringify(raw.mapping)}`,
      400,
      'mapping',
    );
  }
  const text = raw.q?.trim();
  return {
    limit: raw.limit ?? 50,
    ...(raw.status && { status: raw.status }),
    ...(raw.source && { source: raw.source }),
    ...(raw.mapping && { mapping: raw.mapping }),
    ...(text && { text }),
    ...(raw.cursor && { before: Number(raw.cursor) }),
  };
}
