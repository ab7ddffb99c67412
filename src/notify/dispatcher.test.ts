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
