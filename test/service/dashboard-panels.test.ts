// The dashboard's panels besides the jobs list: the copies running and the queue behind them (GET /queue),
// the history of the last days (GET /history), the health panel (GET /health/details), the mappings.
// The whole service in-process; rsync is the real one, slowed by --bwlimit where a copy must be seen running.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRsync } from '../../src/runner/rsync.js';
import { cleanupAll, onCleanup } from '../support/cleanup.js';
import { startFakeServer } from '../support/fake-http.js';
import { getJson, post } from '../support/http-client.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';
import { waitForJob } from '../support/jobs-api.js';
import { radarrDownload } from '../support/payloads.js';
import { makeTree } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);

let svc: InProcessService;

beforeAll(async () => {
  const telegram = await startFakeServer({ status: 200, body: { ok: true, result: { message_id: 1 } } });
  onCleanup(() => telegram.close());
  svc = await startInProcess({
    env: {
      SYNC_MAX_RETRIES: '0',
      TELEGRAM_BOT_TOKEN: '123456:TEST-token-panels',
      TELEGRAM_CHAT_ID: '42',
      TELEGRAM_API_URL: telegram.url,
    },
    // 2 MB/s: a 6 MB movie copies for about 3 s, long enough to be seen running.
    adapters: { rsync: (args, o) => runRsync(['--bwlimit=2048', ...args], o) },
  });
});

describe('GET /queue', () => {
  it('shows the running copy with progress, the queue behind it with its size, an ETA from the copy', async () => {
    await makeTree(join(svc.moviesSrc, 'Big (2024)'), { 'big.mkv': 6 * 1024 * 1024 });
    await makeTree(join(svc.moviesSrc, 'Next (2024)'), { 'next.mkv': 1024 });
    const big = (await post(svc.app, '/sync/manual', { path: '/movies/Big (2024)' })).body.job_id;
    const body = await radarrDownload({ folder: 'Next (2024)', file: 'next.mkv', title: 'Next', size: 5_000_000 });
    const next = (await post(svc.app, '/sync/radarr', body)).body.job_id;

    const now = await waitFor(
      async () => {
        const res = await getJson(svc.app, '/queue');
        return res.body.running[0]?.progress?.percent > 0 ? res.body : undefined;
      },
      { what: 'a running copy with progress' },
    );
    expect(now.running.map((j: { id: number }) => j.id)).toEqual([big]);
    expect(now.running[0]).toMatchObject({ status: 'in_progress', title: 'Big (2024)' });
    expect(now.queue).toMatchObject({ count: 1, known_bytes: 5_000_000, without_size: 0, sized_over: 1 });
    expect(now.queue.jobs.map((j: { id: number }) => j.id)).toEqual([next]);
    expect(now.eta.basis).toBe('running_copies');
    expect(now.eta.bytes_per_second).toBeGreaterThan(0);
    expect(now.eta.remaining_bytes).toBeGreaterThan(5_000_000);
    expect(now.eta.seconds).toBeGreaterThan(0);
    expect(now.counts).toMatchObject({ in_progress: 1, queued: 1 });

    await waitForJob(svc, next, 'success');
    const idle = await getJson(svc.app, '/queue');
    expect(idle.body).toMatchObject({
      running: [],
      queue: { count: 0, jobs: [] },
      eta: { seconds: 0, basis: 'none', bytes_per_second: null, remaining_bytes: 0 },
    });
  });
});

describe('GET /history', () => {
  it('gives the last days in TZ, today last, with bytes and outcomes, and the reasons of failures', async () => {
    const failed = (await post(svc.app, '/sync/manual', { path: '/movies/Nowhere (2020)' })).body.job_id;
    await waitForJob(svc, failed, 'failed');
    const res = await getJson(svc.app, '/history?days=3');
    expect(res.status).toBe(200);
    expect(res.body.time_zone).toBe('UTC');
    const today = new Date().toISOString().slice(0, 10);
    expect(res.body.days).toHaveLength(3);
    expect(res.body.days.at(-1)).toMatchObject({ day: today, failures: 1 });
    expect(res.body.days.at(-1).successes).toBeGreaterThanOrEqual(2);
    expect(res.body.days.at(-1).bytes).toBeGreaterThanOrEqual(6 * 1024 * 1024);
    expect(res.body.days.slice(0, 2).map((d: { successes: number }) => d.successes)).toEqual([0, 0]);
    expect(res.body.failure_reasons).toEqual([{ reason: 'source_missing', count: 1 }]);
    expect((await getJson(svc.app, '/history')).body.days).toHaveLength(30);
  });

  it.each(['0', '91', 'week'])('answers days=%s with 400 naming days', async (days) => {
    const res = await getJson(svc.app, `/history?days=${days}`);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('days');
  });
});

describe('GET /health/details', () => {
  it("shows each mapping's shares with their state, rsync, the notification target, version and uptime", async () => {
    const res = await getJson(svc.app, '/health/details');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'healthy',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      rsync_version: expect.stringMatching(/^rsync\s+version/),
      dry_run: false,
    });
    expect(res.body.mappings.map((m: { container: string }) => m.container)).toEqual(['/movies', '/tv']);
    expect(res.body.mappings[0].source).toEqual({
      path: svc.moviesSrc,
      state: 'ok',
      problem: null,
      since: expect.any(String),
    });
    await waitFor(
      async () => {
        const [telegram] = (await getJson(svc.app, '/health/details')).body.targets;
        return telegram?.last_sent_at && telegram.pending === 0;
      },
      { what: 'every message delivered' },
    );
    expect((await getJson(svc.app, '/health/details')).body.targets).toEqual([
      { target: 'telegram', last_sent_at: expect.any(String), pending: 0, last_error: null },
    ]);
    // No token, password or key anywhere in it.
    expect(res.text).not.toContain('TEST-token-panels');
  });

  it('shows a share that went away within its check interval, as its state since then', async () => {
    const tvRoot = svc.tvSrc;
    await rm(join(tvRoot, '.share-marker'));
    const down = await waitFor(
      async () => {
        const tv = (await getJson(svc.app, '/health/details')).body.mappings[1];
        return tv.source.state === 'empty' ? tv : undefined;
      },
      { what: 'the emptied share reported', timeoutMs: 5000 },
    );
    expect(down.source.problem).toBe(`source ${tvRoot} is empty: an unmounted share looks like this`);
    expect(Date.parse(down.source.since)).toBeGreaterThan(Date.now() - 5000);
    expect((await getJson(svc.app, '/health/details')).body.status).toBe('degraded');
    await writeFile(join(tvRoot, '.share-marker'), 'share\n');
    await waitFor(async () => (await getJson(svc.app, '/health/details')).body.mappings[1].source.state === 'ok', {
      what: 'the share back',
    });
  });
});

describe('GET /mappings', () => {
  it('lists each mapping with its roots', async () => {
    expect((await getJson(svc.app, '/mappings')).body).toEqual({
      mappings: [
        { container: '/movies', source: svc.moviesSrc, destination: svc.moviesDst },
        { container: '/tv', source: svc.tvSrc, destination: svc.tvDst },
      ],
    });
  });
});
