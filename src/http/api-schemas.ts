// JSON Schemas of the answers several routes share, written in the subset of JSON Schema that draft-07
// (Fastify's validator) and 2020-12 (OpenAPI 3.1) read alike: `type` arrays for null, `const`, no `nullable`.
// They describe the answers for /openapi.json and the tests; they never shape them (app.ts serialises
// with JSON.stringify), so an answer that strays from its schema fails a test instead of losing a field.
import { FAILURE_REASONS, JOB_KINDS, JOB_STATUSES } from '../core/types.js';

/** A JSON Schema object, as the routes and the description hold it. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** The shape of every 4xx and 500 this service answers itself. */
export const errorAnswer = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'string', description: 'What is wrong, naming the field or setting to fix' },
    field: { type: 'string', description: 'The one field to blame, when there is one' },
  },
  additionalProperties: false,
} as const satisfies JsonSchema;

/** A response schema: the answer's JSON Schema with the response's description beside its keywords. */
export function answer(description: string, schema: JsonSchema): JsonSchema {
  return { description, ...schema };
}

/** `{"error": …}` with a description of when it is answered. */
export function errorResponse(description: string): JsonSchema {
  return answer(description, errorAnswer);
}

/** The params of a route with one numeric `:id`; `error` starts the 400 answer for anything else. */
export function idParams(error: string) {
  return {
    type: 'object',
    required: ['id'],
    properties: {
      id: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, 'x-error': error },
    },
  } as const;
}

/** An object whose listed properties are all required, and nothing else. */
export function exactObject(properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema {
  return {
    type: 'object',
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    properties,
    additionalProperties: false,
  };
}

export const string = { type: 'string' } as const satisfies JsonSchema;
export const integer = { type: 'integer' } as const satisfies JsonSchema;
export const boolean = { type: 'boolean' } as const satisfies JsonSchema;
export const time = { type: 'string', format: 'date-time' } as const satisfies JsonSchema;
export const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const satisfies JsonSchema;
export const nullableString = { type: ['string', 'null'] } as const satisfies JsonSchema;
export const jobIds = { type: 'array', items: integer } as const satisfies JsonSchema;
export const jobStatus = { type: 'string', enum: [...JOB_STATUSES] } as const satisfies JsonSchema;

const mediaDetails = exactObject(
  {
    title: string,
    year: integer,
    episodeCode: { type: 'string', description: 'S01E05, or S01E01-S01E02' },
    episodeTitle: string,
    quality: string,
    sizeBytes: integer,
  },
  // Each only when the sender said it; a row written without details (the column's default) has none.
  ['title', 'year', 'episodeCode', 'episodeTitle', 'quality', 'sizeBytes'],
);

const jobProgress = exactObject({
  bytes: integer,
  percent: { type: 'number' },
  rate: string,
  eta: string,
  updated_at: time,
});

export const failureReason = { type: 'string', enum: [...FAILURE_REASONS] } as const satisfies JsonSchema;

/** One attempt of a job (http/job-json.ts attemptJson). */
export const attemptAnswer = exactObject({
  number: { type: 'integer', minimum: 1 },
  trigger: { type: 'string', enum: ['webhook', 'automatic_retry', 'manual_retry', 'restart'] },
  started_at: time,
  finished_at: nullableTime,
  outcome: { anyOf: [{ type: 'null' }, { type: 'string', enum: ['success', 'failed', 'interrupted'] }] },
  rsync_exit_code: { type: ['integer', 'null'] },
  error: nullableString,
  error_reason: { anyOf: [{ type: 'null' }, failureReason] },
  bytes: { type: ['integer', 'null'] },
  duration_seconds: { type: ['number', 'null'] },
});

/** A notification or media-server scan of a job, as the outbox holds it. */
const deliveryAnswer = exactObject({
  id: integer,
  target: { type: 'string', description: 'The target as the outbox names it' },
  status: { type: 'string', enum: ['pending', 'sent', 'dead'] },
  attempts: integer,
  last_error: nullableString,
  created_at: time,
  sent_at: nullableTime,
  next_attempt_at: { ...nullableTime, description: 'Pending deliveries only' },
});

const stringList = { type: 'array', items: string } as const satisfies JsonSchema;

/** What an upgrade, rename or delete did to one file at the destination (docs/mirroring.md). */
const mirroredFile = exactObject({
  path: string,
  action: { type: 'string', enum: ['deleted', 'trashed', 'renamed', 'kept', 'absent'] },
  to: { ...nullableString, description: 'Trashed: where in the trash; renamed: the new path' },
  reason: { ...nullableString, description: 'Kept: why' },
});

/** The fields of upgrades, renames and deletes; a copy has none of them. */
const mirrorProperties = {
  event: {
    type: 'string',
    enum: ['Download', 'Rename', 'MovieFileDelete', 'EpisodeFileDelete', 'MovieDelete', 'SeriesDelete'],
    description: 'Upgrades, renames and deletes: the Radarr/Sonarr event',
  },
  replaced_files: { ...stringList, description: 'Upgrades: the files the import replaced, as sent' },
  renamed_files: {
    type: 'array',
    items: exactObject({ from: nullableString, to: string }),
    description: 'Renames: each file before and after, as sent (from: null when the payload had none)',
  },
  delete_scope: { type: 'string', enum: ['files', 'folder'], description: 'Deletes: named files, or a whole folder' },
  deleted_files: { ...stringList, description: 'Deletes: the files named (empty for a whole folder)' },
  files: {
    description: 'Upgrades, renames and deletes: what the last run did to each file; null until one ran',
    anyOf: [{ type: 'null' }, { type: 'array', items: mirroredFile }],
  },
} as const satisfies Record<string, JsonSchema>;

/** A job's fields as GET /jobs and GET /jobs/{id} answer them (http/job-json.ts). */
const jobProperties = {
  id: integer,
  status: jobStatus,
  source: { type: 'string', enum: ['radarr', 'sonarr', 'manual', 'reconcile'] },
  media_type: { type: 'string', enum: ['movie', 'episode'] },
  title: string,
  container_path: string,
  source_path: string,
  dest_path: string,
  mapping: string,
  details: mediaDetails,
  is_upgrade: boolean,
  wait_for_stable_size: boolean,
  retry_count: integer,
  gave_up: boolean,
  error: nullableString,
  bytes_transferred: { type: ['integer', 'null'] },
  created_at: time,
  started_at: nullableTime,
  finished_at: nullableTime,
  duration_seconds: { type: ['number', 'null'] },
  next_attempt_at: nullableTime,
  kind: { type: 'string', enum: [...JOB_KINDS], description: 'copy, upgrade, rename or delete (docs/mirroring.md)' },
  ...mirrorProperties,
  error_reason: {
    description: 'Why it failed or waits, as a stable code (GET /history counts them); null when it did not',
    anyOf: [{ type: 'null' }, failureReason],
  },
  attempt_count: { type: 'integer', description: 'How many attempts the job has had' },
  progress: {
    description: "Jobs in progress only: rsync's latest progress line, null until it prints one",
    anyOf: [{ type: 'null' }, jobProgress],
  },
} as const satisfies Record<string, JsonSchema>;

/**
 * Present on some jobs only: progress on one in progress, attempt_count where the answer counts them,
 * the mirroring fields on an upgrade, rename or delete.
 */
const optionalJobFields = ['progress', 'attempt_count', ...Object.keys(mirrorProperties)];

/** A job in GET /jobs. */
export const jobAnswer = exactObject(jobProperties, optionalJobFields);

/** GET /jobs/{id}: the job, what its partial copy holds, its attempts and its deliveries. */
export const jobDetailAnswer = exactObject(
  {
    ...jobProperties,
    partial_bytes: {
      type: ['integer', 'null'],
      description: "Bytes of the job's partial copy at the destination (0: none); null when the share did not answer",
    },
    attempts: { type: 'array', items: attemptAnswer, description: 'Oldest first' },
    deliveries: { type: 'array', items: deliveryAnswer },
  },
  optionalJobFields,
);
