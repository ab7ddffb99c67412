// The neutral parts every renderer but Telegram's lays out: exact for each kind, cut to the limits of a step,
// and as the plain text ntfy and the Apprise API send.
import { describe, expect, it } from 'vitest';
import {
  AT,
  deletedEvent,
  episodeJob,
  failureEvent,
  gaveUpEvent,
  mountEvent,
  renamedEvent,
  RETRY,
  seasonPack,
  successEvent,
  summaryEvent,
} from '../../test/support/notify-events.js';
import { syncFailedEvent, syncSucceededEvent, testEvent } from './events.js';
import { clip, fitOutline, OUTLINE_STEPS, outlineOf, plainText } from './outline.js';

describe('outlineOf', () => {
  it('a movie copied: its name, then quality, size, duration and where it went', () => {
    expect(outlineOf(successEvent())).toEqual({
      title: 'Movie Synced',
      severity: 'success',
      subject: ['Movie Title (2024)'],
      fields: [
        { label: 'Quality', value: 'Bluray-1080p' },
        { label: 'Size', value: '14.0 GB' },
        { label: 'Duration', value: '45.2s' },
        { label: 'Destination', value: '/mnt/unraid/media/Movies' },
      ],
      lists: [],
      notes: [],
    });
  });

  it('an episode names its series and episode; a dry run says so; a missing quality reads Unknown', () => {
    const event = syncSucceededEvent(episodeJob({ details: { title: 'Series' } }), { dryRun: true }, AT);
    const outline = outlineOf(event);
    expect(outline.subject).toEqual(['Series', 'Unknown']);
    expect(outline.fields[0]).toEqual({ label: 'Quality', value: 'Unknown' });
    expect(outline.notes).toEqual(['(DRY RUN - no files copied)']);
    expect(outlineOf(syncSucceededEvent(episodeJob(), { dryRun: false }, AT)).subject).toEqual([
      'Series Title',
      'S01E05: Episode Title',
    ]);
  });

  it('a manual path is named by its path', () => {
    const event = syncSucceededEvent(
      episodeJob({ source: 'manual', containerPath: '/tv/Some Show', details: { title: 'Some Show' } }),
      { dryRun: false },
      AT,
    );
    expect(outlineOf(event).subject).toEqual(['Some Show']);
    expect(outlineOf(event).fields[0]).toEqual({ label: 'Path', value: '/tv/Some Show' });
  });

  it('a failure: the error on its own, and what happens next', () => {
    expect(outlineOf(failureEvent())).toEqual({
      title: 'Sync Failed - Movie',
      severity: 'error',
      subject: ['Movie Title (2024)'],
      fields: [
        { label: 'Quality', value: 'Bluray-1080p' },
        { label: 'Destination', value: '/mnt/unraid/media/Movies' },
        { label: 'Error', value: 'rsync exit 23: some files vanished', long: true },
      ],
      lists: [],
      notes: ['Will retry (retry 1/3 in 15 min)'],
    });
    expect(outlineOf(gaveUpEvent()).notes).toEqual(['Gave up after 3 retries. Retry by hand: POST /jobs/42/retry']);
  });

  it('a summary: the day, the figures and both lists, with how many more there are', () => {
    const outline = outlineOf(
      summaryEvent({ failedTitles: ['A', 'B', 'C', 'D', 'E', 'F'], failedTotal: 9, needsAttentionTotal: 3 }),
    );
    expect(outline.subject).toEqual(['📊 2024-05-01']);
    expect(outline.severity).toBe('warning');
    expect(outline.fields.map((f) => `${f.label}: ${f.value}`)).toEqual([
      '✅ Successful: 12',
      '❌ Failed: 2',
      '🎬 Movies: 4',
      '📺 Episodes: 10',
      '💾 Data Synced: 50.0 GB',
      '⏱️ Total Duration: 25.5 minutes',
    ]);
    expect(outline.lists).toEqual([
      { label: '⚠️ Failed Syncs', items: ['A', 'B', 'C', 'D', 'E'], more: 4 },
      { label: '🔴 Needs Attention (3)', items: ['Gave Up Movie (2022)'], more: 2 },
    ]);
  });

  it('a quiet day says so, and still lists what needs attention', () => {
    const outline = outlineOf(summaryEvent({ successful: 0, failed: 0, failedTitles: [], failedTotal: 0 }));
    expect(outline.subject).toEqual(['📊 2024-05-01', 'No sync activity recorded.']);
    expect(outline.fields).toEqual([]);
    expect(outline.lists.map((l) => l.label)).toEqual(['🔴 Needs Attention (1)']);
  });

  it('the test message, and a share going down and coming back', () => {
    expect(outlineOf(testEvent(AT))).toMatchObject({
      title: 'Sync Webhook Test',
      subject: ['If you see this, notifications are working!'],
      fields: [],
    });
    expect(outlineOf(mountEvent('mount_down'))).toMatchObject({
      subject: ['/movies (source)'],
      fields: [
        { label: 'Path', value: '/mnt/synology/rs-movies' },
        { label: 'Problem', value: 'not mounted' },
      ],
    });
    expect(outlineOf(mountEvent('mount_up')).fields[1]).toEqual({ label: 'Down for', value: '21 min' });
  });

  it('lays out a season pack: series and season, the totals, the episodes as a list cut to its step', () => {
    expect(outlineOf(seasonPack('Show', 3))).toEqual({
      title: 'Episodes Synced',
      severity: 'success',
      subject: ['Show', 'Season 1: 3 episodes'],
      fields: [
        { label: 'Quality', value: 'WEBDL-1080p' },
        { label: 'Size', value: '3.0 GB' },
        { label: 'Duration', value: '36.3s' },
        { label: 'Destination', value: '/mnt/unraid/media/TV/Series Title/Season 01' },
      ],
      lists: [{ label: 'Episodes', items: ['S01E01: Show', 'S01E02: Show', 'S01E03: Show'], more: 0 }],
      notes: [],
    });
    const terse = OUTLINE_STEPS.at(-1);
    if (!terse) throw new Error('no steps');
    expect(outlineOf(seasonPack('Show', 30), terse).lists).toEqual([
      { label: 'Episodes', items: ['S01E01: Show', 'S01E02: Show', 'S01E03: Show'], more: 27 },
    ]);
    expect(plainText(outlineOf(seasonPack('Show', 2)))).toBe(
      'Show\nSeason 1: 2 episodes\n\nQuality: WEBDL-1080p\nSize: 2.0 GB\nDuration: 24.2s\n' +
        'Destination: /mnt/unraid/media/TV/Series Title/Season 01\n\nEpisodes:\n• S01E01: Show\n• S01E02: Show',
    );
  });

  it('lays out a delete: the media, the files by name, those kept and why, and what asked', () => {
    const outline = outlineOf(deletedEvent('Film'));
    expect(outline).toEqual({
      title: 'Files Removed - Movie',
      severity: 'warning',
      subject: ['Film'],
      fields: [],
      lists: [
        {
          label: 'Moved to the trash',
          items: ['Film 0.mkv', 'Film 1.mkv', 'Film 2.mkv', 'Film 3.mkv', 'Film 4.mkv', 'Film 5.mkv', 'Film 6.mkv'],
          more: 0,
        },
        { label: 'Kept', items: ['Film kept 1.nfo: Film', 'Film kept 2.nfo: Film'], more: 0 },
      ],
      notes: ['Deleted in Radarr (MovieDelete)'],
    });
    const terse = OUTLINE_STEPS.at(-1);
    if (!terse) throw new Error('no steps');
    expect(outlineOf(deletedEvent('Film'), terse).lists[0]).toMatchObject({
      items: ['Film 0.mkv', 'Film 1.mkv', 'Film 2.mkv'],
      more: 4,
    });
  });

  it('lays out a rename: each file before and after, and one left alone', () => {
    expect(plainText(outlineOf(renamedEvent('Ep')))).toBe(
      // A series-wide rename: Sonarr names no episode.
      'Ep\n\nRenamed:\n' +
        [0, 1, 2, 3, 4, 5, 6].map((i) => `• Ep ${i}.mkv → Ep ${i} new.mkv`).join('\n') +
        '\n\nLeft alone:\n• Ep.mkv: Ep',
    );
  });

  it('cuts each value to the limits of its step', () => {
    const long = 'x'.repeat(5000);
    const event = syncFailedEvent(episodeJob({ error: long, details: { title: long } }), RETRY, AT);
    const terse = OUTLINE_STEPS.at(-1);
    if (!terse) throw new Error('no steps');
    const outline = outlineOf(event, terse);
    expect(outline.subject[0]).toBe(`${'x'.repeat(terse.value - 1)}…`);
    expect(outline.fields.find((f) => f.label === 'Error')?.value).toHaveLength(terse.long);
    expect(outlineOf(event).fields.find((f) => f.label === 'Error')?.value).toHaveLength(2000);
  });
});

describe('fitOutline', () => {
  it('takes the first step that fits, and the tersest when none does', () => {
    const event = failureEvent({}, 'e'.repeat(5000));
    const lengths: number[] = [];
    const outline = fitOutline(event, (o) => {
      lengths.push(o.fields.at(-1)?.value.length ?? 0);
      return plainText(o).length < 1200;
    });
    expect(lengths).toEqual([2000, 900]);
    expect(plainText(outline).length).toBeLessThan(1200);
    expect(fitOutline(event, () => false).fields.at(-1)?.value).toHaveLength(OUTLINE_STEPS.at(-1)?.long ?? 0);
  });
});

describe('clip', () => {
  it('keeps a short text, cuts a long one with "…", never inside a surrogate pair', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcd', 3)).toBe('ab…');
    expect(clip('a😀b', 3)).toBe('a…');
    expect(clip('abc', 0)).toBe('');
  });
});

describe('plainText', () => {
  it('lays the parts out as lines, the long field and each list on their own', () => {
    expect(plainText(outlineOf(failureEvent()))).toBe(
      'Movie Title (2024)\n\nQuality: Bluray-1080p\nDestination: /mnt/unraid/media/Movies\n\n' +
        'Error: rsync exit 23: some files vanished\n\nWill retry (retry 1/3 in 15 min)',
    );
    expect(plainText(outlineOf(summaryEvent({ failedTotal: 3 })))).toContain(
      '⚠️ Failed Syncs:\n• Broken Movie (2023)\n• Series - S02E03\n  ...and 1 more\n\n🔴 Needs Attention (1):\n',
    );
  });
});
