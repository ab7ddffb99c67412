/**
 * Notification events of every kind, built as the runner, the summary and /test build them, for the
 * renderer and sender tests of each service. `NASTY` is the title every renderer must show as it is and
 * that must ping nobody.
 *
 *   const event = successEvent({ title: NASTY });
 *   for (const [kind, event] of everyEvent(NASTY)) …
 */

import type {
  MountEvent,
  NotifyEvent,
  RetryPlan,
  SeasonPackEvent,
  SummaryFigures,
} from '../../src/core/notify-event.js';
import type { Job } from '../../src/core/types.js';
import {
  dailySummaryEvent,
  filesDeletedEvent,
  filesRenamedEvent,
  seasonKeyOf,
  seasonPackEvent,
  reconcileEvent,
  syncFailedEvent,
  syncSucceededEvent,
  testEvent,
} from '../../src/notify/events.js';

/** Every character a format gives a meaning, and a mention. */
export const NASTY = 'Tom & Jerry _a_ *b* [c](d) ~e~ `f` \\ <g> @everyone';

export const AT = new Date('2024-05-01T10:00:46.200Z');

export function movieJob(overrides: Partial<Job> = {}, details: Partial<Job['details']> = {}): Job {
  return {
    id: 42,
    status: 'success',
    source: 'radarr',
    mediaType: 'movie',
    title: 'Movie Title (2024)',
    containerPath: '/movies/Movie Title (2024)',
    sourcePath: '/mnt/synology/rs-movies/Movie Title (2024)',
    destPath: '/mnt/unraid/media/Movies',
    mapping: '/movies',
    details: { title: 'Movie Title', year: 2024, quality: 'Bluray-1080p', sizeBytes: 15032385536, ...details },
    isUpgrade: false,
    waitForStableSize: false,
    retryCount: 0,
    gaveUp: false,
    error: null,
    errorReason: null,
    bytesTransferred: null,
    createdAt: '2024-05-01T10:00:00.000Z',
    startedAt: '2024-05-01T10:00:01.000Z',
    finishedAt: '2024-05-01T10:00:46.200Z',
    durationSeconds: 45.2,
    nextAttemptAt: null,
    kind: 'copy',
    mirror: null,
    mirroredFiles: null,
    ...overrides,
  };
}

export function episodeJob(overrides: Partial<Job> = {}): Job {
  return movieJob({
    source: 'sonarr',
    mediaType: 'episode',
    title: 'Series Title - S01E05: Episode Title',
    containerPath: '/tv/Series Title/Season 01/Series Title - S01E05.mkv',
    destPath: '/mnt/unraid/media/TV/Series Title/Season 01',
    mapping: '/tv',
    details: {
      title: 'Series Title',
      episodeCode: 'S01E05',
      episodeTitle: 'Episode Title',
      quality: 'WEBDL-1080p',
      sizeBytes: 3972844748,
    },
    durationSeconds: 12.1,
    ...overrides,
  });
}

export const RETRY: RetryPlan = { kind: 'retry', attempt: 1, maxRetries: 3, inSeconds: 900 };
export const GAVE_UP: RetryPlan = { kind: 'gave_up', maxRetries: 3, reason: 'exhausted' };

export const successEvent = (details: Partial<Job['details']> = {}) =>
  syncSucceededEvent(movieJob({}, details), { dryRun: false }, AT);

export const failureEvent = (details: Partial<Job['details']> = {}, error = 'rsync exit 23: some files vanished') =>
  syncFailedEvent(movieJob({ status: 'failed', error }, details), RETRY, AT);

export const gaveUpEvent = (details: Partial<Job['details']> = {}) =>
  syncFailedEvent(movieJob({ status: 'failed', error: 'No space left on device', gaveUp: true }, details), GAVE_UP, AT);

export function summaryFigures(overrides: Partial<SummaryFigures> = {}): SummaryFigures {
  return {
    day: '2024-05-01',
    successful: 12,
    failed: 2,
    movies: 4,
    episodes: 10,
    bytes: 53687091200,
    durationSeconds: 1530,
    failedTitles: ['Broken Movie (2023)', 'Series - S02E03'],
    failedTotal: 2,
    needsAttention: ['Gave Up Movie (2022)'],
    needsAttentionTotal: 1,
    ...overrides,
  };
}

export const summaryEvent = (overrides: Partial<SummaryFigures> = {}) =>
  dailySummaryEvent(summaryFigures(overrides), AT);

export function mountEvent(kind: MountEvent['kind'], overrides: Partial<MountEvent> = {}): MountEvent {
  return {
    kind,
    title: kind === 'mount_down' ? 'Share Down' : 'Share Back',
    severity: kind === 'mount_down' ? 'error' : 'success',
    at: AT.toISOString(),
    mapping: '/movies',
    role: 'source',
    path: '/mnt/synology/rs-movies',
    ...(kind === 'mount_down' ? { problem: 'not mounted' } : { downSeconds: 1260 }),
    ...overrides,
  };
}

/** Episodes 1 to `count` of season 1 of a series `title`, each titled `title`, as the dispatcher merges them. */
export function seasonPack(title: string, count = 3): SeasonPackEvent {
  const episodes = Array.from({ length: count }, (_, i) => {
    const code = `S01E${String(i + 1).padStart(2, '0')}`;
    const job = episodeJob({
      id: i + 1,
      details: { title, episodeCode: code, episodeTitle: title, quality: 'WEBDL-1080p', sizeBytes: 1024 ** 3 },
    });
    return syncSucceededEvent(job, { dryRun: false }, AT);
  });
  const [first] = episodes;
  const key = first && seasonKeyOf({ type: 'notify', event: first });
  if (!key) throw new Error('not an episode success');
  return seasonPackEvent(key, episodes);
}

/** One event of each kind, the media title (or what stands in for it) `title`. */
export function everyEvent(title: string): [string, NotifyEvent][] {
  return [
    ['success', successEvent({ title })],
    ['failure', failureEvent({ title })],
    ['gave_up', gaveUpEvent({ title })],
    ['summary', summaryEvent({ failedTitles: [title], needsAttention: [title] })],
    ['test', { ...testEvent(AT), text: title }],
    ['mount_down', mountEvent('mount_down', { mapping: title, problem: title })],
    ['mount_up', mountEvent('mount_up', { mapping: title })],
    ['season_pack', seasonPack(title, 24)],
    ['deleted', deletedEvent(title)],
    ['renamed', renamedEvent(title)],
    [
      'reconcile',
      reconcileEvent(
        {
          passId: 7,
          startedBy: 'after_downtime',
          status: 'done',
          items: 3,
          bytes: 3 * 1024 ** 3,
          found: [{ mapping: title, items: 3, bytes: 3 * 1024 ** 3 }],
          notChecked: [{ mapping: '/tv', problem: title }],
          queued: { created: 2, folded: 1 },
        },
        AT,
      ),
    ],
  ];
}

/** A delete that moved seven files named `title` into the trash and kept two, the reason `title` too. */
export function deletedEvent(title: string): NotifyEvent {
  const job = movieJob({
    kind: 'delete',
    details: { title },
    mirror: { kind: 'delete', event: 'MovieDelete', folder: '/movies/Movie Title (2024)', scope: 'folder' },
  });
  const files = Array.from({ length: 7 }, (_, i) => ({
    path: `/mnt/unraid/media/Movies/Movie Title (2024)/${title} ${i}.mkv`,
    action: 'trashed' as const,
    to: `/mnt/unraid/media/Movies/.sync-webhook-trash/2024-05-01/Movie Title (2024)/${title} ${i}.mkv`,
  }));
  const kept = [1, 2].map((i) => ({ path: `/d/${title} kept ${i}.nfo`, action: 'kept' as const, reason: title }));
  return filesDeletedEvent(job, [...files, ...kept], 'trash', AT);
}

/** A rename of seven files named `title`, one left alone for the reason `title`. */
export function renamedEvent(title: string): NotifyEvent {
  const job = episodeJob({
    kind: 'rename',
    details: { title },
    mirror: { kind: 'rename', event: 'Rename', folder: '/tv/Series Title', renames: [] },
  });
  const files = Array.from({ length: 7 }, (_, i) => ({
    path: `/mnt/unraid/media/TV/Series Title/Season 1/${title} ${i}.mkv`,
    action: 'renamed' as const,
    to: `/mnt/unraid/media/TV/Series Title/Season 01/${title} ${i} new.mkv`,
  }));
  return filesRenamedEvent(job, [...files, { path: `/d/${title}.mkv`, action: 'kept', reason: title }], AT);
}
