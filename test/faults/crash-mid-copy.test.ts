// Crash mid-copy, on an upgrade: Sonarr replaces an episode that Plex already shows. The whole process
// tree is SIGKILLed while rsync writes the new version. The file Plex indexes must never be half of
// anything: until the copy is complete it is the old episode, whole; after the restart the job
// resumes from the part rsync's temp file held (moved into the partial folder), the new version lands
// byte-identical, and neither the temp file nor the partial folder is left.
// (test/integration/recovery.test.ts covers a movie folder killed the same way, and the service
// killed alone while its rsync lives on.)
import { copyFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { startService } from '../support/launch.js';
import { readLog } from '../support/service-layout.js';
import { post } from '../support/http-client.js';
import { getJob, waitForJob } from '../support/jobs-api.js';
import { makeTree, sameBytes, treeOf } from '../support/trees.js';
import { sonarrDownload } from '../support/payloads.js';

afterAll(cleanupAll);
cleanupEachTest();

const NEW_SIZE = 256 * 1024 * 1024;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('SIGKILL of the whole tree while rsync writes an upgraded episode', () => {
  const keepsOldEpisodeWhole =
    'keeps the old episode whole until the new one is complete, then resumes and lands it byte-identical';
  it(keepsOldEpisodeWhole, async () => {
    const svc = await startService({ env: { SYNC_MAX_RETRIES: '3' } });
    const show = 'Severance (2022)';
    const file = 'Severance (2022) - S01E01 - Good News About Hell.mkv';
    const seasonSrc = join(svc.tvSrc, show, 'Season 01');
    const seasonDst = join(svc.tvDst, show, 'Season 01');
    // Plex shows the old version at the destination; Sonarr imported a new, bigger one.
    await makeTree(seasonDst, { [file]: 3 * 1024 * 1024 + 11 });
    const oldCopy = join(svc.dir, 'old-copy.mkv');
    await copyFile(join(seasonDst, file), oldCopy);
    await makeTree(seasonSrc, { [file]: NEW_SIZE });

    const body = await sonarrDownload({
      seriesFolder: show,
      season: 1,
      episode: 1,
      episodeTitle: 'Good News About Hell',
      file,
      isUpgrade: true,
    });
    const res = await post(svc.url, '/sync/sonarr', body);
    expect(res.status, res.text).toBe(202);
    const id: number = res.body.job_id;

    const tempRe = new RegExp(`^\\.${escapeRegExp(file)}\\.[A-Za-z0-9]{6}$`);
    const oldSize = (await stat(oldCopy)).size;
    // Copying has begun: rsync's temp file holds some bytes, so there is a part to resume from (or, were it
    // writing in place, the file grows). A temp file still empty under load would leave nothing to resume.
    const writing = await waitFor(
      async () => {
        const temp = (await readdir(seasonDst)).find((n) => tempRe.test(n));
        if (temp) return (await stat(join(seasonDst, temp)).catch(() => undefined))?.size ? temp : undefined;
        return (await stat(join(seasonDst, file))).size !== oldSize ? file : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 1, what: 'rsync writing the new episode' },
    );
    expect(writing, 'rsync writes a temp file beside the episode, never into it').not.toBe(file);
    const temp = writing;
    expect((await getJob(svc, id)).status).toBe('in_progress');
    // Mid-copy, the name Plex reads is the old episode, whole.
    expect(await sameBytes(join(seasonDst, file), oldCopy)).toBe(true);

    const killed = await svc.killTree();
    expect(killed.length).toBeGreaterThan(0);
    // Nothing could clean up: the partial temp file is there, and the old episode is still whole.
    expect(await readdir(seasonDst)).toEqual(expect.arrayContaining([file, temp]));
    expect(await sameBytes(join(seasonDst, file), oldCopy)).toBe(true);

    const again = await svc.restart();
    const done = await waitForJob(again, id, (j) => j.status === 'success' || j.status === 'failed', 40_000);
    expect(done.status, done.error ?? '').toBe('success');
    expect(done.retry_count).toBe(1);
    expect(await sameBytes(join(seasonSrc, file), join(seasonDst, file))).toBe(true);
    // Only the episode is there: no ".NAME.XXXXXX" left anywhere under the destination.
    const tree = await treeOf(svc.tvDst);
    expect(Object.keys(tree).filter((p) => p.split('/').at(-1)!.startsWith('.'))).toEqual([]);
    const log = await readLog(again, 'sync_webhook.log');
    expect(log).toMatch(/Queueing interrupted job for retry: Severance - S01E01: Good News About Hell \(retry 1\/3\)/);
    expect(log).toMatch(
      /Kept the part a killed copy of .* wrote, for the copy to resume from: .*\/\.sync-webhook-partial\//,
    );
    expect(log).toMatch(
      /Resuming Severance - S01E01: Good News About Hell from [\d.]+ (B|KB|MB) a cut copy already wrote/,
    );
    // The upgrade replaced the file in place of the old one (rsync without --ignore-existing), the retry
    // with the delta pass over the part; never writing into the episode Plex reads.
    const runs = log.match(/Running: rsync -avh --no-human-readable --stats --info=progress2 --partial-dir=\S+ \S+/g);
    expect(runs?.map((line) => line.split(' ').at(-1))).toEqual(['--whole-file', '--no-whole-file']);
    expect(log).not.toMatch(/--inplace|--append/);
    expect(temp).toBeDefined();
  }, 90_000);
});
