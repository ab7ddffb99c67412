import type { FastifyInstance } from 'fastify';
import { coerceError, InputError } from '../../core/errors.js';
import type { HealthReport, StatsReport } from '../../reports/health-and-stats.js';
import { isAuthenticated } from '../auth.js';

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

export function registerOpsRoutes(app: FastifyInstance, deps: OpsRouteDeps): void {
  // Like Radarr's and Sonarr's /ping: alive and answering, nothing else, no credentials needed.
  app.get('/ping', async () => ({ status: 'OK' }));

  app.get<{ Querystring: { strict?: string } }>('/health', async (request, reply) => {
    const strict = parseStrict(request.query.strict);
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
  });

  app.get('/stats', async () => deps.stats());

  app.get('/metrics', async (_request, reply) => {
    const { contentType, text } = await deps.scrapeMetrics();
    return reply.type(contentType).send(text);
  });

  app.route({
    method: ['GET', 'POST'],
    url: '/test',
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
    handler: async () => {
      const { day, notifications } = deps.sendSummaryNow();
      return { status: 'summary triggered', day, notifications };
    },
  });
}

function parseStrict(raw: string | undefined): boolean {
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new InputError(`strict must be true or false, got ${JSON.stringify(raw)}`, 400, 'strict');
}
