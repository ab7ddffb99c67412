// GET /jobs with the dashboard's filters, search and paging, and GET /jobs/<id> with every attempt and
// delivery: the whole service in-process, real SQLite and rsync, a fake Telegram.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, onCleanup } from '../support/cleanup.js';
import { openDb } from '../support/db.js';
import { startFakeServer } from '../support/fake-http.js';
import { getJson, post } from '../support/http-client.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';
import { getJob, type JobJson, waitForJob } from '../support/jobs-api.js';
import { radarrDownload, sonarrDownload } from '../support/payloads.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);

/** The fields of a job in the first API, in their order: the dashboard's come after them. */
const FIRST_API_FIELDS = [
  'id',
  'status',
  'source',
  'media_type',
  'title',
  'container_path',
  'source_path',
  'dest_path',
  'mapping',
  'details',
  'is_upgrade',
  'wait_for_stable_size',
  'retry_count',
  'gave_up',
  'error',
  'bytes_transferred',
  'created_at',
  'started_at',
  'finished_at',
  'duration_seconds',
  'next_attempt_at',
  // Mirroring's, on main before the dashboard's (a copy has no other mirroring field).
  'kind',
];

interface ListAnswer {
  jobs: JobJson[];
  next_cursor: string | null;
}

describe('the jobs list', () => {
  let svc: InProcessService;
  /** id → what the test made of it. */
  const made = new Map<number, { source: string; mapping: string; status: string; title: string }>();

  beforeAll(async () => {
    // Shares on the root filesystem with mounts required: every job waits in the queue, untouched.
    svc = await startInProcess({ env: { SYNC_REQUIRE_MOUNTS: 'true' } });
    const titles = ['Dune', 'Amélie', 'Office Space', 'Arrival', 'Heat', 'Alien'];
    for (const [i, title] of titles.entries()) {
      const body = await radarrDownload({ folder: `${title} (20${10 + i})`, file: `${title}.mkv`, title });
      const res = await post(svc.app, '/sync/radarr', body);
      made.set(res.body.job_id, { source: 'radarr', mapping: '/movies', status: 'queued', title });
    }
    for (let episode = 1; episode <= 5; episode++) {
      const body = await sonarrDownload({
        seriesFolder: 'The Office (2005)',
        seriesTitle: 'The Office',
        season: 1,
        episode,
        file: `The Office - S01E0${episode}.mkv`,
      });
      const res = await post(svc.app, '/sync/sonarr', body);
      made.set(res.body.job_id, { source: 'sonarr', mapping: '/tv', status: 'queued', title: 'The Office' });
    }
    const manual = await post(svc.app, '/sync/manual', { path: '/movies/Heat (2014)/extras' });
    made.set(manual.body.job_id, { source: 'manual', mapping: '/movies', status: 'queued', title: 'extras' });
    // A spread of states, set in the file (the subject here is what the list answers).
    const db = await openDb(svc.dbPath);
    const states = ['success', 'failed', 'success', 'queued', 'failed', 'success'];
    for (const [id, job] of made) {
      job.status = states[id % states.length] ?? 'queued';
      db.prepare('UPDATE jobs SET status = ? WHERE id = ?').run(job.status, id);
    }
  });

  const ids = (res: { body: ListAnswer }) => res.body.jobs.map((j) => j.id);
  const expected = (keep: (job: { source: string; mapping: string; status: string }) => boolean) =>
    [...made.entries()]
      .filter(([, job]) => keep(job))
      .map(([id]) => id)
      .sort((a, b) => b - a);

  it("answers today's parameters as before: newest first, limited, by status, the old fields first", async () => {
    const all = await getJson<ListAnswer>(svc.app, '/jobs');
    expect(ids(all)).toEqual(expected(() => true));
    expect(all.body.next_cursor).toBeNull();
    for (const job of all.body.jobs)
      expect(Object.keys(job).slice(0, FIRST_API_FIELDS.length)).toEqual(FIRST_API_FIELDS);
    expect(Object.keys(all.body.jobs[0] ?? {}).slice(FIRST_API_FIELDS.length)).toEqual([
      'error_reason',
      'attempt_count',
    ]);

    expect(ids(await getJson(svc.app, '/jobs?limit=3'))).toEqual(expected(() => true).slice(0, 3));
    expect(ids(await getJson(svc.app, '/jobs?status=failed'))).toEqual(expected((j) => j.status === 'failed'));
  });

  it('filters by source and mapping, alone and together with the status', async () => {
    expect(ids(await getJson(svc.app, '/jobs?source=sonarr'))).toEqual(expected((j) => j.source === 'sonarr'));
    expect(ids(await getJson(svc.app, '/jobs?mapping=/movies'))).toEqual(expected((j) => j.mapping === '/movies'));
    expect(ids(await getJson(svc.app, '/jobs?source=radarr&status=success'))).toEqual(
      expected((j) => j.source === 'radarr' && j.status === 'success'),
    );
    expect(ids(await getJson(svc.app, '/jobs?mapping=%2Ftv&status=failed&source=manual'))).toEqual([]);
    // A catch-up pass's jobs have a source of their own; none was queued here.
    expect(ids(await getJson(svc.app, '/jobs?source=reconcile'))).toEqual([]);
  });

  it('searches titles by substring, whatever the case and accents, before and after they are indexed', async () => {
    const office = expected(() => true).filter((id) => /office/i.test(made.get(id)?.title ?? ''));
    expect(ids(await getJson(svc.app, '/jobs?q=OFFICE'))).toEqual(office);
    const db = await openDb(svc.dbPath, { readonly: true });
    const newest = Math.max(...made.keys());
    await waitFor(() => db.prepare('SELECT indexed_up_to FROM job_titles_state').pluck().get() === newest, {
      what: 'titles indexed',
    });
    expect(ids(await getJson(svc.app, '/jobs?q=office'))).toEqual(office);
    expect(ids(await getJson(svc.app, '/jobs?q=amelie')).map((id) => made.get(id)?.title)).toEqual(['Amélie']);
    expect(ids(await getJson(svc.app, '/jobs?q=s01e03&source=sonarr'))).toHaveLength(1);
  });

  it('pages by cursor: every job once, in order, and a job added meanwhile shifts nothing', async () => {
    const first = await getJson<ListAnswer>(svc.app, '/jobs?limit=5');
    expect(first.body.jobs).toHaveLength(5);
    const body = await radarrDownload({ folder: 'Late (2024)', file: 'late.mkv', title: 'Late' });
    const late = (await post(svc.app, '/sync/radarr', body)).body.job_id;
    const seen = ids(first);
    let cursor = first.body.next_cursor;
    while (cursor !== null) {
      const page = await getJson<ListAnswer>(svc.app, `/jobs?limit=5&cursor=${cursor}`);
      seen.push(...ids(page));
      cursor = page.body.next_cursor;
    }
    expect(seen).toEqual(expected(() => true));
    expect(ids(await getJson(svc.app, '/jobs?limit=1'))).toEqual([late]);
  });

  it.each([
    ['limit=0', 'limit', 'limit must be a whole number from 1 to 1000, got "0"'],
    ['status=done', 'status', 'status must be one of queued, in_progress, success, failed, got "done"'],
    ['source=lidarr', 'source', 'source must be one of radarr, sonarr, manual, reconcile, got "lidarr"'],
    ['mapping=%2Fmusic', 'mapping', 'mapping must be one of /movies, /tv, got "/music"'],
    ['q=ab', 'q', 'q must be 3 to 200 characters of a title, without control characters, got "ab"'],
    ['q=ab%0Acd', 'q', 'q must be 3 to 200 characters of a title, without control characters, got "ab\\ncd"'],
    ['cursor=abc', 'cursor', 'cursor must be the next_cursor of a previous page, got "abc"'],
    ['cursor=0', 'cursor', 'cursor must be the next_cursor of a previous page, got "0"'],
  ])('answers ?%s with 400 naming %s', async (query, field, error) => {
    const res = await getJson(svc.app, `/jobs?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error, field });
  });
});

describe('a job with its attempts and deliveries', () => {
  let svc: InProcessService;

  beforeAll(async () => {
    const telegram = await startFakeServer({ status: 200, body: { ok: true, result: { message_id: 1 } } });
    onCleanup(() => telegram.close());
    svc = await startInProcess({
      env: {
        SYNC_MAX_RETRIES: '1',
        TELEGRAM_BOT_TOKEN: '123456:TEST-token-attempts',
        TELEGRAM_CHAT_ID: '42',
        TELEGRAM_API_URL: telegram.url,
      },
    });
  });

  it('keeps each attempt: the failure, the automatic retry, the manual retry, each with its trigger', async () => {
    const folder = join(svc.moviesSrc, 'Later (2024)');
    // A webhook, not a manual sync: a manual sync of a path the healthy share lacks is refused at once.
    const body = await radarrDownload({ folder: 'Later (2024)', file: 'movie.mkv', size: 4096 });
    const id = (await post(svc.app, '/sync/radarr', body)).body.job_id;
    // No source: fails, is retried once (1 s later here), fails again and gives up.
    const gaveUp = await waitForJob(svc, id, (j) => j.gave_up);
    expect(gaveUp).toMatchObject({ status: 'failed', error_reason: 'source_missing', attempt_count: 2 });
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'movie.mkv'), 'x'.repeat(4096));
    expect((await post(svc.app, `/jobs/${id}/retry`, {})).status).toBe(202);
    await waitForJob(svc, id, 'success');
    await waitFor(async () => (await getJob(svc, id)).deliveries?.every((d) => d.status === 'sent'), {
      what: 'messages delivered',
    });

    const job = await getJob(svc, id);
    expect(job.error_reason).toBeNull();
    expect(job.attempt_count).toBe(3);
    expect(job.attempts?.map((a) => [a.number, a.trigger, a.outcome, a.error_reason, a.rsync_exit_code])).toEqual([
      [1, 'webhook', 'failed', 'source_missing', null],
      [2, 'automatic_retry', 'failed', 'source_missing', null],
      [3, 'manual_retry', 'success', null, 0],
    ]);
    expect(job.attempts?.[2]).toMatchObject({ bytes: 4096, error: null });
    expect(job.attempts?.[0]?.error).toMatch(/^Source not ready: .*does not exist$/);
    for (const attempt of job.attempts ?? []) {
      expect(Date.parse(attempt.finished_at ?? '')).toBeGreaterThanOrEqual(Date.parse(attempt.started_at));
    }
    // A message for each failure and one for the success, each delivered once.
    expect(job.deliveries?.map((d) => [d.target, d.status, d.attempts, d.last_error, d.next_attempt_at])).toEqual([
      ['tgram://123456/42', 'sent', 1, null, null],
      ['tgram://123456/42', 'sent', 1, null, null],
      ['tgram://123456/42', 'sent', 1, null, null],
    ]);
  });

  it('answers 404 for a job that does not exist, 400 for an id that is no number', async () => {
    expect((await getJson(svc.app, '/jobs/999')).status).toBe(404);
    expect((await getJson(svc.app, '/jobs/x1')).body).toEqual({
      error: 'Job id must be a whole number, got "x1"',
      field: 'id',
    });
  });
});
