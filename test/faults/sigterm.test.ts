// SIGTERM (docker stop) while rsync copies a large file, with a Telegram message still in flight:
// the service stops taking webhooks at once, stops rsync cleanly (no temp file beside the file: what it
// copied waits in the partial folder), records the job as interrupted without using a retry, lets the
// message finish (so it is not sent again), and exits 0 well within Docker's 10 s. After the restart
// the job completes, resuming from that part, and no partial folder is left.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest, onCleanup } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { startService } from '../support/launch.js';
import { post } from '../support/http-client.js';
import { waitForJob, type JobJson } from '../support/jobs-api.js';
import { openDb, outboxRows } from '../support/db.js';
import { makeTree, treeOf } from '../support/trees.js';
import { commandLineOf } from '../support/processes.js';
import { radarrDownload } from '../support/payloads.js';
import { startFakeServer } from '../support/fake-http.js';

afterAll(cleanupAll);
cleanupEachTest();

const BIG = 256 * 1024 * 1024;
const TOKEN = '8080:sigterm-token';

describe('SIGTERM while rsync copies', () => {
  const stopsCleanly =
    'refuses new webhooks, stops rsync cleanly, records the job as interrupted, exits 0 within 10 s; ' +
    'the job completes after the restart';
  it(stopsCleanly, async () => {
    // Telegram holds its first answer until the test lets it go: that message is in flight when
    // SIGTERM arrives, and keeps the service shutting down (alive) meanwhile.
    const telegram = await startFakeServer();
    onCleanup(() => telegram.close());
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    onCleanup(() => release());
    let first = true;
    telegram.respondWith(async () => {
      if (first) {
        first = false;
        await Promise.race([held, new Promise((r) => setTimeout(r, 8000))]);
      }
      return { status: 200, body: { ok: true, result: {} } };
    });
    const svc = await startService({
      env: { SYNC_MAX_RETRIES: '3', TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '9', TELEGRAM_API_URL: telegram.url },
    });

    const folder = 'Lawrence of Arabia (1962)';
    const file = `${folder}.mkv`;
    await makeTree(join(svc.moviesSrc, folder), { [file]: BIG, 'poster.jpg': 20_000 });
    await makeTree(join(svc.moviesSrc, 'Small (2019)'), { 'Small (2019).mkv': 10_000 });
    const small = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ folder: 'Small (2019)', file: 'Small (2019).mkv' }),
    );
    expect(small.status).toBe(202);
    await waitForJob(svc, small.body.job_id, 'success');
    await telegram.waitForRequests(1); // its success message, now held by Telegram

    const res = await post(svc.url, '/sync/radarr', await radarrDownload({ folder, file }));
    expect(res.status).toBe(202);
    const id: number = res.body.job_id;
    const dstDir = join(svc.moviesDst, folder);
    const tempRe = new RegExp(`^\\.${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.mkv\\.[A-Za-z0-9]{6}$`);
    await waitFor(
      async () => {
        try {
          return (await readdir(dstDir)).some((n) => tempRe.test(n));
        } catch {
          return false;
        }
      },
      { timeoutMs: 20_000, intervalMs: 1, what: 'rsync copying the big file' },
    );

    const t0 = performance.now();
    process.kill(svc.pid, 'SIGTERM');
    await svc.waitForLog(/SIGTERM received: no new webhooks/, 5000);
    // While it is still shutting down (the message in flight keeps it alive), a webhook is refused:
    // no answer or 503, never an acknowledgement of a job nobody will run.
    const late = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ folder: 'Too Late (2020)', file: 'Too Late (2020).mkv' }),
    ).then(
      (r) => ({ status: r.status, error: undefined as string | undefined }),
      (e: Error) => ({ status: 0, error: e.message }),
    );
    const aliveWhenRefused = commandLineOf(svc.pid) !== '';
    expect(late.status === 0 || late.status === 503, `webhook during shutdown answered ${late.status}`).toBe(true);
    expect(aliveWhenRefused, 'the service was still shutting down when the webhook was refused').toBe(true);

    // Telegram answers the message in flight; the service finishes shutting down.
    release();
    const { code, signal } = await svc.exited;
    const elapsed = performance.now() - t0;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(elapsed).toBeLessThan(10_000);

    // rsync stopped cleanly: no temp file, no half file under the final name.
    const left = await readdir(dstDir).catch(() => [] as string[]);
    expect(left.filter((n) => tempRe.test(n) || n === file)).toEqual([]);
    expect(left.filter((n) => n !== '.sync-webhook-partial' && n !== 'poster.jpg')).toEqual([]);
    expect(svc.output()).toMatch(/Sync of Lawrence of Arabia \(2024\) interrupted by shutdown/);
    expect(svc.output()).toMatch(/ - INFO - Stopped/);

    // Recorded as interrupted: queued again, no retry used; the held message went out and is recorded sent.
    const db = await openDb(svc.dbPath, { readonly: true });
    const row = db
      .prepare('SELECT status, error, retry_count, started_at FROM jobs WHERE id = ?')
      .get(id) as Partial<JobJson>;
    expect(row).toEqual({ status: 'queued', error: 'Interrupted by shutdown', retry_count: 0, started_at: null });
    expect(db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE container_path LIKE '%Too Late%'").get()).toEqual({ n: 0 });
    db.close();
    const rows = await outboxRows(svc.dbPath);
    expect(rows.map((r) => [r.job_id, r.status, r.attempts])).toEqual([[small.body.job_id, 'sent', 1]]);

    // Restart: the job runs again, from what the stopped copy kept, and completes; no message is sent twice.
    const again = await svc.restart();
    const done = await waitForJob(again, id, (j) => j.status === 'success' || j.status === 'failed', 30_000);
    expect(done.status, done.error ?? '').toBe('success');
    expect(done.retry_count).toBe(0);
    expect(await treeOf(dstDir)).toEqual(await treeOf(join(svc.moviesSrc, folder)));
    await telegram.waitForRequests(2);
    await waitFor(async () => (await outboxRows(again.dbPath)).every((r) => r.status === 'sent'), {
      what: 'outbox drained',
    });
    const texts = telegram.requests.map((r) => r.json<{ text: string }>().text);
    expect(texts.filter((t) => t.includes('Small'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('Lawrence of Arabia'))).toHaveLength(1);
    expect(texts).toHaveLength(2);
  }, 90_000);
});
