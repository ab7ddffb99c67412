/**
 * The access checks of the API, shared by the in-process tests of who gets in (test/service/access)
 * and the process-level tests that no secret ever shows (test/faults/access).
 */
import { expect } from 'vitest';
import { onCleanup, tempDir } from './cleanup.js';
import { outboxRows } from './db.js';
import { startFakeServer, type FakeServer } from './fake-http.js';
import { arrHeaders, request, type HttpResponse } from './http-client.js';
import type { ServiceHandle } from './jobs-api.js';
import { radarrDownload } from './payloads.js';
import { layoutOf, type MappingSpec, type ServiceLayout } from './service-layout.js';

export const USER = 'radarr';
export const PASSWORD = 'Pa55:word with spaces & ümlaut';
export const API_KEY = 'k3y/with+special=chars&more';
export const BOT_TOKEN = '246810:AAE-secret-bot-token-access';
export const PLEX_TOKEN = 'plex-secret-token-access';
export const SECRETS = [PASSWORD, API_KEY, BOT_TOKEN, PLEX_TOKEN];

/** Every route of the API, each with a body where it takes one (GET /events: test/service/events.test.ts). */
export const ROUTES: [method: string, path: string, body?: unknown][] = [
  ['GET', '/stats'],
  ['GET', '/jobs'],
  ['GET', '/jobs?limit=5&status=queued'],
  ['GET', '/jobs/1'],
  ['GET', '/jobs?q=intruder&source=manual'],
  ['GET', '/queue'],
  ['GET', '/history'],
  ['GET', '/health/details'],
  ['GET', '/mappings'],
  ['GET', '/mappings/folders?mapping=%2Fmovies'],
  ['POST', '/jobs/1/retry'],
  ['POST', '/queue/retry-failed'],
  ['GET', '/test'],
  ['POST', '/test'],
  ['GET', '/summary/send'],
  ['POST', '/summary/send'],
  ['GET', '/metrics'],
  ['POST', '/sync/radarr', 'radarr'],
  ['PUT', '/sync/radarr', 'radarr'],
  ['POST', '/sync/sonarr', { eventType: 'Test' }],
  ['PUT', '/sync/sonarr', { eventType: 'Test' }],
  ['POST', '/sync/manual', { path: '/movies/Intruder (2020)', type: 'movie' }],
  ['POST', '/reconcile', { queue: true }],
  ['GET', '/reconcile'],
  ['GET', '/reconcile/1'],
  ['POST', '/reconcile/1/queue'],
  ['GET', '/openapi.json'],
  ['GET', '/queue'],
  ['GET', '/history'],
  ['GET', '/history?days=7'],
  ['GET', '/health/details'],
  ['GET', '/mappings'],
  ['GET', '/mappings/folders?mapping=%2Fmovies'],
  ['POST', '/health'],
  ['HEAD', '/stats'],
  ['DELETE', '/jobs/1'],
  ['GET', '/no-such-route'],
];

export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'latin1').toString('base64')}`;

export interface Setup<S extends AccessService = AccessService> {
  svc: S;
  telegram: FakeServer;
  plex: FakeServer;
  answers: string[];
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResponse>;
}

/** What the checks need of a service, however it was started. */
export type AccessService = ServiceHandle & ServiceLayout & { output(): string };

/** Starts a service (as a process or in-process) in `dir` with these mappings and this environment. */
export type StartWith<S extends AccessService> = (o: {
  dir: string;
  mappings: MappingSpec[];
  env: Record<string, string>;
}) => Promise<S>;

/**
 * A service with `auth` and a Telegram and a Plex that both echo what they received (the URL with
 * the bot token, the Plex token) in their errors, and a `call` that records every answer.
 */
export async function setup<S extends AccessService>(
  auth: Record<string, string>,
  start: StartWith<S>,
): Promise<Setup<S>> {
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
  const svc = await start({
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
      const res = await request('url' in svc ? svc.url : svc.app, path, {
        method,
        ...(payload === undefined ? {} : { body: payload }),
        headers: { ...(payload === undefined ? {} : arrHeaders()), ...headers },
      });
      answers.push(JSON.stringify(res.headers), res.text);
      return res;
    },
  };
}

export function expectRefused(res: HttpResponse, what: string): void {
  expect(res.status, what).toBe(401);
  expect(String(res.headers['www-authenticate']), what).toMatch(/^Basic realm="sync-webhook"/);
  if (res.text) {
    expect(typeof res.body?.error, what).toBe('string');
    expect(Object.keys(res.body), what).toEqual(['error']);
  }
}

/** Tries every route without, and with wrong, credentials: all refused, nothing done. */
export async function everyRouteRefused(s: Setup, wrong: Record<string, string>[]): Promise<void> {
  for (const headers of [{}, ...wrong]) {
    for (const [method, path, body] of ROUTES) {
      expectRefused(await s.call(method, path, body, headers), `${method} ${path} with ${JSON.stringify(headers)}`);
    }
  }
  // None of it had an effect: no job, no message, no summary queued.
  expect(await outboxRows(s.svc.dbPath)).toEqual([]);
  expect(s.telegram.requests).toHaveLength(0);
  const allowed = { 'X-Api-Key': API_KEY, Authorization: basic(USER, PASSWORD) };
  const jobs = await s.call('GET', '/jobs', undefined, allowed);
  expect(jobs.body.jobs).toEqual([]);
  const passes = await s.call('GET', '/reconcile', undefined, allowed);
  expect(passes.body.passes).toEqual([]);
}

export async function healthForStrangers(s: Setup): Promise<void> {
  const health = await s.call('GET', '/health');
  expect(health.status).toBe(200);
  expect(Object.keys(health.body)).toEqual(['status']);
  expect(['healthy', 'degraded']).toContain(health.body.status);
}
