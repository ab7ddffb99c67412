import { describe, expect, it } from 'vitest';
import type { RetryPlan, SummaryFigures } from '../core/notify-event.js';
import type { Job, MirroredFile } from '../core/types.js';
import {
  dailySummaryEvent,
  filesDeletedEvent,
  filesRenamedEvent,
  seasonKeyOf,
  seasonPackEvent,
  syncFailedEvent,
  syncSucceededEvent,
  testEvent,
} from './events.js';
import { formatDelay, TELEGRAM_TEXT_LIMIT, telegramMessage, toTelegramText } from './telegram-text.js';

// Today's texts, exactly: each event goes through the builder the runner uses, then Telegram's renderer.
const AT = new Date('2024-05-01T10:00:46.200Z');
type DailySummary = SummaryFigures;
const renderSyncSuccess = (j: Job, opts: { dryRun: boolean }) => telegramMessage(syncSucceededEvent(j, opts, AT));
const renderSyncFailed = (j: Job, next: RetryPlan) => telegramMessage(syncFailedEvent(j, next, AT));
const renderDailySummary = (s: DailySummary) => telegramMessage(dailySummaryEvent(s, AT));
const renderTestMessage = () => telegramMessage(testEvent(AT));

function job(overrides: Partial<Job> = {}): Job {
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
    details: { title: 'Movie Title', year: 2024, quality: 'Bluray-1080p', sizeBytes: 15032385536 },
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

function episode(overrides: Partial<Job> = {}): Job {
  return job({
    source: 'sonarr',
    mediaType: 'episode',
    title: 'Series Title - S01E05: Episode Title',
    containerPath: '/tv/Series Title/Season 01/Series Title - S01E05.mkv',
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

const NASTY = 'Tom & Jerry <script>alert(1)</script> _under_ *star* [x](y) ~t~ `c` \\';
const NASTY_HTML = 'Tom &amp; Jerry &lt;script&gt;alert(1)&lt;/script&gt; _under_ *star* [x](y) ~t~ `c` \\';

describe('renderSyncSuccess', () => {
  it('renders the README movie example', () => {
    expect(renderSyncSuccess(job(), { dryRun: false })).toEqual({
      title: 'Movie Synced',
      body: '<b>Movie Title</b> (2024)\nQuality: Bluray-1080p\nSize: 14.0 GB\nDuration: 45.2s',
    });
  });

  it('renders the README episode example', () => {
    expect(renderSyncSuccess(episode(), { dryRun: false })).toEqual({
      title: 'Episode Synced',
      body: '<b>Series Title</b>\nS01E05: Episode Title\nQuality: WEBDL-1080p\nSize: 3.7 GB\nDuration: 12.1s',
    });
  });

  it('leaves out the year when there is none', () => {
    const m = renderSyncSuccess(job({ details: { title: 'Movie Title', quality: 'HDTV-720p', sizeBytes: 1024 } }), {
      dryRun: false,
    });
    expect(m.body).toBe('<b>Movie Title</b>\nQuality: HDTV-720p\nSize: 1.0 KB\nDuration: 45.2s');
  });

  it('shows just the code when the episode has no title', () => {
    const m = renderSyncSuccess(
      episode({
        details: { title: 'Series Title', episodeCode: 'S01E01-S01E02', quality: 'WEBDL-1080p', sizeBytes: 0 },
      }),
      { dryRun: false },
    );
    expect(m.body).toBe('<b>Series Title</b>\nS01E01-S01E02\nQuality: WEBDL-1080p\nSize: 0.0 B\nDuration: 12.1s');
  });

  it('says Unknown for a missing quality and episode code', () => {
    const m = renderSyncSuccess(episode({ details: { title: 'Series Title' }, durationSeconds: null }), {
      dryRun: false,
    });
    expect(m.body).toBe('<b>Series Title</b>\nUnknown\nQuality: Unknown\nSize: 0.0 B\nDuration: 0.0s');
  });

  it('falls back to the bytes rsync transferred when the sender gave no size', () => {
    const m = renderSyncSuccess(job({ details: { title: 'Movie Title', year: 2024 }, bytesTransferred: 1536 }), {
      dryRun: false,
    });
    expect(m.body).toBe('<b>Movie Title</b> (2024)\nQuality: Unknown\nSize: 1.5 KB\nDuration: 45.2s');
  });

  it('marks a dry run', () => {
    expect(renderSyncSuccess(job(), { dryRun: true }).body).toBe(
      '<b>Movie Title</b> (2024)\nQuality: Bluray-1080p\nSize: 14.0 GB\nDuration: 45.2s\n' +
        '<i>(DRY RUN - no files copied)</i>',
    );
  });

  it('names the path of a manual job instead of year or episode', () => {
    const m = renderSyncSuccess(
      job({
        source: 'manual',
        containerPath: '/movies/Some & <Odd> Folder',
        details: { title: 'Some & <Odd> Folder' },
        bytesTransferred: 2048,
        durationSeconds: 3,
      }),
      { dryRun: false },
    );
    expect(m).toEqual({
      title: 'Movie Synced',
      body:
        '<b>Some &amp; &lt;Odd&gt; Folder</b>\nPath: /movies/Some &amp; &lt;Odd&gt; Folder\n' +
        'Quality: Unknown\nSize: 2.0 KB\nDuration: 3.0s',
    });
  });

  it('escapes every dynamic value and leaves Markdown characters alone', () => {
    const m = renderSyncSuccess(
      episode({ details: { title: NASTY, episodeCode: 'S01E05', episodeTitle: NASTY, quality: '<q&>' } }),
      { dryRun: false },
    );
    expect(m.body).toBe(
      `<b>${NASTY_HTML}</b>\nS01E05: ${NASTY_HTML}\nQuality: &lt;q&amp;&gt;\nSize: 0.0 B\nDuration: 12.1s`,
    );
  });

  it('cuts huge titles so the text stays within Telegram’s limit', () => {
    const huge = '<&>'.repeat(5000);
    const m = renderSyncSuccess(
      episode({
        source: 'manual',
        containerPath: `/tv/${huge}`,
        details: { title: huge, episodeTitle: huge, quality: huge },
      }),
      { dryRun: true },
    );
    const text = toTelegramText(m);
    expect(text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(m.body).toMatch(
      /^<b>(&lt;|&amp;|&gt;)+…<\/b>\nPath: \/tv\/(&lt;|&amp;|&gt;)+…\nQuality: (&lt;|&amp;|&gt;)+…\n/,
    );
    expect(m.body.endsWith('\n<i>(DRY RUN - no files copied)</i>')).toBe(true);
  });
});

describe('renderSyncFailed', () => {
  const failedMovie = job({ status: 'failed', error: 'rsync error: some files could not be transferred (code 23)' });

  it('announces the next automatic retry', () => {
    expect(renderSyncFailed(failedMovie, { kind: 'retry', attempt: 1, maxRetries: 3, inSeconds: 900 })).toEqual({
      title: 'Sync Failed - Movie',
      body:
        '<b>Movie Title</b> (2024)\n\nError: rsync error: some files could not be transferred (code 23)\n\n' +
        'Will retry (retry 1/3 in 15 min)',
    });
  });

  it('renders an episode heading the same way as success', () => {
    const m = renderSyncFailed(episode({ status: 'failed', error: 'boom' }), {
      kind: 'retry',
      attempt: 2,
      maxRetries: 3,
      inSeconds: 30,
    });
    expect(m).toEqual({
      title: 'Sync Failed - Episode',
      body: '<b>Series Title</b>\nS01E05: Episode Title\n\nError: boom\n\nWill retry (retry 2/3 in 30 s)',
    });
  });

  it('says it gave up after the retries ran out', () => {
    const m = renderSyncFailed(failedMovie, { kind: 'gave_up', maxRetries: 3, reason: 'exhausted' });
    expect(m.body).toBe(
      '<b>Movie Title</b> (2024)\n\nError: rsync error: some files could not be transferred (code 23)\n\n' +
        'Gave up after 3 retries. Retry by hand: POST /jobs/42/retry',
    );
  });

  it('says a permanent error is not retried', () => {
    const m = renderSyncFailed(job({ error: 'rsync exit 1: syntax or usage error' }), {
      kind: 'gave_up',
      maxRetries: 3,
      reason: 'permanent',
    });
    expect(m.body).toBe(
      '<b>Movie Title</b> (2024)\n\nError: rsync exit 1: syntax or usage error\n\n' +
        'Not retried: this error cannot heal by retrying. Retry by hand after fixing it: POST /jobs/42/retry',
    );
  });

  it('uses the singular for a single retry', () => {
    const m = renderSyncFailed(failedMovie, { kind: 'gave_up', maxRetries: 1, reason: 'exhausted' });
    expect(m.body.endsWith('Gave up after 1 retry. Retry by hand: POST /jobs/42/retry')).toBe(true);
  });

  it('names the path of a failed manual job', () => {
    const m = renderSyncFailed(
      job({
        source: 'manual',
        mediaType: 'episode',
        containerPath: '/tv/Show',
        details: { title: 'Show' },
        error: 'x',
      }),
      { kind: 'retry', attempt: 1, maxRetries: 3, inSeconds: 60 },
    );
    expect(m).toEqual({
      title: 'Sync Failed - Episode',
      body: '<b>Show</b>\nPath: /tv/Show\n\nError: x\n\nWill retry (retry 1/3 in 1 min)',
    });
  });

  it('escapes the error and says "unknown error" when there is none', () => {
    expect(
      renderSyncFailed(job({ error: 'a <b> & c' }), { kind: 'retry', attempt: 1, maxRetries: 3, inSeconds: 1 }).body,
    ).toContain('\n\nError: a &lt;b&gt; &amp; c\n\n');
    expect(
      renderSyncFailed(job({ error: null }), { kind: 'retry', attempt: 1, maxRetries: 3, inSeconds: 1 }).body,
    ).toContain('\n\nError: unknown error\n\n');
  });

  it('cuts only the error of a 10,000-character failure, keeping the markup whole', () => {
    const error = '<&>'.repeat(3334).slice(0, 10_000);
    const m = renderSyncFailed(
      episode({ details: { title: '<&>'.repeat(400), episodeCode: 'S01E05', episodeTitle: 'Ep & <1>' }, error }),
      { kind: 'gave_up', maxRetries: 3, reason: 'exhausted' },
    );
    const text = toTelegramText(m);
    expect(text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(text.length).toBeGreaterThan(TELEGRAM_TEXT_LIMIT - 5); // the error used the room it had
    expect(text.startsWith('<b>Sync Failed - Episode</b>\n<b>')).toBe(true);
    expect(m.body).toContain('</b>\nS01E05: Ep &amp; &lt;1&gt;\n\nError: &lt;&amp;&gt;');
    expect(m.body.endsWith('…\n\nGave up after 3 retries. Retry by hand: POST /jobs/42/retry')).toBe(true);
    // Every & starts a whole entity: nothing was split.
    const errorPart = m.body.slice(m.body.indexOf('Error: ') + 7, m.body.lastIndexOf('…'));
    expect(errorPart).toMatch(/^(&lt;|&amp;|&gt;)+$/);
  });
});

describe('a season pack', () => {
  const success = (code: string, over: { title?: string; quality?: string; size?: number; seconds?: number } = {}) =>
    syncSucceededEvent(
      episode({
        details: {
          title: over.title ?? 'Series Title',
          episodeCode: code,
          episodeTitle: `Title of ${code}`,
          quality: over.quality ?? 'WEBDL-1080p',
          sizeBytes: over.size ?? 1024 ** 3,
        },
        durationSeconds: over.seconds ?? 10,
      }),
      { dryRun: false },
      AT,
    );
  const pack = (events: ReturnType<typeof success>[]) => {
    const key = seasonKeyOf({ type: 'notify', event: events[0]! });
    if (!key) throw new Error('not an episode success');
    return telegramMessage(seasonPackEvent(key, events));
  };

  it('lists the episodes by number under the series, with the totals of the success message', () => {
    const m = pack([success('S01E03-S01E04', { seconds: 20.4 }), success('S01E01'), success('S01E02')]);
    expect(toTelegramText(m)).toBe(
      '<b>Episodes Synced</b>\n<b>Series Title</b>\nSeason 1: 4 episodes\n' +
        'S01E01: Title of S01E01\nS01E02: Title of S01E02\nS01E03-S01E04: Title of S01E03-S01E04\n' +
        'Quality: WEBDL-1080p\nSize: 3.0 GB\nDuration: 40.4s',
    );
  });

  it('names each quality once, marks a dry run, and escapes every value', () => {
    const events = [
      success('S02E01', { title: NASTY, quality: '<q&>' }),
      success('S02E02', { title: NASTY, quality: 'HDTV-720p' }),
    ].map((e) => ({ ...e, media: { ...e.media, episodeTitle: NASTY }, dryRun: true }));
    expect(pack(events)).toEqual({
      title: 'Episodes Synced',
      body:
        `<b>${NASTY_HTML}</b>\nSeason 2: 2 episodes\nS02E01: ${NASTY_HTML}\nS02E02: ${NASTY_HTML}\n` +
        'Quality: &lt;q&amp;&gt;, HDTV-720p\nSize: 2.0 GB\nDuration: 20.0s\n<i>(DRY RUN - no files copied)</i>',
    });
  });

  it('lists what fits in Telegram’s limit and counts the rest', () => {
    const long = 'x'.repeat(400);
    const events = Array.from({ length: 30 }, (_, i) => success(`S01E${String(i + 1).padStart(2, '0')}`));
    const m = pack(events.map((e) => ({ ...e, media: { ...e.media, episodeTitle: long } })));
    const text = toTelegramText(m);
    expect(text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    const listed = text.split('\n').filter((line) => /^S01E\d\d: /.test(line));
    expect(listed.length).toBeGreaterThan(10);
    expect(listed.length).toBeLessThan(30);
    expect(text).toContain(`\n<i>...and ${30 - listed.length} more</i>\nQuality: WEBDL-1080p\nSize: 30.0 GB\n`);
    expect(text.startsWith('<b>Episodes Synced</b>\n<b>Series Title</b>\nSeason 1: 30 episodes\nS01E01: x')).toBe(true);
  });
});

describe('formatDelay', () => {
  it.each([
    [0, '0 s'],
    [-5, '0 s'],
    [30, '30 s'],
    [59.4, '59 s'],
    [59.6, '1 min'],
    [89, '1 min'],
    [90, '2 min'],
    [900, '15 min'],
    [119 * 60, '119 min'],
    [120 * 60, '2 h'],
    [150 * 60, '3 h'],
    [24 * 3600, '24 h'],
  ])('%s s → %s', (s, expected) => {
    expect(formatDelay(s)).toBe(expected);
  });
});

describe('renderDailySummary', () => {
  const base: DailySummary = {
    day: '2024-05-01',
    successful: 12,
    failed: 2,
    movies: 5,
    episodes: 7,
    bytes: 150000000000,
    durationSeconds: 1234,
    failedTitles: ['Broken Movie (2020)', 'Show - S01E02: Two'],
    failedTotal: 2,
    needsAttention: ['Broken Movie (2020)'],
    needsAttentionTotal: 1,
  };

  it('says when nothing happened', () => {
    expect(
      renderDailySummary({
        ...base,
        successful: 0,
        failed: 0,
        failedTitles: [],
        failedTotal: 0,
        needsAttention: [],
        needsAttentionTotal: 0,
      }),
    ).toEqual({
      title: 'Daily Sync Summary',
      body: '📊 <b>Daily Summary - 2024-05-01</b>\n\nNo sync activity recorded.',
    });
  });

  it('keeps listing jobs that need attention on a quiet day', () => {
    expect(renderDailySummary({ ...base, successful: 0, failed: 0, failedTitles: [], failedTotal: 0 }).body).toBe(
      '📊 <b>Daily Summary - 2024-05-01</b>\n\nNo sync activity recorded.\n\n' +
        '🔴 <b>Needs Attention (1):</b>\n• Broken Movie (2020)',
    );
  });

  it('renders counts, failed titles and items needing attention', () => {
    expect(renderDailySummary(base)).toEqual({
      title: 'Daily Sync Summary',
      body:
        '📊 <b>Daily Sync Summary - 2024-05-01</b>\n\n' +
        '✅ Successful: 12\n❌ Failed: 2\n\n' +
        '🎬 Movies: 5\n📺 Episodes: 7\n\n' +
        '💾 Data Synced: 139.7 GB\n' +
        '⏱️ Total Duration: 20.6 minutes\n\n' +
        '⚠️ <b>Failed Syncs:</b>\n• Broken Movie (2020)\n• Show - S01E02: Two\n\n' +
        '🔴 <b>Needs Attention (1):</b>\n• Broken Movie (2020)',
    });
  });

  it('leaves out empty sections', () => {
    const m = renderDailySummary({
      ...base,
      failed: 0,
      failedTitles: [],
      failedTotal: 0,
      needsAttention: [],
      needsAttentionTotal: 0,
    });
    expect(m.body).toBe(
      '📊 <b>Daily Sync Summary - 2024-05-01</b>\n\n✅ Successful: 12\n❌ Failed: 0\n\n' +
        '🎬 Movies: 5\n📺 Episodes: 7\n\n' +
        '💾 Data Synced: 139.7 GB\n⏱️ Total Duration: 20.6 minutes',
    );
  });

  it('lists at most five titles per section and counts the rest', () => {
    const titles = Array.from({ length: 12 }, (_, i) => `Title ${i + 1}`);
    const m = renderDailySummary({
      ...base,
      failed: 20,
      failedTitles: titles,
      failedTotal: 20,
      needsAttention: titles.slice(0, 7),
      needsAttentionTotal: 9,
    });
    expect(m.body).toContain(
      '\n\n⚠️ <b>Failed Syncs:</b>\n• Title 1\n• Title 2\n• Title 3\n• Title 4\n• Title 5\n' +
        '  <i>...and 15 more</i>' +
        '\n\n🔴 <b>Needs Attention (9):</b>\n• Title 1\n• Title 2\n• Title 3\n• Title 4\n• Title 5\n' +
        '  <i>...and 4 more</i>',
    );
    expect(m.body.endsWith('<i>...and 4 more</i>')).toBe(true);
  });

  it('escapes titles and the day', () => {
    const m = renderDailySummary({
      ...base,
      day: '<d&y>',
      failedTitles: [NASTY],
      failedTotal: 1,
      needsAttention: [NASTY],
    });
    expect(m.body.startsWith('📊 <b>Daily Sync Summary - &lt;d&amp;y&gt;</b>\n')).toBe(true);
    expect(m.body).toContain(`⚠️ <b>Failed Syncs:</b>\n• ${NASTY_HTML}\n\n`);
    expect(m.body.endsWith(`🔴 <b>Needs Attention (1):</b>\n• ${NASTY_HTML}`)).toBe(true);
  });

  it('never exceeds Telegram’s limit, however long the titles', () => {
    const huge = Array.from({ length: 10 }, () => '<&>'.repeat(3000));
    const m = renderDailySummary({
      ...base,
      day: '&'.repeat(500),
      successful: Number.MAX_SAFE_INTEGER,
      failed: Number.MAX_SAFE_INTEGER,
      movies: Number.MAX_SAFE_INTEGER,
      episodes: Number.MAX_SAFE_INTEGER,
      bytes: Number.MAX_VALUE,
      durationSeconds: Number.MAX_VALUE,
      failedTitles: huge,
      failedTotal: Number.MAX_SAFE_INTEGER,
      needsAttention: huge,
      needsAttentionTotal: Number.MAX_SAFE_INTEGER,
    });
    expect(toTelegramText(m).length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    for (const line of m.body.split('\n').filter((l) => l.startsWith('• '))) {
      expect(line).toMatch(/^• (&lt;|&amp;|&gt;)+…$/);
      expect(line.length).toBeLessThanOrEqual(2 + 256);
    }
  });
});

describe('renderTestMessage and toTelegramText', () => {
  it('renders the test message', () => {
    expect(renderTestMessage()).toEqual({
      title: 'Sync Webhook Test',
      body: 'If you see this, notifications are working!',
    });
  });

  it('puts the title in bold on its own line', () => {
    expect(toTelegramText(renderTestMessage())).toBe(
      '<b>Sync Webhook Test</b>\nIf you see this, notifications are working!',
    );
  });
});

describe('renames and deletes at the destination', () => {
  const DST = '/mnt/unraid/media/Movies/Movie Title (2024)';
  const movieDelete = (over: Partial<Job> = {}) =>
    job({
      kind: 'delete',
      mirror: {
        kind: 'delete',
        event: 'MovieFileDelete',
        folder: '/movies/Movie Title (2024)',
        scope: 'files',
        files: ['/movies/Movie Title (2024)/Movie <1>.mkv'],
      },
      ...over,
    });
  const deleted = (j: Job, files: MirroredFile[], mode: 'trash' | 'delete') =>
    telegramMessage(filesDeletedEvent(j, files, mode, AT));
  const renamed = (j: Job, files: MirroredFile[]) => telegramMessage(filesRenamedEvent(j, files, AT));

  it('a delete that moved files into the trash, and one it kept', () => {
    const files: MirroredFile[] = [
      { path: `${DST}/Movie <1>.mkv`, action: 'trashed', to: '/t/Movie <1>.mkv' },
      { path: `${DST}/Movie <1>.en.srt`, action: 'trashed', to: '/t/Movie <1>.en.srt' },
      { path: `${DST}/Movie & 2.mkv`, action: 'kept', reason: 'still at the source' },
    ];
    expect(toTelegramText(deleted(movieDelete(), files, 'trash'))).toBe(
      '<b>Files Removed - Movie</b>\n<b>Movie Title</b> (2024)\nDeleted in Radarr (MovieFileDelete)\n\n' +
        'Moved to the trash: 2 files\n• Movie &lt;1&gt;.mkv\n• Movie &lt;1&gt;.en.srt\n\n' +
        'Kept: 1 file\n• Movie &amp; 2.mkv: still at the source',
    );
  });

  it("an upgrade's replaced files, deleted, for an episode", () => {
    const episode = job({
      source: 'sonarr',
      mediaType: 'episode',
      kind: 'upgrade',
      details: { title: 'Show', episodeCode: 'S01E01-S01E02', episodeTitle: 'Pilot / Second' },
      mirror: { kind: 'upgrade', event: 'Download', folder: '/tv/Show', newFile: '/tv/Show/S01/new.mkv', replaced: [] },
    });
    const files: MirroredFile[] = [
      { path: '/dst/Show/S01/e1.mkv', action: 'deleted' },
      { path: '/dst/Show/S01/e2.mkv', action: 'deleted' },
      { path: '/dst/Show/S01/e3.mkv', action: 'absent' },
    ];
    expect(toTelegramText(deleted(episode, files, 'delete'))).toBe(
      '<b>Replaced Files Removed - Episode</b>\n<b>Show</b>\nS01E01-S01E02: Pilot / Second\n' +
        'Replaced by an upgrade in Sonarr\n\nDeleted: 2 files\n• e1.mkv\n• e2.mkv\n\n' +
        'Kept: 1 file\n• e3.mkv: not at the destination',
    );
  });

  it('a whole series: no episode line; a delete that removed nothing says so; five files and a count', () => {
    const series = job({
      source: 'sonarr',
      mediaType: 'episode',
      kind: 'delete',
      details: { title: 'Fleabag' },
      mirror: { kind: 'delete', event: 'SeriesDelete', folder: '/tv/Fleabag', scope: 'folder' },
    });
    expect(toTelegramText(deleted(series, [], 'trash'))).toBe(
      '<b>Files Removed - Series</b>\n<b>Fleabag</b>\nDeleted in Sonarr (SeriesDelete)\n\nNothing removed',
    );
    const seven: MirroredFile[] = Array.from({ length: 7 }, (_, i) => ({ path: `/d/e${i}.mkv`, action: 'deleted' }));
    expect(toTelegramText(deleted(series, seven, 'delete'))).toBe(
      '<b>Files Removed - Series</b>\n<b>Fleabag</b>\nDeleted in Sonarr (SeriesDelete)\n\nDeleted: 7 files\n' +
        '• e0.mkv\n• e1.mkv\n• e2.mkv\n• e3.mkv\n• e4.mkv\n  <i>...and 2 more</i>',
    );
  });

  it('a rename: each file before and after, and one left alone', () => {
    const rename = job({
      kind: 'rename',
      mirror: { kind: 'rename', event: 'Rename', folder: '/movies/Movie Title (2024)', renames: [] },
    });
    const files: MirroredFile[] = [
      { path: `${DST}/old <name>.mkv`, action: 'renamed', to: `${DST}/Movie Title (2024) [Bluray].mkv` },
      { path: `${DST}/other.mkv`, action: 'kept', reason: 'the new name already exists' },
    ];
    expect(toTelegramText(renamed(rename, files))).toBe(
      '<b>Files Renamed - Movie</b>\n<b>Movie Title</b> (2024)\n\n' +
        'Renamed: 1 file\n• old &lt;name&gt;.mkv → Movie Title (2024) [Bluray].mkv\n\n' +
        'Left alone: 1 file\n• other.mkv: the new name already exists',
    );
    expect(toTelegramText(renamed(rename, []))).toBe(
      '<b>Files Renamed - Movie</b>\n<b>Movie Title</b> (2024)\n\nNothing renamed',
    );
  });

  it('stays within Telegram’s limit with the longest names and reasons', () => {
    const long = 'x'.repeat(5000);
    const files: MirroredFile[] = Array.from({ length: 20 }, (_, i) => ({
      path: `/d/${i}${long}`,
      action: i % 2 ? 'kept' : 'renamed',
      to: `/d/${long}`,
      reason: long,
    }));
    const heavy = job({ kind: 'rename', details: { title: long, year: 2024 } });
    expect(toTelegramText(renamed(heavy, files)).length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    expect(
      toTelegramText(deleted(movieDelete({ details: { title: long } }), files, 'trash')).length,
    ).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
  });

  it('a failed rename or delete names itself in the title', () => {
    const next: RetryPlan = { kind: 'retry', attempt: 1, maxRetries: 3, inSeconds: 900 };
    expect(renderSyncFailed(movieDelete({ error: 'boom' }), next).title).toBe('Delete Failed - Movie');
    expect(renderSyncFailed(job({ kind: 'rename', error: 'boom' }), next).title).toBe('Rename Failed - Movie');
    expect(renderSyncFailed(job({ kind: 'upgrade', error: 'boom' }), next).title).toBe('Sync Failed - Movie');
  });
});
