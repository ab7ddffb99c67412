// GET /events: server-sent events to the dashboard, over a real socket (a stream never ends, so not
// through inject): a snapshot first, then job changes and progress, coalesced to a few a second, a new
// snapshot after a reconnect, the health panel when a share goes away, and the end at shutdown.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRsync } from '../../src/runner/rsync.js';
import { cleanupAll } from '../support/cleanup.js';
import { openEventStream } from '../support/event-stream.js';
import { post, request } from '../support/http-client.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';
import { waitForJob } from '../support/jobs-api.js';
import { radarrDownload } from '../support/payloads.js';
import { makeTree } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);

/** The event stream's window (TIMING.events.windowMs): no two batches of messages come closer. */
const WINDOW_MS = 250;

async function listening(svc: InProcessService): Promise<string> {
  await svc.app.listen({ host: '127.0.0.1', port: 0 });
  const address = svc.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a port');
  return `http://127.0.0.1:${address.port}`;
}

describe('GET /events', () => {
  let svc: InProcessService;
  let url: string;

  beforeAll(async () => {
    svc = await startInProcess({
      // 1 MB/s: a 3 MB movie copies for about 3 s, printing progress meanwhile.
      adapters: { rsync: (args, o) => runRsync(['--bwlimit=1024', ...args], o) },
    });
    url = await listening(svc);
  });

  it('starts with the reconnect delay and a snapshot of the Now and health panels', async () => {
    const stream = await openEventStream(url);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-cache, no-transform');
    expect(stream.headers['x-accel-buffering']).toBe('no');
    const snapshot = await stream.next('snapshot');
    expect(stream.messages[0]).toBe(snapshot);
    expect(stream.retries).toEqual([3000]);
    expect(snapshot.data.now).toMatchObject({ running: [], queue: { count: 0 }, eta: { basis: 'none' } });
    expect(snapshot.data.health.mappings.map((m: { container: string }) => m.container)).toEqual(['/movies', '/tv']);
    expect(Number(snapshot.id)).toBeGreaterThan(0);
  });

  it("pushes a job from webhook to end, and the running copy's progress, a few times a second at most", async () => {
    const stream = await openEventStream(url);
    await stream.next('snapshot');
    await makeTree(join(svc.moviesSrc, 'Slow (2024)'), { 'slow.mkv': 3 * 1024 * 1024 });
    const id = (await post(svc.app, '/sync/manual', { path: '/movies/Slow (2024)' })).body.job_id;

    const queued = await stream.next('jobs', (d) => d.jobs.some((j: { id: number }) => j.id === id));
    expect(queued.data.jobs.find((j: { id: number }) => j.id === id)).toMatchObject({
      title: 'Slow (2024)',
      source: 'manual',
      attempt_count: expect.any(Number),
    });
    const moving = await stream.next('now', (d) => d.running[0]?.progress?.bytes > 0);
    const further = await stream.next(
      'now',
      (d) => d.running[0]?.progress?.bytes > moving.data.running[0].progress.bytes,
      {
        after: stream.messages.indexOf(moving) + 1,
      },
    );
    expect(further.data.running[0]).toMatchObject({ id, status: 'in_progress' });
    expect(further.data.eta.basis).toBe('running_copies');
    await stream.next('jobs', (d) =>
      d.jobs.some((j: { id: number; status: string }) => j.id === id && j.status === 'success'),
    );
    const done = await stream.next('now', (d) => d.running.length === 0 && d.counts.success >= 1);
    expect(done.data.eta).toMatchObject({ seconds: 0, basis: 'none' });

    // Messages come in batches, one batch per window at most: about 3 s of progress is a dozen, not hundreds.
    const batches = [...new Set(stream.messages.slice(1).map((m) => Math.round(m.at)))].sort((a, b) => a - b);
    // Counted over the time they span, not by the gap between two arrivals: a test process held up under
    // load reads two windows' batches at once, but it never receives more batches than windows passed.
    const span = (batches.at(-1) ?? 0) - (batches[0] ?? 0);
    expect(batches.length).toBeLessThanOrEqual(Math.floor(span / WINDOW_MS) + 3);
    expect(stream.messages.filter((m) => m.event === 'now').length).toBeLessThan(40);
    // Ids go up.
    const ids = stream.messages.map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('starts a reconnection with a new snapshot that holds what changed meanwhile', async () => {
    const first = await openEventStream(url);
    await first.next('snapshot');
    first.close();
    const failed = (
      await post(svc.app, '/sync/radarr', await radarrDownload({ folder: 'Gone Meanwhile (2020)', file: 'movie.mkv' }))
    ).body.job_id;
    await waitForJob(svc, failed, 'failed');
    const again = await openEventStream(url);
    const snapshot = await again.next('snapshot');
    expect(again.messages[0]).toBe(snapshot);
    expect(snapshot.data.now.counts.failed).toBeGreaterThanOrEqual(1);
  });

  it('pushes the health panel when a share goes away and comes back', async () => {
    const stream = await openEventStream(url);
    await stream.next('snapshot');
    await rm(join(svc.tvSrc, '.share-marker'));
    const down = await stream.next('health', (d) => d.mappings[1].source.state === 'empty');
    expect(down.data.status).toBe('degraded');
    await writeFile(join(svc.tvSrc, '.share-marker'), 'share\n');
    await stream.next('health', (d) => d.mappings[1].source.state === 'ok', {
      after: stream.messages.indexOf(down) + 1,
    });
  });
});

describe('GET /events during a burst of webhooks', () => {
  it('gathers a burst of webhooks in a few messages, newest first, saying when more changed', async () => {
    // Shares on the root filesystem with mounts required: the jobs wait in the queue.
    const svc = await startInProcess({ env: { SYNC_REQUIRE_MOUNTS: 'true' } });
    const stream = await openEventStream(await listening(svc));
    await stream.next('snapshot');
    const ids: number[] = [];
    const posts = Array.from({ length: 150 }, (_, i) =>
      radarrDownload({ folder: `Missing ${i} (2020)`, file: 'movie.mkv' })
        .then((body) => post(svc.app, '/sync/radarr', body))
        .then((res) => ids.push(res.body.job_id)),
    );
    await Promise.all(posts);
    const newest = Math.max(...ids);
    const message = await stream.next('jobs', (d) => d.jobs.some((j: { id: number }) => j.id === newest));
    const listed = message.data.jobs.map((j: { id: number }) => j.id);
    expect(listed).toEqual([...listed].sort((a: number, b: number) => b - a));
    const burstMessages = stream.messages.filter((m) => m.event === 'jobs');
    expect(burstMessages.length).toBeLessThan(10);
    expect(burstMessages.some((m) => m.data.truncated === true)).toBe(true);
    expect(Math.max(...burstMessages.map((m) => m.data.jobs.length))).toBeLessThanOrEqual(100);
    // A client reading along is never taken for one that fell behind (which would get a fresh snapshot),
    // even when a message is larger than the socket's buffer.
    expect(Math.max(...burstMessages.map((m) => JSON.stringify(m.data).length))).toBeGreaterThan(16 * 1024);
    expect(stream.messages.filter((m) => m.event === 'snapshot')).toHaveLength(1);
    // Its jobs would keep waking the queue for the rest of the file.
    await svc.service.stop();
  });
});

describe('GET /events with authentication on', () => {
  it("needs credentials; a page's EventSource gets no Basic challenge; a login cookie opens it", async () => {
    const svc = await startInProcess({ env: { SYNC_API_KEY: 'dashboard-key-1234' } });
    const url = await listening(svc);
    const refused = await request(url, '/events', { headers: { 'Sec-Fetch-Dest': 'empty' } });
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBeUndefined();
    expect((await request(url, '/events')).headers['www-authenticate']).toBe(
      'Basic realm="sync-webhook", charset="UTF-8"',
    );

    const login = await request(url, '/login', {
      method: 'POST',
      body: { password: 'dashboard-key-1234' },
      headers: { 'Content-Type': 'application/json', Origin: url },
    });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
    const stream = await openEventStream(url, { headers: { Cookie: cookie, 'Sec-Fetch-Dest': 'empty' } });
    expect(stream.status).toBe(200);
    await stream.next('snapshot');
  });
});

describe('GET /events, kept open and limited', () => {
  it('sends a comment line now and then, and refuses a stream beyond the limit with 503', async () => {
    const svc = await startInProcess({
      timing: { events: { windowMs: WINDOW_MS, heartbeatMs: 100, retryMs: 3000, maxStreams: 2 } },
    });
    const url = await listening(svc);
    const [first] = await Promise.all([openEventStream(url), openEventStream(url)]);
    await waitFor(() => (first?.comments ?? 0) >= 2, { what: 'two keep-alive comments' });
    const third = await request(url, '/events');
    expect(third.status).toBe(503);
    expect(third.body).toEqual({ error: 'Too many event streams are open; close a dashboard tab' });
    expect((await request(url, '/events', { method: 'HEAD' })).status).toBe(404);
  });
});

describe('GET /events at shutdown', () => {
  it('ends every stream, so that the service stops at once', async () => {
    const svc = await startInProcess();
    const url = await listening(svc);
    const streams = await Promise.all([openEventStream(url), openEventStream(url)]);
    await Promise.all(streams.map((s) => s.next('snapshot')));
    const started = performance.now();
    await svc.service.stop();
    await Promise.all(streams.map((s) => s.ended()));
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
