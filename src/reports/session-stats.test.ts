import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types.js';
import { SessionStats } from './session-stats.js';

const startedAt = new Date('2026-03-10T10:00:00.000Z');

/** A job as the store hands it back after an attempt was recorded. */
function job(over: Partial<Job>): Job {
  return {
    id: 1,
    status: 'success',
    source: 'radarr',
    mediaType: 'movie',
    title: 'Movie (2024)',
    containerPath: '/movies/Movie (2024)',
    sourcePath: '/mnt/src/movies/Movie (2024)',
    destPath: '/mnt/dst/Movies',
    mapping: '/movies',
    details: { title: 'Movie', year: 2024 },
    isUpgrade: false,
    waitForStableSize: false,
    kind: 'copy',
    mirror: null,
    mirroredFiles: null,
    retryCount: 0,
    gaveUp: false,
    error: null,
    errorReason: null,
    bytesTransferred: 1000,
    createdAt: '2026-03-10T10:00:00.000Z',
    startedAt: '2026-03-10T10:00:01.000Z',
    finishedAt: '2026-03-10T10:00:02.000Z',
    durationSeconds: 1,
    nextAttemptAt: null,
    ...over,
  };
}

const counters = (stats: SessionStats) => ({
  moviesSynced: stats.moviesSynced,
  episodesSynced: stats.episodesSynced,
  failures: stats.failures,
  bytesTransferred: stats.bytesTransferred,
});

describe('SessionStats', () => {
  it('starts at zero, at the time it was given', () => {
    const stats = new SessionStats(startedAt);
    expect(counters(stats)).toEqual({ moviesSynced: 0, episodesSynced: 0, failures: 0, bytesTransferred: 0 });
    expect(stats.startedAt).toBe(startedAt);
  });

  it.each([
    {
      what: 'a copied movie counts as a movie and adds its bytes',
      jobs: [job({ bytesTransferred: 2_200_009 })],
      expected: { moviesSynced: 1, episodesSynced: 0, failures: 0, bytesTransferred: 2_200_009 },
    },
    {
      what: 'a copied episode counts as an episode',
      jobs: [job({ mediaType: 'episode', bytesTransferred: 5 })],
      expected: { moviesSynced: 0, episodesSynced: 1, failures: 0, bytesTransferred: 5 },
    },
    {
      what: 'a success without a byte count (a dry run) adds nothing to the bytes',
      jobs: [job({ bytesTransferred: null }), job({ bytesTransferred: 0, mediaType: 'episode' })],
      expected: { moviesSynced: 1, episodesSynced: 1, failures: 0, bytesTransferred: 0 },
    },
    {
      what: 'a failed attempt counts as a failure only, whatever bytes it moved',
      jobs: [job({ status: 'failed', bytesTransferred: 700, error: 'rsync exit 23' })],
      expected: { moviesSynced: 0, episodesSynced: 0, failures: 1, bytesTransferred: 0 },
    },
    {
      what: 'each failed attempt of a retried job counts, and its later success too',
      jobs: [job({ status: 'failed' }), job({ status: 'failed', retryCount: 1 }), job({ retryCount: 2 })],
      expected: { moviesSynced: 1, episodesSynced: 0, failures: 2, bytesTransferred: 1000 },
    },
    {
      what: 'a queued or running job is no outcome and counts nowhere',
      jobs: [job({ status: 'queued' }), job({ status: 'in_progress', mediaType: 'episode' })],
      expected: { moviesSynced: 0, episodesSynced: 0, failures: 0, bytesTransferred: 0 },
    },
  ])('$what', ({ jobs, expected }) => {
    const stats = new SessionStats(startedAt);
    for (const finished of jobs) stats.record(finished);
    expect(counters(stats)).toEqual(expected);
  });
});
