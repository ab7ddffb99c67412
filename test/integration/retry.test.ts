// Automatic retries up to SYNC_MAX_RETRIES, then manual retries, with a real rsync failure: the
// destination movie folder is blocked by a regular file of the same name, so rsync exits 23
// ("partial transfer due to error") on every attempt until the file is removed.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { startService, type Service } from '../support/launch.js';
import { readLog } from '../support/service-layout.js';
import { post, request } from '../support/http-client.js';
import { getJob, waitForJob } from '../support/jobs-api.js';
import { makeTree, sameBytes } from '../support/trees.js';
import { radarrDownload } from '../support/payloads.js';
import { type FakeServer, startAcceptingTelegram } from '../support/fake-http.js';

let svc: Service;
let telegram: FakeServer;

beforeAll(async () => {
  telegram = await startAcceptingTelegram();
  svc = await startService({
    env: {
      SYNC_RETRY_INTERVAL_SECONDS: '1',
      SYNC_MAX_RETRIES: '2',
      TELEGRAM_BOT_TOKEN: '555:retry-test-token',
      TELEGRAM_CHAT_ID: '7',
      TELEGRAM_API_URL: telegram.url,
    },
  });
});
afterAll(cleanupAll);

/** A movie whose destination folder name is taken by a regular file: rsync cannot create it. */
async function blockedMovie(
  folder: string,
): Promise<{ id: number; blocker: string; srcFile: string; dstFile: string }> {
  const file = `${folder}.mkv`;
  const [srcFile] = Object.values(await makeTree(join(svc.moviesSrc, folder), { [file]: 40_000 }));
  const blocker = join(svc.moviesDst, folder);
  await writeFile(blocker, 'a file where the movie folder should be');
  const res = await post(svc.url, '/sync/radarr', await radarrDownload({ folder, file }));
  expect(res.status, res.text).toBe(202);
  return { id: res.body.job_id, blocker, srcFile: srcFile!, dstFile: join(blocker, file) };
}

function messagesAbout(title: string): string[] {
  return telegram.requests.map((r) => r.json<{ text: string }>().text).filter((t) => t.includes(title));
}

function attemptsIn(log: string, title: string): number {
  return log.split('\n').filter((l) => l.includes(`Background sync started: ${title}`)).length;
}

describe('automatic retries', () => {
  let first: Awaited<ReturnType<typeof blockedMovie>>;

  it('retries SYNC_MAX_RETRIES times after the first attempt, then gives up', async () => {
    first = await blockedMovie('Blocked Movie (2020)');
    const job = await waitForJob(svc, first.id, (j) => j.status === 'failed' && j.gave_up === true, 20_000);
    expect(job.retry_count).toBe(2);
    expect(job.next_attempt_at).toBeNull();
    expect(job.error).toMatch(/rsync exit 23 \(partial transfer due to error\)/);
    expect(job.error).toContain('Blocked Movie (2020)');
    expect(job.finished_at).not.toBeNull();

    // One failure message per attempt, each saying what comes next.
    const texts = await waitFor(() => {
      const t = messagesAbout('Blocked Movie');
      return t.length >= 3 ? t : undefined;
    });
    expect(texts).toHaveLength(3);
    for (const t of texts) {
      expect(t.startsWith('<b>Sync Failed - Movie</b>\n<b>Blocked Movie</b> (2024)\n\nError: rsync exit 23')).toBe(
        true,
      );
    }
    expect(texts[0]).toMatch(/\n\nWill retry \(retry 1\/2 in 1 s\)$/);
    expect(texts[1]).toMatch(/\n\nWill retry \(retry 2\/2 in 1 s\)$/);
    expect(texts[2]).toMatch(
      new RegExp(`\\n\\nGave up after 2 retries\\. Retry by hand: POST /jobs/${first.id}/retry$`),
    );

    const log = await readLog(svc, 'sync_webhook.log');
    expect(attemptsIn(log, 'Blocked Movie (2024)')).toBe(3);
    expect(log).toMatch(/Background sync started: Blocked Movie \(2024\) \(retry 1\/2\)/);
    expect(log).toMatch(/Background sync started: Blocked Movie \(2024\) \(retry 2\/2\)/);
    expect(log).not.toMatch(/\(retry 3\/2\)/);
    expect(log).toMatch(
      /Background sync failed: Blocked Movie \(2024\) \(retry 2\/2\) - .*\(gave up after 2 retries\)/,
    );
    const history = await readLog(svc, 'sync_history.log');
    expect(history.split('\n').filter((l) => /\| FAILED +\| movie +\| Blocked Movie \(2024\) \|/.test(l))).toHaveLength(
      3,
    );
  });

  it('POST /jobs/:id/retry requeues the same row with retry_count 0, and the retries apply again', async () => {
    const before = attemptsIn(await readLog(svc, 'sync_webhook.log'), 'Blocked Movie (2024)');
    expect(before).toBe(3); // still 3: nothing retried the job after it gave up
    const jobsBefore = (await request(svc.url, '/jobs?limit=1000')).body.jobs.length;

    const res = await request(svc.url, `/jobs/${first.id}/retry`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'queued', job_id: first.id });
    const requeued = await getJob(svc, first.id);
    expect(requeued.retry_count).toBe(0);
    expect(requeued.gave_up).toBe(false);
    expect(['queued', 'in_progress', 'failed']).toContain(requeued.status);

    // It runs again from retry 0: the new failure message announces retry 1/2.
    await waitFor(() => messagesAbout('Blocked Movie').length >= 4, { what: 'fourth failure message' });
    expect(messagesAbout('Blocked Movie')[3]).toMatch(/Will retry \(retry 1\/2 in 1 s\)$/);

    // Fix the cause: the next automatic retry succeeds and copies the file.
    await rm(first.blocker);
    const done = await waitForJob(svc, first.id, 'success', 15_000);
    expect([1, 2]).toContain(done.retry_count); // 1 unless the retry 1 s later beat the fix
    expect(done.error).toBeNull();
    expect(await sameBytes(first.srcFile, first.dstFile)).toBe(true);
    expect((await request(svc.url, '/jobs?limit=1000')).body.jobs.length).toBe(jobsBefore); // no new row
    await waitFor(() => messagesAbout('Blocked Movie').some((t) => t.startsWith('<b>Movie Synced</b>')), {
      what: 'success message',
    });
  });

  it('a job that succeeded is never retried again, and cannot be retried by hand (409)', async () => {
    const attempts = attemptsIn(await readLog(svc, 'sync_webhook.log'), 'Blocked Movie (2024)');
    const res = await request(svc.url, `/jobs/${first.id}/retry`, { method: 'POST' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatch(/success/);
    // Give the runner several retry intervals: a second job's whole retry cycle (below) runs meanwhile.
    const other = await blockedMovie('Blocked Other (2021)');
    await waitForJob(svc, other.id, (j) => j.status === 'failed' && j.gave_up, 20_000);
    expect(attemptsIn(await readLog(svc, 'sync_webhook.log'), 'Blocked Movie (2024)')).toBe(attempts);
    expect((await getJob(svc, first.id)).status).toBe('success');

    // POST /queue/retry-failed requeues the failed jobs of the last 24 h: only the other one.
    const all = await request(svc.url, '/queue/retry-failed', { method: 'POST' });
    expect(all.status).toBe(202);
    expect(all.body).toEqual({ status: 'queued', job_ids: [other.id] });
    expect((await getJob(svc, other.id)).retry_count).toBe(0);
    await rm(other.blocker);
    const fixed = await waitForJob(svc, other.id, 'success', 15_000);
    expect([0, 1]).toContain(fixed.retry_count); // 0 unless the requeued job ran once before the fix
    expect(await sameBytes(other.srcFile, other.dstFile)).toBe(true);

    const none = await request(svc.url, '/queue/retry-failed', { method: 'POST' });
    expect(none.status).toBe(202);
    expect(none.body).toEqual({ status: 'queued', job_ids: [] });
  });

  it('retry of an unknown job answers 404, of a non-number 400', async () => {
    const unknown = await request(svc.url, '/jobs/999999/retry', { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatch(/999999/);
    const bad = await request(svc.url, '/jobs/abc/retry', { method: 'POST' });
    expect(bad.status).toBe(400);
    expect(typeof bad.body.error).toBe('string');
    expect((await request(svc.url, '/jobs/999999')).status).toBe(404);
  });
});
