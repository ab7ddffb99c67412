import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Sqlite from 'better-sqlite3';
import type { MountEvent, OutboxPayload, SeasonKey } from '../../src/core/notify-event.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { createOutboxStore, type OutboxStore } from '../../src/store/outbox.js';
import { createScheduleRunStore } from '../../src/store/schedule-runs.js';
import { createShareNoticeStore } from '../../src/store/share-notices.js';

let dir: string;
let db: Db;
let outbox: OutboxStore;
const now = new Date('2026-03-10T10:00:00.000Z');
const TG = 'tgram://1/2';
const PLEX = 'plex://plex:32400';
const html = (n: number): OutboxPayload => ({ type: 'telegram_html', message: { title: `T${n}`, body: `${n}` } });
const scan = (path: string): OutboxPayload => ({
  type: 'scan',
  scan: { mapping: '/movies', path, mediaType: 'movie', change: 'created' },
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-outbox-'));
  db = openDatabase(join(dir, 'jobs.db'));
  outbox = createOutboxStore(db);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('outbox', () => {
  it('hands out only the oldest pending row of a target, so order is kept', () => {
    outbox.add(
      [
        { target: TG, payload: html(1) },
        { target: PLEX, payload: scan('/m/2') },
        { target: TG, payload: html(3) },
      ],
      null,
      now,
    );
    expect(outbox.head(TG)?.payload).toEqual(html(1));
    outbox.reschedule([1], new Date(now.getTime() + 30_000), 'HTTP 500');
    // Still the head while it waits: a later message may not overtake it.
    expect(outbox.head(TG)).toMatchObject({ id: 1, attempts: 1, nextAttemptAt: '2026-03-10T10:00:30.000Z' });
    outbox.markSent([1], now);
    expect(outbox.head(TG)?.payload).toEqual(html(3));
    expect(outbox.pendingTargets().sort()).toEqual([PLEX, TG]);
    expect(outbox.pendingCount()).toBe(2);
  });

  it('a dead row leaves the queue and keeps its error', () => {
    outbox.add([{ target: TG, payload: html(1) }], null, now);
    outbox.markDead([1], 'chat not found');
    expect(outbox.head(TG)).toBeUndefined();
    expect(db.prepare('SELECT status, last_error FROM outbox WHERE id = 1').get()).toEqual({
      status: 'dead',
      last_error: 'chat not found',
    });
  });

  it('marking a row sent twice changes nothing the second time', () => {
    outbox.add([{ target: TG, payload: html(1) }], null, now);
    outbox.markSent([1], now);
    outbox.markSent([1], new Date(now.getTime() + 1000));
    expect(db.prepare('SELECT attempts, sent_at FROM outbox WHERE id = 1').get()).toEqual({
      attempts: 1,
      sent_at: now.toISOString(),
    });
  });
});

describe('outbox targets by id', () => {
  it('a payload of no known shape dies with a reason instead of blocking the rows behind it', () => {
    outbox.add([{ target: TG, payload: html(1) }], null, now);
    db.prepare(`UPDATE outbox SET payload = '{"title":"old"}' WHERE id = 1`).run();
    outbox.add([{ target: TG, payload: html(2) }], null, now);
    expect(outbox.head(TG)?.id).toBe(2);
    expect(db.prepare('SELECT status, last_error FROM outbox WHERE id = 1').get()).toEqual({
      status: 'dead',
      last_error: 'the payload has no shape this version can deliver',
    });
  });

  it('moves the pending rows of one target to another, in their order, and gives up a whole target', () => {
    outbox.add([{ target: 'legacy:telegram', payload: html(1) }], null, now);
    outbox.add(
      [
        { target: TG, payload: html(2) },
        { target: 'gone', payload: html(3) },
      ],
      null,
      now,
    );
    expect(outbox.retarget('legacy:telegram', TG)).toBe(1);
    expect(outbox.head(TG)?.payload).toEqual(html(1));
    expect(outbox.markTargetDead('gone', 'target gone is no longer configured')).toBe(1);
    expect(outbox.pendingTargets()).toEqual([TG]);
    expect(db.prepare(`SELECT status, last_error FROM outbox WHERE target = 'gone'`).get()).toEqual({
      status: 'dead',
      last_error: 'target gone is no longer configured',
    });
  });
});

describe('season packs and share messages', () => {
  const episode = (series: string, season: number, code: string, o: { year?: number; dryRun?: boolean } = {}) => ({
    type: 'notify' as const,
    event: {
      kind: 'success' as const,
      title: 'Episode Synced',
      severity: 'success' as const,
      at: now.toISOString(),
      jobId: 1,
      media: {
        type: 'episode' as const,
        source: 'sonarr' as const,
        title: series,
        ...(o.year ? { year: o.year } : {}),
        episodeCode: code,
        season,
        episodes: [Number(code.slice(-2))],
        path: `/tv/${series}/${code}.mkv`,
      },
      sizeBytes: 1,
      durationSeconds: 1,
      destination: `/dst/${series}/Season ${season}`,
      dryRun: o.dryRun ?? false,
    },
  });
  const key = (series: string, season: number, o: Partial<SeasonKey> = {}): SeasonKey => ({
    series,
    year: null,
    season,
    destination: `/dst/${series}/Season ${season}`,
    dryRun: false,
    ...o,
  });
  const codes = (rows: { payload: OutboxPayload }[]) =>
    rows.map((r) =>
      r.payload.type === 'notify' && r.payload.event.kind === 'success' ? r.payload.event.media.episodeCode : '?',
    );

  it('finds the pending episode successes of one season for one target, oldest first, and nothing else', () => {
    outbox.add(
      [
        { target: TG, payload: episode('Show', 1, 'S01E01') },
        { target: 'other', payload: episode('Show', 1, 'S01E02') },
        { target: TG, payload: episode('Show', 2, 'S02E01') },
        { target: TG, payload: episode('Show', 1, 'S01E03', { year: 2020 }) },
        { target: TG, payload: episode('Show', 1, 'S01E04', { dryRun: true }) },
        { target: TG, payload: episode('Other', 1, 'S01E05') },
        { target: TG, payload: html(7) },
        { target: TG, payload: episode('Show', 1, 'S01E08') },
        { target: TG, payload: episode('Show', 1, 'S01E09') },
      ],
      null,
      now,
    );
    // A row that is not JSON at all neither matches nor breaks the query.
    db.prepare(`UPDATE outbox SET payload = 'not json' WHERE id = 7`).run();
    expect(codes(outbox.pendingSeason(TG, key('Show', 1), 10))).toEqual(['S01E01', 'S01E08', 'S01E09']);
    expect(codes(outbox.pendingSeason(TG, key('Show', 1), 2))).toEqual(['S01E01', 'S01E08']);
    expect(codes(outbox.pendingSeason(TG, key('Show', 1, { year: 2020 }), 10))).toEqual(['S01E03']);
    expect(codes(outbox.pendingSeason(TG, key('Show', 1, { dryRun: true }), 10))).toEqual(['S01E04']);
    outbox.markSent([1, 8], now);
    expect(codes(outbox.pendingSeason(TG, key('Show', 1), 10))).toEqual(['S01E09']);
  });

  it('marks several rows in one go, each only while pending', () => {
    outbox.add(
      [1, 2, 3].map((n) => ({ target: TG, payload: html(n) })),
      null,
      now,
    );
    outbox.markDead([3], 'refused');
    outbox.reschedule([1, 2, 3], new Date(now.getTime() + 30_000), 'HTTP 502');
    outbox.markSent([1, 2, 3], now);
    expect(db.prepare('SELECT status, attempts FROM outbox ORDER BY id').all()).toEqual([
      { status: 'sent', attempts: 2 },
      { status: 'sent', attempts: 2 },
      { status: 'dead', attempts: 1 },
    ]);
  });

  it('records a share told down with its rows, reads it back after a reopen, and clears it when told back', () => {
    const event = (kind: 'mount_down' | 'mount_up'): OutboxPayload => {
      const mount: MountEvent = {
        kind,
        title: kind === 'mount_down' ? 'Share Down' : 'Share Back',
        severity: kind === 'mount_down' ? 'error' : 'success',
        at: now.toISOString(),
        mapping: '/movies',
        role: 'destination',
        path: '/mnt/a',
        downSince: '2026-03-10T09:00:00.000Z',
      };
      return { type: 'notify', event: mount };
    };
    let shares = createShareNoticeStore(db, outbox);
    expect(shares.standingDown('/mnt/a')).toBeUndefined();
    shares.recordDown('/mnt/a', '2026-03-10T09:00:00.000Z', [{ target: TG, payload: event('mount_down') }], now);
    // No target takes the kind: nothing queued, and still remembered.
    shares.recordDown('/mnt/b', '2026-03-10T09:30:00.000Z', [], now);
    db.close();
    db = openDatabase(join(dir, 'jobs.db'));
    outbox = createOutboxStore(db);
    shares = createShareNoticeStore(db, outbox);
    expect(shares.standingDown('/mnt/a')).toBe('2026-03-10T09:00:00.000Z');
    expect(shares.standingDown('/mnt/b')).toBe('2026-03-10T09:30:00.000Z');
    shares.recordBack('/mnt/a', [{ target: TG, payload: event('mount_up') }], now);
    expect(shares.standingDown('/mnt/a')).toBeUndefined();
    expect(shares.standingDown('/mnt/b')).toBe('2026-03-10T09:30:00.000Z');
    expect(db.prepare('SELECT target, job_id AS jobId FROM outbox ORDER BY id').all()).toEqual([
      { target: TG, jobId: null },
      { target: TG, jobId: null },
    ]);
  });

  it('writes the rows and the standing message together, or neither', () => {
    const shares = createShareNoticeStore(db, outbox);
    // A target id SQLite refuses (NOT NULL) makes the whole change fail.
    const broken = { target: null as unknown as string, payload: html(1) };
    expect(() => shares.recordDown('/mnt/a', 'since', [{ target: TG, payload: html(1) }, broken], now)).toThrow();
    expect(shares.standingDown('/mnt/a')).toBeUndefined();
    expect(outbox.pendingCount()).toBe(0);
  });
});

describe('migration 005', () => {
  it('parks pending Telegram and Plex rows of old under legacy markers, payloads wrapped; history untouched', () => {
    db.close();
    const path = join(dir, 'old.db');
    // A database as version 4 left it, with rows in the shapes it wrote.
    const old = new Sqlite(path);
    const migrations = join(import.meta.dirname, '../../src/store/migrations');
    for (const file of readdirSync(migrations).sort()) {
      if (Number.parseInt(file, 10) > 4) continue;
      old.exec(readFileSync(join(migrations, file), 'utf8'));
    }
    old.pragma('user_version = 4');
    const insert = old.prepare(
      `INSERT INTO outbox (target, payload, status, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)`,
    );
    const t = now.toISOString();
    insert.run('telegram', JSON.stringify({ title: 'Movie Synced', body: '<b>A &amp; B</b> (2024)' }), 'pending', t, t);
    insert.run('plex', JSON.stringify({ section: '1', folder: '/data/Movies/A' }), 'pending', t, t);
    insert.run('telegram', JSON.stringify({ title: 'Old', body: 'sent long ago' }), 'sent', t, t);
    old.close();

    db = openDatabase(path);
    outbox = createOutboxStore(db);
    expect(outbox.pendingTargets().sort()).toEqual(['legacy:plex', 'legacy:telegram']);
    expect(outbox.head('legacy:telegram')?.payload).toEqual({
      type: 'telegram_html',
      message: { title: 'Movie Synced', body: '<b>A &amp; B</b> (2024)' },
    });
    expect(outbox.head('legacy:plex')?.payload).toEqual({
      type: 'plex_section_scan',
      scan: { section: '1', folder: '/data/Movies/A' },
    });
    expect(db.prepare('SELECT target, payload FROM outbox WHERE id = 3').get()).toEqual({
      target: 'telegram',
      payload: JSON.stringify({ title: 'Old', body: 'sent long ago' }),
    });
  });
});

describe('schedule runs', () => {
  it('remembers the last slot per task across reopen', () => {
    const runs = createScheduleRunStore(db);
    expect(runs.lastSlot('daily-summary')).toBeUndefined();
    runs.recordRun('daily-summary', '2026-03-10T00:05:00.000Z', now);
    runs.recordRun('daily-summary', '2026-03-11T00:05:00.000Z', now);
    db.close();
    db = openDatabase(join(dir, 'jobs.db'));
    expect(createScheduleRunStore(db).lastSlot('daily-summary')).toBe('2026-03-11T00:05:00.000Z');
  });
});
