import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { InputError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { registerAuth, type AuthConfig } from './auth.js';
import { registerJobRoutes, type JobRouteDeps } from './routes/jobs.js';
import { registerOpsRoutes, type OpsRouteDeps } from './routes/ops.js';
import { registerReconcileRoutes, type ReconcileRouteDeps } from './routes/reconcile.js';
import { registerWebhookRoutes, type WebhookRouteDeps } from './routes/webhooks.js';

export type AppDeps = WebhookRouteDeps &
  JobRouteDeps &
  OpsRouteDeps &
  ReconcileRouteDeps & { log: Logger; auth: AuthConfig };

/** Largest body accepted; a real Radarr/Sonarr payload is a few kB. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The HTTP API: routes translate HTTP to calls and back. It never listens; main.ts does. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Per-request lines would double the work of the webhook hot path; routes log what matters.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Radarr/Sonarr close every connection; keep-alive clients (benchmarks, curl) still work.
    keepAliveTimeout: 5000,
    return503OnClosing: true,
  });

  // Fastify also parses text/plain by default; every body this API takes is JSON, so anything else is 415.
  app.removeContentTypeParser('text/plain');

  // A POST without a body (curl -X POST …/retry with a JSON content type) is no error; a webhook's
  // route refuses it itself. Everything else goes through Fastify's own (prototype-safe) parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body as string, done);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = describeClientError(error);
    if (known) {
      // The path without its query: ?apikey= carries a secret, in encodings the log redaction cannot all know.
      request.log.warn(`${request.method} ${request.url.split('?')[0]}: ${known.status} ${known.message}`);
      return reply.code(known.status).send({ error: known.message, ...(known.field ? { field: known.field } : {}) });
    }
    request.log.error({ err: error }, `${request.method} ${request.url.split('?')[0]} failed`);
    return reply.code(500).send({ error: 'Internal error; the service log has the details' });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `Not found: ${request.method} ${request.url.split('?')[0]}` }),
  );

  // Registered before the routes, so no route can be reached around it.
  registerAuth(app, deps.auth);
  registerWebhookRoutes(app, deps);
  registerJobRoutes(app, deps);
  registerOpsRoutes(app, deps);
  registerReconcileRoutes(app, deps);
  return app;
}

function describeClientError(error: FastifyError): { status: number; message: string; field?: string } | null {
  if (error instanceof InputError)
    return { status: error.statusCode, message: error.message, ...(error.field ? { field: error.field } : {}) };
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, message: `Malformed JSON: ${error.message}` };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: 'Empty body: send a JSON object' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: `Body larger than ${BODY_LIMIT_BYTES} bytes` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: 'Content-Type must be application/json' };
  }
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    return { status: 400, message: `Malformed JSON: ${error.message}` };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, message: error.message };
  }
  return null;
}
