// Destination full: a real 1 MB filesystem (tmpfs) fills up while rsync copies a 3 MB file. The job
// fails with a readable error, is retried later, and after each failure no half file is visible at
// the destination (neither the final name nor rsync's temporary ".NAME.XXXXXX"). With room again, a
// manual retry copies it whole. Root only (mount).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { startService } from '../support/launch.js';
import { readLog } from '../support/service-layout.js';
import { post, request } from '../support/http-client.js';
import { waitForJob } from '../support/jobs-api.js';
import { makeTree, pathExists, treeOf } from '../support/trees.js';
import { radarrDownload } from '../support/payloads.js';
import { startAcceptingTelegram } from '../support/fake-http.js';
import { mountProblem, mountTmpfs, rootFsTempDir, skipUnless } from '../support/mounts.js';

afterAll(cleanupAll);
cleanupEachTest();

const skip = skipUnless(await mountProblem(), 'destination full (tmpfs -o size=1m)');

describe.skipIf(skip)('the destination filesystem fills up mid-copy', () => {
  const failsThenCopiesWhole =
    'fails with a readable error, retries later, never leaves a half file, and copies whole once there is room';
  it(failsThenCopiesWhole, async () => {
    const telegram = await startAcceptingTelegram();
    const dir = await rootFsTempDir();
    const src = join(dir, 'nas', 'movies');
    const dst = join(dir, 'mnt', 'Movies');
    await mountTmpfs(src, '16m');
    const small = await mountTmpfs(dst, '1m');
    const folder = 'Big Fish (2003)';
    const file = 'Big Fish (2003) [Bluray-1080p].mkv';
    await makeTree(join(src, folder), { [file]: 3 * 1024 * 1024, 'Big Fish (2003).nfo': '<movie/>' });

    const svc = await startService({
      dir,
      mappings: [{ container: '/movies', source: src, destination: dst }],
      env: {
        SYNC_REQUIRE_MOUNTS: 'true',
        SYNC_RETRY_INTERVAL_SECONDS: '1',
        SYNC_MAX_RETRIES: '1',
        TELEGRAM_BOT_TOKEN: '99:full-token',
        TELEGRAM_CHAT_ID: '3',
        TELEGRAM_API_URL: telegram.url,
      },
    });
    const res = await post(svc.url, '/sync/radarr', await radarrDownload({ folder, file }));
    expect(res.status, res.text).toBe(202);
    const id: number = res.body.job_id;
    const movieDir = join(dst, folder);
    const halfFiles = async () => {
      if (!(await pathExists(movieDir))) return [];
      return (await readdir(movieDir)).filter((n) => n === file || n.startsWith(`.${file}.`));
    };

    // First attempt: failed, with the reason, a retry planned; nothing half-written left.
    const first = await waitForJob(svc, id, (j) => j.status === 'failed', 15_000);
    expect(await halfFiles()).toEqual([]);
    expect(first.retry_count).toBe(0);
    expect(first.gave_up).toBe(false);
    expect(first.next_attempt_at).not.toBeNull();
    expect(first.error).toMatch(/^rsync exit 11 \(error in file I\/O\): .*No space left on device/);
    expect(first.error).toContain(file);

    // Retried later, the same way, and given up after SYNC_MAX_RETRIES; still no half file.
    const last = await waitForJob(svc, id, (j) => j.status === 'failed' && j.gave_up, 15_000);
    expect(await halfFiles()).toEqual([]);
    expect(last.retry_count).toBe(1);
    expect(last.error).toMatch(/No space left on device/);
    const log = await readLog(svc, 'sync_webhook.log');
    expect(log.match(/Running: rsync .*Big Fish/g)).toHaveLength(2);
    expect(log).toMatch(
      /Background sync failed: Big Fish \(2024\) - rsync exit 11 .*No space left on device.*\(retry 1\/1 at /,
    );
    expect(log).toMatch(
      /Background sync failed: Big Fish \(2024\) \(retry 1\/1\) - rsync exit 11 .*\(gave up after 1 retries\)/,
    );
    await telegram.waitForRequests(2);
    const texts = telegram.requests.map((r) => r.json<{ text: string }>().text);
    expect(texts[0]).toMatch(
      /^<b>Sync Failed - Movie<\/b>\n[\s\S]*No space left on device[\s\S]*Will retry \(retry 1\/1 in 1 s\)$/,
    );
    expect(texts[1]).toMatch(/Gave up after 1 retry\. Retry by hand: POST \/jobs\/\d+\/retry$/);

    // Room again (a bigger filesystem on the same mount point): a manual retry copies it whole.
    await small.unmount();
    await mountTmpfs(dst, '16m');
    const retry = await request(svc.url, `/jobs/${id}/retry`, { method: 'POST' });
    expect(retry.status, retry.text).toBe(202);
    const done = await waitForJob(
      svc,
      id,
      (j) =>
        j.status === 'success' || (j.status === 'failed' && j.retry_count === 0 && j.finished_at !== last.finished_at),
      15_000,
    );
    expect(done.status, done.error ?? '').toBe('success');
    expect(await treeOf(movieDir)).toEqual(await treeOf(join(src, folder)));
    await waitFor(() => telegram.requests.length >= 3, { what: 'success message' });
    expect(telegram.requests[2]!.json<{ text: string }>().text).toMatch(/^<b>Movie Synced<\/b>/);
  });
});
