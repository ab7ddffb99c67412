import type { FastifyInstance } from 'fastify';
import type { EventStreams } from '../event-streams.js';

export interface EventRouteDeps {
  streams: EventStreams;
}

/** GET /events: the dashboard's server-sent events (see http/event-streams.ts and docs/api-dashboard.md). */
export function registerEventRoutes(app: FastifyInstance, deps: EventRouteDeps): void {
  app.route({
    method: 'GET',
    url: '/events',
    // A HEAD would open a stream that sends nothing, for ever.
    exposeHeadRoute: false,
    handler: (request, reply) => {
      if (deps.streams.full) {
        request.log.warn('Event stream refused: too many open');
        return reply.code(503).send({ error: 'Too many event streams are open; close a dashboard tab' });
      }
      reply.hijack();
      deps.streams.open(reply.raw);
    },
  });
  // Before the server waits for its connections to end: a stream would keep it open for ever.
  app.addHook('preClose', (done) => {
    deps.streams.closeAll();
    done();
  });
}
