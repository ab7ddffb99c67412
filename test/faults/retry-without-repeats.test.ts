// Retry without repeats: a job whose rsync succeeded but whose Plex scan failed is done. Whatever
// follows (retry intervals passing, a manual retry, retry-failed, a restart, Radarr sending the same
// webhook again), the file is not copied again and its success message is not sent again; only the
// scan waits in the outbox for its own retry.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest, onCleanup, tempDir } from '../support/cleanup.js';
import { startService } from '../support/launch.js';
import { layoutOf, readLog } from '../support/service-layout.js';
import { post, request } from '../support/http-client.js';
import { getJob, waitForJob } from '../support/jobs-api.js';
import { outboxRows } from '../support/db.js';
import { makeTree } from '../support/trees.js';
import { radarrDownload } from '../support/payloads.js';
import { startFakeServer, startAcceptingTelegram } from '../support/fake-http.js';

afterAll(cleanupAll);
cleanupEachTest();

describe('a job whose copy succeeded but whose Plex scan failed', () => {
  it('is never copied again nor announced twice; only the scan is retried', async () => {
    const telegram = await startAcceptingTelegram();
    const plex = await startFakeServer({ status: 500, body: 'Plex is down' });
    onCleanup(() => plex.close());
    const dir = await tempDir();
    const l = layoutOf(dir);
    const svc = await startService({
      dir,
      mappings: [{ container: '/movies', source: l.moviesSrc, destination: l.moviesDst, plex_section: 1 }],
      env: {
        SYNC_RETRY_INTERVAL_SECONDS: '1',
        SYNC_MAX_RETRIES: '3',
        TELEGRAM_BOT_TOKEN: '1234:repeat-token',
        TELEGRAM_CHAT_ID: '2',
        TELEGRAM_API_URL: telegram.url,
        PLEX_URL: plex.url,
        PLEX_TOKEN: 'repeat-plex-token',
      },
    });
    const folder = 'Paris, Texas (1984)';
    const file = `${folder}.mkv`;
    await makeTree(join(l.moviesSrc, folder), { [file]: 500_000 });
    const body = await radarrDownload({ folder, file });
    const res = await post(svc.url, '/sync/radarr', body);
    expect(res.status).toBe(202);
    const id: number = res.body.job_id;
    const job = await waitForJob(svc, id, (j) => j.status === 'success' || j.status === 'failed');
    expect(job.status, job.error ?? '').toBe('success');
    await plex.waitForRequests(1);
    await telegram.waitForRequests(1);
    await svc.waitForLog(/plex:\/\/\S+ delivery failed \(attempt 1\).*500/);
    const copied = await stat(join(l.moviesDst, folder, file));

    // Everything that could make it run again: retry intervals pass, a manual retry, retry-failed,
    // Radarr delivering the same webhook again, a restart.
    const manual = await request(svc.url, `/jobs/${id}/retry`, { method: 'POST' });
    expect(manual.status).toBe(409);
    const all = await request(svc.url, '/queue/retry-failed', { method: 'POST' });
    expect(all.body).toEqual({ status: 'queued', job_ids: [] });
    const again = await post(svc.url, '/sync/radarr', body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: 'duplicate', job_id: id, job_ids: [id] });
    expect((await svc.stop()).code).toBe(0);
    const restarted = await svc.restart();
    // Several retry intervals (1 s) after the restart, with the scan still failing: nothing may happen
    // in them. (Proving that something does not happen takes the time in which it would.)
    await new Promise((r) => setTimeout(r, 3000));

    const log = await readLog(restarted, 'sync_webhook.log');
    expect(log.match(/Running: rsync .*Paris, Texas/g), 'rsync runs for the job').toHaveLength(1);
    expect(log.match(/Background sync started: Paris, Texas/g)).toHaveLength(1);
    const now = await stat(join(l.moviesDst, folder, file));
    expect(now.ino).toBe(copied.ino);
    expect(now.mtimeMs).toBe(copied.mtimeMs);
    expect(now.ctimeMs).toBe(copied.ctimeMs);
    expect(await getJob(restarted, id)).toMatchObject({ status: 'success', retry_count: 0 });
    const texts = telegram.requests.map((r) => r.json<{ text: string }>().text);
    expect(texts.filter((t) => t.includes('Paris, Texas'))).toHaveLength(1);
    expect(texts).toHaveLength(1);
    // Only the scan is left to do, kept with its error for its own retry.
    const rows = await outboxRows(restarted.dbPath);
    expect(rows.map((r) => [r.target.split(':')[0], r.job_id, r.status])).toEqual([
      ['tgram', id, 'sent'],
      ['plex', id, 'pending'],
    ]);
    expect(rows[1]!.attempts).toBeGreaterThanOrEqual(1);
    expect(rows[1]!.last_error).toMatch(/HTTP 500/);
    const history = await readLog(restarted, 'sync_history.log');
    expect(history.split('\n').filter((line) => line.includes('Paris, Texas'))).toHaveLength(1);
  }, 60_000);
});
