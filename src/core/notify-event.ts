// What the runner, the daily summary and /test hand to every notification target, and what the outbox
// keeps for a target until it is delivered. Neutral: no service's format; each notifier renders it.
// JSON as it stands (the JSON webhook posts it as is), so it survives the outbox unchanged. Types only,
// plus the one reader that checks a stored payload's shape.

import type { ReconcileStatus, ReconcileTrigger } from './reconcile.js';
import type { JobSource, MediaType, MirrorEvent } from './types.js';

/** Every kind a target may filter on (`events:`); the last three are for the lifecycle work to come. */
export const NOTIFY_KINDS = [
  'success',
  'failure',
  'gave_up',
  'summary',
  'mount_down',
  'mount_up',
  'test',
  'deleted',
  'renamed',
  'reconcile',
] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];

/** How a service colours or prioritises it: Discord's colour, ntfy's priority, and so on. */
export type NotifySeverity = 'info' | 'success' | 'warning' | 'error';

/** A target's `priority` for failure messages, on a five-step scale each service maps to its own. */
export const NOTIFY_PRIORITIES = ['min', 'low', 'normal', 'high', 'max'] as const;
export type NotifyPriority = (typeof NOTIFY_PRIORITIES)[number];

/** The media a job is about, as the sender described it. */
export interface EventMedia {
  type: MediaType;
  source: JobSource;
  /** Movie or series title, without year or episode code. */
  title: string;
  year?: number;
  /** Episodes: "S01E05", or "S01E01-S01E02" for a multi-episode file. */
  episodeCode?: string;
  episodeTitle?: string;
  /** Episodes: the season and the episode numbers of the file (read from the code), for grouping a season pack. */
  season?: number;
  episodes?: number[];
  /** The path as Radarr/Sonarr (or the manual caller) named it, in the container's namespace. */
  path: string;
}

/** What happens next after a failed copy. */
export type RetryPlan =
  | { kind: 'retry'; attempt: number; maxRetries: number; inSeconds: number }
  | { kind: 'gave_up'; maxRetries: number; reason: 'exhausted' | 'permanent' };

/** The figures of one local calendar day, as the daily summary shows them. */
export interface SummaryFigures {
  /** YYYY-MM-DD in the configured time zone. */
  day: string;
  successful: number;
  failed: number;
  movies: number;
  episodes: number;
  bytes: number;
  durationSeconds: number;
  /** Newest first; may be longer than what a message shows. */
  failedTitles: string[];
  failedTotal: number;
  needsAttention: string[];
  needsAttentionTotal: number;
}

interface EventBase {
  /** Plain-text headline, the same for every service: "Movie Synced", "Sync Failed - Episode"… */
  title: string;
  severity: NotifySeverity;
  /** When the event was made (ISO 8601). */
  at: string;
}

export interface SyncSucceededEvent extends EventBase {
  kind: 'success';
  jobId: number;
  media: EventMedia;
  quality?: string;
  /** As the sender gave it, or what rsync transferred when it gave none. */
  sizeBytes: number;
  durationSeconds: number | null;
  /** The folder the item was copied into, on the destination share. */
  destination: string;
  dryRun: boolean;
}

export interface SyncFailedEvent extends EventBase {
  /** 'failure' while a retry is planned, 'gave_up' when none is left (or the error cannot heal). */
  kind: 'failure' | 'gave_up';
  jobId: number;
  media: EventMedia;
  quality?: string;
  destination: string;
  error: string;
  next: RetryPlan;
}

export interface SummaryEvent extends EventBase {
  kind: 'summary';
  summary: SummaryFigures;
}

export interface TestEvent extends EventBase {
  kind: 'test';
  text: string;
}

export interface MountEvent extends EventBase {
  kind: 'mount_down' | 'mount_up';
  /** The mapping's container prefix. */
  mapping: string;
  role: 'source' | 'destination';
  path: string;
  /** Down: why. */
  problem?: string;
  /** Up: how long it was down. */
  downSeconds?: number;
  /** When it was first seen down (both kinds); a restart reads it back from the last down message. */
  downSince?: string;
}

/** A file a mirroring job left where it was, and why ("still at the source", "not at the destination"). */
export interface KeptFile {
  path: string;
  reason: string;
}

/** Files removed at the destination: those an upgrade replaced, or those Radarr/Sonarr deleted. */
export interface FilesDeletedEvent extends EventBase {
  kind: 'deleted';
  jobId: number;
  media: EventMedia;
  /** An upgrade replaced the files, or Radarr/Sonarr deleted them. */
  cause: 'upgrade' | 'delete';
  /** The Radarr/Sonarr event that asked ("MovieFileDelete"). */
  event: MirrorEvent;
  /** SYNC_MIRROR: the files were moved into the trash folder, or deleted. */
  mode: 'trash' | 'delete';
  /** Destination paths removed (or moved into the trash). */
  files: string[];
  /** Destination files the event named that stay, each with why. */
  kept: KeptFile[];
}

/** Files renamed at the destination as Radarr/Sonarr renamed them. */
export interface FilesRenamedEvent extends EventBase {
  kind: 'renamed';
  jobId: number;
  media: EventMedia;
  /** Destination paths, before and after. */
  renamed: { from: string; to: string }[];
  /** Files left alone, each with why. */
  kept: KeptFile[];
}

/** A catch-up pass (reconcile/) that found something; one that found nothing is only a log line. */
export interface ReconcileEvent extends EventBase {
  kind: 'reconcile';
  passId: number;
  startedBy: ReconcileTrigger;
  /** done, or timed_out: what it checked in time counts. */
  status: Extract<ReconcileStatus, 'done' | 'timed_out'>;
  /** Items missing or different at the destination, and the bytes the destination lacks. */
  items: number;
  bytes: number;
  /** The mappings where it found something. */
  found: { mapping: string; items: number; bytes: number }[];
  /** Mappings it could not check, and why (a share down, out of time). */
  notChecked: { mapping: string; problem: string }[];
  /** Null: it only looked (POST /reconcile/<id>/queue queues them). */
  queued: { created: number; folded: number } | null;
}

/**
 * Several episode successes of one series and season, merged by the dispatcher from the outbox rows of one
 * target (docs/notifications.md, season packs). Never stored: each row keeps its own success event.
 */
export interface SeasonPackEvent extends EventBase {
  kind: 'season_pack';
  /** The series title, as the episodes name it. */
  series: string;
  year?: number;
  season: number;
  /** The season folder on the destination share. */
  destination: string;
  dryRun: boolean;
  /** Each episode file's own success event, by episode number. */
  episodes: SyncSucceededEvent[];
}

export type NotifyEvent =
  | SyncSucceededEvent
  | SyncFailedEvent
  | SummaryEvent
  | TestEvent
  | MountEvent
  | FilesDeletedEvent
  | FilesRenamedEvent
  | ReconcileEvent
  | SeasonPackEvent;

/**
 * What makes episode successes one season pack: the same series, season and destination folder, and
 * the same dry-run setting. The store looks rows up by it (store/outbox.ts, pendingSeason).
 */
export interface SeasonKey {
  series: string;
  year: number | null;
  season: number;
  destination: string;
  dryRun: boolean;
}

/** What a media server is asked to rescan, in this service's namespace; each server maps it to its own. */
export interface ScanRequest {
  /** The mapping's container prefix (a server may keep a section and a path per mapping). */
  mapping: string;
  /**
   * What changed, on the destination share: a movie folder, or an episode file (the server rescans its
   * folder).
   */
  path: string;
  mediaType: MediaType;
  /** Jellyfin/Emby name the change: a copy creates, a delete deletes, an upgrade or a rename modifies. */
  change: 'created' | 'deleted' | 'modified';
}

/** A Telegram message as rendered before migration 005 (HTML title and body); only a Telegram target sends it. */
export interface TelegramHtml {
  title: string;
  body: string;
}

/** A Plex scan as queued before migration 005: section id and folder already in Plex's namespace. */
export interface PlexSectionScan {
  section: string;
  folder: string;
}

/** One outbox row's payload. The two legacy members exist only for rows written before migration 005. */
export type OutboxPayload =
  | { type: 'notify'; event: NotifyEvent }
  | { type: 'scan'; scan: ScanRequest }
  | { type: 'telegram_html'; message: TelegramHtml }
  | { type: 'plex_section_scan'; scan: PlexSectionScan };

/** A follow-up to deliver after a job transition: written in the same transaction as the transition. */
export interface OutboxItem {
  /** The id of the notification target or media server that delivers it. */
  target: string;
  payload: OutboxPayload;
}

/** A pending outbox row, as the dispatcher delivers it. */
export interface OutboxRow {
  id: number;
  target: string;
  jobId: number | null;
  payload: OutboxPayload;
  attempts: number;
  nextAttemptAt: string;
  createdAt: string;
}

/** Which targets a follow-up goes to; built from the configuration, so the runner names no service. */
export interface TargetRouting {
  /** Ids of the notification targets whose `events` include this kind. */
  notifiersFor(kind: NotifyKind): string[];
  /** Ids of the media servers that scan folders of this mapping. */
  mediaServersFor(mapping: string): string[];
}

// A season pack is built at delivery from stored success rows, so no row holds one.
const EVENT_KINDS: ReadonlySet<string> = new Set<NotifyEvent['kind']>([
  'success',
  'failure',
  'gave_up',
  'summary',
  'test',
  'mount_down',
  'mount_up',
  'deleted',
  'renamed',
  'reconcile',
]);

/**
 * Whether a stored payload has one of the shapes above; a row whose payload has none can never be
 * delivered. Checks each member's discriminators and strings; the rest was written by this service
 * through the same types.
 */
export function isOutboxPayload(json: unknown): json is OutboxPayload {
  if (!isRecord(json)) return false;
  switch (json.type) {
    case 'notify':
      return isRecord(json.event) && typeof json.event.kind === 'string' && EVENT_KINDS.has(json.event.kind);
    case 'scan':
      return isRecord(json.scan) && typeof json.scan.path === 'string' && typeof json.scan.mapping === 'string';
    case 'telegram_html':
      return isRecord(json.message) && typeof json.message.title === 'string' && typeof json.message.body === 'string';
    case 'plex_section_scan':
      return isRecord(json.scan) && typeof json.scan.section === 'string' && typeof json.scan.folder === 'string';
    default:
      return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
