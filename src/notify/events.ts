// The notification events the runner, the daily summary and /test produce. Pure: what goes into the
// outbox must depend on nothing but the arguments.

import type {
  EventMedia,
  FilesDeletedEvent,
  FilesRenamedEvent,
  KeptFile,
  RetryPlan,
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
