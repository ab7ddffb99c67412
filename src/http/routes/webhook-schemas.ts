// What the webhook routes take and answer, for the OpenAPI description. The bodies are documented here and
// validated only by the sources' zod parsers (sources/*.ts), so the acknowledgement path parses once; each
// lists the fields the parser reads, and every other field Radarr/Sonarr send is ignored.
import type { FastifySchema } from 'fastify';
import type { WebhookSource } from '../../core/types.js';
import { answer, errorResponse, exactObject, integer, type JsonSchema, jobIds, string } from '../api-schemas.js';

const eventType = {
  type: 'string',
  description: 'Download (and the legacy Upgrade) is synced; Test is answered and queues nothing; any other is ignored',
} as const;

const quality = {
  description: 'The name as Radarr/Sonarr send it ("Bluray-1080p"), or {"name": …}, or {"quality": {"name": …}}',
} as const;

// Display fields (titles, year, quality, size) never make a request invalid: a wrong one is left out.
const sonarrFile = {
  type: 'object',
  required: ['path'],
  properties: { path: string, relativePath: string, quality, size: integer },
} as const;

const BODIES: Record<WebhookSource, { description: string; schema: JsonSchema }> = {
  radarr: {
    description: 'What Radarr sends (Connect → Webhook); the fields read are listed',
    schema: {
      type: 'object',
      required: ['eventType'],
      properties: {
        eventType,
        movie: {
          type: 'object',
          properties: {
            title: string,
            year: integer,
            folderPath: { type: 'string', description: 'The folder synced; without it, the folder of movieFile.path' },
          },
        },
        movieFile: { type: 'object', properties: { path: string, quality, size: integer } },
        isUpgrade: { type: 'boolean', description: 'Copied over an existing file (no --ignore-existing)' },
      },
    },
  },
  sonarr: {
    description: 'What Sonarr sends (Connect → Webhook): one file (episodeFile) or a batch (episodeFiles)',
    schema: {
      type: 'object',
      required: ['eventType'],
      properties: {
        eventType,
        series: { type: 'object', properties: { title: string } },
        episodes: {
          type: 'array',
          items: { type: 'object', properties: { seasonNumber: integer, episodeNumber: integer, title: string } },
        },
        episodeFile: sonarrFile,
        episodeFiles: { type: 'array', minItems: 1, items: sonarrFile },
        isUpgrade: { type: 'boolean', description: 'Copied over an existing file (no --ignore-existing)' },
      },
    },
  },
  manual: {
    description: 'A container path to sync, as Radarr/Sonarr would name it',
    schema: {
      type: 'object',
      required: ['path'],
      properties: {
        path: { type: 'string', minLength: 1, examples: ['/movies/Name (2024)'] },
        type: { enum: ['movie', 'tv'], default: 'movie', description: 'tv makes an episode job' },
      },
    },
  },
};

const queued = exactObject({ status: { const: 'queued' }, job_id: integer, job_ids: jobIds });
const duplicate = exactObject({ status: { const: 'duplicate' }, job_id: integer, job_ids: jobIds });
const testEvent = exactObject({ status: { const: 'test successful' } });
const ignored = exactObject({ status: { const: 'ignored' }, reason: string });

/** The route schema of POST /sync/<sender>: described, with no part Fastify would validate. */
export function webhookSchema(sender: WebhookSource): FastifySchema {
  const fromArr = sender !== 'manual';
  return {
    summary: fromArr ? `${sender === 'radarr' ? 'Radarr' : 'Sonarr'} webhook` : 'Queue a sync of a path',
    tags: ['webhooks'],
    documentedBody: BODIES[sender],
    response: {
      202: answer('New job(s) committed to the database; a Sonarr batch gives every id', queued),
      200: fromArr
        ? answer('Every file already has a job; a Test event; an event type or a path with nothing to sync', {
            anyOf: [duplicate, testEvent, ignored],
          })
        : answer('The path already has a job', duplicate),
      400: errorResponse('No body'),
      422: errorResponse(
        fromArr
          ? 'A required field missing or of the wrong type (`field` names it), an unsafe path, not a JSON object'
          : 'A path in no mapping or missing from its healthy share, an unsafe path, a missing or wrong field',
      ),
    },
  };
}
