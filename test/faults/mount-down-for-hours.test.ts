// A mount down for a long time: jobs that cannot run only because of it stay queued (not failed, no
// retry used, no failure message) through many checks and a restart of the service, /health says which
// mount has been down since when, and they all run at once when the share is back. The share going down
// is one message, however long it stays down and however often the service restarts meanwhile, and its
// coming back is another, with how long it was down; a share back by the next check sends nothing. The
// share is a bind mount of a folder, unmounted and mounted again as an NFS share goes and comes (root only).
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { startService, type Service } from '../support/launch.js';
import { readLog } from '../support/service-layout.js';
import { getJson, post } from '../support/http-client.js';
import { waitForJob, type JobJson } from '../support/jobs-api.js';
import { outboxRows } from '../support/db.js';
import { makeTree, sameBytes } from '../support/trees.js';
import { radarrDownload } from '../support/payloads.js';
import { startAcceptingTelegram } from '../support/fake-http.js';
import { bindMount, isMountPoint, mountProblem, mountTmpfs, rootFsTempDir, skipUnless } from '../support/mounts.js';

afterAll(cleanupAll);
cleanupEachTest();

const skip = skipUnless(await mountProblem(), 'mount down for hours (bind mounts)');
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const MOVIES = ['Brazil (1985)', 'Cube (1997)', 'Dune (1984)', 'Heat (1995)', 'Ran (1985)'];

async function jobs(svc: Service): Promise<JobJson[]> {
  return (await getJson<{ jobs: JobJson[] }>(svc.url, '/jobs?limit=100')).body.jobs;
}

describe.skipIf(skip)('destination share down for a long time', () => {
  const staysQueuedUntilBack =
    'jobs stay queued with every retry left, survive a restart, and all run as soon as the share is back';
  it(staysQueuedUntilBack, async () => {
    const telegram = await startAcceptingTelegram();
    const texts = () => telegram.requests.map((r) => r.json<{ text: string }>().text);
    const dir = await rootFsTempDir();
    const src = join(dir, 'nas', 'movies');
    const dst = join(dir, 'mnt', 'Movies');
    const backing = join(dir, 'unraid-disk', 'Movies'); // what the share serves
    await mountTmpfs(src, '16m');
    for (const m of MOVIES) await makeTree(join(src, m), { [`${m}.mkv`]: 40_000 });
    await mkdir(backing, { recursive: true });
    let share = await bindMount(backing, dst);

    const svc = await startService({
      dir,
      mappings: [{ container: '/movies', source: src, destination: dst }],
      env: {
        SYNC_REQUIRE_MOUNTS: 'true',
        SYNC_MOUNT_CHECK_INTERVAL_SECONDS: '1',
        // Were waiting to use retries, one failure and one retry a second later would end each job.
        SYNC_MAX_RETRIES: '1',
        SYNC_RETRY_INTERVAL_SECONDS: '1',
        TELEGRAM_BOT_TOKEN: '31337:hours-token',
        TELEGRAM_CHAT_ID: '5',
        TELEGRAM_API_URL: telegram.url,
      },
    });
    await waitFor(async () => (await getJson(svc.url, '/health')).body.nfs_status === 'ok', {
      what: 'all mounted at start',
    });

    // The share goes away, and webhooks keep coming.
    const wentDown = new Date();
    await share.unmount();
    const ids: number[] = [];
    for (const m of MOVIES) {
      const res = await post(svc.url, '/sync/radarr', await radarrDownload({ folder: m, file: `${m}.mkv` }));
      expect(res.status, res.text).toBe(202);
      ids.push(res.body.job_id);
    }

    const down = await waitFor(async () => {
      const h = (await getJson(svc.url, '/health')).body;
      return h.nfs_down_since[dst] ? h : undefined;
    });
    expect(down.status).toBe('degraded');
    expect(Object.keys(down.nfs_down_since)).toEqual([dst]);
    const since = down.nfs_down_since[dst] as string;
    expect(since).toMatch(ISO_UTC);
    expect(new Date(since).getTime()).toBeGreaterThanOrEqual(wentDown.getTime() - 1000);
    expect(down.nfs_issues).toEqual([expect.stringContaining(`destination ${dst} is not mounted`)]);

    // Many checks later (each second): every job still queued, retries untouched, nothing failed, one
    // message that the share is down (after a check interval of it), and "since" still the moment it went down.
    const checksBefore = (await readLog(svc, 'sync_webhook.log')).length;
    await waitFor(
      async () => {
        const all = await jobs(svc);
        return all.length === MOVIES.length && all.every((j) => j.error !== null) ? all : undefined;
      },
      { what: 'every job looked at' },
    );
    const deadline = Date.now() + 4000;
    while (Date.now() < deadline) {
      for (const j of await jobs(svc)) {
        expect(j.status, j.title).toBe('queued');
        expect(j.retry_count).toBe(0);
        expect(j.gave_up).toBe(false);
        expect(j.error).toMatch(/Waiting for mount: destination .* is not mounted/);
      }
      expect((await getJson(svc.url, '/health')).body.nfs_down_since[dst]).toBe(since);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect((await readLog(svc, 'sync_webhook.log')).length).toBeGreaterThan(checksBefore);
    expect((await getJson(svc.url, '/stats')).body).toMatchObject({ failures: 0, total_failed: 0 });
    expect((await outboxRows(svc.dbPath)).map((r) => [r.job_id, r.status])).toEqual([[null, 'sent']]);
    expect(texts()).toEqual([
      expect.stringMatching(
        new RegExp(
          `^<b>Share Down</b>\n<b>/movies</b> \\(destination\\)\nPath: ${dst}\n\n` +
            `Problem: destination ${dst} is not mounted`,
        ),
      ),
    ]);
    expect(await readdir(dst)).toEqual([]);

    // The service restarts during the outage (an update, a host reboot): still waiting, no retry used.
    expect((await svc.stop()).code).toBe(0);
    const again = await svc.restart();
    const afterRestart = await waitFor(async () => {
      const h = (await getJson(again.url, '/health')).body;
      return h.nfs_down_since[dst] ? h : undefined;
    });
    expect(afterRestart.status).toBe('degraded');
    // Each job is looked at again after the restart (briefly in_progress while its mounts are checked)
    // and goes back to waiting: no retry counted for the restart, none failed.
    const restartedAt = new Date().toISOString();
    const rechecked = await waitFor(
      async () => {
        const all = await jobs(again);
        return all.every((j) => j.status === 'queued' && j.next_attempt_at !== null && j.next_attempt_at > restartedAt)
          ? all
          : undefined;
      },
      { what: 'every job looked at after the restart' },
    );
    for (const j of rechecked) expect(j).toMatchObject({ status: 'queued', retry_count: 0, gave_up: false });
    // Still down after the restart, for longer than a check interval (the jobs looked again two intervals
    // later): the message sent before the restart stands, and is not sent again.
    const twoChecksLater = new Date(new Date(restartedAt).getTime() + 2000).toISOString();
    await waitFor(
      async () => (await jobs(again)).every((j) => j.next_attempt_at !== null && j.next_attempt_at > twoChecksLater),
      { what: 'every job looked at again two check intervals after the restart' },
    );
    expect(texts()).toHaveLength(1);
    expect((await outboxRows(again.dbPath)).length).toBe(1);

    // The share is back: all of them run at once, each with all its retries still unused.
    const cameBack = Date.now();
    share = await bindMount(backing, dst);
    expect(isMountPoint(dst)).toBe(true);
    const t0 = performance.now();
    for (const id of ids) {
      const done = await waitForJob(again, id, (j) => j.status === 'success' || j.status === 'failed', 15_000);
      expect(done.status, done.error ?? '').toBe('success');
      expect(done.retry_count).toBe(0);
    }
    expect(performance.now() - t0).toBeLessThan(8000);
    for (const m of MOVIES)
      expect(await sameBytes(join(src, m, `${m}.mkv`), join(backing, m, `${m}.mkv`)), m).toBe(true);

    await waitFor(() => telegram.requests.length >= MOVIES.length + 2, { what: 'share back and success messages' });
    await waitFor(async () => (await outboxRows(again.dbPath)).every((r) => r.status === 'sent'), {
      what: 'outbox drained',
    });
    const [downText, back, ...movies] = texts();
    expect(downText).toMatch(/^<b>Share Down<\/b>/);
    // Down for as long as since it went down before the restart: the minutes of a real outage, seconds here.
    const downFor = Number(/\n\nDown for (\d+) s$/.exec(back ?? '')?.[1]);
    expect(back).toBe(`<b>Share Back</b>\n<b>/movies</b> (destination)\nPath: ${dst}\n\nDown for ${downFor} s`);
    expect(downFor).toBeGreaterThanOrEqual(Math.floor((cameBack - wentDown.getTime()) / 1000) - 2);
    expect(downFor).toBeLessThanOrEqual(Math.ceil((Date.now() - wentDown.getTime()) / 1000) + 1);
    expect(movies).toHaveLength(MOVIES.length);
    expect(movies.every((t) => t.startsWith('<b>Movie Synced</b>'))).toBe(true);
    const healthy = await waitFor(async () => {
      const h = (await getJson(again.url, '/health')).body;
      return h.status === 'healthy' ? h : undefined;
    });
    expect(healthy.nfs_down_since).toEqual({});
  });
});

describe.skipIf(skip)('a share that is back by the next check', () => {
  it('sends no message: the jobs only waited', async () => {
    const telegram = await startAcceptingTelegram();
    const dir = await rootFsTempDir();
    const src = join(dir, 'nas', 'movies');
    const dst = join(dir, 'mnt', 'Movies');
    const backing = join(dir, 'unraid-disk', 'Movies');
    await mountTmpfs(src, '1m');
    await makeTree(src, { 'share-marker': 1 });
    await mkdir(backing, { recursive: true });
    const share = await bindMount(backing, dst);
    const svc = await startService({
      dir,
      mappings: [{ container: '/movies', source: src, destination: dst }],
      env: {
        SYNC_REQUIRE_MOUNTS: 'true',
        // Long enough that the share is back before the check after the one that saw it down.
        SYNC_MOUNT_CHECK_INTERVAL_SECONDS: '5',
        TELEGRAM_BOT_TOKEN: '31337:blip-token',
        TELEGRAM_CHAT_ID: '5',
        TELEGRAM_API_URL: telegram.url,
      },
    });
    await share.unmount();
    await svc.waitForLog(/NFS mount issue: destination .* is not mounted/, 15_000);
    await bindMount(backing, dst);
    await svc.waitForLog(/Mount .* is healthy again/, 15_000);
    expect(await outboxRows(svc.dbPath)).toEqual([]);
    expect(telegram.requests).toHaveLength(0);
  });
});
