// Season packs through the real process: several Sonarr episode webhooks of one season give one Telegram
// message listing the episodes once SYNC_NOTIFY_GROUP_SECONDS has passed since the first success; a failure
// among them is still its own message; the jobs stay one per file. The rows wait in SQLite, so a SIGTERM
// while they wait, or while the pack is being sent, loses nothing and sends nothing twice.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest } from '../support/cleanup.js';
import { outboxRows } from '../support/db.js';
import { type FakeServer, startAcceptingTelegram, startFakeServer } from '../support/fake-http.js';
import { getJson, post } from '../support/http-client.js';
import { type JobJson, waitForJob } from '../support/jobs-api.js';
import { type Service, startService } from '../support/launch.js';
import { sonarrDownload } from '../support/payloads.js';
import { makeTree } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);
cleanupEachTest();

const BOT_TOKEN = '424242:season-pack-token';
const SERIES = 'Severance (2022)';
const EPISODES = [
  { episode: 1, title: 'Good News About Hell' },
  { episode: 2, title: 'Half Loop' },
  { episode: 3, title: 'In Perpetuity' },
];
const fileOf = (episode: number) => `Severance - S01E${String(episode).padStart(2, '0')}.mkv`;

function telegramEnv(telegram: FakeServer, groupSeconds: string): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_CHAT_ID: '-100777',
    TELEGRAM_API_URL: telegram.url,
    SYNC_NOTIFY_GROUP_SECONDS: groupSeconds,
    // The episode whose file is missing gives up at once: its failure message is the last word on it.
    SYNC_MAX_RETRIES: '0',
  };
}

/** Posts the three episodes (files in place) and a fourth whose file is missing; returns their jobs, finished. */
async function importSeason(svc: Service): Promise<JobJson[]> {
  const season = join(svc.tvSrc, SERIES, 'Season 01');
  await makeTree(season, Object.fromEntries(EPISODES.map((e) => [fileOf(e.episode), 1024])));
  const ids: number[] = [];
  for (const e of [...EPISODES, { episode: 4, title: 'The You You Are' }]) {
    const body = await sonarrDownload({
      seriesFolder: SERIES,
      seriesTitle: 'Severance',
      season: 1,
      episode: e.episode,
      episodeTitle: e.title,
      file: fileOf(e.episode),
      size: 1024,
    });
    const res = await post(svc.url, '/sync/sonarr', body);
    expect(res.status, res.text).toBe(202);
    ids.push(...(res.body.job_ids ?? [res.body.job_id]));
  }
  const jobs: JobJson[] = [];
  for (const id of ids) jobs.push(await waitForJob(svc, id, (j) => j.status === 'success' || j.status === 'failed'));
  return jobs;
}

const texts = (telegram: FakeServer) => telegram.requests.map((r) => r.json<{ text: string }>().text);

const PACK = new RegExp(
  '^<b>Episodes Synced</b>\\n<b>Severance</b>\\nSeason 1: 3 episodes\\n' +
    'S01E01: Good News About Hell\\nS01E02: Half Loop\\nS01E03: In Perpetuity\\n' +
    'Quality: [^\\n]+\\nSize: 3\\.0 KB\\nDuration: \\d+\\.\\ds$',
);
const FAILED = /^<b>Sync Failed - Episode<\/b>\n<b>Severance<\/b>\nS01E04: The You You Are\n\nError: Source not ready/;

describe('a season pack', () => {
  const oneMessage =
    'is one message listing the episodes; the failure among them is its own; a SIGTERM loses and repeats none';
  it(oneMessage, async () => {
    const telegram = await startAcceptingTelegram();
    const svc = await startService({ env: telegramEnv(telegram, '8') });
    const jobs = await importSeason(svc);
    expect(jobs.map((j) => j.status)).toEqual(['success', 'success', 'success', 'failed']);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(4); // one job per file, as always

    // The window runs from the first success: nothing is sent yet. The service stops while the rows wait.
    expect(telegram.requests).toHaveLength(0);
    expect((await svc.stop()).code).toBe(0);
    expect((await outboxRows(svc.dbPath)).map((r) => r.status)).toEqual(['pending', 'pending', 'pending', 'pending']);

    // Started again with a Telegram that answers the pack slowly; SIGTERM arrives while it is being sent.
    let answered = 0;
    const slow = await startFakeServer(async () => {
      if (answered++ === 0) await new Promise((resolve) => setTimeout(resolve, 1500));
      return { status: 200, body: { ok: true, result: {} } };
    });
    const again = await svc.restart({ env: telegramEnv(slow, '8') });
    await slow.waitForRequests(1, 15_000);
    expect((await again.stop()).code).toBe(0);
    const rows = await outboxRows(again.dbPath);
    expect(rows.slice(0, 3).map((r) => [r.status, r.attempts])).toEqual([
      ['sent', 1],
      ['sent', 1],
      ['sent', 1],
    ]);

    const third = await again.restart({ env: telegramEnv(slow, '8') });
    await waitFor(async () => (await outboxRows(third.dbPath)).every((r) => r.status === 'sent'), {
      what: 'the failure sent',
    });
    expect(texts(telegram)).toEqual([]);
    expect(texts(slow)).toEqual([expect.stringMatching(PACK), expect.stringMatching(FAILED)]);
    expect(again.output()).toContain('Notification sent: Episodes Synced (tgram://424242/-100777) (3 episode files)');
    await slow.close();
  });

  it('with SYNC_NOTIFY_GROUP_SECONDS=0 each episode is its own message, as before', async () => {
    const telegram = await startAcceptingTelegram();
    const svc = await startService({ env: telegramEnv(telegram, '0') });
    await importSeason(svc);
    await waitFor(() => telegram.requests.length === 4, { what: 'four messages' });
    const all = texts(telegram);
    expect(all.slice(0, 3).map((t) => t.split('\n').slice(0, 3).join('\n'))).toEqual(
      EPISODES.map((e) => `<b>Episode Synced</b>\n<b>Severance</b>\nS01E0${e.episode}: ${e.title}`),
    );
    expect(all[3]).toMatch(FAILED);
    expect((await getJson(svc.url, '/health')).body.notification_targets).toHaveLength(1);
  });
});
