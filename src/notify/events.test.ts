import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types.js';
import { isOutboxPayload } from '../core/notify-event.js';
import { episodeNumbers, filesDeletedEvent, filesRenamedEvent, syncFailedEvent, syncSucceededEvent } from './events.js';
import { telegramMessage } from './telegram-text.js';

const AT = new Date('2026-03-10T10:00:00.000Z');
const episode: Job = {
  id: 7,
  status: 'success',
  source: 'sonarr',
  mediaType: 'episode',
  title: 'Show - S02E03-S02E04: A / B',
  containerPath: '/tv/Show/Season 02/Show - S02E03-E04.mkv',
  sourcePath: '/mnt/src/tv/Show/Season 02/Show - S02E03-E04.mkv',
  destPath: '/mnt/dst/TV/Show/Season 02',
  mapping: '/tv',
  details: { title: 'Show', episodeCode: 'S02E03-S02E04', episodeTitle: 'A / B', quality: 'WEBDL-1080p', sizeBytes: 9 },
  isUpgrade: false,
  waitForStableSize: false,
  retryCount: 0,
  gaveUp: false,
  error: null,
  errorReason: null,
  bytesTransferred: 9,
  createdAt: AT.toISOString(),
  startedAt: AT.toISOString(),
  finishedAt: AT.toISOString(),
  durationSeconds: 1.5,
  nextAttemptAt: null,
  kind: 'copy',
  mirror: null,
  mirroredFiles: null,
};

describe('episodeNumbers', () => {
  it.each([
    ['S01E05', { season: 1, episodes: [5] }],
    ['S02E03-S02E05', { season: 2, episodes: [3, 4, 5] }],
    ['s10e01', { season: 10, episodes: [1] }],
    ['S01E09-S02E01', undefined],
    ['S01E05-S01E04', undefined],
    ['Unknown', undefined],
  ])('%s → %j', (code, expected) => {
    expect(episodeNumbers(code)).toEqual(expected);
  });
});

describe('the events', () => {
  it('carry what a season pack needs: series, season and episode numbers, per success', () => {
    const event = syncSucceededEvent(episode, { dryRun: false }, AT);
    expect(event).toEqual({
      kind: 'success',
      title: 'Episode Synced',
      severity: 'success',
      at: AT.toISOString(),
      jobId: 7,
      media: {
        type: 'episode',
        source: 'sonarr',
        title: 'Show',
        episodeCode: 'S02E03-S02E04',
        episodeTitle: 'A / B',
        season: 2,
        episodes: [3, 4],
        path: '/tv/Show/Season 02/Show - S02E03-E04.mkv',
      },
      quality: 'WEBDL-1080p',
      sizeBytes: 9,
      durationSeconds: 1.5,
      destination: '/mnt/dst/TV/Show/Season 02',
      dryRun: false,
    });
  });

  it('survive JSON unchanged, so the outbox hands back what was written', () => {
    const event = syncFailedEvent(
      { ...episode, error: ' rsync <x> ' },
      { kind: 'gave_up', maxRetries: 3, reason: 'exhausted' },
      AT,
    );
    expect(event).toMatchObject({ kind: 'gave_up', severity: 'error', error: 'rsync <x>' });
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
    expect(telegramMessage(JSON.parse(JSON.stringify(event)))).toEqual(telegramMessage(event));
  });
});

describe('the events of renames and deletes', () => {
  const upgrade: Job = {
    ...episode,
    kind: 'upgrade',
    mirror: { kind: 'upgrade', event: 'Download', folder: '/tv/Show', newFile: episode.containerPath, replaced: [] },
  };

  it('say what was removed, how, and what stayed with why; kept files make them a warning', () => {
    const event = filesDeletedEvent(
      upgrade,
      [
        { path: '/d/a.mkv', action: 'trashed', to: '/d/.sync-webhook-trash/2026-03-10/a.mkv' },
        { path: '/d/b.mkv', action: 'deleted' },
        { path: '/d/c.mkv', action: 'kept', reason: 'still at the source' },
        { path: '/d/e.mkv', action: 'absent' },
      ],
      'trash',
      AT,
    );
    expect(event).toEqual({
      kind: 'deleted',
      title: 'Replaced Files Removed - Episode',
      severity: 'warning',
      at: AT.toISOString(),
      jobId: 7,
      media: expect.objectContaining({ title: 'Show', season: 2, episodes: [3, 4] }),
      cause: 'upgrade',
      event: 'Download',
      mode: 'trash',
      files: ['/d/a.mkv', '/d/b.mkv'],
      kept: [
        { path: '/d/c.mkv', reason: 'still at the source' },
        { path: '/d/e.mkv', reason: 'not at the destination' },
      ],
    });
    expect(filesDeletedEvent(upgrade, [{ path: '/d/a.mkv', action: 'deleted' }], 'delete', AT).severity).toBe('info');
  });

  it('a rename lists each file before and after', () => {
    const rename: Job = { ...episode, kind: 'rename', details: { title: 'Show' } };
    const event = filesRenamedEvent(rename, [{ path: '/d/a.mkv', action: 'renamed', to: '/d/b.mkv' }], AT);
    expect(event).toMatchObject({ kind: 'renamed', title: 'Files Renamed - Series', severity: 'info' });
    expect(event.renamed).toEqual([{ from: '/d/a.mkv', to: '/d/b.mkv' }]);
    expect(event.kept).toEqual([]);
  });

  it('are outbox payloads that survive JSON unchanged', () => {
    for (const event of [
      filesDeletedEvent(upgrade, [{ path: '/d/a.mkv', action: 'deleted' }], 'delete', AT),
      filesRenamedEvent(upgrade, [], AT),
    ]) {
      const stored = JSON.parse(JSON.stringify({ type: 'notify', event }));
      expect(isOutboxPayload(stored)).toBe(true);
      expect(stored.event).toEqual(event);
    }
  });
});

describe('telegramMessage for a share going down and coming back', () => {
  it('names the mapping, the side and the path, escaped', () => {
    const base = { at: AT.toISOString(), mapping: '/tv', role: 'source' as const, path: '/mnt/a&b' };
    expect(
      telegramMessage({ ...base, kind: 'mount_down', title: 'Share Down', severity: 'error', problem: '<gone>' }),
    ).toEqual({ title: 'Share Down', body: '<b>/tv</b> (source)\nPath: /mnt/a&amp;b\n\nProblem: &lt;gone&gt;' });
    expect(
      telegramMessage({ ...base, kind: 'mount_up', title: 'Share Back', severity: 'success', downSeconds: 5400 }),
    ).toEqual({ title: 'Share Back', body: '<b>/tv</b> (source)\nPath: /mnt/a&amp;b\n\nDown for 90 min' });
  });
});
