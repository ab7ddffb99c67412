import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from '../../test/support/fake-http.js';
import { createPlexServer } from '../media/plex.js';
import { openDatabase, type Db } from '../store/database.js';
import { createOutboxStore, type OutboxStore } from '../store/outbox.js';
import { Dispatcher } from './dispatcher.js';
import { createTelegramNotifier } from './telegram.js';
import { TIMING } from '../core/timing.js';
import type { OutboxItem } from '../core/notify-event.js';

const log = pino({ level: 'silent' });
const TG = 'tgram://42/-100';
const PLEX = 'plex://plex:32400';
const TV = {
  container: '/tv',
  source: { path: '/mnt/src/tv' },
  destination: { path: '/mnt/dst/TV Shows' },
  plexSection: '2',
  plexPath: '/data/TV Shows',
};
let dir: string;
let db: Db;
let outbox: OutboxStore;
let server: FakeServer;
let now: Date;
let dispatcher: Dispatcher;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sync-dispatch-'));
  db = openDatabase(join(dir, 'jobs.db'));
  outbox = createOutboxStore(db);
  server = await startFakeServer();
  now = new Date('2026-03-10T10:00:00.000Z');
  dispatcher = new Dispatcher({
    outbox,
    notifiers: [createTelegramNotifier({ id: TG, baseUrl: server.url, token: '42:TOKEN', chatId: '-100' })],
    mediaServers: [createPlexServer({ id: PLEX, baseUrl: server.url, token: 'plex-token', mappings: [TV] })],
    clock: { now: () => now },
    log,
    backoff: { firstMs: TIMING.outboxFirstBackoffMs, maxMs: TIMING.outboxMaxBackoffMs },
    maxAgeMs: 48 * 3600_000,
    groupMs: 0,
  });
});

afterEach(async () => {
  await dispatcher.stop();
  await server.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

// Rows as rendered before migration 005: the text users saw, sent unchanged.
const message = (n: number): OutboxItem => ({
  target: TG,
  payload: { type: 'telegram_html', message: { title: `T${n}`, body: `body ${n}` } },
});
const sentTexts = () =>
  server.requests.filter((r) => r.path.endsWith('/sendMessage')).map((r) => r.json<{ text: string }>().text);
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

describe('Dispatcher', () => {
  it('delivers in order, backs off on a failure and never sends a message twice', async () => {
    outbox.add([message(1), message(2), message(3)], null, now);
    let calls = 0;
    server.respondWith(() =>
      ++calls === 1 ? { status: 502, body: 'bad gateway' } : { status: 200, body: { ok: true } },
    );

    await dispatcher.drain(TG);
    expect(sentTexts()).toEqual(['<b>T1</b>\nbody 1']);
    expect(outbox.head(TG)).toMatchObject({ attempts: 1, nextAttemptAt: '2026-03-10T10:00:30.000Z' });

    await dispatcher.drain(TG);
    expect(sentTexts()).toHaveLength(1);

    advance(30_000);
    await dispatcher.drain(TG);
    expect(sentTexts()).toEqual(['<b>T1</b>\nbody 1', '<b>T1</b>\nbody 1', '<b>T2</b>\nbody 2', '<b>T3</b>\nbody 3']);
    expect(outbox.pendingCount()).toBe(0);
    await dispatcher.drain(TG);
    expect(sentTexts()).toHaveLength(4);
  });

  it("waits as long as Telegram's retry_after says", async () => {
    outbox.add([message(1)], null, now);
    server.respondWith({
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 7',
        parameters: { retry_after: 7 },
      },
    });
    await dispatcher.drain(TG);
    expect(outbox.head(TG)?.nextAttemptAt).toBe('2026-03-10T10:00:07.000Z');
  });

  it('gives up a message Telegram refuses for good and moves on to the next', async () => {
    outbox.add([message(1), message(2)], null, now);
    let calls = 0;
    server.respondWith(() =>
      ++calls === 1
        ? { status: 400, body: { ok: false, description: 'Bad Request: chat not found' } }
        : { status: 200, body: { ok: true } },
    );
    await dispatcher.drain(TG);
    expect(sentTexts()).toEqual(['<b>T1</b>\nbody 1', '<b>T2</b>\nbody 2']);
    expect(db.prepare('SELECT status, last_error FROM outbox WHERE id = 1').get()).toMatchObject({
      status: 'dead',
      last_error: expect.stringContaining('chat not found'),
    });
  });

  it('asks Plex to scan the season folder, as Plex sees it, with the token in a header', async () => {
    const path = '/mnt/dst/TV Shows/Show (2020)/Season 01/Show - S01E01.mkv';
    outbox.add(
      [
        {
          target: PLEX,
          payload: { type: 'scan', scan: { mapping: '/tv', path, mediaType: 'episode', change: 'created' } },
        },
      ],
      null,
      now,
    );
    await dispatcher.drain(PLEX);
    expect(server.requests).toHaveLength(1);
    const [scan] = server.requests;
    expect(scan!.path).toBe('/library/sections/2/refresh');
    expect(scan!.query.get('path')).toBe('/data/TV Shows/Show (2020)/Season 01');
    expect(scan!.headers['x-plex-token']).toBe('plex-token');
    expect(scan!.url).not.toContain('plex-token');
  });

  it('gives up a row that keeps failing past its maximum age', async () => {
    outbox.add([message(1)], null, now);
    server.respondWith({ status: 500, body: 'down' });
    advance(49 * 3600_000);
    await dispatcher.drain(TG);
    expect(db.prepare('SELECT status FROM outbox WHERE id = 1').pluck().get()).toBe('dead');
  });
});

describe('season packs (SYNC_NOTIFY_GROUP_SECONDS)', () => {
  const GROUP_MS = 60_000;
  const grouping = () =>
    new Dispatcher({
      outbox,
      notifiers: [createTelegramNotifier({ id: TG, baseUrl: server.url, token: '42:TOKEN', chatId: '-100' })],
      mediaServers: [],
      clock: { now: () => now },
      log,
      backoff: { firstMs: 30_000, maxMs: 3600_000 },
      maxAgeMs: 48 * 3600_000,
      groupMs: GROUP_MS,
    });
  const media = (series: string, code: string, title: string, season: number, episodes: number[]) => ({
    type: 'episode' as const,
    source: 'sonarr' as const,
    title: series,
    episodeCode: code,
    episodeTitle: title,
    season,
    episodes,
    path: `/tv/${series}/${code}.mkv`,
  });
  const success = (code: string, title: string, o: { series?: string; season?: number } = {}): OutboxItem => {
    const season = o.season ?? 1;
    const episode = Number(code.slice(-2));
    return {
      target: TG,
      payload: {
        type: 'notify',
        event: {
          kind: 'success',
          title: 'Episode Synced',
          severity: 'success',
          at: now.toISOString(),
          jobId: episode,
          media: media(o.series ?? 'Show', code, title, season, [episode]),
          quality: 'WEBDL-1080p',
          sizeBytes: 1024,
          durationSeconds: 1.5,
          destination: `/mnt/dst/TV/${o.series ?? 'Show'}/Season ${season}`,
          dryRun: false,
        },
      },
    };
  };
  const failure = (code: string): OutboxItem => ({
    target: TG,
    payload: {
      type: 'notify',
      event: {
        kind: 'failure',
        title: 'Sync Failed - Episode',
        severity: 'error',
        at: now.toISOString(),
        jobId: 3,
        media: media('Show', code, 'Three', 1, [3]),
        destination: '/mnt/dst/TV/Show/Season 1',
        error: 'rsync exit 23',
        next: { kind: 'retry', attempt: 1, maxRetries: 3, inSeconds: 900 },
      },
    },
  });
  const statuses = () => db.prepare('SELECT id, status, attempts FROM outbox ORDER BY id').all();

  it('holds an episode success for the window, then sends the pending successes of its season as one', async () => {
    const d = grouping();
    outbox.add([success('S01E01', 'One')], null, now);
    advance(10_000);
    outbox.add([success('S01E02', 'Two')], null, now);
    outbox.add([failure('S01E03')], null, now);
    outbox.add([message(9)], null, now);
    advance(5_000);
    await d.drain(TG);
    expect(sentTexts()).toEqual([]); // 15 s after the first: still held, and the rows behind it wait

    advance(45_000);
    outbox.add([success('S01E04', 'Four')], null, now); // written just now: it joins
    await d.drain(TG);
    expect(sentTexts()).toEqual([
      '<b>Episodes Synced</b>\n<b>Show</b>\nSeason 1: 3 episodes\nS01E01: One\nS01E02: Two\nS01E04: Four\n' +
        'Quality: WEBDL-1080p\nSize: 3.0 KB\nDuration: 4.5s',
      expect.stringMatching(/^<b>Sync Failed - Episode<\/b>\n<b>Show<\/b>\nS01E03: Three\n\nError: rsync exit 23/),
      '<b>T9</b>\nbody 9',
    ]);
    expect(statuses()).toEqual([1, 2, 3, 4, 5].map((id) => ({ id, status: 'sent', attempts: 1 })));
    await d.drain(TG);
    expect(sentTexts()).toHaveLength(3);
    await d.stop();
  });

  it('a lone episode reads as always; another season or series is its own message; later ones start anew', async () => {
    const d = grouping();
    outbox.add([success('S01E01', 'One'), success('S02E01', 'Other', { season: 2 })], null, now);
    outbox.add([success('S01E02', 'Elsewhere', { series: 'Other Show' })], null, now);
    advance(GROUP_MS);
    await d.drain(TG);
    expect(sentTexts()).toEqual([
      '<b>Episode Synced</b>\n<b>Show</b>\nS01E01: One\nQuality: WEBDL-1080p\nSize: 1.0 KB\nDuration: 1.5s',
      '<b>Episode Synced</b>\n<b>Show</b>\nS02E01: Other\nQuality: WEBDL-1080p\nSize: 1.0 KB\nDuration: 1.5s',
      '<b>Episode Synced</b>\n<b>Other Show</b>\nS01E02: Elsewhere\nQuality: WEBDL-1080p\nSize: 1.0 KB\nDuration: 1.5s',
    ]);

    outbox.add([success('S01E05', 'Five'), success('S01E06', 'Six')], null, now);
    await d.drain(TG);
    expect(sentTexts()).toHaveLength(3); // a new window
    advance(GROUP_MS);
    await d.drain(TG);
    expect(sentTexts()[3]).toMatch(/^<b>Episodes Synced<\/b>\n<b>Show<\/b>\nSeason 1: 2 episodes\nS01E05: Five\n/);
    await d.stop();
  });

  it('a pack that fails is retried as a whole and sent once', async () => {
    const d = grouping();
    outbox.add([success('S01E01', 'One'), success('S01E02', 'Two')], null, now);
    let calls = 0;
    server.respondWith(() =>
      ++calls === 1 ? { status: 502, body: 'bad gateway' } : { status: 200, body: { ok: true } },
    );
    advance(GROUP_MS);
    await d.drain(TG);
    expect(statuses()).toEqual([
      { id: 1, status: 'pending', attempts: 1 },
      { id: 2, status: 'pending', attempts: 1 },
    ]);
    advance(30_000);
    await d.drain(TG);
    expect(sentTexts()).toHaveLength(2);
    expect(sentTexts()[1]).toBe(sentTexts()[0]);
    expect(statuses()).toEqual([
      { id: 1, status: 'sent', attempts: 2 },
      { id: 2, status: 'sent', attempts: 2 },
    ]);
    await d.stop();
  });

  it('with SYNC_NOTIFY_GROUP_SECONDS=0 each success goes at once, on its own', async () => {
    outbox.add([success('S01E01', 'One'), success('S01E02', 'Two')], null, now);
    await dispatcher.drain(TG);
    expect(sentTexts().map((t) => t.split('\n')[0])).toEqual(['<b>Episode Synced</b>', '<b>Episode Synced</b>']);
  });
});
