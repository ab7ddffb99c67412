import type { FastifyInstance } from 'fastify';
import { InputError } from '../../core/errors.js';
import type { HealthDetails } from '../../reports/health-details.js';
import type { HistoryReport } from '../../reports/history.js';
import type { EtaBasis, NowReport } from '../../reports/now.js';
import {
  answer,
  boolean,
  errorResponse,
  exactObject,
  failureReason,
  jobAnswer,
  type JsonSchema,
  nullableString,
  nullableTime,
  string,
  time,
} from '../api-schemas.js';
import { type JobJson, jobJson } from '../job-json.js';
import { dropEmptyValues } from '../query.js';

// The JSON the dashboard's panels read besides the jobs list: the copies running and the queue
// (GET /queue), the history of 30 days (GET /history), the health panel (GET /health/details), the
// mappings and the folders of a mapping's source for the manual sync (GET /mappings, /mappings/folders).

/** One folder of a mapping's source, listed in a child process (mounts/folder-listing.ts). */
export type FolderListingResult =
  | { ok: true; folders: string[]; truncated: boolean }
  | { ok: false; kind: 'missing' | 'not_a_directory' | 'outside_root' | 'unreadable' | 'no_answer'; problem: string };

export interface DashboardRouteDeps {
  now: () => NowReport;
  history: (days: number) => HistoryReport;
  healthDetails: () => HealthDetails;
  /** The configured mappings, as GET /mappings shows them. */
  mappings: readonly { container: string; source: { path: string }; destination: { path: string } }[];
  listFolders: (root: string, relative: string) => Promise<FolderListingResult>;
}

export interface NowJson {
  running: JobJson[];
  queue: {
    count: number;
    jobs: JobJson[];
    known_bytes: number;
    without_size: number;
    sized_over: number;
  };
  eta: { seconds: number | null; basis: EtaBasis; bytes_per_second: number | null; remaining_bytes: number };
  counts: NowReport['counts'];
}

/** GET /queue and the event stream's `now` and `snapshot` messages. */
export function nowJson(report: NowReport): NowJson {
  return {
    running: report.running.map(({ job, progress }) => jobJson(job, { progress })),
    queue: {
      count: report.queue.count,
      jobs: report.queue.head.map((job) => jobJson(job)),
      known_bytes: report.queue.knownBytes,
      without_size: report.queue.withoutSize,
      sized_over: report.queue.counted,
    },
    eta: {
      seconds: report.eta.seconds,
      basis: report.eta.basis,
      bytes_per_second: report.eta.bytesPerSecond === null ? null : Math.round(report.eta.bytesPerSecond),
      remaining_bytes: report.eta.remainingBytes,
    },
    counts: report.counts,
  };
}

const MAX_DAYS = 90;
const MAX_RELATIVE_PATH = 4096;

const counter = { type: 'integer', minimum: 0 } as const satisfies JsonSchema;

/** GET /queue, and the event stream's `now` (nowJson). */
export const nowAnswer = exactObject({
  running: { type: 'array', items: jobAnswer, description: 'The copies running, with their progress' },
  queue: exactObject({
    count: counter,
    jobs: { type: 'array', items: jobAnswer, description: 'The first queued jobs, in the order they run' },
    known_bytes: counter,
    without_size: counter,
    sized_over: counter,
  }),
  eta: exactObject({
    seconds: { type: ['integer', 'null'], minimum: 0 },
    basis: { type: 'string', enum: ['running_copies', 'median_last_day', 'none'] },
    bytes_per_second: { type: ['integer', 'null'] },
    remaining_bytes: counter,
  }),
  counts: exactObject({ queued: counter, in_progress: counter, success: counter, failed: counter }),
});

const historyAnswer = exactObject({
  time_zone: { type: 'string', description: 'TZ: the days are calendar days there' },
  days: {
    type: 'array',
    description: 'Oldest first; the last one is today so far',
    items: exactObject({
      day: { type: 'string', format: 'date' },
      bytes: counter,
      successes: counter,
      failures: counter,
    }),
  },
  failure_reasons: {
    type: 'array',
    description: 'The commonest reasons of the failed attempts of those days',
    items: exactObject({ reason: failureReason, count: counter }),
  },
});

const rootAnswer = exactObject({
  path: string,
  state: {
    type: 'string',
    enum: [
      'ok',
      'checking',
      'not_mounted',
      'hung',
      'empty',
      'not_writable',
      'missing',
      'not_a_directory',
      'unreadable',
      'anchor_missing',
      'wrong_filesystem',
      'error',
    ],
  },
  problem: nullableString,
  since: { ...nullableTime, description: 'When the root entered this state; null before its first check' },
});

/** GET /health/details, and the event stream's `health`. */
export const healthDetailsAnswer = exactObject({
  status: {
    type: 'string',
    enum: ['healthy', 'degraded', 'unhealthy'],
    description: "As GET /health says it; 'unhealthy' while job outcomes cannot be recorded (the service exits)",
  },
  version: string,
  uptime_since: time,
  rsync_version: nullableString,
  dry_run: boolean,
  mappings: {
    type: 'array',
    items: exactObject({ container: string, source: rootAnswer, destination: rootAnswer }),
  },
  targets: {
    type: 'array',
    items: exactObject({
      target: { type: 'string', description: 'The id GET /health shows and the outbox rows hold' },
      kind: { type: 'string', enum: ['notification', 'media_server'] },
      last_sent_at: nullableTime,
      pending: counter,
      last_success: nullableTime,
      last_failure: nullableTime,
      last_error: nullableString,
      problems: { type: 'array', items: string },
    }),
  },
});

const mappingsAnswer = exactObject({
  mappings: { type: 'array', items: exactObject({ container: string, source: string, destination: string }) },
});

const foldersAnswer = exactObject({
  mapping: string,
  path: { type: 'string', description: 'The folder listed, relative to the source root ("" for the root)' },
  folders: {
    type: 'array',
    items: exactObject({
      name: string,
      path: string,
      container_path: { type: 'string', description: 'What POST /sync/manual takes as `path`' },
    }),
  },
  truncated: { type: 'boolean', description: 'More folders than the listing returns' },
});

export function registerDashboardRoutes(app: FastifyInstance, deps: DashboardRouteDeps): void {
  app.get(
    '/queue',
    {
      schema: {
        summary: 'The copies running, the queue behind them, its ETA',
        tags: ['dashboard'],
        response: { 200: answer('Now', nowAnswer) },
      },
    },
    async () => nowJson(deps.now()),
  );

  app.get<{ Querystring: { days: number } }>(
    '/history',
    {
      schema: {
        summary: 'Bytes, successes and failures per day; the commonest failure reasons',
        tags: ['dashboard'],
        querystring: {
          type: 'object',
          properties: {
            days: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_DAYS,
              default: 30,
              description: 'How many days, today included; empty counts as not given',
              'x-error': `days must be a whole number from 1 to ${MAX_DAYS}`,
            },
          },
        },
        response: {
          200: answer('The history', historyAnswer),
          400: errorResponse('A bad days (`field` names it)'),
        },
      },
      preValidation: async (request) => dropEmptyValues(request.query),
    },
    async (request) => deps.history(request.query.days),
  );

  app.get(
    '/health/details',
    {
      schema: {
        summary: "The dashboard's health panel: shares, rsync, targets",
        tags: ['dashboard'],
        response: { 200: answer('The health details', healthDetailsAnswer) },
      },
    },
    async () => deps.healthDetails(),
  );

  app.get(
    '/mappings',
    {
      schema: {
        summary: 'The configured mappings',
        tags: ['dashboard'],
        response: { 200: answer('The mappings', mappingsAnswer) },
      },
    },
    async () => ({
      mappings: deps.mappings.map((m) => ({
        container: m.container,
        source: m.source.path,
        destination: m.destination.path,
      })),
    }),
  );

  app.get<{ Querystring: { mapping?: string; path?: string } }>(
    '/mappings/folders',
    {
      schema: {
        summary: "The folders of a folder of a mapping's source, for the manual sync",
        tags: ['dashboard'],
        querystring: {
          type: 'object',
          properties: {
            // Both checked by the handler: the mappings are configuration, the path's rules more than a pattern.
            mapping: {
              type: 'string',
              description: "A configured mapping's container prefix (GET /mappings)",
              'x-error': 'mapping must be given once',
            },
            path: {
              type: 'string',
              description: 'A folder relative to the source root; empty or absent for the root',
              'x-error': 'path must be given once',
            },
          },
        },
        response: {
          200: answer('The folders', foldersAnswer),
          400: errorResponse('An unknown mapping, or a path that is absolute, climbs, or holds control characters'),
          422: errorResponse('The path does not exist, is not a folder, or leads out of the root (`field`: "path")'),
          503: errorResponse('The share did not answer in time, or cannot be read'),
        },
      },
    },
    async (request, reply) => {
      const mapping = deps.mappings.find((m) => m.container === request.query.mapping);
      if (!mapping) {
        const known = deps.mappings.map((m) => m.container).join(', ');
        throw new InputError(
          `mapping must be one of ${known}, got ${JSON.stringify(request.query.mapping ?? '')}`,
          400,
          'mapping',
        );
      }
      const relative = parseRelativePath(request.query.path);
      const listing = await deps.listFolders(mapping.source.path, relative);
      if (!listing.ok) {
        // A path that is not a folder inside the root is the caller's to fix; a share that does not answer is not.
        const status = listing.kind === 'no_answer' || listing.kind === 'unreadable' ? 503 : 422;
        return reply.code(status).send({ error: listing.problem, ...(status === 422 ? { field: 'path' } : {}) });
      }
      const prefix = relative === '' ? '' : `${relative}/`;
      return {
        mapping: mapping.container,
        path: relative,
        folders: listing.folders.map((name) => ({
          name,
          path: `${prefix}${name}`,
          // What POST /sync/manual takes for this folder.
          container_path: `${mapping.container}/${prefix}${name}`,
        })),
        truncated: listing.truncated,
      };
    },
  );
}

/**
 * A folder below the mapping's source root, as names joined by "/": no leading "/" (it is relative to
 * the root), no "." or ".." and no empty name (it may not climb out or be spelled two ways), no NUL
 * or line breaks. Links leading out are refused by the listing itself, which resolves them.
 */
export function parseRelativePath(raw: string | undefined): string {
  const path = raw ?? '';
  if (path === '') return '';
  const bad = (why: string): never => {
    throw new InputError(`path ${why}, got ${JSON.stringify(path)}`, 400, 'path');
  };
  if (path.length > MAX_RELATIVE_PATH) bad(`must be at most ${MAX_RELATIVE_PATH} characters`);
  if (path.startsWith('/')) bad('must be relative to the mapping (no leading "/")');
  if (/[\p{Cc}]/u.test(path)) bad('must not hold control characters');
  const names = path.replace(/\/$/, '').split('/');
  if (names.some((name) => name === '' || name === '.' || name === '..')) {
    bad('must be folder names joined by "/", without "", "." or ".."');
  }
  return names.join('/');
}
