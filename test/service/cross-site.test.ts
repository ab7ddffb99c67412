// Every route that changes state refuses a request another web page made (a foreign Origin, or
// Sec-Fetch-Site: cross-site) with 403 and changes nothing; the same request as Radarr/Sonarr, curl or
// the service's own page sends it gets through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, onCleanup } from '../support/cleanup.js';
import { openDb } from '../support/db.js';
import { type FakeServer, startFakeServer } from '../support/fake-http.js';
import { arrHeaders, post, request } from '../support/http-client.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';
import { waitForJob } from '../support/jobs-api.js';
import { radarrDownload, sonarrDownload } from '../support/payloads.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);

let svc: InProcessService;
let telegram: FakeServer;
let failedJob: number;

beforeAll(async () => {
  telegram = await startFakeServer({ status: 200, body: { ok: true, result: { message_id: 1 } } });
  onCleanup(() => telegram.close());
  svc = await startInProcess({
    env: {
      SYNC_MAX_RETRIES: '0',
      TELEGRAM_BOT_TOKEN: '123456:TEST-token-cross-site',
      TELEGRAM_CHAT_ID: '42',
      TELEGRAM_API_URL: telegram.url,
    },
  });
  failedJob = (
    await post(svc.app, '/sync/radarr', await radarrDownload({ folder: 'Absent (2020)', file: 'movie.mkv' }))
  ).body.job_id;
  await waitForJob(svc, failedJob, 'failed');
});

interface Route {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: () => Promise<unknown>;
}

let movie = 0;
const ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/sync/radarr',
    body: () => radarrDownload({ folder: `Cross ${++movie} (2024)`, file: `cross-${movie}.mkv` }),
  },
  {
    method: 'PUT',
    path: '/sync/radarr',
    body: () => radarrDownload({ folder: `Cross ${++movie} (2024)`, file: `cross-${movie}.mkv` }),
  },
  {
    method: 'POST',
    path: '/sync/sonarr',
    body: () =>
      sonarrDownload({ seriesFolder: 'Cross (2024)', season: 1, episode: ++movie, file: `cross-e${movie}.mkv` }),
  },
  {
    method: 'PUT',
    path: '/sync/sonarr',
    body: () =>
      sonarrDownload({ seriesFolder: 'Cross (2024)', season: 1, episode: ++movie, file: `cross-e${movie}.mkv` }),
  },
  { method: 'POST', path: '/sync/manual', body: async () => ({ path: `/movies/Cross manual ${++movie} (2024)` }) },
  { method: 'POST', path: '/jobs/JOB/retry' },
  { method: 'POST', path: '/queue/retry-failed' },
  { method: 'GET', path: '/test' },
  { method: 'POST', path: '/test' },
  { method: 'GET', path: '/summary/send' },
  { method: 'POST', path: '/summary/send' },
  // Catch-up passes (main's reconcile): a dry pass, and queueing what a pass found (no such pass here).
  { method: 'POST', path: '/reconcile' },
  { method: 'POST', path: '/reconcile/999/queue' },
  { method: 'POST', path: '/login', body: async () => ({ password: 'x' }) },
  { method: 'POST', path: '/logout' },
];

async function send(route: Route, headers: Record<string, string>) {
  const body = route.body ? await route.body() : undefined;
  return request(svc.app, route.path.replace('JOB', String(failedJob)), {
    method: route.method,
    ...(body === undefined ? {} : { body }),
    headers: { ...arrHeaders(), ...headers },
  });
}

/**
 * Everything a state-changing route could change: the jobs, the outbox, what reached Telegram; taken
 * once what the requests let through before caused has run its course (jobs failed, messages sent).
 */
async function state() {
  const db = await openDb(svc.dbPath, { readonly: true });
  try {
    await waitFor(
      () =>
        db.prepare("SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'in_progress')").pluck().get() === 0 &&
        db.prepare("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").pluck().get() === 0,
      { what: 'the service idle' },
    );
    return {
      jobs: db.prepare('SELECT id, status, retry_count, queued_by FROM jobs ORDER BY id').all(),
      outbox: db.prepare('SELECT COUNT(*) FROM outbox').pluck().get(),
      passes: db.prepare('SELECT COUNT(*) FROM reconcile_runs').pluck().get(),
      telegram: telegram.requests.length,
    };
  } finally {
    db.close();
  }
}

const name = (r: Route) => `${r.method} ${r.path}`;

describe.each(ROUTES.map((route) => [name(route), route] as const))('%s', (_name, route) => {
  it.each([
    ['a foreign Origin', { Origin: 'https://evil.example' }, 'Origin https://evil.example is not this service'],
    ['Origin: null (a sandboxed page)', { Origin: 'null' }, 'Origin null is not this service'],
    ['the same host on another port', { Origin: 'http://localhost:8080' }, 'Origin http://localhost:8080'],
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }, 'Sec-Fetch-Site: cross-site'],
  ])('refuses %s with 403 and changes nothing', async (_what, headers, reason) => {
    const before = await state();
    const res = await send(route, headers);
    expect(res.status).toBe(403);
    expect(res.body.error).toContain(`Cross-site request refused (${reason}`);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await state()).toEqual(before);
  });

  it('lets the request through as Radarr/Sonarr send it (no such header), and from its own page', async () => {
    const plain = await send(route, {});
    expect(plain.status).not.toBe(403);
    const own = await send(route, { Origin: 'http://localhost:80', 'Sec-Fetch-Site': 'same-origin' });
    expect(own.status).not.toBe(403);
  });
});

describe('the own origin', () => {
  it('is the Host the request came to, default port or not, or the X-Forwarded-Host of a reverse proxy', async () => {
    const route: Route = { method: 'POST', path: '/summary/send' };
    expect((await send(route, { Origin: 'http://localhost' })).status).toBe(200);
    expect((await send(route, { Origin: 'HTTP://LOCALHOST:80' })).status).toBe(200);
    const proxied = { Origin: 'https://media.example.org', 'X-Forwarded-Host': 'media.example.org' };
    expect((await send(route, proxied)).status).toBe(200);
    expect((await send(route, { Origin: 'http://127.0.0.1' })).status).toBe(403);
    expect((await send(route, { ...proxied, 'X-Forwarded-Host': 'other.example.org' })).status).toBe(403);
  });

  it('leaves reads alone: a GET of data is no state change', async () => {
    const res = await request(svc.app, '/jobs', { headers: { Origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
  });
});
