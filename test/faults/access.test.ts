// Access, on the real process: with SYNC_USERNAME/SYNC_PASSWORD or SYNC_API_KEY set, every route but
// GET /health refuses a request without the right credentials (401, WWW-Authenticate, {error}) and
// does nothing; GET /health then shows only its status. Radarr's Basic header, X-Api-Key and ?apikey=
// get in. The password, the API key, the bot token and the Plex token never show in a log, an error
// or an answer, even when Telegram and Plex echo them back. Started as root, one warning says so.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, onCleanup, tempDir } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { startService, type Service } from '../support/launch.js';
import { layoutOf, readLog } from '../support/service-layout.js';
import { arrHeaders, request, type HttpResponse } from '../support/http-client.js';
import { outboxRows } from '../support/db.js';
import { makeTree } from '../support/trees.js';
import { radarrDownload } from '../support/payloads.js';
import { startFakeServer, type FakeServer } from '../support/fake-http.js';

afterAll(cleanupAll);

const USER = 'radarr';
const PASSWORD = 'Pa55:word with spaces & ümlaut';
const API_KEY = 'k3y/with+special=chars&more';
const BOT_TOKEN = '246810:AAE-secret-bot-token-access';
const PLEX_TOKEN = 'plex-secret-token-access';
const SECRETS = [PASSWORD, API_KEY, BOT_TOKEN, PLEX_TOKEN];

/** Every route of the API, each with a body where it takes one. */
const ROUTES: [method: string, path: string, body?: unknown][] = [
  ['GET', '/stats'],
  ['GET', '/jobs'],
  ['GET', '/jobs?limit=5&status=queued'],
  ['GET', '/jobs/1'],
  ['POST', '/jobs/1/retry'],
  ['POST', '/queue/retry-failed'],
  ['GET', '/test'],
  ['POST', '/test'],
  ['GET', '/summary/send'],
  ['POST', '/summary/send'],
  ['POST', '/sync/radarr', 'radarr'],
  ['PUT', '/sync/radarr', 'radarr'],
  ['POST', '/sync/sonarr', { eventType: 'Test' }],
  ['PUT', '/sync/sonarr', { eventType: 'Test' }],
  ['POST', '/sync/manual', { path: '/movies/Intruder (2020)', type: 'movie' }],
  ['POST', '/health'],
  ['HEAD', '/stats'],
  ['DELETE', '/jobs/1'],
  ['GET', '/no-such-route'],
];

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'latin1').toString('base64')}`;

interface Setup {
  svc: Service;
  telegram: FakeServer;
  plex: FakeServer;
  answers: string[];
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResponse>;
}

async function setup(auth: Record<string, string>): Promise<Setup> {
  // Both fakes echo what they received (the URL with the bot token, the Plex token) in their errors.
  const telegram = await startFakeServer((req) => ({
    status: 400,
    body: { ok: false, error_code: 400, description: `Bad Request: chat not found at ${req.url}` },
  }));
  const plex = await startFakeServer((req) => ({
    status: 401,
    body: `unauthorized token ${String(req.headers['x-plex-token'])}`,
  }));
  onCleanup(() => telegram.close());
  onCleanup(() => plex.close());
  const dir = await tempDir();
  const l = layoutOf(dir);
  const svc = await startService({
    dir,
    mappings: [{ container: '/movies', source: l.moviesSrc, destination: l.moviesDst, plex_section: 1 }],
    env: {
      ...auth,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_CHAT_ID: '1',
      TELEGRAM_API_URL: telegram.url,
      PLEX_URL: plex.url,
      PLEX_TOKEN,
    },
  });
  const answers: string[] = [];
  const radarr = await radarrDownload({ folder: 'Intruder (2020)', file: 'Intruder (2020).mkv' });
  return {
    svc,
    telegram,
    plex,
    answers,
    async call(method, path, body, headers = {}) {
      const payload = body === 'radarr' ? radarr : body;
      const res = await request(svc.url, path, {
        method,
        ...(payload === undefined ? {} : { body: payload }),
        headers: { ...(payload === undefined ? {} : arrHeaders()), ...headers },
      });
      answers.push(JSON.stringify(res.headers), res.text);
      return res;
    },
  };
}

function expectRefused(res: HttpResponse, what: string): void {
  expect(res.status, what).toBe(401);
  expect(String(res.headers['www-authenticate']), what).toMatch(/^Basic realm="sync-webhook"/);
  if (res.text) {
    expect(typeof res.body?.error, what).toBe('string');
    expect(Object.keys(res.body), what).toEqual(['error']);
  }
}

/** Tries every route without, and with wrong, credentials: all refused, nothing done. */
async function everyRouteRefused(s: Setup, wrong: Record<string, string>[]): Promise<void> {
  for (const headers of [{}, ...wrong]) {
    for (const [method, path, body] of ROUTES) {
      expectRefused(await s.call(method, path, body, headers), `${method} ${path} with ${JSON.stringify(headers)}`);
    }
  }
  // None of it had an effect: no job, no message, no summary queued.
  expect(await outboxRows(s.svc.dbPath)).toEqual([]);
  expect(s.telegram.requests).toHaveLength(0);
  const jobs = await s.call('GET', '/jobs', undefined, { 'X-Api-Key': API_KEY, Authorization: basic(USER, PASSWORD) });
  expect(jobs.body.jobs).toEqual([]);
}

async function healthForStrangers(s: Setup): Promise<void> {
  const health = await s.call('GET', '/health');
  expect(health.status).toBe(200);
  expect(Object.keys(health.body)).toEqual(['status']);
  expect(['healthy', 'degraded']).toContain(health.body.status);
}

/** Everything the service said anywhere: logs, stdout/stderr, every answer. */
async function expectNoSecretAnywhere(s: Setup): Promise<void> {
  const places: [string, string][] = [
    ['sync_webhook.log', await readLog(s.svc, 'sync_webhook.log')],
    ['sync_history.log', await readLog(s.svc, 'sync_history.log')],
    ['stdout+stderr', s.svc.output()],
    ['API answers', s.answers.join('\n')],
    ['outbox errors', (await outboxRows(s.svc.dbPath)).map((r) => r.last_error ?? '').join('\n')],
  ];
  for (const [where, text] of places) {
    for (const secret of SECRETS) {
      for (const form of new Set([
        secret,
        encodeURIComponent(secret),
        Buffer.from(`${USER}:${PASSWORD}`, 'latin1').toString('base64'),
      ])) {
        expect(text.includes(form), `${where} shows a secret (${form.slice(0, 4)}…)`).toBe(false);
      }
    }
  }
}

/** Things that make Telegram, Plex and the error handler talk: a sync, /test, a bad body with ?apikey=. */
async function provokeErrors(s: Setup, auth: Record<string, string>, query = ''): Promise<void> {
  await makeTree(join(s.svc.moviesSrc, 'Echo (2020)'), { 'Echo (2020).mkv': 2_000 });
  const res = await s.call(
    'POST',
    `/sync/radarr${query}`,
    await radarrDownload({ folder: 'Echo (2020)', file: 'Echo (2020).mkv' }),
    auth,
  );
  expect(res.status, res.text).toBe(202);
  await s.telegram.waitForRequests(1);
  await s.plex.waitForRequests(1);
  await waitFor(async () => (await outboxRows(s.svc.dbPath)).every((r) => r.status !== 'pending'), {
    what: 'outbox settled',
  });
  const test = await s.call('GET', `/test${query}`, undefined, auth);
  expect(test.status).toBe(502);
  expect(test.body.error).toMatch(/chat not found/);
  const malformed = await s.call('POST', `/sync/radarr${query}`, '{"eventType": "Download", ', auth);
  expect(malformed.status).toBe(400);
  await s.call('GET', `/jobs/999${query}`, undefined, auth);
  await s.call('GET', `/jobs?limit=abc${query.replace('?', '&')}`, undefined, auth);
}

describe('HTTP Basic (SYNC_USERNAME / SYNC_PASSWORD)', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup({ SYNC_USERNAME: USER, SYNC_PASSWORD: PASSWORD });
  });

  it('refuses every route but GET /health without the right credentials, and does nothing', async () => {
    await everyRouteRefused(s, [
      { Authorization: basic(USER, 'wrong') },
      { Authorization: basic('sonarr', PASSWORD) },
      { Authorization: basic(USER, `${PASSWORD} `) },
      { Authorization: `Bearer ${PASSWORD}` },
      { Authorization: 'Basic !!!not-base64' },
      { 'X-Api-Key': PASSWORD },
    ]);
    await healthForStrangers(s);
  });

  it("lets Radarr's Basic header in, on every route", async () => {
    const auth = { Authorization: basic(USER, PASSWORD) };
    const health = await s.call('GET', '/health', undefined, auth);
    expect(health.body).toHaveProperty('nfs_status');
    const res = await s.call('POST', '/sync/radarr', 'radarr', auth);
    expect(res.status, res.text).toBe(202);
    for (const [method, path, body] of ROUTES) {
      const r = await s.call(method, path, body, auth);
      expect(r.status, `${method} ${path}`).not.toBe(401);
    }
  });

  it('never shows the password, bot token or Plex token', async () => {
    await provokeErrors(s, { Authorization: basic(USER, PASSWORD) });
    await expectNoSecretAnywhere(s);
  });
});

describe('API key (SYNC_API_KEY)', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setup({ SYNC_API_KEY: API_KEY });
  });

  it('refuses every route but GET /health without the key, and does nothing', async () => {
    await everyRouteRefused(s, [
      { 'X-Api-Key': 'wrong' },
      { 'X-Api-Key': `${API_KEY}x` },
      { 'X-Api-Key': API_KEY.toUpperCase() },
      { Authorization: basic('apikey', API_KEY) },
    ]);
    for (const [method, path, body] of ROUTES) {
      const sep = path.includes('?') ? '&' : '?';
      expectRefused(
        await s.call(method, `${path}${sep}apikey=${encodeURIComponent('wrong')}`, body),
        `${method} ${path}?apikey=wrong`,
      );
    }
    await healthForStrangers(s);
  });

  it('lets X-Api-Key and ?apikey= in', async () => {
    const header = await s.call('POST', '/sync/radarr', 'radarr', { 'X-Api-Key': API_KEY });
    expect(header.status, header.text).toBe(202);
    const query = await s.call('GET', `/jobs?apikey=${encodeURIComponent(API_KEY)}`);
    expect(query.status, query.text).toBe(200);
    expect(query.body.jobs).toHaveLength(1);
    const both = await s.call('GET', `/health?apikey=${encodeURIComponent(API_KEY)}`);
    expect(both.body).toHaveProperty('jobs_24h');
  });

  it('never shows the API key, bot token or Plex token, not even from a URL that carried the key', async () => {
    await provokeErrors(s, {}, `?apikey=${encodeURIComponent(API_KEY)}`);
    await expectNoSecretAnywhere(s);
  });

  it('started as root, the log warns once that it runs as root and how to avoid it', async () => {
    if (process.getuid?.() !== 0) return; // only root sees the warning
    const log = await readLog(s.svc, 'sync_webhook.log');
    const warnings = log.split('\n').filter((l) => /root/i.test(l) && / - WARNING - /.test(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Running as root/);
    expect(warnings[0]).toMatch(/uid 1000|unprivileged user/);
  });
});
