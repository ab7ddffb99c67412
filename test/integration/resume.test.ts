// A cut copy resumes instead of starting over (issue 14), with the real process and the real rsync, on
// a 256 MiB file of random bytes and a bandwidth limit (SYNC_RSYNC_BWLIMIT) that makes the copy last:
// SIGKILL mid-copy (of the whole tree, or of the service alone while its rsync lives on), then a restart;
// and a file that takes longer than SYNC_RSYNC_TIMEOUT_SECONDS, cut by the timeout again and again. Each
// time the retry writes only what is missing (rsync's own --stats, from the debug log), the file lands
// byte-identical, a watch on the destination folder never sees the final name holding less than the
// whole file, and no partial folder is left.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, statSync, watch } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest, onCleanup } from '../support/cleanup.js';
import { post } from '../support/http-client.js';
import { getJob, waitForJob } from '../support/jobs-api.js';
import { type Service, startService } from '../support/launch.js';
import { radarrDownload } from '../support/payloads.js';
import { readLog } from '../support/service-layout.js';
import { pathExists } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);
cleanupEachTest();

const SIZE = 256 * 1024 * 1024;
const MIB = 1024 * 1024;
const PARTIAL = '.sync-webhook-partial';

/** A movie folder whose one file is SIZE random bytes (nothing for rsync's delta pass to find by chance). */
async function randomMovie(svc: Service, folder: string) {
  const file = `${folder}.mkv`;
  const srcDir = join(svc.moviesSrc, folder);
  await mkdir(srcDir, { recursive: true });
  const chunks = Array.from({ length: SIZE / (16 * MIB) }, () => randomBytes(16 * MIB));
  await writeFile(join(srcDir, file), chunks);
  return { folder, file, dstDir: join(svc.moviesDst, folder), srcFile: join(srcDir, file) };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Records every size the final name has whenever the destination folder changes (inotify), and polls
 * it too: the name must only ever hold the whole file.
 */
async function watchFinalName(dstDir: string, file: string): Promise<{ sizes: number[] }> {
  await mkdir(dstDir, { recursive: true });
  const seen = { sizes: [] as number[] };
  const look = () => {
    try {
      seen.sizes.push(statSync(join(dstDir, file)).size);
    } catch {
      // Not there (yet): fine.
    }
  };
  const watcher = watch(dstDir, (_event, name) => {
    if (name === file) look();
  });
  const poll = setInterval(look, 5);
  onCleanup(() => {
    watcher.close();
    clearInterval(poll);
  });
  return seen;
}

/** rsync's own --stats of the successful run, from the debug line that ends each copy. */
async function statsOfLastRun(svc: Service): Promise<{ literal: number; matched: number }> {
  const log = await readLog(svc, 'sync_webhook.log');
  const literal = [...log.matchAll(/Literal data: (\d+) bytes/g)].at(-1)?.[1];
  const matched = [...log.matchAll(/Matched data: (\d+) bytes/g)].at(-1)?.[1];
  if (literal === undefined || matched === undefined) throw new Error('no rsync --stats in the debug log');
  return { literal: Number(literal), matched: Number(matched) };
}

/** The size of rsync's temp file ".NAME.XXXXXX" in `dir` once it reached `bytes`. */
async function tempFileReaching(dir: string, file: string, bytes: number): Promise<{ name: string; size: number }> {
  return waitFor(
    async () => {
      const names = await readdir(dir).catch(() => [] as string[]);
      const name = names.find((n) => n.startsWith(`.${file}.`) && n.length === file.length + 8);
      if (!name) return undefined;
      const size = statSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0;
      return size >= bytes ? { name, size } : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 20, what: `rsync's temp file of ${file} reaching ${bytes} bytes` },
  );
}

describe.each([
  ['the whole process tree (docker kill, power cut)', 'tree'],
  ['the service only (its rsync lives on until the restart stops it)', 'service'],
] as const)('SIGKILL of %s halfway through a 256 MiB copy', (_label, how) => {
  it('resumes after the restart: writes well under the file, lands byte-identical, never shows a partial', async () => {
    // 32 MiB/s: the copy takes 8 s, and the restart stops the orphaned rsync long before it could finish.
    const env = { SYNC_RSYNC_BWLIMIT: '32M', SYNC_MAX_RETRIES: '3', SYNC_LOG_LEVEL: 'DEBUG' };
    const svc = await startService({ env });
    const movie = await randomMovie(svc, how === 'tree' ? 'Cut Tree (2020)' : 'Cut Service (2021)');
    const want = await sha256Of(movie.srcFile);
    const finalName = await watchFinalName(movie.dstDir, movie.file);
    const res = await post(svc.url, '/sync/radarr', await radarrDownload({ folder: movie.folder, file: movie.file }));
    expect(res.status, res.text).toBe(202);
    const id: number = res.body.job_id;

    const temp = await tempFileReaching(movie.dstDir, movie.file, SIZE / 2);
    if (how === 'tree') {
      expect((await svc.killTree()).length).toBeGreaterThan(0);
      // Nothing could clean up: the temp file holds the part, beside the file, under its hidden name.
      expect(await readdir(movie.dstDir)).toEqual([temp.name]);
    } else {
      await svc.kill();
    }

    const again = await svc.restart();
    const done = await waitForJob(again, id, (j) => j.status === 'success' || j.status === 'failed', 60_000);
    expect(done.status, done.error ?? '').toBe('success');
    expect(done.retry_count).toBe(1);

    const log = await readLog(again, 'sync_webhook.log');
    expect(log).toMatch(/Resuming Cut .* from [\d.]+ MB a cut copy already wrote/);
    expect(log).toMatch(/--partial-dir=\.sync-webhook-partial --no-whole-file --block-size=131072 --bwlimit=32768K /);
    const stats = await statsOfLastRun(again);
    // Written after the restart: what was missing, well under the file (the cut came after half of it).
    expect(stats.literal).toBeLessThan(SIZE * 0.55);
    expect(stats.matched).toBeGreaterThanOrEqual(temp.size - MIB);
    expect(stats.literal + stats.matched).toBe(SIZE);

    expect(await sha256Of(join(movie.dstDir, movie.file))).toBe(want);
    expect(await readdir(movie.dstDir)).toEqual([movie.file]);
    expect(finalName.sizes.length).toBeGreaterThan(0);
    expect(finalName.sizes.filter((size) => size !== SIZE)).toEqual([]);
    expect((await getJob(again, id)).partial_bytes).toBe(0);
  }, 120_000);
});

describe('a file that takes longer than SYNC_RSYNC_TIMEOUT_SECONDS, with a bandwidth limit', () => {
  it('finishes across retries, each one resuming where the timeout cut the last', async () => {
    // 40 MiB/s for 256 MiB is 6.4 s of copying; each attempt gets 3 s.
    const env = {
      SYNC_RSYNC_BWLIMIT: '40M',
      SYNC_RSYNC_TIMEOUT_SECONDS: '3',
      SYNC_RETRY_INTERVAL_SECONDS: '2',
      SYNC_MAX_RETRIES: '6',
      SYNC_LOG_LEVEL: 'DEBUG',
    };
    const svc = await startService({ env });
    const movie = await randomMovie(svc, 'Too Long (2019)');
    const want = await sha256Of(movie.srcFile);
    const finalName = await watchFinalName(movie.dstDir, movie.file);
    const res = await post(svc.url, '/sync/radarr', await radarrDownload({ folder: movie.folder, file: movie.file }));
    expect(res.status, res.text).toBe(202);
    const id: number = res.body.job_id;

    // Between attempts the part waits in the partial folder, and GET /jobs/<id> says how big it is.
    const waiting = await waitFor(
      async () => {
        const job = await getJob(svc, id);
        return job.status === 'failed' && (job.partial_bytes ?? 0) > 0 ? job : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'a failed attempt with its part in the partial folder' },
    );
    expect(waiting.error).toBe('rsync timed out after 3 s');
    expect(waiting.partial_bytes).toBeLessThan(SIZE);
    expect(await readdir(movie.dstDir)).toEqual([PARTIAL]);

    const done = await waitForJob(svc, id, (j) => j.status === 'success' || j.gave_up, 90_000);
    expect(done.status, done.error ?? '').toBe('success');
    expect(done.retry_count).toBeGreaterThanOrEqual(2);
    const log = await readLog(svc, 'sync_webhook.log');
    // Every retry resumed, from more than the one before.
    const resumedFrom = [...log.matchAll(/Resuming Too Long \(\d{4}\) from ([\d.]+) MB a cut copy/g)].map((m) =>
      Number(m[1]),
    );
    expect(resumedFrom).toHaveLength(done.retry_count);
    expect(resumedFrom).toEqual([...resumedFrom].sort((a, b) => a - b));
    expect(new Set(resumedFrom).size).toBe(resumedFrom.length);
    const stats = await statsOfLastRun(svc);
    expect(stats.literal).toBeLessThan(SIZE * 0.75);
    expect(stats.literal + stats.matched).toBe(SIZE);

    expect(await sha256Of(join(movie.dstDir, movie.file))).toBe(want);
    expect(await pathExists(join(movie.dstDir, PARTIAL))).toBe(false);
    expect(await readdir(movie.dstDir)).toEqual([movie.file]);
    expect(finalName.sizes.filter((size) => size !== SIZE)).toEqual([]);
  }, 150_000);
});
