// The nouns every module shares. Types only: this file imports nothing.

/** Who sends requests over HTTP: each has its own route and parser. */
export type WebhookSource = 'radarr' | 'sonarr' | 'manual';
/** Where a job came from: a webhook, or a catch-up pass that found the item missing (reconcile/). */
export type JobSource = WebhookSource | 'reconcile';
export const JOB_SOURCES: readonly JobSource[] = ['radarr', 'sonarr', 'manual', 'reconcile'];
/**
 * What a job does: `copy` a new file or folder; `upgrade` copy a file that replaced others, then mirror
 * the replaced ones; `rename` rename files at the destination; `delete` remove files there
 * (docs/mirroring.md).
 */
export type JobKind = 'copy' | 'upgrade' | 'rename' | 'delete';
export const JOB_KINDS: readonly JobKind[] = ['copy', 'upgrade', 'rename', 'delete'];
/** SYNC_MIRROR: whether upgrades, renames and deletes reach the destination, and how a file goes. */
export type MirrorMode = 'off' | 'trash' | 'delete';
export type MediaType = 'movie' | 'episode';
export type JobStatus = 'queued' | 'in_progress' | 'success' | 'failed';
export const JOB_STATUSES: readonly JobStatus[] = ['queued', 'in_progress', 'success', 'failed'];

/**
 * Why a job failed or waits, as a short stable code beside the error text, so failures can be grouped
 * (the job and each attempt carry one; GET /history counts them). Set where the failure is classified.
 */
export const FAILURE_REASONS = [
  'source_missing',
  'source_unreadable',
  'source_empty',
  'source_growing',
  'link_outside_root',
  'mount_down',
  'mapping_changed',
  'rsync_partial',
  'rsync_vanished',
  'rsync_io',
  'rsync_usage',
  'rsync_failed',
  'rsync_missing',
  'rsync_killed',
  'timeout',
  'disk_full',
  'permission_denied',
  'shutdown',
  'restart',
  'unknown',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** What the notification and summary texts need to know about the media, as the sender described it. */
export interface MediaDetails {
  /** Movie title or series title, without year or episode code. */
  title: string;
  year?: number;
  /** "S01E05", or "S01E01-S01E02" for a multi-episode file. Episodes only. */
  episodeCode?: string;
  /** "Pilot", or "Pilot / Second (+1 more)". Episodes only. */
  episodeTitle?: string;
  /** Quality name as the sender gave it, e.g. "Bluray-1080p". */
  quality?: string;
  /** File size in bytes as the sender gave it. */
  sizeBytes?: number;
}

/**
 * One thing to copy, still in the sender's (container) namespace.
 * A source turns a webhook body into zero or more of these.
 */
export interface SyncRequest {
  source: JobSource;
  mediaType: MediaType;
  /** The container path rsync copies: a movie folder, an episode file, or the manual path. */
  containerPath: string;
  /** The container path of the file the event is about; its translation is the duplicate key. */
  filePath: string;
  /** Display title: "Movie Title (2024)" or "Series Title - S01E05: Episode Title". */
  title: string;
  details: MediaDetails;
  /** The import replaced a file: copy even if a file of that name exists at the destination. */
  isUpgrade: boolean;
  /** Manual syncs wait until the source stops growing; Radarr/Sonarr files are complete when sent. */
  waitForStableSize: boolean;
  /** Upgrades, renames and deletes: what the event asks of the destination. Absent: a plain copy. */
  mirror?: MirrorPlan;
}

/** The Radarr/Sonarr event a mirroring job came from, named in its log lines and in GET /jobs. */
export type MirrorEvent =
  | 'Download'
  | 'Rename'
  | 'MovieFileDelete'
  | 'EpisodeFileDelete'
  | 'MovieDelete'
  | 'SeriesDelete';

/** One file renamed by Radarr/Sonarr (container paths); `from` is null when the payload did not name it. */
export interface FileRename {
  from: string | null;
  to: string;
}

/**
 * What an upgrade, rename or delete asks of the destination, in the sender's (container) namespace.
 * Every path lies inside `folder`, the movie or series folder (checked when the webhook is taken in).
 */
export type MirrorPlan =
  | { kind: 'upgrade'; event: MirrorEvent; folder: string; newFile: string; replaced: string[] }
  | { kind: 'rename'; event: MirrorEvent; folder: string; renames: FileRename[] }
  /** Named files (MovieFileDelete, EpisodeFileDelete). */
  | { kind: 'delete'; event: MirrorEvent; folder: string; scope: 'files'; files: string[] }
  /** A whole movie or series (MovieDelete, SeriesDelete with deletedFiles): every file gone at the source. */
  | { kind: 'delete'; event: MirrorEvent; folder: string; scope: 'folder' };

/** What a job did to one file at the destination. */
export interface MirroredFile {
  /** The file at the destination. */
  path: string;
  /**
   * `deleted` (SYNC_MIRROR=delete), `trashed` (moved to `to` in the trash folder), `renamed` (to `to`),
   * `kept` (left where it is: `reason` says why), `absent` (not at the destination).
   */
  action: 'deleted' | 'trashed' | 'renamed' | 'kept' | 'absent';
  to?: string;
  reason?: string;
}

export type SourceResult =
  | { kind: 'sync'; requests: SyncRequest[] }
  | { kind: 'test' }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; problem: string; field?: string };

/** A root folder that must be a real, healthy mount before a sync may touch it. */
export interface MountCheck {
  /** Absolute path of the root. */
  path: string;
  /** File relative to the root that exists only on the real share (catches a bind mount of a dead share). */
  anchor?: string;
  /** Required filesystem type at the mount point, e.g. "nfs4". */
  fstype?: string;
}

export type MappingKind = 'movie' | 'tv';

/** A container prefix and where its content lives on the source and destination shares. */
export interface Mapping {
  /** Prefix as Radarr/Sonarr see it, e.g. "/movies". No trailing slash. */
  container: string;
  /**
   * What the library holds, for a catch-up pass: movie folders or episode files. Unset: the pass
   * treats each file as its own item.
   */
  kind?: MappingKind;
  source: MountCheck;
  destination: MountCheck;
  /** Plex library section id; no section → no scan. */
  plexSection?: string;
  /** The destination root as Plex sees it; defaults to the destination path. */
  plexPath: string;
}

export interface Job {
  id: number;
  status: JobStatus;
  source: JobSource;
  mediaType: MediaType;
  title: string;
  containerPath: string;
  sourcePath: string;
  /** Folder rsync copies into (always ends without a slash; rsync gets it with one). */
  destPath: string;
  /** Container prefix of the mapping the job was translated with. */
  mapping: string;
  details: MediaDetails;
  isUpgrade: boolean;
  waitForStableSize: boolean;
  kind: JobKind;
  /** Upgrades, renames and deletes: what the event asked; null for a copy. */
  mirror: MirrorPlan | null;
  /** Upgrades, renames and deletes: what the last run did to each file; null until one ran. */
  mirroredFiles: MirroredFile[] | null;
  retryCount: number;
  /** True once a failed job has no automatic retry left (or its failure cannot heal by retrying). */
  gaveUp: boolean;
  error: string | null;
  /** The short code of `error` (see FailureReason); null when there is no error or it predates the codes. */
  errorReason: FailureReason | null;
  bytesTransferred: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationSeconds: number | null;
  /**
   * Queued: not before this time (waiting for a mount or a growing source).
   * Failed: when the automatic retry is due.
   */
  nextAttemptAt: string | null;
}

/** What started an attempt: the job's first run, its automatic or manual retry, or the run after a restart. */
export type AttemptTrigger = 'webhook' | 'automatic_retry' | 'manual_retry' | 'restart';
export type AttemptOutcome = 'success' | 'failed' | 'interrupted';

/** One run of a job, from its claim to its recorded outcome (GET /jobs/<id> lists them). */
export interface Attempt {
  /** 1 for the job's first attempt, then one more per attempt. */
  number: number;
  trigger: AttemptTrigger;
  startedAt: string;
  /** Null while it runs. */
  finishedAt: string | null;
  outcome: AttemptOutcome | null;
  /** Null when rsync did not run to an exit (the share was not usable, it was killed, it timed out). */
  rsyncExitCode: number | null;
  error: string | null;
  errorReason: FailureReason | null;
  bytes: number | null;
  /** Null for an attempt cut by a crash: when it really ended is not known. */
  durationSeconds: number | null;
}

/** A job to insert: everything the webhook knows, already translated. */
export interface NewJob {
  source: JobSource;
  mediaType: MediaType;
  title: string;
  containerPath: string;
  sourcePath: string;
  destPath: string;
  mapping: string;
  details: MediaDetails;
  isUpgrade: boolean;
  waitForStableSize: boolean;
  /** Upgrades, renames and deletes; absent for a copy. */
  mirror?: MirrorPlan;
  /** Duplicate key, with the kind: the translated source path of the file the event is about. */
  dedupeKey: string;
  /** Catch-up items only: which jobs already copy this item (then it is not queued again). */
  coveredBy?: CoveringJobs;
}

/**
 * The jobs that copy a catch-up item too: a queued or running job of any of `sourcePaths` (the item
 * and every folder above it inside its mapping), or one that succeeded after `lookedAt`. A success
 * from before the pass looked at the destination did not leave the item there, so it does not count.
 */
export interface CoveringJobs {
  /** The item first, then the folder holding it, then each folder above, up to the mapping's root. */
  sourcePaths: readonly string[];
  lookedAt: Date;
}

/** What the jobs that finished in a range add up to (the daily summary, /stats). */
export interface FinishedTotals {
  successful: number;
  failed: number;
  movies: number;
  episodes: number;
  bytes: number;
  durationSeconds: number;
}

export interface Clock {
  now(): Date;
}

/** What `rsync --info=progress2` last said about a running copy (GET /jobs/<id>). */
export interface JobProgress {
  /** Bytes of file data sent so far. */
  bytes: number;
  /** 0–100; rsync's own estimate, which it revises while it still discovers files. */
  percent: number;
  /** As rsync prints it, e.g. "112.45MB/s". */
  rate: string;
  /** Time left (rsync's estimate while running) or time taken (its last line), "h:mm:ss". */
  eta: string;
  /** When rsync printed it (ISO 8601). */
  updatedAt: string;
}

/** The log levels the service writes (SYNC_LOG_LEVEL names them the Python way: WARNING, CRITICAL). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** How a log line is written (SYNC_LOG_FORMAT): the README's text line, or one JSON object for log collectors. */
export type LogFormat = 'text' | 'json';
