import { z } from 'zod';
import type { MediaDetails, MirrorEvent, SourceResult } from '../core/types.js';

type Invalid = Extract<SourceResult, { kind: 'invalid' }>;
type NoSync = Exclude<SourceResult, { kind: 'sync' }>;

// Titles end up in log lines and chat messages; a newline in a title would forge a log line.
const C0_CONTROLS = /[\x00-\x1f]/g;

export function stripControlChars(text: string): string {
  return text.replace(C0_CONTROLS, '');
}

/** Remove properties whose value is undefined, so details serialise the same whatever the sender omitted. */
export function compactDetails(details: MediaDetails): MediaDetails {
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined)) as MediaDetails;
}

/**
 * A path the sync needs. JSON null counts as absent, matching Radarr/Sonarr, which omit null properties
 * rather than send them. Empty strings are refused here; everything else is the translator's business.
 */
export const requiredPath = z.string().min(1);
export const optionalPath = requiredPath.nullish();

// Display-only fields never make a request invalid: refusing a real import over a cosmetic field would lose
// the sync, and every 4xx pushes the sender towards disabling the webhook (fixtures README §2.2).

/** Empty (or only control characters) counts as absent so the caller's fallback title applies. */
export const displayText = z
  .string()
  .transform((s) => stripControlChars(s) || undefined)
  .nullish()
  .catch(undefined);

export const sizeBytes = z.number().int().nonnegative().nullish().catch(undefined);

/**
 * The wire sends a plain string ("Bluray-1080p"); Radarr/Sonarr's API documents
 * {"quality": {"name": ...}}; some senders flatten that to {"name": ...}.
 */
export const qualityName = z
  .union([
    z.string(),
    z.looseObject({ quality: z.looseObject({ name: z.string() }) }).transform((q) => q.quality.name),
    z.looseObject({ name: z.string() }).transform((q) => q.name),
  ])
  .transform((name) => stripControlChars(name) || undefined)
  .nullish()
  .catch(undefined);

const ARTICLE: Record<string, string> = { object: 'an object', array: 'an array' };

function describeIssue(issue: z.core.$ZodIssue, field: string): string {
  const name = field || 'body';
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `${name} is missing`;
    return `${name} must be ${ARTICLE[issue.expected] ?? `a ${issue.expected}`}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'string') return `${name} must be a non-empty string`;
  if (issue.code === 'too_small' && issue.origin === 'array') return `${name} must not be empty`;
  if (issue.code === 'invalid_value') {
    return `${name} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${name}: ${issue.message}`;
}

// One problem is enough for the sender's log; the dotted path points at the field to fix.
function invalidFrom(error: z.ZodError): Invalid {
  const issue = error.issues[0];
  if (!issue) return { kind: 'invalid', problem: 'body is invalid' };
  const field = issue.path.map(String).join('.');
  const result: Invalid = { kind: 'invalid', problem: describeIssue(issue, field) };
  if (field) result.field = field;
  return result;
}

type Parsed<T> = { ok: true; data: T } | { ok: false; invalid: Invalid };

export function parseWith<S extends z.ZodType>(schema: S, data: unknown): Parsed<z.output<S>> {
  // reportInput lets the problem text tell a missing field from a wrongly typed one.
  const parsed = schema.safeParse(data, { reportInput: true });
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, invalid: invalidFrom(parsed.error) };
}

export function invalid(field: string, problem: string): Invalid {
  return { kind: 'invalid', problem, field };
}

export function isJsonObject(body: unknown): body is Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

export function notAnObject(): Invalid {
  return { kind: 'invalid', problem: 'body must be a JSON object' };
}

// An unknown event type is echoed into the reason, which gets logged; keep it short.
const MAX_EVENT_TYPE_ECHO = 64;

type DownloadEvent = {
  kind: 'download';
  body: Record<string, unknown>;
  /** The legacy "Upgrade" event type the v2 service accepted: an upgrade whatever the body says. */
  legacyUpgrade: boolean;
};

/** A rename or a delete: the app-specific parser reads those of its own app and ignores the others. */
type MirrorEventBody = { kind: 'mirror'; eventType: Exclude<MirrorEvent, 'Download'>; body: Record<string, unknown> };

const MIRROR_EVENT_TYPES: ReadonlySet<string> = new Set<MirrorEventBody['eventType']>([
  'Rename',
  'MovieFileDelete',
  'EpisodeFileDelete',
  'MovieDelete',
  'SeriesDelete',
]);

function isMirrorEventType(eventType: string): eventType is MirrorEventBody['eventType'] {
  return MIRROR_EVENT_TYPES.has(eventType);
}

/**
 * Reads the envelope shared by Radarr and Sonarr. Download (and the legacy Upgrade), renames and deletes
 * go on to the app-specific parser; Test is answered without looking at its fake C:\testpath.
 */
export function readEvent(body: unknown): DownloadEvent | MirrorEventBody | NoSync {
  if (!isJsonObject(body)) return notAnObject();
  const eventType = body.eventType;
  if (typeof eventType !== 'string') {
    return invalid('eventType', eventType === undefined ? 'eventType is missing' : 'eventType must be a string');
  }
  switch (eventType) {
    case 'Test':
      return { kind: 'test' };
    case 'Download':
      return { kind: 'download', body, legacyUpgrade: false };
    case 'Upgrade':
      return { kind: 'download', body, legacyUpgrade: true };
    default:
      return isMirrorEventType(eventType) ? { kind: 'mirror', eventType, body } : notHandled(eventType);
  }
}

/** The answer to an event type this service does not act on (or that belongs to the other app). */
export function notHandled(eventType: string): NoSync {
  const shown = stripControlChars(eventType).slice(0, MAX_EVENT_TYPE_ECHO);
  return { kind: 'ignored', reason: `Event type ${shown} not handled` };
}

/**
 * Download's `deletedFiles` (an upgrade): the files the import replaced, by their old paths. Not display
 * data: each one may be removed at the destination, so an entry without a path makes the body invalid.
 */
export const replacedFiles = z.array(z.looseObject({ path: requiredPath })).nullish();

/** Rename's `renamedMovieFiles`/`renamedEpisodeFiles`: each file's previous path (when sent) and new path. */
export const renamedFiles = z.array(z.looseObject({ previousPath: optionalPath, path: requiredPath }));

/** MovieFileDelete/EpisodeFileDelete's `deleteReason`: only "upgrade" changes what happens. */
export const deleteReason = z.string().nullish().catch(undefined);

/**
 * MovieDelete/SeriesDelete's `deletedFiles`: whether Radarr/Sonarr deleted the files too. Anything but
 * `true` (false, absent, malformed) removes nothing.
 */
export const deletedFilesFlag = z.unknown().transform((value) => value === true);

/** Why a delete that removes nothing at the source is not a job. */
export function deleteWithoutFiles(eventType: string): NoSync {
  return { kind: 'ignored', reason: `${eventType} without deletedFiles: the files stay, nothing to mirror` };
}

/** Why a file deleted for an upgrade is not a job: the upgrade's Download names it as replaced. */
export function deleteForUpgrade(eventType: string): NoSync {
  return { kind: 'ignored', reason: `${eventType} for an upgrade: the upgrade's Download mirrors it` };
}
