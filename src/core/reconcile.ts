// The nouns of a catch-up pass (reconcile/): what it was asked, what it found per mapping and per
// item, and how it ended. Types only, shared by the store, the pass and the HTTP answers.
import type { MappingKind, MediaType } from './types.js';

/** Who started a pass: POST /reconcile, SYNC_RECONCILE_CRON, or the start after a long downtime. */
export type ReconcileTrigger = 'api' | 'schedule' | 'after_downtime';

/**
 * running → done, or timed_out (SYNC_RECONCILE_TIMEOUT_SECONDS; what the mappings checked in time
 * found still counts), failed (an error of the service itself), interrupted (the service stopped).
 */
export type ReconcileStatus = 'running' | 'done' | 'timed_out' | 'failed' | 'interrupted';

/**
 * missing: not at the destination at all; incomplete: a movie folder there lacks some of its files;
 * size_differs: a file there has another size (it is replaced: the job runs as an upgrade).
 */
export type ReconcileWhy = 'missing' | 'incomplete' | 'size_differs';

/** Something the pass saw at the source and left alone, and why. */
export type ReconcileSkipReason =
  /** Changed within SYNC_RECONCILE_SETTLE_MINUTES: probably being imported right now. */
  | 'settling'
  /** A symlink inside it leads out of the mapping: the job would refuse it. */
  | 'link_out_of_mapping'
  /** A folder on the way could not be read (at the source or the destination). */
  | 'unreadable'
  /** A name no job can carry (not UTF-8, a control character). */
  | 'unsafe_name';

/** One thing to copy: a movie folder, or one file. */
export interface ReconcileItem {
  /** Container prefix of its mapping. */
  mapping: string;
  containerPath: string;
  mediaType: MediaType;
  /** A movie folder, or a file (an episode, or any file of a mapping without `kind`). */
  shape: 'folder' | 'file';
  /** Bytes at the source that the destination lacks (for a folder, of the files missing or different). */
  bytes: number;
  why: ReconcileWhy;
  /** For people: "3 of 12 files missing at the destination". */
  detail: string;
  /** Once queued: the job that copies it, new or one that already covered it. */
  jobId?: number;
  /** Once queued: true when an existing job already covered it. */
  folded?: boolean;
}

export interface ReconcileSkip {
  mapping: string;
  containerPath: string;
  reason: ReconcileSkipReason;
  detail: string;
}

/** What a pass did with one mapping. */
export interface ReconcileMappingResult {
  mapping: string;
  /** The mapping's `kind`, or 'files' when it has none. */
  kind: MappingKind | 'files';
  /** skipped: a share was down, or the pass ran out of time before it; `problem` says which. */
  status: 'checked' | 'skipped';
  problem?: string;
  /** Entries listed at the source and at the destination. */
  sourceEntries: number;
  destinationEntries: number;
  items: number;
  bytes: number;
  /** Items left alone (ctime younger than the settle time, links, unreadable folders). */
  skipped: number;
  /** What the walks reported on stderr without stopping (a file that vanished while listed). */
  warnings: string[];
}

/** What a finished pass found. */
export interface ReconcileFindings {
  results: ReconcileMappingResult[];
  items: ReconcileItem[];
  skipped: ReconcileSkip[];
}

/** A pass as GET /reconcile lists it: everything but the item lists. */
export interface ReconcileRunSummary {
  id: number;
  startedBy: ReconcileTrigger;
  status: ReconcileStatus;
  /** Asked to queue what it finds (scheduled passes always are). */
  queue: boolean;
  /** The mappings it was asked to check; null: all of them. */
  mappings: string[] | null;
  settleMinutes: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  /** Per mapping; null while it runs. */
  results: ReconcileMappingResult[] | null;
  /** When its items were queued (by the pass itself, or later through POST /reconcile/<id>/queue). */
  queuedAt: string | null;
  /** Once queued: new jobs, and items an existing job already covered. */
  queued: { created: number; folded: number } | null;
}

export interface ReconcileRun extends ReconcileRunSummary {
  /** Empty while it runs. */
  items: ReconcileItem[];
  skipped: ReconcileSkip[];
}
