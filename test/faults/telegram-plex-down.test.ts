// Telegram and Plex down, then slow and rate-limited: copies never wait for them; notifications wait
// in the durable outbox (SQLite), survive a restart of the service, are retried with backoff and
// Telegram's retry_after, and arrive in order, each exactly once. Plex scans the same way.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest, onCleanup, tempDir } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { startService, type Service } from '../support/launch.js';
import { layoutOf, readLog } from '../support/service-layout.js';
import { post } from '../support/http-client.js';
import { waitForJob } from '../support/jobs-api.js';
import { outboxRows } from '../support/db.js';
import { makeTree } from '../support/trees.js';
import { radarrDownload } from '../support/payloads.js';
import { startFakeServer, type FakeAction, type RecordedRequest } from '../support/fake-http.js';

afterAll(cleanupAll);
cleanupEachTest();

const TOKEN = '5150:down-then-slow-token';
const OK = { status: 200, body: { ok: true, result: { message_id: 1 } } };

type Mode = 'down' | 'back';

describe('Telegram and Plex down, then back slow and rate-limited', () => {
  it('never blocks the queue; every message arrives once, in order, across a restart', async () => {
    let telegramMode: Mode = 'down';
    let plexMode: Mode = 'down';
    let rateLimited = false;
    let inFlight = 0;
    const answered: { text: string; status: number }[] = [];
    const telegram = await startFakeServer(async (req: RecordedRequest): Promise<FakeAction> => {
      const text = req.json<{ text: string }>().text;
      let reply: FakeAction;
      if (telegramMode === 'down') {
        reply = { status: 500, body: { ok: false, error_code: 500, description: 'Internal Server Error' } };
      } else if (!rateLimited) {
        rateLimited = true;
        reply = {
          status: 429,
          body: {
            ok: false,
            error_code: 429,
            description: 'Too Many Requests: retry after 1',
            parameters: { retry_after: 1 },
          },
        };
      } else {
        // Back, but slow: each answer takes a second and a half.
        inFlight++;
        await new Promise((r) => setTimeout(r, 1500));
        inFlight--;
        reply = OK;
      }
      answered.push({ text, status: (reply as { status: number }).status });
      return reply;
    });
    const plex = await startFakeServer(() =>
      plexMode === 'down' ? { status: 503, body: 'Plex is restarting' } : { status: 200, body: '' },
    );
    onCleanup(() => telegram.close());
    onCleanup(() => plex.close());

    const dir = await tempDir();
    const l = layoutOf(dir);
    const svc = await startService({
      dir,
      mappings: [{ container: '/movies', source: l.moviesSrc, destination: l.moviesDst, plex_section: 1 }],
      env: {
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_CHAT_ID: '11',
        TELEGRAM_API_URL: telegram.url,
        PLEX_URL: plex.url,
        PLEX_TOKEN: 'plex-down-token',
      },
    });

    async function sync(s: Service, title: string): Promise<{ id: number; ms: number }> {
      const folder = `${title} (2000)`;
      await makeTree(join(s.moviesSrc, folder), { [`${folder}.mkv`]: 20_000 });
      const t0 = performance.now();
      const res = await post(s.url, '/sync/radarr', await radarrDownload({ folder, file: `${folder}.mkv`, title }));
      expect(res.status, res.text).toBe(202);
      const job = await waitForJob(s, res.body.job_id, (j) => j.status === 'success' || j.status === 'failed');
      expect(job.status, job.error ?? '').toBe('success');
      return { id: job.id, ms: performance.now() - t0 };
    }

    // Both down: the first movie copies; its message and its scan fail and wait for a retry in 30 s.
    await sync(svc, 'Alpha');
    await telegram.waitForRequests(1);
    await plex.waitForRequests(1);
    await svc.waitForLog(
      /tgram:\/\/5150\/11 delivery failed \(attempt 1\): Telegram server error \(HTTP 500\).*next try in 30 s/,
    );
    // Still down: two more movies copy at once, not held up by the outbox; their messages queue
    // behind the first one instead of overtaking it.
    const bravo = await sync(svc, 'Bravo');
    const charlie = await sync(svc, 'Charlie');
    expect(bravo.ms).toBeLessThan(5000);
    expect(charlie.ms).toBeLessThan(5000);
    expect(telegram.requests).toHaveLength(1);
    const pending = (await outboxRows(svc.dbPath)).filter((r) => r.target === 'tgram://5150/11');
    expect(pending.map((r) => [r.status, JSON.parse(r.payload).event.title])).toEqual([
      ['pending', 'Movie Synced'],
      ['pending', 'Movie Synced'],
      ['pending', 'Movie Synced'],
    ]);

    // The service restarts while they wait (docker restart); the outbox is in SQLite.
    expect((await svc.stop()).code).toBe(0);
    telegramMode = 'back';
    plexMode = 'back';
    const again = await svc.restart();

    // Back, but the first answer is a 429 with retry_after 1, and then every answer is slow. While a
    // slow answer is pending, a fourth movie copies all the same.
    await waitFor(() => inFlight > 0, { timeoutMs: 40_000, what: 'a slow Telegram answer pending' });
    const delta = await sync(again, 'Delta');
    expect(delta.ms).toBeLessThan(5000);

    await waitFor(async () => (await outboxRows(again.dbPath)).every((r) => r.status === 'sent'), {
      timeoutMs: 30_000,
      what: 'outbox drained',
    });
    const delivered = answered.filter((a) => a.status === 200).map((a) => a.text.split('\n')[1]);
    expect(delivered).toEqual([
      '<b>Alpha</b> (2024)',
      '<b>Bravo</b> (2024)',
      '<b>Charlie</b> (2024)',
      '<b>Delta</b> (2024)',
    ]);
    // Every request: one 500 before the restart, one 429, then each message once.
    expect(answered.map((a) => a.status)).toEqual([500, 429, 200, 200, 200, 200]);
    expect(answered[1]!.text).toBe(answered[0]!.text); // the 429 was for the head of the queue, Alpha
    const log = await readLog(again, 'sync_webhook.log');
    const waited = /delivery failed \(attempt 2\): Telegram rate limit \(HTTP 429\).*retry in 1 s; next try in 1 s/;
    expect(log).toMatch(new RegExp(`tgram://5150/11 ${waited.source}`));

    // Plex: each folder scanned once it was back (the 503 before the restart retried, not lost).
    const scans = plex.requests.map((r) => r.query.get('path'));
    for (const title of ['Alpha', 'Bravo', 'Charlie', 'Delta']) {
      expect(scans.filter((p) => p === join(l.moviesDst, `${title} (2000)`)).length, title).toBeGreaterThanOrEqual(1);
    }
    const plexRows = (await outboxRows(again.dbPath)).filter((r) => r.target.startsWith('plex://'));
    expect(plexRows).toHaveLength(4);
    expect(plexRows.every((r) => r.status === 'sent')).toBe(true);
    // None of it failed a job.
    expect(log).not.toMatch(/Background sync failed/);
  }, 90_000);
});
