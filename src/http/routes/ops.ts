import type { FastifyInstance } from 'fastify';
import { coerceError } from '../../core/errors.js';
import type { HealthReport, StatsReport } from '../../reports/health-and-stats.js';
import { isAuthenticated } from '../auth.js';

export interface OpsRouteDeps {
  health: () => HealthReport;
  stats: () => StatsReport;
  /** Sends the test message now, through the same notifier as production; 'disabled' without a token. */
  sendTestNotification: () => Promise<'sent' | 'disabled'>;
  /** Queues today's summary so far; returns its day. */
  sendSummaryNow: () => { day: string; notifications: boolean };
}

export function registerOpsRoutes(app: FastifyInstance, deps: OpsRouteDeps): void {
  app.get('/health', async (request, reply) => {
    try {
      const report = deps.health();
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

  app.route({
    method: ['GET', 'POST'],
    url: '/test',
    handler: async (request, reply) => {
      try {
        const outcome = await deps.sendTestNotification();
        if (outcome === 'disabled') {
          return reply.code(503).send({
            status: 'notifications disabled',
            error: 'Telegram is not configured: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID',
          });
        }
        return { status: 'notification sent' };
      } catch (error) {
        const message = coerceError(error).message;
        request.log.error(`Test notification failed: ${message}`);
        return reply.code(502).send({ status: 'notification failed', error: message });
      }
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
