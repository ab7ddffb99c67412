// Unmounted or empty source: a source share that is not there must never be synced as an empty tree.
// The job waits (queued, no retry used, no failure message), the destination stays exactly as it
// was, and the job runs once the share is back.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest, tempDir } from '../support/cleanup.js';
import { startService, type Service } from '../support/launch.js';
import type { MappingSpec } from '../support/service-layout.js';
import { getJson, post } from '../support/http-client.js';
import { getJob, waitForJob } from '../support/jobs-api.js';
import { makeTree, treeOf } from '../support/trees.js';
import { radarrDownload, sonarrDownload } from '../support/payloads.js';
import { type FakeServer, jobMessageTexts, startAcceptingTelegram } from '../support/fake-http.js';
import { bindMount, mountProblem, mountTmpfs, onRootFilesystem, rootFsTempDir, skipUnless } from '../support/mounts.js';

afterAll(cleanupAll);
cleanupEachTest();

const noMounts = await mountProblem();
const skipMounted = skipUnless(noMounts, 'unmounted source (tmpfs and bind mounts)');
const TOKEN = '777:empty-source-token';

/** Starts the service with exactly these mappings (no helper creating or filling the roots). */
function start(
  dir: string,
  mappings: MappingSpec[],
  telegram: FakeServer,
  env: Record<string, string>,
): Promise<Service> {
  return startService({
    dir,
    configYaml: JSON.stringify({ mappings }),
    env: {
      SYNC_MOUNT_CHECK_INTERVAL_SECONDS: '1',
      SYNC_MAX_RETRIES: '0',
      SYNC_RETRY_INTERVAL_SECONDS: '600',
      SYNC_MANUAL_STABLE_SECONDS: '0',
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_CHAT_ID: '1',
      TELEGRAM_API_URL: telegram.url,
      ...env,
    },
  });
}

/** A destination library that already holds a movie and a show: it must stay exactly as it is. */
async function library(root: string): Promise<void> {
  await makeTree(root, {
    'Old Movie (1999)/Old Movie (1999).mkv': 50_000,
    'Old Show/Season 01/Old Show - S01E01.mkv': 20_000,
  });
}

/** Looked at again (next_attempt_at moved on) `times` times, still queued, no retry used. */
async function keepsWaiting(svc: Service, id: number, times: number): Promise<void> {
  let last = (await getJob(svc, id)).next_attempt_at;
  for (let i = 0; i < times; i++) {
    const job = await waitForJob(svc, id, (j) => j.next_attempt_at !== null && j.next_attempt_at !== last, 10_000);
    expect(job).toMatchObject({ status: 'queued', retry_count: 0, gave_up: false });
    last = job.next_attempt_at;
  }
}

describe.skipIf(skipMounted)('source share not mounted (SYNC_REQUIRE_MOUNTS=true)', () => {
  const waitsForRealShare =
    'waits while the mount point is empty, and while a mounted share is empty; syncs once the real share is back';
  it(waitsForRealShare, async () => {
    const telegram = await startAcceptingTelegram();
    const dir = await rootFsTempDir();
    const srcMovies = join(dir, 'nas', 'movies'); // the mount point, empty
    const srcTv = join(dir, 'nas', 'tv');
    const dst = join(dir, 'unraid');
    const real = join(dir, 'real-share'); // what the NAS serves when it is up
    await mkdir(srcMovies, { recursive: true });
    await mkdir(srcTv, { recursive: true });
    await mountTmpfs(dst, '16m');
    await library(join(dst, 'Movies'));
    await library(join(dst, 'TV Shows'));
    await makeTree(real, {
      'movies/Alien (1979)/Alien (1979).mkv': 120_000,
      'tv/Dark/Season 01/Dark - S01E01.mkv': 60_000,
      'tv/Dark/Season 02/Dark - S02E01.mkv': 60_000,
    });
    expect(onRootFilesystem(srcMovies)).toBe(true);
    const svc = await start(
      dir,
      [
        { container: '/movies', source: srcMovies, destination: join(dst, 'Movies') },
        { container: '/tv', source: srcTv, destination: join(dst, 'TV Shows') },
      ],
      telegram,
      { SYNC_REQUIRE_MOUNTS: 'true' },
    );
    const destinationBefore = await treeOf(dst);

    const movie = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ folder: 'Alien (1979)', file: 'Alien (1979).mkv' }),
    );
    const season = await post(svc.url, '/sync/manual', { path: '/tv/Dark/Season 02', type: 'tv' });
    const episode = await post(
      svc.url,
      '/sync/sonarr',
      await sonarrDownload({ seriesFolder: 'Dark', season: 1, episode: 1, file: 'Dark - S01E01.mkv' }),
    );
    const ids = [movie, season, episode].map((r) => {
      expect(r.status, r.text).toBe(202);
      return r.body.job_id as number;
    });

    for (const id of ids) {
      const job = await waitForJob(svc, id, (j) => j.error !== null || j.status === 'success' || j.status === 'failed');
      expect(job.status, job.error ?? '').toBe('queued');
      expect(job.retry_count).toBe(0);
      expect(job.error).toMatch(/Waiting for mount: source .* is not mounted/);
    }
    const health = await getJson(svc.url, '/health');
    expect(health.body.status).toBe('degraded');
    expect(Object.keys(health.body.nfs_down_since).sort()).toEqual([srcMovies, srcTv]);
    await keepsWaiting(svc, ids[0]!, 2);

    // The share is mounted but serves nothing yet (an empty export): still never an empty sync.
    const empty = await mountTmpfs(srcMovies, '1m');
    const stillWaiting = await waitForJob(
      svc,
      ids[0]!,
      (j) => j.error?.includes(`source ${srcMovies} is empty`) === true || j.status !== 'queued',
    );
    expect(stillWaiting).toMatchObject({ status: 'queued', retry_count: 0 });
    await keepsWaiting(svc, ids[0]!, 1);
    await empty.unmount();

    expect(await treeOf(dst)).toEqual(destinationBefore);
    expect(jobMessageTexts(telegram)).toEqual([]);
    expect((await getJson(svc.url, '/jobs?status=failed')).body.jobs).toEqual([]);

    // The real shares come back: every job runs, and only adds.
    await bindMount(join(real, 'movies'), srcMovies);
    await bindMount(join(real, 'tv'), srcTv);
    for (const id of ids) {
      const done = await waitForJob(svc, id, (j) => j.status === 'success' || j.status === 'failed', 15_000);
      expect(done.status, done.error ?? '').toBe('success');
      expect(done.retry_count).toBe(0);
    }
    const after = await treeOf(dst);
    for (const [path, hash] of Object.entries(destinationBefore)) expect(after[path], path).toBe(hash);
    expect(await treeOf(join(dst, 'Movies', 'Alien (1979)'))).toEqual(
      await treeOf(join(real, 'movies', 'Alien (1979)')),
    );
    expect(after['TV Shows/Dark/Season 01/Dark - S01E01.mkv']).toBe(
      (await treeOf(join(real, 'tv', 'Dark', 'Season 01')))['Dark - S01E01.mkv'],
    );
    expect(after['TV Shows/Dark/Season 02/Dark - S02E01.mkv']).toBeDefined();
    expect(telegram.requests.map((r) => r.json<{ text: string }>().text).filter((t) => /Failed/.test(t))).toEqual([]);
  });
});

describe('source share empty (SYNC_REQUIRE_MOUNTS=false: plain folders, no root needed)', () => {
  const emptyRootIsUnmounted =
    'an empty source root is taken for an unmounted share: the job waits and the destination is untouched';
  it(emptyRootIsUnmounted, async () => {
    const telegram = await startAcceptingTelegram();
    const dir = await tempDir();
    const src = join(dir, 'nas', 'movies');
    const dst = join(dir, 'unraid', 'Movies');
    await mkdir(src, { recursive: true });
    await library(dst);
    const svc = await start(dir, [{ container: '/movies', source: src, destination: dst }], telegram, {
      SYNC_REQUIRE_MOUNTS: 'false',
    });
    const destinationBefore = await treeOf(dst);

    const res = await post(svc.url, '/sync/manual', { path: '/movies/Old Movie (1999)', type: 'movie' });
    expect(res.status, res.text).toBe(202);
    const job = await waitForJob(svc, res.body.job_id, (j) => j.error !== null || j.status !== 'queued');
    expect(job.status, job.error ?? '').toBe('queued');
    expect(job.error).toContain(`source ${src} is empty: an unmounted share looks like this`);
    await keepsWaiting(svc, job.id, 2);
    expect(await treeOf(dst)).toEqual(destinationBefore);
    expect(await readdir(src)).toEqual([]);
    expect(jobMessageTexts(telegram)).toEqual([]);

    // The share's content is back: the job runs, with no retry used.
    await makeTree(src, { 'Old Movie (1999)/Old Movie (1999).mkv': 50_000, 'Old Movie (1999)/extra.nfo': '<movie/>' });
    const done = await waitForJob(svc, job.id, (j) => j.status === 'success' || j.status === 'failed', 10_000);
    expect(done.status, done.error ?? '').toBe('success');
    expect(done.retry_count).toBe(0);
    // --ignore-existing: the file already there is kept, the new one added.
    expect((await treeOf(dst))['Old Movie (1999)/Old Movie (1999).mkv']).toBe(
      destinationBefore['Old Movie (1999)/Old Movie (1999).mkv'],
    );
    expect((await treeOf(dst))['Old Movie (1999)/extra.nfo']).toBeDefined();
  });
});
