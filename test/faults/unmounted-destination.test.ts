// Unmounted destination: when the destination share is not mounted, its mount point is an empty
// folder on the host's own disk. Nothing may be written there (it would fill that disk and be hidden
// once the share is back); the job waits with a reason and runs as soon as the share is mounted.
// Real mounts (tmpfs) and a real mount table: root only.
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { startService, type Service } from '../support/launch.js';
import { readLog, type MappingSpec } from '../support/service-layout.js';
import { getJson, post } from '../support/http-client.js';
import { getJob, waitForJob } from '../support/jobs-api.js';
import { makeTree, treeOf } from '../support/trees.js';
import { radarrDownload } from '../support/payloads.js';
import { type FakeServer, jobMessageTexts, startAcceptingTelegram } from '../support/fake-http.js';
import {
  isMountPoint,
  mountProblem,
  mountTmpfs,
  onRootFilesystem,
  rootFsTempDir,
  skipUnless,
} from '../support/mounts.js';

afterAll(cleanupAll);
cleanupEachTest();

const skip = skipUnless(await mountProblem(), 'unmounted destination (tmpfs mounts)');
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const TOKEN = '4242:unmounted-destination-token';

interface Setup {
  svc: Service;
  telegram: FakeServer;
  src: string;
  dst: string;
  movie: { id: number; folder: string; file: string };
}

/**
 * A source share (tmpfs, mounted, with a movie in it) and a destination mount point that is an
 * empty folder on the root filesystem, mounted or not as `mountDestination` says.
 */
async function setup(o: { mountDestination: boolean; anchor?: string; env?: Record<string, string> }): Promise<Setup> {
  const telegram = await startAcceptingTelegram();
  const dir = await rootFsTempDir();
  const src = join(dir, 'nas', 'movies');
  const dst = join(dir, 'mnt', 'Movies');
  await mountTmpfs(src, '16m');
  const folder = 'Arrival (2016) {tmdb-329865}';
  const file = 'Arrival (2016) [Bluray-1080p].mkv';
  await makeTree(join(src, folder), { [file]: 300_000, 'Arrival (2016).en.srt': 'subtitles\n' });
  if (o.mountDestination) await mountTmpfs(dst, '16m');
  else await mkdir(dst, { recursive: true }); // the mount point: an empty folder
  const mappings: MappingSpec[] = [
    { container: '/movies', source: src, destination: dst, ...(o.anchor ? { anchor: { destination: o.anchor } } : {}) },
  ];
  const svc = await startService({
    dir,
    mappings,
    env: {
      SYNC_REQUIRE_MOUNTS: 'true',
      SYNC_MOUNT_CHECK_INTERVAL_SECONDS: '1',
      // A failure would be final (no retries), and a retry would come only after 10 minutes: a job
      // that succeeds right after the mount came back never failed.
      SYNC_MAX_RETRIES: '0',
      SYNC_RETRY_INTERVAL_SECONDS: '600',
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_CHAT_ID: '1',
      TELEGRAM_API_URL: telegram.url,
      ...o.env,
    },
  });
  const res = await post(svc.url, '/sync/radarr', await radarrDownload({ folder, file }));
  expect(res.status, res.text).toBe(202);
  return { svc, telegram, src, dst, movie: { id: res.body.job_id, folder, file } };
}

/** Waits until the job has been looked at `times` more times (its next_attempt_at moved on), still waiting. */
async function waitsThrough(svc: Service, id: number, times: number): Promise<void> {
  let last = (await getJob(svc, id)).next_attempt_at;
  for (let i = 0; i < times; i++) {
    const job = await waitForJob(svc, id, (j) => j.next_attempt_at !== null && j.next_attempt_at !== last, 10_000);
    expect(job).toMatchObject({ status: 'queued', retry_count: 0 });
    last = job.next_attempt_at;
  }
}

function telegramTexts(telegram: FakeServer): string[] {
  return telegram.requests.map((r) => r.json<{ text: string }>().text);
}

describe.skipIf(skip)('destination share not mounted', () => {
  const waitsForMount =
    'the job waits, nothing is written into the empty mount point, and it runs at once when the share is mounted';
  it(waitsForMount, async () => {
    const { svc, telegram, src, dst, movie } = await setup({ mountDestination: false });
    expect(onRootFilesystem(dst)).toBe(true);
    const before = await stat(dst);

    // Waits, with the reason, and without using a retry.
    const waiting = await waitForJob(svc, movie.id, (j) => j.error !== null);
    expect(waiting.status).toBe('queued');
    expect(waiting.retry_count).toBe(0);
    expect(waiting.error).toMatch(/Waiting for mount/);
    expect(waiting.error).toContain(`destination ${dst} is not mounted`);
    expect(waiting.next_attempt_at).toMatch(ISO_UTC);
    expect(waiting.started_at).toBeNull();

    // /health: degraded, the destination named, since when, keyed by its path; the source is fine.
    const health = await getJson(svc.url, '/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.nfs_status).toBe('error');
    expect(Object.keys(health.body.nfs_down_since)).toEqual([dst]);
    expect(health.body.nfs_down_since[dst]).toMatch(ISO_UTC);
    expect(health.body.nfs_issues).toEqual([expect.stringContaining(`destination ${dst} is not mounted`)]);

    // Several looks later (the check runs every second): still waiting, and the mount point was
    // never written to, not even for a moment (a file created and removed would change its mtime).
    await waitsThrough(svc, movie.id, 3);
    expect(await readdir(dst)).toEqual([]);
    const after = await stat(dst);
    expect(after.mtimeMs, 'the empty mount point was written to').toBe(before.mtimeMs);
    expect(after.ctimeMs).toBe(before.ctimeMs);
    expect((await getJson(svc.url, '/jobs?status=failed')).body.jobs).toEqual([]);
    expect(jobMessageTexts(telegram)).toEqual([]);

    // The share comes back: the job runs at once (not after the 10-minute retry interval).
    await mountTmpfs(dst, '16m');
    const t0 = performance.now();
    const done = await waitForJob(svc, movie.id, (j) => j.status === 'success' || j.status === 'failed', 10_000);
    expect(done.status, done.error ?? '').toBe('success');
    expect(performance.now() - t0).toBeLessThan(4000);
    expect(done.retry_count).toBe(0);
    expect(done.error).toBeNull();
    expect(await treeOf(join(dst, movie.folder))).toEqual(await treeOf(join(src, movie.folder)));

    // One success message, no failure message; the share was told down (it was for seconds) and back.
    await telegram.waitForRequests(3);
    await waitFor(async () => (await getJson(svc.url, '/health')).body.status === 'healthy', { what: 'healthy again' });
    const texts = jobMessageTexts(telegram);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^<b>Movie Synced<\/b>\n<b>Arrival<\/b>/);
    const shares = telegramTexts(telegram).filter((t) => !texts.includes(t));
    expect(shares.map((t) => t.split('\n')[0])).toEqual(['<b>Share Down</b>', '<b>Share Back</b>']);
    expect((await getJson(svc.url, '/health')).body.nfs_down_since).toEqual({});
    const log = await readLog(svc, 'sync_webhook.log');
    expect(log).toMatch(/Sync of Arrival \(2024\) waits: Waiting for mount: destination .* is not mounted/);
    expect(log).toContain(`Mount ${dst} is healthy again`);
    expect(log.match(/Running: rsync/g)).toHaveLength(1);
  });

  const shareGoneBetweenChecks =
    'a share that goes away right after a job used it, between two background checks, ' +
    'is caught before the next rsync';
  it(shareGoneBetweenChecks, async () => {
    // The background check runs only at start; a first job finds the share there and copies, then the
    // share goes away and the next job comes within a second.
    const telegram = await startAcceptingTelegram();
    const dir = await rootFsTempDir();
    const src = join(dir, 'nas', 'movies');
    const dst = join(dir, 'mnt', 'Movies');
    await mountTmpfs(src, '16m');
    const share = await mountTmpfs(dst, '16m');
    await makeTree(join(src, 'Heat (1995)'), { 'Heat (1995).mkv': 100_000 });
    await makeTree(join(src, 'Ronin (1998)'), { 'Ronin (1998).mkv': 100_000 });
    const svc = await startService({
      dir,
      mappings: [{ container: '/movies', source: src, destination: dst }],
      env: {
        SYNC_REQUIRE_MOUNTS: 'true',
        SYNC_MOUNT_CHECK_INTERVAL_SECONDS: '3600',
        SYNC_MAX_RETRIES: '0',
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_CHAT_ID: '1',
        TELEGRAM_API_URL: telegram.url,
      },
    });
    await waitFor(async () => (await getJson(svc.url, '/health')).body.nfs_status === 'ok', {
      what: 'first check done, all mounted',
    });
    const first = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ folder: 'Heat (1995)', file: 'Heat (1995).mkv' }),
    );
    expect(
      (await waitForJob(svc, first.body.job_id, (j) => j.status === 'success' || j.status === 'failed')).status,
    ).toBe('success');

    await share.unmount();
    expect(isMountPoint(dst)).toBe(false);
    const before = await stat(dst);
    const res = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ folder: 'Ronin (1998)', file: 'Ronin (1998).mkv' }),
    );
    expect(res.status).toBe(202);
    const waiting = await waitForJob(
      svc,
      res.body.job_id,
      (j) => j.error !== null || j.status === 'success' || j.status === 'failed',
    );
    expect(waiting.status, waiting.error ?? '').toBe('queued');
    expect(waiting.error).toContain(`destination ${dst} is not mounted`);
    expect(waiting.retry_count).toBe(0);
    expect(await readdir(dst)).toEqual([]);
    expect((await stat(dst)).mtimeMs).toBe(before.mtimeMs);
    expect(telegram.requests.map((r) => r.json<{ text: string }>().text).filter((t) => /Failed/.test(t))).toEqual([]);
    // The job reported it: /health says so without waiting for the next background check.
    const health = await getJson(svc.url, '/health');
    expect(health.body.status).toBe('degraded');
    expect(health.body.nfs_down_since[dst]).toMatch(ISO_UTC);
  });

  const anchorGoneAfterJob =
    'with an anchor: a share whose anchor vanishes right after a job (its mount still there) ' +
    'is caught before the next rsync';
  it(anchorGoneAfterJob, async () => {
    // Inside Docker, a bind mount of a host folder stays mounted when the NFS share behind it goes:
    // only the anchor file tells. Here the mount stays and the anchor goes, a second after a copy.
    const anchor = '.sync-anchor';
    const dir = await rootFsTempDir();
    const src = join(dir, 'nas', 'movies');
    const dst = join(dir, 'mnt', 'Movies');
    await mountTmpfs(src, '16m');
    await mountTmpfs(dst, '16m');
    await writeFile(join(dst, anchor), '');
    await makeTree(join(src, 'Heat (1995)'), { 'Heat (1995).mkv': 100_000 });
    await makeTree(join(src, 'Ronin (1998)'), { 'Ronin (1998).mkv': 100_000 });
    const svc = await startService({
      dir,
      mappings: [{ container: '/movies', source: src, destination: dst, anchor: { destination: anchor } }],
      env: { SYNC_REQUIRE_MOUNTS: 'true', SYNC_MOUNT_CHECK_INTERVAL_SECONDS: '3600', SYNC_MAX_RETRIES: '0' },
    });
    const first = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ folder: 'Heat (1995)', file: 'Heat (1995).mkv' }),
    );
    expect(
      (await waitForJob(svc, first.body.job_id, (j) => j.status === 'success' || j.status === 'failed')).status,
    ).toBe('success');

    await rm(join(dst, anchor));
    const res = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ folder: 'Ronin (1998)', file: 'Ronin (1998).mkv' }),
    );
    const waiting = await waitForJob(
      svc,
      res.body.job_id,
      (j) => j.error !== null || j.status === 'success' || j.status === 'failed',
    );
    expect(waiting.status, waiting.error ?? '').toBe('queued');
    expect(waiting.error).toContain(`anchor file ${anchor} missing under ${dst}`);
    expect(await readdir(dst)).toEqual(['Heat (1995)']);
  });

  const waitsForAnchor =
    'with an anchor: a mounted destination without its anchor file waits, and runs once the anchor is there';
  it(waitsForAnchor, async () => {
    const anchor = '.sync-anchor';
    const { svc, telegram, src, dst, movie } = await setup({ mountDestination: true, anchor });
    expect(isMountPoint(dst)).toBe(true);
    const before = await stat(dst);
    const waiting = await waitForJob(svc, movie.id, (j) => j.error !== null);
    expect(waiting.status).toBe('queued');
    expect(waiting.retry_count).toBe(0);
    expect(waiting.error).toContain(`anchor file ${anchor} missing under ${dst}`);
    const health = await getJson(svc.url, '/health');
    expect(health.body.status).toBe('degraded');
    expect(Object.keys(health.body.nfs_down_since)).toEqual([dst]);
    await waitsThrough(svc, movie.id, 2);
    expect(await readdir(dst)).toEqual([]);
    expect((await stat(dst)).mtimeMs).toBe(before.mtimeMs);
    expect(jobMessageTexts(telegram)).toEqual([]);

    // The real share shows its anchor: the job runs.
    await writeFile(join(dst, anchor), '');
    const done = await waitForJob(svc, movie.id, (j) => j.status === 'success' || j.status === 'failed', 10_000);
    expect(done.status, done.error ?? '').toBe('success');
    expect(done.retry_count).toBe(0);
    expect(await treeOf(join(dst, movie.folder))).toEqual(await treeOf(join(src, movie.folder)));
    await telegram.waitForRequests(1);
    expect(telegramTexts(telegram).filter((t) => t.includes('Failed'))).toEqual([]);
  });
});
