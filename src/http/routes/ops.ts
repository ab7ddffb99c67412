import type { FastifyInstance } from 'fastify';
import { coerceError } from '../../core/errors.js';
import type { HealthReport, StatsReport } from '../../reports/health-and-stats.js';
import {
  answer,
  boolean,
  errorResponse,
  exactObject,
  integer,
  nullableString,
  nullableTime,
  string,
  time,
} from '../api-schemas.js';
import { CREDENTIALS_OPTIONAL, isAuthenticated, OPEN_TO_ALL } from '../auth.js';

export interface OpsRouteDeps {
  health: () => HealthReport;
  stats: () => StatsReport;
  /** Sends the test message now to every notification target, through the same notifiers as production. */
  sendTestNotification: () => Promise<TestDelivery[]>;
  /** Queues today's summary so far; returns its day. */
  sendSummaryNow: () => { day: string; notifications: boolean };
  /** The Prometheus text exposition and its content type (reports/metrics.ts). */
  scrapeMetrics: () => Promise<{ contentType: string; text: string }>;
}

/** One target's answer to /test; `error` is free of secrets. */
export interface TestDelivery {
  id: string;
  ok: boolean;
  error: string | null;
}

const deliveries = {
  id: string,
  last_success: nullableTime,
  last_failure: nullableTime,
  last_error: nullableString,
} as const;
const targetHealth = exactObject(deliveries);
const mediaServerHealth = exactObject({
  ...deliveries,
  problems: { type: 'array', items: string, description: 'What its answers showed wrong in the configuration' },
});

/** GET /health's full answer (reports/health-and-stats.ts). */
export const healthReport = exactObject({
  status: { enum: ['healthy', 'degraded'], description: 'degraded: a share is down' },
  timestamp: time,
  dry_run: boolean,
  notifications: { type: 'boolean', description: 'false without any notification target' },
  nfs_status: { enum: ['ok', 'error', 'checking'], description: 'checking until the first share checks answered' },
  nfs_issues: { type: 'array', items: string, description: 'Each root that is down, and why' },
  nfs_down_since: { type: 'object', additionalProperties: time, description: 'Each root that is down: since when' },
  jobs_24h: exactObject({ success: integer, failed: integer, queued: integer, in_progress: integer }),
  uptime_since: time,
  version: string,
  notification_targets: { type: 'array', items: targetHealth },
  media_servers: { type: 'array', items: mediaServerHealth },
});

const verdictOnly = exactObject({ status: { enum: ['healthy', 'degraded'] } });

const testTargets = {
  type: 'array',
  items: exactObject({ id: string, ok: boolean, error: nullableString }),
} as const;

export function registerOpsRoutes(app: FastifyInstance, deps: OpsRouteDeps): void {
  // Like Radarr's and Sonarr's /ping: alive and answering, nothing else, no credentials needed.
  app.get(
    '/ping',
    {
      schema: {
        summary: 'Alive and answering',
        tags: ['monitoring'],
        security: OPEN_TO_ALL,
        response: { 200: answer('Always, while the service answers', exactObject({ status: { const: 'OK' } })) },
      },
    },
    async () => ({ status: 'OK' }),
  );

  app.get<{ Querystring: { strict: 'true' | '1' | 'false' | '0' } }>(
    '/health',
    {
      schema: {
        summary: 'Health: shares, notifications, job counts, version',
        description: 'Without credentials, when authentication is configured, only the status.',
        tags: ['monitoring'],
        security: CREDENTIALS_OPTIONAL,
        querystring: {
          type: 'object',
          properties: {
            strict: {
              type: 'string',
              enum: ['true', '1', 'false', '0'],
              default: 'false',
              description: 'true: answer 503 while degraded, for monitors that read only the status code',
              'x-error': 'strict must be true or false',
            },
          },
        },
        response: {
          200: answer('Healthy, or degraded without strict', { anyOf: [healthReport, verdictOnly] }),
          400: errorResponse('A strict value other than true, false, 1, 0 (`field`: "strict")'),
          503: answer('The database cannot be used; or degraded, with strict', {
            anyOf: [exactObject({ status: { const: 'unhealthy' }, error: string }), healthReport, verdictOnly],
          }),
        },
      },
    },
    async (request, reply) => {
      const strict = request.query.strict === 'true' || request.query.strict === '1';
      try {
        const report = deps.health();
        // A monitor that reads only status codes (Uptime Kuma's plain HTTP check) asks strict=true.
        if (strict && report.status !== 'healthy') reply.code(503);
        // Without credentials (Docker's healthcheck) only the verdict is shown.
        return isAuthenticated(request) ? report : { status: report.status };
      } catch (error) {
        // Only a database that cannot be used makes the service unhealthy: Docker may restart it.
        request.log.error({ err: coerceError(error) }, 'Health check: database unavailable');
        return reply
          .code(503)
          .send({ status: 'unhealthy', error: `database unavailable: ${coerceError(error).message}` });
      }
    },
  );

  app.get(
    '/stats',
    {
      schema: {
        summary: 'Counters of this run and of the database',
        tags: ['monitoring'],
        response: {
          200: answer(
            'The first five fields count since start_time; total_* are all jobs, today_* today in TZ',
            exactObject({
              movies_synced: integer,
              episodes_synced: integer,
              failures: integer,
              bytes_transferred: integer,
              bytes_transferred_human: string,
              total_successful: integer,
              total_failed: integer,
              today_successful: integer,
              today_failed: integer,
              start_time: time,
            }),
          ),
        },
      },
    },
    async () => deps.stats(),
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        description: 'The text exposition format. Open to all with SYNC_METRICS_AUTH=false. See docs/monitoring.md.',
        tags: ['monitoring'],
        response: {
          200: {
            description: 'Jobs, bytes, rsync durations, queue, mounts, deliveries, process',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_request, reply) => {
      const { contentType, text } = await deps.scrapeMetrics();
      return reply.type(contentType).send(text);
    },
  );

  app.route({
    method: ['GET', 'POST'],
    url: '/test',
    schema: {
      summary: 'Send a test notification now, to every target',
      tags: ['notifications'],
      response: {
        200: answer(
          'Every target accepted it',
          exactObject({ status: { const: 'notification sent' }, targets: testTargets }),
        ),
        502: answer(
          'A target refused it or could not be reached; `error` names each',
          exactObject({ status: { const: 'notification failed' }, error: string, targets: testTargets }),
        ),
        503: answer(
          'No notification target is configured',
          exactObject({ status: { const: 'notifications disabled' }, error: string, targets: testTargets }),
        ),
      },
    },
    handler: async (_request, reply) => {
      const targets = await deps.sendTestNotification();
      if (targets.length === 0) {
        return reply.code(503).send({
          status: 'notifications disabled',
          error:
            'No notification target is configured: set SYNC_NOTIFY_URLS, notify: in SYNC_CONFIG, ' +
            'or TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID',
          targets,
        });
      }
      const failed = targets.filter((t) => !t.ok);
      if (failed.length > 0) {
        const error = failed.map((t) => `${t.id}: ${t.error ?? 'failed'}`).join('; ');
        return reply.code(502).send({ status: 'notification failed', error, targets });
      }
      return { status: 'notification sent', targets };
    },
  });

  app.route({
    method: ['GET', 'POST'],
    url: '/summary/send',
    schema: {
      summary: 'Send the summary of the current day so far (in TZ)',
      tags: ['notifications'],
      response: {
        200: answer(
          'Queued; without notification targets it only goes to the log',
          exactObject({
            status: { const: 'summary triggered' },
            day: { type: 'string', format: 'date' },
            notifications: boolean,
          }),
        ),
      },
    },
    handler: async () => {
      const { day, notifications } = deps.sendSummaryNow();
      return { status: 'summary triggered', day, notifications };
    },
  });
}
