// The notification events the runner, the daily summary and /test produce. Pure: what goes into the
// outbox must depend on nothing but the arguments.

import type {
  EventMedia,
  FilesDeletedEvent,
  FilesRenamedEvent,
  KeptFile,
  MountEvent,
  OutboxPayload,
  ReconcileEvent,
  RetryPlan,
  SeasonKey,
  SeasonPackEvent,
  SummaryEvent,
  SummaryFigures,
  SyncFailedEvent,
  SyncSucceededEvent,
  TestEvent,
} from '../core/notify-event.js';
import type { Job, MirroredFile } from '../core/types.js';

/** How many titles a summary lists per section, as users know the summary; the rest is counted as "...and N more". */
export const SUMMARY_LIST_LIMIT = 5;

function mediaWord(job: Job): 'Movie' | 'Episode' {
  return job.mediaType === 'movie' ? 'Movie' : 'Episode';
}

/** The media of a job; season and episode numbers are read from the code ("S01E01-S01E03" → 1, [1, 2, 3]). */
export function mediaOf(job: Job): EventMedia {
  const d = job.details;
  const media: EventMedia = {
    type: job.mediaType,
    source: job.source,
    title: d.title || job.title,
    path: job.containerPath,
  };
  if (d.year) media.year = d.year;
  if (d.episodeCode) media.episodeCode = d.episodeCode;
  if (d.episodeTitle) media.episodeTitle = d.episodeTitle;
  const numbers = d.episodeCode ? episodeNumbers(d.episodeCode) : undefined;
  if (numbers) {
    media.season = numbers.season;
    media.episodes = numbers.episodes;
  }
  return media;
}

/** "S01E05" → season 1, [5]; "S01E01-S01E03" → [1, 2, 3]; anything else (a span across seasons) → undefined. */
export function episodeNumbers(code: string): { season: number; episodes: number[] } | undefined {
  const match = /^S(\d+)E(\d+)(?:-S(\d+)E(\d+))?$/i.exec(code);
  if (!match) return undefined;
  const season = Number(match[1]);
  const first = Number(match[2]);
  const last = match[4] === undefined ? first : Number(match[4]);
  if ((match[3] !== undefined && Number(match[3]) !== season) || last < first || last - first > 100) return undefined;
  return { season, episodes: Array.from({ length: last - first + 1 }, (_, i) => first + i) };
}

export function syncSucceededEvent(job: Job, opts: { dryRun: boolean }, at: Date): SyncSucceededEvent {
  const event: SyncSucceededEvent = {
    kind: 'success',
    title: `${mediaWord(job)} Synced`,
    severity: 'success',
    at: at.toISOString(),
    jobId: job.id,
    media: mediaOf(job),
    // A sender may report size 0 (or nothing); what rsync moved is then the better figure.
    sizeBytes: job.details.sizeBytes || job.bytesTransferred || 0,
    durationSeconds: job.durationSeconds,
    destination: job.destPath,
    dryRun: opts.dryRun,
  };
  if (job.details.quality) event.quality = job.details.quality;
  return event;
}

/** What failed: a copy (and an upgrade, which is one) is a sync, a rename or a delete is named. */
function jobVerb(job: Job): 'Sync' | 'Rename' | 'Delete' {
  return job.kind === 'rename' ? 'Rename' : job.kind === 'delete' ? 'Delete' : 'Sync';
}

export function syncFailedEvent(job: Job, next: RetryPlan, at: Date): SyncFailedEvent {
  const event: SyncFailedEvent = {
    kind: next.kind === 'retry' ? 'failure' : 'gave_up',
    title: `${jobVerb(job)} Failed - ${mediaWord(job)}`,
    severity: 'error',
    at: at.toISOString(),
    jobId: job.id,
    media: mediaOf(job),
    destination: job.destPath,
    error: job.error?.trim() || 'unknown error',
    next,
  };
  if (job.details.quality) event.quality = job.details.quality;
  return event;
}

/** A rename or delete is about a movie, an episode, or a whole series (no episode code). */
function mirrorWord(job: Job): 'Movie' | 'Episode' | 'Series' {
  if (job.mediaType === 'movie') return 'Movie';
  return job.details.episodeCode ? 'Episode' : 'Series';
}

/** What a job's files list says was left in place, for the messages. */
function keptOf(files: readonly MirroredFile[]): KeptFile[] {
  return files.flatMap((f) => {
    if (f.action === 'kept') return [{ path: f.path, reason: f.reason ?? 'kept' }];
    if (f.action === 'absent') return [{ path: f.path, reason: 'not at the destination' }];
    return [];
  });
}

/**
 * The files an upgrade's or a delete's job removed at the destination (moved into the trash or deleted),
 * and those it left, as the job recorded them.
 */
export function filesDeletedEvent(
  job: Job,
  files: readonly MirroredFile[],
  mode: FilesDeletedEvent['mode'],
  at: Date,
): FilesDeletedEvent {
  const kept = keptOf(files);
  const upgrade = job.mirror?.kind === 'upgrade';
  return {
    kind: 'deleted',
    title: `${upgrade ? 'Replaced Files Removed' : 'Files Removed'} - ${mirrorWord(job)}`,
    severity: kept.length > 0 ? 'warning' : 'info',
    at: at.toISOString(),
    jobId: job.id,
    media: mediaOf(job),
    cause: upgrade ? 'upgrade' : 'delete',
    event: job.mirror?.event ?? 'Download',
    mode,
    files: files.filter((f) => f.action === 'deleted' || f.action === 'trashed').map((f) => f.path),
    kept,
  };
}

/** The files a rename's job renamed at the destination, and those it left alone, as the job recorded them. */
export function filesRenamedEvent(job: Job, files: readonly MirroredFile[], at: Date): FilesRenamedEvent {
  const kept = keptOf(files);
  return {
    kind: 'renamed',
    title: `Files Renamed - ${mirrorWord(job)}`,
    severity: kept.length > 0 ? 'warning' : 'info',
    at: at.toISOString(),
    jobId: job.id,
    media: mediaOf(job),
    renamed: files.flatMap((f) => (f.action === 'renamed' && f.to !== undefined ? [{ from: f.path, to: f.to }] : [])),
    kept,
  };
}

export function dailySummaryEvent(summary: SummaryFigures, at: Date): SummaryEvent {
  const hasFailures = summary.failed > 0 || summary.needsAttentionTotal > 0;
  return {
    kind: 'summary',
    title: 'Daily Sync Summary',
    severity: hasFailures ? 'warning' : 'info',
    at: at.toISOString(),
    summary,
  };
}

export function testEvent(at: Date): TestEvent {
  return {
    kind: 'test',
    title: 'Sync Webhook Test',
    severity: 'info',
    at: at.toISOString(),
    text: 'If you see this, notifications are working!',
  };
}

/**
 * The season pack an outbox payload may join: an episode success whose season is known. Anything else
 * (a movie, a failure, a manual path without an episode code) is sent on its own.
 */
export function seasonKeyOf(payload: OutboxPayload): SeasonKey | undefined {
  if (payload.type !== 'notify' || payload.event.kind !== 'success') return undefined;
  const { media, destination, dryRun } = payload.event;
  if (media.type !== 'episode' || media.season === undefined) return undefined;
  return { series: media.title, year: media.year ?? null, season: media.season, destination, dryRun };
}

/** One message for several episode successes of one season (at least one), listed by episode number. */
export function seasonPackEvent(key: SeasonKey, successes: readonly SyncSucceededEvent[]): SeasonPackEvent {
  let newest = '';
  for (const e of successes) if (e.at > newest) newest = e.at;
  const firstEpisode = (e: SyncSucceededEvent) => e.media.episodes?.[0] ?? 0;
  const episodes = [...successes].sort((a, b) => firstEpisode(a) - firstEpisode(b));
  const event: SeasonPackEvent = {
    kind: 'season_pack',
    title: 'Episodes Synced',
    severity: 'success',
    at: newest,
    series: key.series,
    season: key.season,
    destination: key.destination,
    dryRun: key.dryRun,
    episodes,
  };
  if (key.year !== null) event.year = key.year;
  return event;
}

/** What a season pack's message sums up: episodes (a multi-episode file counts each), qualities, size, time. */
export function seasonPackTotals(event: SeasonPackEvent): {
  episodes: number;
  qualities: string[];
  sizeBytes: number;
  durationSeconds: number;
} {
  return {
    episodes: event.episodes.reduce((n, e) => n + (e.media.episodes?.length ?? 1), 0),
    qualities: [...new Set(event.episodes.map((e) => e.quality || 'Unknown'))],
    sizeBytes: event.episodes.reduce((n, e) => n + e.sizeBytes, 0),
    durationSeconds: event.episodes.reduce((n, e) => n + (e.durationSeconds ?? 0), 0),
  };
}

/** "Season 1: 3 episodes", the line under the series in every format. */
export function seasonLine(season: number, episodes: number): string {
  return `Season ${season}: ${episodes} episode${episodes === 1 ? '' : 's'}`;
}

/** A share of one or more mappings. */
export interface ShareOf {
  /** The container prefixes of the mappings whose root it is, e.g. "/movies, /movies-4k". */
  mappings: string;
  role: 'source' | 'destination';
  path: string;
  /** When it was first seen down. */
  downSince: string;
}

export function shareDownEvent(share: ShareOf, problem: string, at: Date): MountEvent {
  return {
    kind: 'mount_down',
    title: 'Share Down',
    severity: 'error',
    at: at.toISOString(),
    mapping: share.mappings,
    role: share.role,
    path: share.path,
    problem,
    downSince: share.downSince,
  };
}

export function shareBackEvent(share: ShareOf, at: Date): MountEvent {
  const down = (at.getTime() - new Date(share.downSince).getTime()) / 1000;
  return {
    kind: 'mount_up',
    title: 'Share Back',
    severity: 'success',
    at: at.toISOString(),
    mapping: share.mappings,
    role: share.role,
    path: share.path,
    downSeconds: Number.isFinite(down) ? Math.max(0, Math.round(down)) : 0,
    downSince: share.downSince,
  };
}

/** What a catch-up pass that found something reports (reconcile/reconciler.ts). */
export type ReconcileFound = Omit<ReconcileEvent, 'kind' | 'title' | 'severity' | 'at'>;

export function reconcileEvent(found: ReconcileFound, at: Date): ReconcileEvent {
  return {
    kind: 'reconcile',
    title: 'Catch-up Found Missing Media',
    // Something never arrived: worth a look, not an error.
    severity: 'warning',
    at: at.toISOString(),
    ...found,
  };
}
