import type { FastifyInstance } from 'fastify';
import { InputError } from '../../core/errors.js';
import type { HealthDetails } from '../../reports/health-details.js';
import type { HistoryReport } from '../../reports/history.js';
import type { EtaBasis, NowReport } from '../../reports/now.js';
import { type JobJson, jobJson } from '../job-json.js';

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

export function registerDashboardRoutes(app: FastifyInstance, deps: DashboardRouteDeps): void {
  app.get('/queue', async () => nowJson(deps.now()));

  app.get<{ Querystring: { days?: string } }>('/history', async (request) =>
    deps.history(parseDays(request.query.days)),
  );

  app.get('/health/details', async () => deps.healthDetails());

  app.get('/mappings', async () => ({
    mappings: deps.mappings.map((m) => ({
      container: m.container,
      source: m.source.path,
      destination: m.destination.path,
    })),
  }));

  app.get<{ Querystring: { mapping?: string; path?: string } }>('/mappings/folders', async (request, reply) => {
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
  });
}

function parseDays(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 30;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_DAYS) {
    throw new InputError(`days must be a whole number from 1 to ${MAX_DAYS}, got ${JSON.stringify(raw)}`, 400, 'days');
  }
  return Number(raw);
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
