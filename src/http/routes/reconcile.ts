import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import type { ReconcileRun, ReconcileRunSummary } from '../../core/reconcile.js';
import type { QueueOutcome, StartOutcome } from '../../reconcile/reconciler.js';
import { isJsonObject, parseWith } from '../../sources/common.js';
import { answer, errorResponse, exactObject, idParams, integer } from '../api-schemas.js';
import { reconcileRunJson, reconcileSummaryJson } from '../reconcile-json.js';
import { dropEmptyValues } from '../query.js';
import { busy, reconcileRun, reconcileSummary, startBody } from './reconcile-schemas.js';

/** The catch-up passes (reconcile/reconciler.ts implements them). */
export interface ReconcileControl {
  start(o: { startedBy: 'api'; queue: boolean; mappings?: readonly string[] }): StartOutcome;
  queue(id: number): Promise<QueueOutcome>;
  get(id: number): ReconcileRun | undefined;
  list(limit: number): ReconcileRunSummary[];
}

export interface ReconcileRouteDeps {
  reconcile: ReconcileControl;
  /** The container prefixes a pass may be asked to check. */
  mappingNames: readonly string[];
}

// Strict: a misspelt "queue" would otherwise start a pass that only looks, silently.
const startBodySchema = z.strictObject({
  queue: z.boolean().optional(),
  mappings: z.array(z.string().min(1)).min(1).optional(),
});

const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

const passId = idParams('Catch-up pass id must be a whole number');

const passNotFound = errorResponse('No such pass: {"error": "Catch-up pass 99 not found"}');
const badPassId = errorResponse('The id is not a whole number (`field`: "id")');

export function registerReconcileRoutes(app: FastifyInstance, deps: ReconcileRouteDeps): void {
  app.post(
    '/reconcile',
    {
      schema: {
        summary: 'Start a catch-up pass',
        description: 'One pass at a time. It only looks unless asked to queue; see docs/catch-up.md.',
        tags: ['catch-up'],
        documentedBody: startBody,
        response: {
          202: answer('Started', exactObject({ reconcile_id: integer })),
          400: errorResponse('Not a JSON object, an unknown key, a wrong type (`field` names it)'),
          409: answer('A pass is running: its id', busy),
          422: errorResponse('An unknown mapping (`field`: "mappings")'),
        },
      },
    },
    async (request, reply) => {
      // No body at all (curl -X POST) is a pass that only looks; JSON null is not an object.
      const body = request.body === undefined ? {} : request.body;
      if (!isJsonObject(body)) throw new InputError('body must be a JSON object', 400);
      const parsed = parseWith(startBodySchema, body);
      if (!parsed.ok) throw new InputError(parsed.invalid.problem, 400, parsed.invalid.field);
      const mappings = parsed.data.mappings && knownMappings(parsed.data.mappings, deps.mappingNames);
      const started = deps.reconcile.start({
        startedBy: 'api',
        queue: parsed.data.queue ?? false,
        ...(mappings ? { mappings } : {}),
      });
      if (started.kind === 'busy') {
        return reply.code(409).send({
          error: `Catch-up pass ${started.runningId} is still running: one pass at a time`,
          reconcile_id: started.runningId,
        });
      }
      return reply.code(202).send({ reconcile_id: started.run.id });
    },
  );

  app.get<{ Querystring: { limit: number } }>(
    '/reconcile',
    {
      schema: {
        summary: 'Recent catch-up passes, newest first, without their item lists',
        tags: ['catch-up'],
        querystring: {
          type: 'object',
          properties: {
            limit: {
              type: 'integer',
              minimum: 1,
              maximum: MAX_LIMIT,
              default: DEFAULT_LIMIT,
              description: 'How many passes; empty counts as not given',
              'x-error': `limit must be a whole number from 1 to ${MAX_LIMIT}`,
            },
          },
        },
        response: {
          200: answer('The passes', exactObject({ passes: { type: 'array', items: reconcileSummary } })),
          400: errorResponse('A bad limit (`field`: "limit")'),
        },
      },
      preValidation: async (request) => dropEmptyValues(request.query),
    },
    async (request) => ({ passes: deps.reconcile.list(request.query.limit).map(reconcileSummaryJson) }),
  );

  app.get<{ Params: { id: number } }>(
    '/reconcile/:id',
    {
      schema: {
        summary: 'One catch-up pass: state, per-mapping results, items, skipped',
        tags: ['catch-up'],
        params: passId,
        response: { 200: answer('The pass', reconcileRun), 400: badPassId, 404: passNotFound },
      },
    },
    async (request) => {
      const { id } = request.params;
      const run = deps.reconcile.get(id);
      if (!run) throw new InputError(`Catch-up pass ${id} not found`, 404);
      return reconcileRunJson(run);
    },
  );

  app.post<{ Params: { id: number } }>(
    '/reconcile/:id/queue',
    {
      schema: {
        summary: 'Queue what a finished pass that only looked found',
        tags: ['catch-up'],
        params: passId,
        response: {
          202: answer('Queued: the pass with its jobs', reconcileRun),
          400: badPassId,
          404: passNotFound,
          409: errorResponse('The pass runs, did not finish, or was queued already'),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const outcome = await deps.reconcile.queue(id);
      if (outcome.kind === 'not_found') throw new InputError(`Catch-up pass ${id} not found`, 404);
      if (outcome.kind === 'refused') throw new InputError(outcome.problem, 409);
      return reply.code(202).send(reconcileRunJson(outcome.run));
    },
  );
}

/** The asked mappings without trailing slashes and repeats; any unknown one is a 422 naming them all. */
function knownMappings(asked: readonly string[], known: readonly string[]): string[] {
  const names = [...new Set(asked.map((name) => name.replace(/\/+$/, '') || '/'))];
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    // A name is echoed into the answer and the log: a long one is cut.
    const list = unknown.map((name) => JSON.stringify(name.slice(0, 256))).join(', ');
    throw new InputError(`Unknown mapping ${list} (mappings: ${known.join(', ')})`, 422, 'mappings');
  }
  return names;
}
