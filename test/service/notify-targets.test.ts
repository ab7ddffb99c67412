// Notification targets as a list: several Telegram chats from SYNC_NOTIFY_URLS and the YAML notify: block,
// each with its own id and queue; /test and /health per target; rows of a target that is gone; rows an older
// version queued, delivered after the upgrade. Fake Telegram and Plex on 127.0.0.1, the service in-process.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest, onCleanup, tempDir } from '../support/cleanup.js';
import { outboxRows } from '../support/db.js';
import { type FakeServer, type RecordedRequest, startFakeServer } from '../support/fake-http.js';
import { getJson, post, request } from '../support/http-client.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';
import { waitForJob } from '../support/jobs-api.js';
import { radarrDownload } from '../support/payloads.js';
import { layoutOf, type NotifySpec } from '../support/service-layout.js';
import { makeTree } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';
import { REPO_ROOT } from '../support/repo-paths.js';

afterAll(cleanupAll);
cleanupEachTest();

const TOKEN = '246813579:AAE-notify-targets-secret';
const id = (chat: string) => `tgram://246813579/${chat}`;
const OK = { status: 200, body: { ok: true, result: { message_id: 1 } } };

/** A fake Bot API that answers each chat as `answers` says (200 by default). */
async function fakeTelegram(answers: Record<string, 'ok' | 'down' | 'hang'> = {}) {
  const server = await startFakeServer((req) => {
    const answer = answers[req.json<{ chat_id: string }>().chat_id] ?? 'ok';
    if (answer === 'hang') return { hang: true };
    if (answer === 'down') return { status: 500, body: { ok: false, description: 'Internal Server Error' } };
    return OK;
  });
  onCleanup(() => server.close());
  return { server, answers };
}

const chatOf = (r: RecordedRequest) => r.json<{ chat_id: string }>().chat_id;
const textsTo = (server: FakeServer, chat: string) =>
  server.requests.filter((r) => chatOf(r) === chat).map((r) => r.json<{ text: string }>().text);

async function start(
  telegram: FakeServer,
  o: { env?: Record<string, string>; notify?: NotifySpec[]; dir?: string } = {},
): Promise<InProcessService> {
  const dir = o.dir ?? (await tempDir());
  const l = layoutOf(dir);
  return startInProcess({
    dir,
    mappings: [{ container: '/movies', source: l.moviesSrc, destination: l.moviesDst }],
    env: { TELEGRAM_API_URL: telegram.url, ...o.env },
    notify: o.notify,
    // A hanging answer ends after 3 s rather than 30, so stopping the service does not wait for it.
    timing: { outboxFirstBackoffMs: 1000, outboundRequestTimeoutMs: 3000 },
  });
}

async function syncMovie(svc: InProcessService, title: string): Promise<number> {
  const folder = `${title} (2024)`;
  await makeTree(join(svc.moviesSrc, folder), { [`${folder}.mkv`]: 1024 });
  const res = await post(svc.app, '/sync/radarr', await radarrDownload({ folder, file: `${folder}.mkv`, title }));
  expect(res.status, res.text).toBe(202);
  const job = await waitForJob(svc, res.body.job_id, (j) => j.status === 'success' || j.status === 'failed');
  expect(job.status, job.error ?? '').toBe('success');
  return job.id;
}

describe('several notification targets', () => {
  it('one that hangs never delays another; /test and /health answer per target, without the token', async () => {
    const { server, answers } = await fakeTelegram({ '2': 'hang' });
    const svc = await start(server, { env: { SYNC_NOTIFY_URLS: `tgram://${TOKEN}/1,tgram://${TOKEN}/2` } });

    await syncMovie(svc, 'First');
    await waitFor(() => textsTo(server, '1').length === 1, { what: 'chat 1 has its message' });
    expect(textsTo(server, '1')[0]).toMatch(/^<b>Movie Synced<\/b>\n<b>First<\/b> \(2024\)\n/);
    // Sent, and still unanswered (the two targets are drained independently, so it may arrive after chat 1's).
    await waitFor(() => textsTo(server, '2').length === 1, { what: 'chat 2 has its request' });
    // Chat 1's row is marked sent once its answer is read, which may come after chat 2's request.
    const rows = await waitFor(
      async () => {
        const all = await outboxRows(svc.dbPath);
        return all.find((r) => r.target === id('1'))?.status === 'sent' ? all : undefined;
      },
      { what: "chat 1's message marked sent" },
    );
    expect(rows.map((r) => [r.target, r.status])).toEqual([
      [id('1'), 'sent'],
      [id('2'), 'pending'],
    ]);

    answers['2'] = 'down';
    const test = await getJson(svc.app, '/test');
    expect(test.status).toBe(502);
    expect(test.body.status).toBe('notification failed');
    expect(test.body.targets).toEqual([
      { id: id('1'), ok: true, error: null },
      { id: id('2'), ok: false, error: expect.stringMatching(/Telegram server error \(HTTP 500\)/) },
    ]);
    expect(test.body.error).toMatch(new RegExp(`^${id('2')}: Telegram server error`));

    const health = await getJson(svc.app, '/health');
    expect(health.body.notifications).toBe(true);
    expect(health.body.notification_targets).toEqual([
      { id: id('1'), last_success: expect.any(String), last_failure: null, last_error: null },
      { id: id('2'), last_success: null, last_failure: expect.any(String), last_error: expect.stringMatching(/500/) },
    ]);
    expect(health.body.media_servers).toEqual([]);
    expect(JSON.stringify(health.body) + JSON.stringify(test.body)).not.toContain('notify-targets-secret');
    expect(svc.output()).not.toContain('notify-targets-secret');
  });

  it('a target gets only the kinds its events name; a name from the YAML file is its id', async () => {
    const { server } = await fakeTelegram();
    const svc = await start(server, {
      notify: [
        { url: `tgram://${TOKEN}/3`, name: 'failures-only', events: ['failure', 'gave_up'] },
        { url: `tgram://${TOKEN}/4` },
      ],
    });
    await syncMovie(svc, 'Filtered');
    await waitFor(() => textsTo(server, '4').length === 1, { what: 'chat 4 has its message' });
    expect((await outboxRows(svc.dbPath)).map((r) => r.target)).toEqual([id('4')]);
    // /test reaches every target, whatever its filter: it checks that each one is reachable.
    const test = await request(svc.app, '/test', { method: 'POST' });
    expect(test.status).toBe(200);
    expect(test.body.targets.map((t: { id: string }) => t.id)).toEqual(['failures-only', id('4')]);
    expect(textsTo(server, '3')).toEqual(['<b>Sync Webhook Test</b>\nIf you see this, notifications are working!']);
  });
});

/** A database as version 4 left it (migrations 001-004), with outbox rows in the shapes it wrote. */
function seedVersion4(dbPath: string, rows: { target: string; payload: unknown }[]): void {
  mkdirSync(dirname(dbPath), { recursive: true });
  const db = new Sqlite(dbPath);
  const migrations = join(REPO_ROOT, 'src', 'store', 'migrations');
  for (const file of readdirSync(migrations).sort()) {
    if (Number.parseInt(file, 10) <= 4) db.exec(readFileSync(join(migrations, file), 'utf8'));
  }
  db.pragma('user_version = 4');
  const at = new Date().toISOString();
  const insert = db.prepare('INSERT INTO outbox (target, payload, next_attempt_at, created_at) VALUES (?, ?, ?, ?)');
  for (const row of rows) insert.run(row.target, JSON.stringify(row.payload), at, at);
  db.close();
}

describe('rows queued before the upgrade, and rows of a target that is gone', () => {
  it('delivers old Telegram texts and Plex scans unchanged; gives up rows of a removed target, once', async () => {
    const { server } = await fakeTelegram();
    const plex = await startFakeServer({ status: 200, body: '' });
    onCleanup(() => plex.close());
    const dir = await tempDir();
    const oldText = { title: 'Movie Synced', body: '<b>Old &amp; Queued</b> (2020)\nQuality: Unknown' };
    seedVersion4(layoutOf(dir).dbPath, [
      { target: 'telegram', payload: oldText },
      { target: 'plex', payload: { section: '3', folder: '/data/Movies/Old & Queued (2020)' } },
    ]);
    const svc = await start(server, {
      dir,
      env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '5', PLEX_URL: plex.url, PLEX_TOKEN: 'plex-upgrade-token' },
    });
    await waitFor(() => textsTo(server, '5').length === 1 && plex.requests.length === 1, { what: 'old rows sent' });
    expect(textsTo(server, '5')).toEqual(['<b>Movie Synced</b>\n<b>Old &amp; Queued</b> (2020)\nQuality: Unknown']);
    expect(plex.requests[0]?.url).toBe(
      `/library/sections/3/refresh?path=${encodeURIComponent('/data/Movies/Old & Queued (2020)')}`,
    );
    const plexId = `plex://127.0.0.1:${plex.port}`;
    await waitFor(async () => (await outboxRows(svc.dbPath)).every((r) => r.status === 'sent'), { what: 'sent' });
    expect((await outboxRows(svc.dbPath)).map((r) => r.target)).toEqual([id('5'), plexId]);
    await svc.waitForLog(/1 outbox row\(s\) queued for Telegram before the upgrade go to tgram:\/\/246813579\/5/);

    // Chat 5 is refused until the service stops; on the next start it is no longer configured.
    server.respondWith({ status: 500, body: { ok: false, description: 'down' } });
    await syncMovie(svc, 'Left Behind');
    await svc.waitForLog(new RegExp(`${id('5')} delivery failed \\(attempt 1\\)`));
    await svc.service.stop();
    server.respondWith(OK);
    const again = await start(server, { dir, env: { SYNC_NOTIFY_URLS: `tgram://${TOKEN}/6` } });
    await again.waitForLog(/1 outbox row\(s\) given up: target tgram:\/\/246813579\/5 is no longer configured/);
    const left = (await outboxRows(again.dbPath)).filter((r) => r.target === id('5') && r.status !== 'sent');
    expect(left.map((r) => [r.status, r.last_error])).toEqual([
      ['dead', 'target tgram://246813579/5 is no longer configured'],
    ]);
    await syncMovie(again, 'Next One');
    await waitFor(() => textsTo(server, '6').length === 1, { what: 'chat 6 has its message' });
    expect(again.output().match(/is no longer configured/g)).toHaveLength(1);
  });
});
