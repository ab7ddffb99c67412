// A process killed with SIGKILL in the middle of an rsync, restarted on the same folder: the
// interrupted job is recovered, retried and finished, and the destination ends byte-identical.
import { readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { startService, type Service } from '../support/launch.js';
import { readLog } from '../support/service-layout.js';
import { post } from '../support/http-client.js';
import { getJob, waitForJob } from '../support/jobs-api.js';
import { makeTree, pathExists, treeOf } from '../support/trees.js';
import { commandLineOf } from '../support/processes.js';
import { radarrDownload } from '../support/payloads.js';

afterAll(cleanupAll);
cleanupEachTest();

const BIG = 320 * 1024 * 1024;
/** rsync's temp file for NAME while it copies: ".NAME.XXXXXX" beside the final file. */
const tempFileOf = (name: string) => new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[A-Za-z0-9]{6}$`);

async function bigMovie(svc: Service, folder: string) {
  const file = `${folder}.mkv`;
  await makeTree(join(svc.moviesSrc, folder), { [file]: BIG, [`${folder}.nfo`]: '<movie/>', 'poster.jpg': 30_000 });
  const res = await post(svc.url, '/sync/radarr', await radarrDownload({ folder, file }));
  expect(res.status, res.text).toBe(202);
  return {
    id: res.body.job_id as number,
    file,
    dstDir: join(svc.moviesDst, folder),
    srcDir: join(svc.moviesSrc, folder),
  };
}

/** Waits until rsync is writing its temp file for `file` in `dir`; polls fast, the copy takes well under a second. */
async function waitForTempFile(dir: string, file: string): Promise<string> {
  const re = tempFileOf(file);
  return waitFor(
    () => {
      try {
        return readdirSync(dir).find((n) => re.test(n));
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 15_000, intervalMs: 1, what: `rsync temp file for ${file}` },
  );
}

/** Pids of live (not zombie) rsync processes whose command line names `path`. */
function rsyncsOf(path: string): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => {
      const cmd = commandLineOf(pid);
      return cmd.startsWith('rsync ') && cmd.includes(path);
    });
}

describe.each([
  ['the whole process tree (docker kill, power cut)', 'tree'],
  ['the service only (its rsync lives on)', 'service'],
] as const)('SIGKILL of %s mid-rsync', (_label, how) => {
  it('recovers the job after the restart, finishes it byte-identical, and leaves no rsync temp file', async () => {
    const svc = await startService({ env: { SYNC_MAX_RETRIES: '3' } });
    const movie = await bigMovie(svc, how === 'tree' ? 'Big Movie (2020) [Bluray-1080p]' : 'Big Orphan (2021) [WEBDL]');
    const temp = await waitForTempFile(movie.dstDir, movie.file);
    expect((await getJob(svc, movie.id)).status).toBe('in_progress');

    if (how === 'tree') {
      const killed = await svc.killTree();
      expect(killed.length).toBeGreaterThan(0); // rsync was among them
      expect(rsyncsOf(movie.srcDir)).toEqual([]);
      // Nothing could clean up: the partial temp file is there, the final file is not.
      const after = await readdir(movie.dstDir);
      expect(after).toContain(temp);
      expect(after).not.toContain(movie.file);
    } else {
      await svc.kill();
    }

    const again = await svc.restart();
    const recovered = await getJob(again, movie.id);
    expect(recovered.retry_count).toBe(1);
    if (recovered.status !== 'success') expect(recovered.error).toBe('Interrupted by restart');

    const done = await waitForJob(again, movie.id, (j) => j.status === 'success' || j.status === 'failed', 30_000);
    expect(done.status, done.error ?? '').toBe('success');
    expect(done.retry_count).toBe(1);
    expect(done.error).toBeNull();
    const log = await readLog(again, 'sync_webhook.log');
    expect(log).toMatch(/Found 1 interrupted jobs from previous run/);
    expect(log).toMatch(/Queueing interrupted job for retry: Big .* \(retry 1\/3\)/);
    expect(log).toMatch(/Background sync started: Big .* \(retry 1\/3\)/);
    if (how === 'tree') {
      // The temp file rsync could not clean up holds the part copied: it moves into the partial folder.
      expect(log).toMatch(/Kept the part a killed copy of Big .* wrote, for the copy to resume from: .*\/Big Movie/);
      expect(log).toMatch(/Resuming Big Movie .* from [\d.]+ (KB|MB) a cut copy already wrote/);
    }

    // Byte-identical, and nothing else: no ".NAME.XXXXXX" or partial folder left behind, no rsync running.
    expect(await treeOf(movie.dstDir)).toEqual(await treeOf(movie.srcDir));
    expect(await pathExists(join(movie.dstDir, temp))).toBe(false);
    expect(rsyncsOf(movie.srcDir)).toEqual([]);
    expect((await readdir(again.moviesDst)).filter((n) => n.startsWith('.'))).toEqual([]);
  }, 60_000);
});
