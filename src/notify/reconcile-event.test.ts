import { describe, expect, it } from 'vitest';
import type { Job } from '../core/types.js';
import { type ReconcileFound, reconcileEvent, syncSucceededEvent } from './events.js';
import { outlineOf } from './outline.js';
import { telegramMessage, toTelegramText } from './telegram-text.js';

// The one event of a catch-up pass, as the pass builds it and as Telegram renders it, exactly.
const AT = new Date('2026-05-01T04:00:00.000Z');
const renderReconcileFound = (found: ReconcileFound) => telegramMessage(reconcileEvent(found, AT));

const report: ReconcileFound = {
  passId: 12,
  startedBy: 'after_downtime',
  status: 'done',
  items: 3,
  bytes: 3 * 1024 ** 3,
  found: [
    { mapping: '/movies', items: 2, bytes: 2 * 1024 ** 3 },
    { mapping: '/tv', items: 1, bytes: 1024 ** 3 },
  ],
  notChecked: [],
  queued: { created: 2, folded: 1 },
};

describe('reconcileEvent', () => {
  it('is a neutral event of kind reconcile, a warning', () => {
    expect(reconcileEvent(report, AT)).toEqual({
      kind: 'reconcile',
      title: 'Catch-up Found Missing Media',
      severity: 'warning',
      at: '2026-05-01T04:00:00.000Z',
      ...report,
    });
  });
});

const TIMED_OUT = '⏱️ The pass ran out of time (SYNC_RECONCILE_TIMEOUT_SECONDS)';

describe('the outline every other service lays out', () => {
  it('has the same words: the pass, what it found per mapping, what it could not check, the outcome', () => {
    const event = reconcileEvent(
      { ...report, status: 'timed_out', notChecked: [{ mapping: '/tv-4k', problem: 'share down: not mounted' }] },
      AT,
    );
    expect(outlineOf(event)).toEqual({
      title: 'Catch-up Found Missing Media',
      severity: 'warning',
      subject: ['Catch-up pass 12 (after downtime)', '3 items missing or different at the destination (3.0 GB)'],
      fields: [],
      lists: [
        { label: 'Found', items: ['/movies: 2 (2.0 GB)', '/tv: 1 (1.0 GB)'], more: 0 },
        { label: '⚠️ Not checked', items: ['/tv-4k: share down: not mounted'], more: 0 },
      ],
      notes: [TIMED_OUT, 'Queued: 2 new job(s); 1 already had one'],
    });
  });
});

describe('Telegram: a pass that found something', () => {
  it('says what a queued pass found and queued', () => {
    expect(toTelegramText(renderReconcileFound(report))).toBe(
      '<b>Catch-up Found Missing Media</b>\n' +
        '🔎 <b>Catch-up pass 12</b> (after downtime)\n' +
        '3 items missing or different at the destination (3.0 GB)\n' +
        '\n' +
        '/movies: 2 (2.0 GB)\n' +
        '/tv: 1 (1.0 GB)\n' +
        '\n' +
        'Queued: 2 new job(s); 1 already had one',
    );
  });

  it('says how to queue what a pass only looked at, which mappings it could not check, and a timeout', () => {
    const message = renderReconcileFound({
      ...report,
      passId: 12,
      startedBy: 'api',
      status: 'timed_out',
      items: 1,
      bytes: 1536,
      found: [{ mapping: '/movies', items: 1, bytes: 1536 }],
      notChecked: [{ mapping: '/tv & <more>', problem: 'share down: destination /mnt/<tv> is not mounted' }],
      queued: null,
    });
    expect(message).toEqual({
      title: 'Catch-up Found Missing Media',
      body:
        '🔎 <b>Catch-up pass 12</b> (asked through the API)\n' +
        '1 item missing or different at the destination (1.5 KB)\n' +
        '\n' +
        '/movies: 1 (1.5 KB)\n' +
        '⚠️ /tv &amp; &lt;more&gt; not checked: share down: destination /mnt/&lt;tv&gt; is not mounted\n' +
        '⏱️ The pass ran out of time (SYNC_RECONCILE_TIMEOUT_SECONDS)\n' +
        '\n' +
        'Not queued. To queue them: POST /reconcile/12/queue',
    });
  });

  it('keeps a long problem text bounded', () => {
    const long = renderReconcileFound({ ...report, notChecked: [{ mapping: '/tv', problem: 'x'.repeat(5000) }] });
    expect(long.body.length).toBeLessThan(1400);
    expect(long.body).toContain('…');
  });
});

describe('the message of a job a pass queued', () => {
  it('names it by its path, as a manual sync: a pass has no Radarr/Sonarr metadata', () => {
    const job: Job = {
      id: 7,
      status: 'success',
      source: 'reconcile',
      mediaType: 'episode',
      title: 'Show - S01E02.mkv',
      containerPath: '/tv/Show/Season 01/Show - S01E02.mkv',
      sourcePath: '/src/tv/Show/Season 01/Show - S01E02.mkv',
      destPath: '/dst/tv/Show/Season 01',
      mapping: '/tv',
      details: { title: 'Show - S01E02.mkv', sizeBytes: 2048 },
      isUpgrade: false,
      waitForStableSize: false,
      retryCount: 0,
      gaveUp: false,
      error: null,
      errorReason: null,
      bytesTransferred: 2048,
      kind: 'copy',
      mirror: null,
      mirroredFiles: null,
      createdAt: '2026-05-01T10:00:00.000Z',
      startedAt: '2026-05-01T10:00:01.000Z',
      finishedAt: '2026-05-01T10:00:02.000Z',
      durationSeconds: 1,
      nextAttemptAt: null,
    };
    expect(telegramMessage(syncSucceededEvent(job, { dryRun: false }, AT))).toEqual({
      title: 'Episode Synced',
      body:
        '<b>Show - S01E02.mkv</b>\nPath: /tv/Show/Season 01/Show - S01E02.mkv\n' +
        'Quality: Unknown\nSize: 2.0 KB\nDuration: 1.0s',
    });
  });
});
