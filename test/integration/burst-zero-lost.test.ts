// The burst benchmark's "zero lost, zero duplicated" check (bench/burst.mjs), small and untimed: 500
// distinct Radarr/Sonarr webhooks posted at once over 25 connections to the real service in dry-run
// mode. Every 2xx answer must name a job that is exactly one row in SQLite, holding what that request
// sent, and there must be no row that no answer named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll } from '../support/cleanup.js';
import { startService, type Service } from '../support/launch.js';
import { post, type HttpResponse } from '../support/http-client.js';
import { openDb } from '../support/db.js';
import { radarrDownload, sonarrDownload } from '../support/payloads.js';

const WEBHOOKS = 500;
const CONNECTIONS = 25;

let svc: Service;

beforeAll(async () => {
  svc = await startService({ env: { SYNC_DRY_RUN: 'true' } });
});
afterAll(cleanupAll);

/** Request i: even numbers a Radarr movie, odd numbers a Sonarr episode; every title and path unique. */
async function webhook(i: number): Promise<{ path: string; body: unknown; title: string }> {
  if (i % 2 === 0) {
    const folder = `Burst Movie ${i} (2024)`;
    return {
      path: '/sync/radarr',
      body: await radarrDownload({
        folder,
        file: `Burst Movie ${i} (2024) [Bluray-1080p].mkv`,
        title: `Burst Movie ${i}`,
        year: 2024,
      }),
      title: `Burst Movie ${i} (2024)`,
    };
  }
  const episode = (i % 20) + 1;
  const season = Math.floor(i / 20) + 1;
  const code = `S${String(season).padStart(2, '0')}E${String(episode).padStart(2, '0')}`;
  return {
    path: '/sync/sonarr',
    body: await sonarrDownload({
      seriesFolder: 'Burst Show (2022)',
      season,
      episode,
      episodeTitle: `Episode ${i}`,
      file: `Burst Show (2022) - ${code} - Episode ${i} [WEBDL-1080p].mkv`,
    }),
    title: `Burst Show - ${code}: Episode ${i}`,
  };
}

describe('a burst of distinct webhooks', () => {
  const oneRowPerAck =
    `acknowledges ${WEBHOOKS} webhooks ` + `posted over ${CONNECTIONS} connections, each as exactly one job row`;
  it(oneRowPerAck, async () => {
    const requests = await Promise.all(Array.from({ length: WEBHOOKS }, (_, i) => webhook(i)));
    const answers: { i: number; res: HttpResponse }[] = [];
    let next = 0;
    // CONNECTIONS clients, each posting its next request as soon as the previous one was answered.
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        for (let i = next++; i < WEBHOOKS; i = next++) {
          answers.push({ i, res: await post(svc.url, requests[i]!.path, requests[i]!.body) });
        }
      }),
    );

    expect(answers).toHaveLength(WEBHOOKS);
    const refused = answers.filter((a) => a.res.status < 200 || a.res.status >= 300);
    expect(refused.map((a) => `${a.i}: ${a.res.status} ${a.res.text}`)).toEqual([]);
    // Distinct payloads: nothing may be folded into another request's job.
    expect(
      answers.filter((a) => a.res.status !== 202 || a.res.body?.status !== 'queued').map((a) => a.res.text),
    ).toEqual([]);

    const ids = answers.map((a) => a.res.body.job_id as number);
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(WEBHOOKS);

    const db = await openDb(svc.dbPath, { readonly: true });
    const rows = db.prepare('SELECT id, title, source FROM jobs ORDER BY id').all() as {
      id: number;
      title: string;
      source: string;
    }[];
    expect(rows).toHaveLength(WEBHOOKS);
    const byId = new Map(rows.map((r) => [r.id, r]));
    // Each answer names the row that holds what its own request sent.
    const mismatched = answers.filter(({ i, res }) => {
      const row = byId.get(res.body.job_id);
      return !row || row.title !== requests[i]!.title || row.source !== (i % 2 === 0 ? 'radarr' : 'sonarr');
    });
    expect(
      mismatched.map(
        ({ i, res }) => `request ${i} -> job ${res.body.job_id}: ${JSON.stringify(byId.get(res.body.job_id))}`,
      ),
    ).toEqual([]);
    const duplicateKeys = db
      .prepare('SELECT dedupe_key, COUNT(*) AS n FROM jobs GROUP BY dedupe_key HAVING n > 1')
      .all();
    expect(duplicateKeys).toEqual([]);
    const counted = db.prepare('SELECT SUM(count) FROM job_status_counts').pluck().get();
    expect(counted).toBe(WEBHOOKS);
  }, 15_000);
});
