// The daily summary's text, from a database seeded with finished jobs around the local midnight of
// the configured TZ: POST /summary/send covers today so far; the scheduled run (caught up once after
// a restart that missed its slot) covers the previous day.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll } from '../support/cleanup.js';
import { startService, type Service } from '../support/launch.js';
import { getJson, request } from '../support/http-client.js';
import { openDb } from '../support/db.js';
import { type FakeServer, startAcceptingTelegram } from '../support/fake-http.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function localParts(at: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return {
    day: `${get('year')}-${get('month')}-${get('day')}`,
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    second: Number(get('second')),
  };
}

/** A zone where it is now between 03:00 and 21:00, so "today so far" and "an hour ago" are the same local day. */
const NOW = new Date();
const TZ = [
  'Europe/Berlin',
  'America/New_York',
  'Asia/Tokyo',
  'America/Los_Angeles',
  'Pacific/Auckland',
  'Asia/Kolkata',
].find((tz) => {
  const h = localParts(NOW, tz).hour;
  return h >= 3 && h < 21;
})!;

/** The UTC instant of the local midnight that started today in TZ (exact on DST days too). */
function startOfLocalToday(): Date {
  const p = localParts(NOW, TZ);
  const back = ((p.hour * 60 + p.minute) * 60 + p.second) * 1000 + (NOW.getTime() % 1000);
  let midnight = NOW.getTime() - back;
  // A DST change since midnight makes the step above an hour off; walk to the first instant of today.
  while (localParts(new Date(midnight), TZ).day !== p.day) midnight += 15 * MINUTE;
  while (localParts(new Date(midnight - 1), TZ).day === p.day) midnight -= 15 * MINUTE;
  return new Date(midnight);
}

const TODAY = localParts(NOW, TZ).day;
const MIDNIGHT = startOfLocalToday();
const YESTERDAY = localParts(new Date(MIDNIGHT.getTime() - HOUR), TZ).day;

interface Seed {
  title: string;
  status: 'success' | 'failed';
  media: 'movie' | 'episode';
  finished: Date;
  bytes?: number;
  seconds?: number;
  gaveUp?: boolean;
}

const seeds: Seed[] = [
  // Yesterday (local): not in today's summary.
  {
    title: 'Old Movie (2001)',
    status: 'success',
    media: 'movie',
    finished: new Date(MIDNIGHT.getTime() - 3 * HOUR),
    bytes: 2 * GiB,
    seconds: 120,
  },
  {
    title: 'Old Show - S01E01: Late',
    status: 'success',
    media: 'episode',
    finished: new Date(MIDNIGHT.getTime() - 30_000),
    bytes: 10 * MiB,
    seconds: 30,
  },
  {
    title: 'Old Broken (1999)',
    status: 'failed',
    media: 'movie',
    finished: new Date(MIDNIGHT.getTime() - 2 * HOUR),
    gaveUp: true,
  },
  // Today (local), all before now.
  {
    title: 'Early Show - S02E01: Just After Midnight',
    status: 'success',
    media: 'episode',
    finished: new Date(MIDNIGHT.getTime() + 30_000),
    bytes: 50 * MiB,
    seconds: 30,
  },
  {
    title: 'Big Movie (2024)',
    status: 'success',
    media: 'movie',
    finished: new Date(MIDNIGHT.getTime() + HOUR),
    bytes: GiB,
    seconds: 60,
  },
  {
    title: 'Half Movie (2023)',
    status: 'success',
    media: 'movie',
    finished: new Date(MIDNIGHT.getTime() + HOUR + 5 * MINUTE),
    bytes: 512 * MiB,
    seconds: 30,
  },
  {
    title: 'Show - S01E02: Two',
    status: 'success',
    media: 'episode',
    finished: new Date(MIDNIGHT.getTime() + HOUR + 10 * MINUTE),
    bytes: 100 * MiB,
    seconds: 30,
  },
  {
    title: 'Broken <One> & Co (2024)',
    status: 'failed',
    media: 'movie',
    finished: new Date(MIDNIGHT.getTime() + HOUR + 11 * MINUTE),
    gaveUp: true,
  },
  {
    title: 'Failing 2 (2020)',
    status: 'failed',
    media: 'movie',
    finished: new Date(MIDNIGHT.getTime() + HOUR + 12 * MINUTE),
  },
  {
    title: 'Failing 3 - S01E03',
    status: 'failed',
    media: 'episode',
    finished: new Date(MIDNIGHT.getTime() + HOUR + 13 * MINUTE),
  },
  {
    title: 'Given Up 4 (2019)',
    status: 'failed',
    media: 'movie',
    finished: new Date(MIDNIGHT.getTime() + HOUR + 14 * MINUTE),
    gaveUp: true,
  },
  {
    title: 'Failing 5 (2018)',
    status: 'failed',
    media: 'movie',
    finished: new Date(MIDNIGHT.getTime() + HOUR + 15 * MINUTE),
  },
  {
    title: 'Failing 6 (2017)',
    status: 'failed',
    media: 'movie',
    finished: new Date(MIDNIGHT.getTime() + HOUR + 16 * MINUTE),
  },
];

async function seed(svc: Service): Promise<void> {
  const db = await openDb(svc.dbPath);
  const insert = db.prepare(
    `INSERT INTO jobs (status, source, media_type, title, container_path, source_path, dest_path, mapping,
    dedupe_key, details, retry_count, gave_up, error, bytes_transferred, created_at, started_at, finished_at, ` +
      `duration_seconds, next_attempt_at)
    VALUES (@status, @source, @media, @title, @container, @source_path, @dest, @mapping, @source_path, ` +
      `@details, @retries, @gave_up,
    @error, @bytes, @created, @started, @finished, @seconds, @next)`,
  );
  db.transaction(() => {
    for (const [i, s] of seeds.entries()) {
      const root = s.media === 'movie' ? '/movies' : '/tv';
      const started = new Date(s.finished.getTime() - (s.seconds ?? 5) * 1000);
      insert.run({
        status: s.status,
        source: s.media === 'movie' ? 'radarr' : 'sonarr',
        media: s.media,
        title: s.title,
        container: `${root}/seed-${i}`,
        source_path: `${s.media === 'movie' ? svc.moviesSrc : svc.tvSrc}/seed-${i}`,
        dest: s.media === 'movie' ? svc.moviesDst : svc.tvDst,
        mapping: root,
        details: JSON.stringify({ title: s.title }),
        retries: s.gaveUp ? 3 : 1,
        gave_up: s.gaveUp ? 1 : 0,
        error: s.status === 'failed' ? 'rsync exit 23 (partial transfer due to error)' : null,
        bytes: s.bytes ?? null,
        created: new Date(started.getTime() - 1000).toISOString(),
        started: started.toISOString(),
        finished: s.finished.toISOString(),
        seconds: s.seconds ?? 5,
        // A retry that is not due for a day: the runner leaves these rows alone.
        next: s.status === 'failed' && !s.gaveUp ? new Date(Date.now() + DAY).toISOString() : null,
      });
    }
  })();
  db.close();
}

let svc: Service;
let telegram: FakeServer;
/** A daily slot an hour ago (local H:M), so a restart now has missed it and catches it up. */
const SLOT = new Date(Math.floor(NOW.getTime() / MINUTE) * MINUTE - HOUR);
const SLOT_LOCAL = localParts(SLOT, TZ);
const CRON = `${SLOT_LOCAL.minute} ${SLOT_LOCAL.hour} * * *`;

beforeAll(async () => {
  telegram = await startAcceptingTelegram();
  svc = await startService({
    env: {
      TZ,
      SYNC_SUMMARY_CRON: CRON,
      TELEGRAM_BOT_TOKEN: '1:summary',
      TELEGRAM_CHAT_ID: '9',
      TELEGRAM_API_URL: telegram.url,
    },
  });
  await seed(svc);
});
afterAll(cleanupAll);

const texts = () => telegram.requests.map((r) => r.json<{ text: string }>().text);

describe(`daily summary (TZ ${TZ})`, () => {
  it('POST /summary/send reports today so far, with exact counts, failed titles and Needs Attention', async () => {
    const res = await request(svc.url, '/summary/send', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'summary triggered', day: TODAY, notifications: true });
    await telegram.waitForRequests(1);
    expect(texts()[0]).toBe(
      [
        '<b>Daily Sync Summary</b>',
        `📊 <b>Daily Sync Summary - ${TODAY}</b>`,
        '',
        '✅ Successful: 4',
        '❌ Failed: 6',
        '',
        '🎬 Movies: 2',
        '📺 Episodes: 2',
        '',
        '💾 Data Synced: 1.6 GB',
        '⏱️ Total Duration: 2.5 minutes',
        '',
        '⚠️ <b>Failed Syncs:</b>',
        '• Failing 6 (2017)',
        '• Failing 5 (2018)',
        '• Given Up 4 (2019)',
        '• Failing 3 - S01E03',
        '• Failing 2 (2020)',
        '  <i>...and 1 more</i>',
        '',
        // Yesterday's job that gave up still needs attention today.
        '🔴 <b>Needs Attention (3):</b>',
        '• Given Up 4 (2019)',
        '• Broken &lt;One&gt; &amp; Co (2024)',
        '• Old Broken (1999)',
      ].join('\n'),
    );
  });

  it('GET /summary/send works too; /stats counts today in TZ', async () => {
    const res = await getJson(svc.url, '/summary/send');
    expect(res.status).toBe(200);
    expect(res.body.day).toBe(TODAY);
    await telegram.waitForRequests(2);
    expect(texts()[1]).toBe(texts()[0]);
    const stats = await getJson(svc.url, '/stats');
    expect(stats.body).toMatchObject({ today_successful: 4, today_failed: 6, total_successful: 6, total_failed: 7 });
  });

  it('the scheduled run missed while stopped is caught up once at start, for the previous day', async () => {
    await svc.stop();
    // The service was down at the slot an hour ago: the last run recorded is the day before's.
    const db = await openDb(svc.dbPath);
    const recorded = db
      .prepare(`SELECT last_slot FROM schedule_runs WHERE task = 'daily-summary'`)
      .pluck()
      .get() as string;
    expect(recorded).toBe(SLOT.toISOString()); // the first start remembered the latest slot without running it
    db.prepare(`UPDATE schedule_runs SET last_slot = ? WHERE task = 'daily-summary'`).run(
      new Date(SLOT.getTime() - DAY).toISOString(),
    );
    db.close();

    telegram.reset();
    svc = await svc.restart();
    await telegram.waitForRequests(1);
    expect(texts()[0]).toBe(
      [
        '<b>Daily Sync Summary</b>',
        `📊 <b>Daily Sync Summary - ${YESTERDAY}</b>`,
        '',
        '✅ Successful: 2',
        '❌ Failed: 1',
        '',
        '🎬 Movies: 1',
        '📺 Episodes: 1',
        '',
        '💾 Data Synced: 2.0 GB',
        '⏱️ Total Duration: 2.5 minutes',
        '',
        '⚠️ <b>Failed Syncs:</b>',
        '• Old Broken (1999)',
        '',
        '🔴 <b>Needs Attention (1):</b>',
        '• Old Broken (1999)',
      ].join('\n'),
    );
    await svc.waitForLog(/daily-summary: catching up the run of .* missed while stopped/);

    // Once only: another restart sends nothing for that slot. /summary/send after it is a barrier
    // (the outbox delivers in order), so a second catch-up would have arrived before it.
    await svc.stop();
    telegram.reset();
    svc = await svc.restart();
    await request(svc.url, '/summary/send', { method: 'POST' });
    await telegram.waitForRequests(1);
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toContain(`Daily Sync Summary - ${TODAY}`);
  });

  it('a day without activity says so', async () => {
    const db = await openDb(svc.dbPath);
    db.prepare('DELETE FROM jobs').run();
    db.close();
    telegram.reset();
    await request(svc.url, '/summary/send', { method: 'POST' });
    await telegram.waitForRequests(1);
    expect(texts()[0]).toBe(
      `<b>Daily Sync Summary</b>\n📊 <b>Daily Summary - ${TODAY}</b>\n\nNo sync activity recorded.`,
    );
  });
});
