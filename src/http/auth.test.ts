import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from './app.js';

// The HTTP layer alone, listening on loopback, with the parts behind it answering fixed values.
function deps(auth: AppDeps['auth']): AppDeps {
  return {
    log: pino({ level: 'silent' }),
    auth,
    version: '3.0.0',
    intake: { accept: async () => ({ kind: 'test' }) },
    jobs: { retryFailed: () => 'not_found', retryFailedSince: () => [] },
    jobReports: { get: () => undefined, list: () => [] },
    clock: { now: () => new Date() },
    onRequeued: () => {},
    progressOf: () => undefined,
    reconcile: {
      start: () => ({ kind: 'busy', runningId: 1 }),
      queue: async () => ({ kind: 'not_found' }),
      get: () => undefined,
      list: () => [],
    },
    mappingNames: ['/movies'],
    partialBytesOf: async () => 0,
    health: () => ({
      status: 'healthy',
      timestamp: '',
      dry_run: false,
      notifications: false,
      nfs_status: 'ok',
      nfs_issues: [],
      nfs_down_since: {},
      jobs_24h: { queued: 0, in_progress: 0, success: 0, failed: 0 },
      version: '3.0.0',
      uptime_since: '',
      notification_targets: [],
      media_servers: [],
    }),
    stats: () => ({}) as never,
    sendTestNotification: async () => [],
    sendSummaryNow: () => ({ day: '2026-01-01', notifications: false }),
    scrapeMetrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', text: 'up 1\n' }),
  };
}

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`, 'latin1').toString('base64')}`;
const testBody = JSON.stringify({ eventType: 'Test' });

describe('authentication', () => {
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    app = buildApp(
      deps({ basic: { username: 'sync', password: 'pässwörd' }, apiKey: 'k3y-0123456789', metrics: true }),
    );
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => app.close());

  const post = (headers: Record<string, string>, path = '/sync/radarr') =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: testBody,
    });

  it('refuses a webhook without credentials: 401, a Basic challenge and an error', async () => {
    const res = await post({});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="sync-webhook", charset="UTF-8"');
    expect(await res.json()).toEqual({ error: expect.stringContaining('Authentication required') });
  });

  it('lets in Basic credentials as Radarr sends them (ISO-8859-1)', async () => {
    const res = await post({ authorization: basic('sync', 'pässwörd') });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'test successful' });
  });

  it.each([
    ['a wrong password', { authorization: basic('sync', 'wrong') }],
    ['a wrong user', { authorization: basic('other', 'pässwörd') }],
    ['a truncated header', { authorization: 'Basic' }],
    ['a wrong API key', { 'x-api-key': 'k3y-0123456788' }],
    ['a Bearer token', { authorization: 'Bearer k3y-0123456789' }],
  ])('refuses %s', async (_name, headers) => {
    expect((await post(headers)).status).toBe(401);
  });

  it('lets in the API key as a header or a query parameter', async () => {
    expect((await post({ 'x-api-key': 'k3y-0123456789' })).status).toBe(200);
    expect((await post({}, '/sync/radarr?apikey=k3y-0123456789')).status).toBe(200);
  });

  it('guards every route but GET /health, which then shows only its status', async () => {
    for (const path of ['/jobs', '/jobs/1', '/stats', '/test', '/summary/send', '/metrics']) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(401);
    }
    expect((await fetch(`${url}/queue/retry-failed`, { method: 'POST' })).status).toBe(401);
    const open = await fetch(`${url}/health`);
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ status: 'healthy' });
    const full = await fetch(`${url}/health`, { headers: { 'x-api-key': 'k3y-0123456789' } });
    expect(Object.keys((await full.json()) as object)).toContain('jobs_24h');
  });
});

describe('SYNC_METRICS_AUTH=false', () => {
  it('opens GET /metrics to a scraper without credentials, and nothing else', async () => {
    const app = buildApp(deps({ basic: null, apiKey: 'k3y-0123456789', metrics: false }));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const metrics = await fetch(`${url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(await metrics.text()).toBe('up 1\n');
      expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(401);
      for (const path of ['/jobs', '/stats', '/test', '/summary/send']) {
        expect((await fetch(`${url}${path}`)).status, path).toBe(401);
      }
    } finally {
      await app.close();
    }
  });
});

describe('without credentials configured', () => {
  it('lets everything in and shows the whole health report', async () => {
    const app = buildApp(deps({ basic: null, apiKey: null, metrics: true }));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      expect((await fetch(`${url}/jobs`)).status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(200);
      expect(Object.keys((await (await fetch(`${url}/health`)).json()) as object)).toContain('nfs_status');
    } finally {
      await app.close();
    }
  });
});
