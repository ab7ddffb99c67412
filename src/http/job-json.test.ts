import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types.js';
import { jobJson } from './job-json.js';

const job: Job = {
  id: 7,
  status: 'in_progress',
  source: 'radarr',
  mediaType: 'movie',
  title: 'Movie (2024)',
  containerPath: '/movies/Movie (2024)',
  sourcePath: '/src/movies/Movie (2024)',
  destPath: '/dst/Movies',
  mapping: '/movies',
  details: { title: 'Movie', year: 2024 },
  isUpgrade: false,
  waitForStableSize: false,
  retryCount: 1,
  gaveUp: false,
  error: null,
  errorReason: null,
  bytesTransferred: null,
  createdAt: '2026-03-10T10:00:00.000Z',
  startedAt: '2026-03-10T10:00:01.000Z',
  finishedAt: null,
  durationSeconds: null,
  nextAttemptAt: null,
  kind: 'copy',
  mirror: null,
  mirroredFiles: null,
};

describe('jobJson', () => {
  it('writes the API fields in their documented names and order', () => {
    expect(Object.keys(jobJson(job))).toEqual([
      'id',
      'status',
      'source',
      'media_type',
      'title',
      'container_path',
      'source_path',
      'dest_path',
      'mapping',
      'details',
      'is_upgrade',
      'wait_for_stable_size',
      'retry_count',
      'gave_up',
      'error',
      'bytes_transferred',
      'created_at',
      'started_at',
      'finished_at',
      'duration_seconds',
      'next_attempt_at',
      'kind',
      'error_reason',
    ]);
    expect(jobJson(job)).toMatchObject({
      retry_count: 1,
      source_path: '/src/movies/Movie (2024)',
      details: job.details,
    });
  });

  it.each([
    [
      'an upgrade',
      {
        kind: 'upgrade',
        event: 'Download',
        folder: '/movies/M',
        newFile: '/movies/M/new.mkv',
        replaced: ['/movies/M/old.mkv'],
      },
      { replaced_files: ['/movies/M/old.mkv'] },
    ],
    [
      'a rename',
      { kind: 'rename', event: 'Rename', folder: '/movies/M', renames: [{ from: null, to: '/movies/M/b.mkv' }] },
      { renamed_files: [{ from: null, to: '/movies/M/b.mkv' }] },
    ],
    [
      'a delete of named files',
      { kind: 'delete', event: 'MovieFileDelete', folder: '/movies/M', scope: 'files', files: ['/movies/M/a.mkv'] },
      { delete_scope: 'files', deleted_files: ['/movies/M/a.mkv'] },
    ],
    [
      'a delete of a whole movie',
      { kind: 'delete', event: 'MovieDelete', folder: '/movies/M', scope: 'folder' },
      { delete_scope: 'folder', deleted_files: [] },
    ],
  ] as const)('shows what %s asked, and the files once it ran', (_label, mirror, asked) => {
    const queued = jobJson({ ...job, kind: mirror.kind, mirror: structuredClone(mirror) as Job['mirror'] });
    expect(queued).toMatchObject({ kind: mirror.kind, event: mirror.event, ...asked, files: null });
    const ran = jobJson({
      ...job,
      kind: mirror.kind,
      mirror: structuredClone(mirror) as Job['mirror'],
      mirroredFiles: [
        { path: '/dst/M/a.mkv', action: 'trashed', to: '/dst/.sync-webhook-trash/2026-01-02/M/a.mkv' },
        { path: '/dst/M/b.mkv', action: 'kept', reason: 'still at the source' },
      ],
    });
    expect(ran.files).toEqual([
      { path: '/dst/M/a.mkv', action: 'trashed', to: '/dst/.sync-webhook-trash/2026-01-02/M/a.mkv', reason: null },
      { path: '/dst/M/b.mkv', action: 'kept', to: null, reason: 'still at the source' },
    ]);
  });

  it('appends progress last when given, null before rsync prints a line', () => {
    expect(jobJson(job, { progress: null }).progress).toBeNull();
    const progress = { bytes: 5, percent: 1, rate: '1.00MB/s', eta: '0:00:09', updatedAt: job.startedAt ?? '' };
    const json = jobJson(job, { progress, attemptCount: 2 });
    expect(Object.keys(json).slice(-3)).toEqual(['error_reason', 'attempt_count', 'progress']);
    expect(json.attempt_count).toBe(2);
    expect(json.progress).toEqual({
      bytes: 5,
      percent: 1,
      rate: '1.00MB/s',
      eta: '0:00:09',
      updated_at: job.startedAt,
    });
  });
});
