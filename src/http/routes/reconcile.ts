import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import type { ReconcileRun, ReconcileRunSummary } from '../../core/reconcile.js';
import type { QueueOutcome, StartOutcome } from '../../reconcile/reconciler.js';
import { isJsonObject, parseWith } from '../../sources/common.js';
import { reconcileRunJson, reconcileSummaryJson } from '../reconcile-json.js';

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
const startBody = z.strictObject({
  queue: z.boolean().optional(),
  mappings: z.array(z.string().min(1)).min(1).optional(),
});

const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

export function registerReconcileRoutes(app: FastifyInstance, deps: ReconcileRouteDeps): void {
  app.post('/reconcile', async (request, reply) => {
    // No body at all (curl -X POST) is a pass that only looks; JSON null is not an object.
    const body = request.body === undefined ? {} : request.body;
    if (!isJsonObject(body)) throw new InputError('body must be a JSON object', 400);
    const parsed = parseWith(startBody, body);
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
  });

  app.get<{ Querystring: { limit?: string } }>('/reconcile', async (request) => {
    const limit = parseLimit(request.query.limit);
    return { passes: deps.reconcile.list(limit).map(reconcileSummaryJson) };
  });

  app.get<{ Params: { id: string } }>('/reconcile/:id', async (request) => {
    const id = parseId(request.params.id);
    const run = deps.reconcile.get(id);
    if (!run) throw new InputError(`Catch-up pass ${id} not found`, 404);
    return reconcileRunJson(run);
  });

  app.post<{ Params: { id: string } }>('/reconcile/:id/queue', async (request, reply) => {
    const id = parseId(request.params.id);
    const outcome = await deps.reconcile.queue(id);
    if (outcome.kind === 'not_found') throw new InputError(`Catch-up pass ${id} not found`, 404);
    if (outcome.kind === 'refused') throw new InputError(outcome.problem, 409);
    return reply.code(202).send(reconcileRunJson(outcome.run));
  });
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

function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_LIMIT;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) {
    throw new InputError(
      `limit must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(raw)}`,
      400,
      'limit',
    );
  }
  return Number(raw);
}

function parseId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) {
    throw new InputError(`Catch-up pass id must be a whole number, got ${JSON.stringify(raw)}`, 400, 'id');
  }
  return Number(raw);
}
