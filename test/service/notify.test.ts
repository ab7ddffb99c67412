// Telegram and Plex as fake HTTP servers on 127.0.0.1; the service, built in-process, talks to them for
// real and copies with real rsync. Its outbox backs off for 1 s rather than 30 s, so no test sleeps through it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest, onCleanup, tempDir } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';
import { layoutOf, type MappingSpec } from '../support/service-layout.js';
import { getJson, post, request } from '../support/http-client.js';
import { waitForJob } from '../support/jobs-api.js';
import { outboxRows } from '../support/db.js';
import { makeTree } from '../support/trees.js';
import { radarrDownload, sonarrDownload } from '../support/payloads.js';
import { startFakeServer, type FakeServer, type RecordedRequest } from '../support/fake-http.js';

const TOKEN = '110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const CHAT = '-1009876543210';
const PLEX_TOKEN = 'plex-token-Zq9x';
/** The target id TELEGRAM_BOT_TOKEN/TELEGRAM_CHAT_ID become: the bot's public id and the chat, never the secret. */
const TELEGRAM_ID = `tgram://110201543/${CHAT}`;
const plexId = (plex: FakeServer) => `plex://127.0.0.1:${plex.port}`;

afterAll(cleanupAll);

async function fakes(): Promise<{ telegram: FakeServer; plex: FakeServer }> {
  const telegram = await startFakeServer({ status: 200, body: { ok: true, result: { message_id: 1 } } });
  const plex = await startFakeServer({ status: 200, body: '' });
  onCleanup(() => telegram.close());
  onCleanup(() => plex.close());
  return { telegram, plex };
}

type Service = InProcessService;

/** The outbox's first backoff here (30 s in production). */
const BACKOFF_MS = 1000;

async function startWith(telegram: FakeServer | null, plex: FakeServer | null): Promise<Service> {
  const dir = await tempDir();
  const l = layoutOf(dir);
  const mappings: MappingSpec[] = [
    {
      container: '/movies',
      source: l.moviesSrc,
      destination: l.moviesDst,
      plex_section: 1,
      plex_path: '/data/media/Movies',
    },
    { container: '/tv', source: l.tvSrc, destination: l.tvDst, plex_section: '2', plex_path: '/data/media/TV Shows' },
  ];
  const env: Record<string, string> = {};
  if (telegram)
    Object.assign(env, { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: CHAT, TELEGRAM_API_URL: telegram.url });
  if (plex) Object.assign(env, { PLEX_URL: plex.url, PLEX_TOKEN });
  return startInProcess({ dir, mappings, env, timing: { outboxFirstBackoffMs: BACKOFF_MS } });
}

/** Every outbox row delivered (or given up): no request can follow any more for what happened so far. */
async function outboxSettled(svc: Service): Promise<void> {
  await waitFor(async () => (await outboxRows(svc.dbPath)).every((r) => r.status !== 'pending'), {
    what: 'outbox drained',
  });
}

async function syncMovie(
  svc: Service,
  folder: string,
  title: string,
  extra: Partial<Parameters<typeof radarrDownload>[0]> = {},
) {
  await makeTree(join(svc.moviesSrc, folder), { [`${folder}.mkv`]: 1536 });
  const res = await post(
    svc.app,
    '/sync/radarr',
    await radarrDownload({ folder, file: `${folder}.mkv`, title, size: 1536, ...extra }),
  );
  expect(res.status, res.text).toBe(202);
  const job = await waitForJob(svc, res.body.job_id, (j) => j.status === 'success' || j.status === 'failed');
  expect(job.status, job.error ?? '').toBe('success');
  return job;
}

function sendMessages(server: FakeServer): RecordedRequest[] {
  return server.requests.filter((r) => r.path === `/bot${TOKEN}/sendMessage`);
}

describe('Telegram and Plex up', () => {
  let svc: Service;
  let telegram: FakeServer;
  let plex: FakeServer;
  beforeAll(async () => {
    ({ telegram, plex } = await fakes());
    svc = await startWith(telegram, plex);
  });

  it('a movie success sends exactly one HTML message, with the title escaped and otherwise intact', async () => {
    const title = 'Weird _*[]()~`\\ <Title> & "Co"';
    const folder = 'Weird & Wonderful [Movie] (2024)';
    const job = await syncMovie(svc, folder, title, { quality: 'Bluray-2160p <HDR>' });
    await telegram.waitForRequests(1);
    await outboxSettled(svc);

    expect(telegram.requests).toHaveLength(1);
    const req = telegram.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    const body = req.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual(['chat_id', 'disable_web_page_preview', 'parse_mode', 'text']);
    expect(body.chat_id).toBe(CHAT);
    expect(body.parse_mode).toBe('HTML');
    expect(body.disable_web_page_preview).toBe(true);
    const text = body.text as string;
    expect(text.startsWith('<b>Movie Synced</b>\n')).toBe(true);
    expect(text).toContain('<b>Weird _*[]()~`\\ &lt;Title&gt; &amp; "Co"</b> (2024)');
    expect(text).toContain('Quality: Bluray-2160p &lt;HDR&gt;');
    expect(text).toContain('Size: 1.5 KB');
    expect(text).toMatch(/\nDuration: \d+\.\ds$/);
    // Only the markup we wrote is markup: every other < or & is an entity.
    expect(text.replace(/<\/?b>/g, '')).not.toMatch(/<|>|&(?!lt;|gt;|amp;)/);
    expect(job.title).toBe(`${title} (2024)`);
  });

  it('asks Plex to scan the movie folder, as Plex sees it, with the token in a header', async () => {
    const folder = 'Plex Scan Movie #1 (2020) {tmdb-9}';
    plex.reset();
    await syncMovie(svc, folder, 'Plex Scan Movie #1');
    await plex.waitForRequests(1);
    await outboxSettled(svc);
    expect(plex.requests).toHaveLength(1);
    const req = plex.requests[0]!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe(`/library/sections/1/refresh?path=${encodeURIComponent(`/data/media/Movies/${folder}`)}`);
    expect(req.query.get('path')).toBe(`/data/media/Movies/${folder}`);
    expect(req.headers['x-plex-token']).toBe(PLEX_TOKEN);
    expect(req.url).not.toContain(PLEX_TOKEN);
  });

  it('an episode: "Episode Synced" and a scan of the season folder', async () => {
    telegram.reset();
    plex.reset();
    const file = 'Fleabag (2016) - S01E05 - Episode 5.mkv';
    await makeTree(join(svc.tvSrc, 'Fleabag (2016)', 'Season 01'), { [file]: 2048 });
    const res = await post(
      svc.app,
      '/sync/sonarr',
      await sonarrDownload({
        seriesFolder: 'Fleabag (2016)',
        seriesTitle: 'Fleabag & <Co>',
        season: 1,
        episode: 5,
        episodeTitle: 'Episode <5>',
        file,
        size: 2048,
      }),
    );
    expect(res.status).toBe(202);
    const job = await waitForJob(svc, res.body.job_id, (j) => j.status !== 'queued' && j.status !== 'in_progress');
    expect(job.status).toBe('success');
    await plex.waitForRequests(1);
    await telegram.waitForRequests(1);
    await outboxSettled(svc);
    expect(plex.requests).toHaveLength(1);
    expect(plex.requests[0]!.url).toBe(
      `/library/sections/2/refresh?path=${encodeURIComponent('/data/media/TV Shows/Fleabag (2016)/Season 01')}`,
    );
    expect(telegram.requests).toHaveLength(1);
    const text = telegram.requests[0]!.json<{ text: string }>().text;
    expect(text).toBe(
      '<b>Episode Synced</b>\n<b>Fleabag &amp; &lt;Co&gt;</b>\nS01E05: Episode &lt;5&gt;\n' +
        `Quality: WEBDL-1080p\nSize: 2.0 KB\nDuration: ${text.match(/Duration: (\d+\.\ds)$/)![1]}`,
    );
  });

  it('GET and POST /test send "Sync Webhook Test"', async () => {
    telegram.reset();
    const viaGet = await getJson(svc.app, '/test');
    expect(viaGet.status).toBe(200);
    expect(viaGet.body).toEqual({ status: 'notification sent', targets: [{ id: TELEGRAM_ID, ok: true, error: null }] });
    const viaPost = await request(svc.app, '/test', { method: 'POST' });
    expect(viaPost.status).toBe(200);
    await telegram.waitForRequests(2);
    for (const req of telegram.requests) {
      const body = req.json<{ text: string; chat_id: string }>();
      expect(body.chat_id).toBe(CHAT);
      expect(body.text.startsWith('<b>Sync Webhook Test</b>\n')).toBe(true);
    }
    expect((await getJson(svc.app, '/health')).body.notifications).toBe(true);
  });

  it('Plex down (500): the job is still a success and the message still goes out', async () => {
    telegram.reset();
    plex.reset();
    plex.respondWith({ status: 500, body: 'Internal Server Error' });
    const job = await syncMovie(svc, 'Plex Down (2019)', 'Plex Down');
    await plex.waitForRequests(1);
    await telegram.waitForRequests(1);
    expect(sendMessages(telegram)).toHaveLength(1);
    expect((await getJson(svc.app, `/jobs/${job.id}`)).body.status).toBe('success');
    await svc.waitForLog(new RegExp(`${plexId(plex)} delivery failed \\(attempt 1\\).*500`));
    const scan = (await outboxRows(svc.dbPath)).filter((r) => r.target === plexId(plex) && r.job_id === job.id);
    expect(scan).toHaveLength(1);
    expect(scan[0]!.status).toBe('pending'); // kept for a later try, with its error
    expect(scan[0]!.last_error).toMatch(/500/);
  });
});

describe('Telegram down, then up', () => {
  cleanupEachTest();

  it('429 with retry_after: the message is delivered once the wait is over, and only once', async () => {
    const { telegram } = await fakes();
    const svc = await startWith(telegram, null);
    let calls = 0;
    telegram.respondWith(() =>
      ++calls === 1
        ? {
            status: 429,
            body: {
              ok: false,
              error_code: 429,
              description: 'Too Many Requests: retry after 1',
              parameters: { retry_after: 1 },
            },
          }
        : { status: 200, body: { ok: true, result: {} } },
    );
    const job = await syncMovie(svc, 'Rate Limited (2018)', 'Rate Limited');
    await telegram.waitForRequests(2, 10_000);
    await outboxSettled(svc);
    expect(telegram.requests).toHaveLength(2);
    expect(telegram.requests[1]!.body).toBe(telegram.requests[0]!.body);
    const rows = await outboxRows(svc.dbPath);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ job_id: job.id, status: 'sent', attempts: 2 });
  });

  it('500: the job succeeds, the message waits in the outbox and is delivered later, once', async () => {
    const { telegram } = await fakes();
    telegram.respondWith({ status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } });
    const svc = await startWith(telegram, null);
    const job = await syncMovie(svc, 'Telegram Down (2017)', 'Telegram Down');
    await telegram.waitForRequests(1);
    await svc.waitForLog(new RegExp(`${TELEGRAM_ID} delivery failed \\(attempt 1\\).*HTTP 500.*next try in 1 s`));
    const pending = await outboxRows(svc.dbPath);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ job_id: job.id, status: 'pending', attempts: 1 });
    expect(pending[0]!.last_error).toMatch(/500/);
    expect((await getJson(svc.app, `/jobs/${job.id}`)).body.status).toBe('success');

    // Telegram is back; the outbox tries again after its backoff.
    telegram.respondWith({ status: 200, body: { ok: true, result: {} } });
    await telegram.waitForRequests(2, 10_000);
    await outboxSettled(svc);
    expect(telegram.requests).toHaveLength(2);
    expect(telegram.requests[1]!.body).toBe(telegram.requests[0]!.body);
    expect(telegram.requests[1]!.json<{ text: string }>().text.startsWith('<b>Movie Synced</b>')).toBe(true);
    expect((await outboxRows(svc.dbPath))[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('without a Telegram token', () => {
  cleanupEachTest();

  it('/health says notifications: false, /test answers 503, and a success sends nothing', async () => {
    const svc = await startWith(null, null);
    const health = await getJson(svc.app, '/health');
    expect(health.status).toBe(200);
    expect(health.body.notifications).toBe(false);
    for (const method of ['GET', 'POST']) {
      const res = await request(svc.app, '/test', { method });
      expect(res.status).toBe(503);
      expect(res.body.error).toMatch(/SYNC_NOTIFY_URLS.*TELEGRAM_BOT_TOKEN/);
      expect(res.body.targets).toEqual([]);
    }
    await syncMovie(svc, 'Quiet Movie (2016)', 'Quiet Movie');
    expect(await outboxRows(svc.dbPath)).toEqual([]);
  });
});
