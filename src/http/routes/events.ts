import type { FastifyInstance } from 'fastify';
import { errorResponse } from '../api-schemas.js';
import type { EventStreams } from '../event-streams.js';

export interface EventRouteDeps {
  streams: EventStreams;
}

/** GET /events: the dashboard's server-sent events (see http/event-streams.ts and docs/api-dashboard.md). */
export function registerEventRoutes(app: FastifyInstance, deps: EventRouteDeps): void {
  app.get(
    '/events',
    {
      // A HEAD would open a stream that sends nothing, for ever.
      exposeHeadRoute: false,
      schema: {
        summary: "Server-sent events: what changed, for the dashboard's panels",
        description:
          'Messages snapshot, jobs, now and health, one line of JSON data each, at most one batch per 250 ms; ' +
          'a snapshot first on every connection. See docs/api-dashboard.md.',
        tags: ['dashboard'],
        response: {
          200: {
            description: 'The stream, open until the client or the service ends it',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          503: errorResponse('Too many event streams are open'),
        },
      },
    },
    (request, reply) => {
      if (deps.streams.full) {
        request.log.warn('Event stream refused: too many open');
        return reply.code(503).send({ error: 'Too many event streams are open; close a dashboard tab' });
      }
      reply.hijack();
      deps.streams.open(reply.raw);
    },
  );
  // Before the server waits for its connections to end: a stream would keep it open for ever.
  app.addHook('preClose', (done) => {
    deps.streams.closeAll();
    done();
  });
}
