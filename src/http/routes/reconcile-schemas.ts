// What the catch-up routes take and answer (http/reconcile-json.ts), for the OpenAPI description. The
// body of POST /reconcile is described here and checked by its zod schema alone, which names the key to fix.
import { exactObject, integer, type JsonSchema, nullableString, nullableTime, string, time } from '../api-schemas.js';

const count = integer;

const result = exactObject({
  mapping: string,
  kind: { enum: ['movie', 'tv', 'files'] },
  status: { enum: ['checked', 'skipped'], description: 'skipped: a share was down, or the pass ran out of time' },
  problem: nullableString,
  source_entries: count,
  destination_entries: count,
  items: count,
  bytes: count,
  skipped: count,
  warnings: { type: 'array', items: string },
});

const summaryProperties = {
  reconcile_id: integer,
  started_by: { enum: ['api', 'schedule', 'after_downtime'] },
  status: { enum: ['running', 'done', 'timed_out', 'failed', 'interrupted'] },
  queue: { type: 'boolean', description: 'Asked to queue what it finds' },
  mappings: { type: ['array', 'null'], items: string, description: 'The mappings asked for; null: all' },
  settle_minutes: count,
  started_at: time,
  finished_at: nullableTime,
  error: nullableString,
  totals: {
    anyOf: [
      { type: 'null' },
      exactObject({ items: count, bytes: count, skipped: count, mappings_checked: count, mappings_skipped: count }),
    ],
  },
  results: {
    anyOf: [{ type: 'null' }, { type: 'array', items: result }],
    description: 'Per mapping; null while it runs',
  },
  queued_at: nullableTime,
  queued: { anyOf: [{ type: 'null' }, exactObject({ created: count, folded: count })] },
} as const satisfies Record<string, JsonSchema>;

/** A pass as GET /reconcile lists it. */
export const reconcileSummary = exactObject(summaryProperties);

/** GET /reconcile/{id}: the pass, what it found and what it left alone. */
export const reconcileRun = exactObject({
  ...summaryProperties,
  items: {
    type: 'array',
    description: 'Empty while it runs',
    items: exactObject({
      container_path: string,
      mapping: string,
      media_type: { enum: ['movie', 'episode'] },
      shape: { enum: ['folder', 'file'] },
      size: count,
      why: { enum: ['missing', 'incomplete', 'size_differs'] },
      detail: string,
      job_id: { type: ['integer', 'null'], description: 'Once queued: the job that copies it' },
      folded: { type: ['boolean', 'null'], description: 'Once queued: an existing job already covered it' },
    }),
  },
  skipped: {
    type: 'array',
    items: exactObject({
      container_path: string,
      mapping: string,
      reason: { enum: ['settling', 'link_out_of_mapping', 'unreadable', 'unsafe_name'] },
      detail: string,
    }),
  },
});

/** What POST /reconcile takes; its zod schema in reconcile.ts is the one check. */
export const startBody = {
  description: 'Nothing, or {} only looks; "queue": true queues what the pass finds',
  required: false,
  schema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      queue: { type: 'boolean', default: false },
      mappings: {
        type: 'array',
        minItems: 1,
        items: { type: 'string', minLength: 1 },
        description: 'Container prefixes to check; all when absent',
      },
    },
  },
} as const;

/** 409 to POST /reconcile: a pass is running. */
export const busy = exactObject({ error: string, reconcile_id: integer });
