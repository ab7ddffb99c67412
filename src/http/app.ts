import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { InputError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import { answer, errorAnswer, errorResponse, jobAnswer } from './api-schemas.js';
import { registerAuth, SECURITY_SCHEMES, type AuthConfig } from './auth.js';
import { type CommonResponses, registerOpenApi } from './openapi.js';
import { registerJobRoutes, type JobRouteDeps } from './routes/jobs.js';
import { healthReport, registerOpsRoutes, type OpsRouteDeps } from './routes/ops.js';
import { registerReconcileRoutes, type ReconcileRouteDeps } from './routes/reconcile.js';
import { registerWebhookRoutes, type WebhookRouteDeps } from './routes/webhooks.js';
import { type ClientProblem, describeValidationError } from './validation-error.js';

export type AppDeps = WebhookRouteDeps &
  JobRouteDeps &
  OpsRouteDeps &
  ReconcileRouteDeps & {
    log: Logger;
    auth: AuthConfig;
    /** This build's version, in the OpenAPI description. */
    version: string;
  };

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
    ajv: {
      customOptions: {
        // A parameter's error text in its schema (validation-error.ts): an OpenAPI extension Ajv must know.
        keywords: ['x-error'],
        // Checking our own schemas against the JSON Schema meta-schema at every start cost ~25 ms of CPU and
        // 3 MB; test/service/openapi.test.ts compiles each of them strictly instead.
        validateSchema: false,
      },
    },
  });

  // Answers go out as the handlers built them (JSON.stringify, as without schemas): the response schemas
  // describe them for /openapi.json and the tests, and compiling a serialiser for each would slow the start.
  app.setSerializerCompiler(() => serializeJson);

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
    const known = describeValidationError(error, request) ?? describeClientError(error);
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

  // Registered before the routes, so no route can be reached around it, and none is missing from the description.
  registerAuth(app, deps.auth);
  registerOpenApi(app, {
    title: 'sync-webhook',
    version: deps.version,
    description: API_DESCRIPTION,
    securitySchemes: SECURITY_SCHEMES,
    common: COMMON_RESPONSES,
    components: { Error: errorAnswer, Job: jobAnswer, HealthReport: healthReport, ShuttingDown: shuttingDown },
  });
  registerWebhookRoutes(app, deps);
  registerJobRoutes(app, deps);
  registerOpsRoutes(app, deps);
  registerReconcileRoutes(app, deps);
  return app;
}

const API_DESCRIPTION =
  'Radarr/Sonarr webhooks in, rsync jobs out. Every answer is JSON but /metrics; every 4xx is ' +
  '{"error": …} naming the problem, with "field" when one field is to blame. An unknown URL or method ' +
  'answers 404 {"error": "Not found: GET /nope"}. Credentials are needed only when SYNC_USERNAME/' +
  'SYNC_PASSWORD or SYNC_API_KEY are set. The user documentation is docs/api.md.';

/** Fastify's own answer to a request that arrives while the service shuts down (return503OnClosing). */
const shuttingDown = {
  type: 'object',
  required: ['error', 'message', 'statusCode'],
  properties: { error: { const: 'Service Unavailable' }, message: { type: 'string' }, statusCode: { const: 503 } },
  additionalProperties: false,
} as const;

/** Answers any route may give besides its own: this file's error handler, auth.ts, Fastify's body parser. */
const COMMON_RESPONSES: CommonResponses = {
  all: {
    500: errorResponse('A bug, or a database that refused a write; the service log has the details'),
    503: answer('The service is shutting down (Fastify answers this itself)', shuttingDown),
  },
  guarded: { 401: errorResponse('Credentials missing or wrong, when authentication is configured') },
  withBody: {
    400: errorResponse('Malformed JSON, or an empty body where one is needed'),
    413: errorResponse(`A body larger than ${BODY_LIMIT_BYTES} bytes`),
    415: errorResponse('A body that is not application/json'),
  },
};

const serializeJson = (data: unknown): string => JSON.stringify(data);

function describeClientError(error: FastifyError): ClientProblem | null {
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
