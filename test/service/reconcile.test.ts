// The catch-up pass (docs/catch-up.md) in-process over real trees: the walks run the real find in
// child processes, the jobs it queues copy with real rsync. The clock is injected where the settle
// time or a downtime is the point; a probe or a walker is wrapped where a share must be down or a
// pass must be held.
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/types.js';
import { createMountProbe } from '../../src/mounts/probe.js';
import { createShareComparer } from '../../src/reconcile/share-compare.js';
import { createTreeWalker, type TreeWalker } from '../../src/reconcile/tree-walk.js';
import { cleanupAll, cleanupEachTest, tempDir } from '../support/cleanup.js';
import { openDb, outboxRows } from '../support/db.js';
import { startAcceptingTelegram } from '../support/fake-http.js';
import { getJson, request } from '../support/http-client.js';
import { startInProcess, type InProcessOptions, type InProcessService } from '../support/in-process.js';
import { type JobJson, waitForJob } from '../support/jobs-api.js';
import { makeTree, treeOf } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);
cleanupEachTest();

const MINUTE = 60_000;

/** A pass as GET /reconcile/<id> answers it (written out here, as jobs-api.ts does for jobs). */
interface PassJson {
  reconcile_id: number;
  started_by: 'api' | 'schedule' | 'after_downtime';
  status: 'running' | 'done' | 'timed_out' | 'failed' | 'interrupted';
  queue: boolean;
  mappings: string[] | null;
  settle_minutes: number;
  started_at: string;
  finished_at: string | null;
  error: string | null;
  totals: { items: number; bytes: number; skipped: number; mappings_checked: number; mappings_skipped: number };
  results: {
    mapping: string;
    kind: string;
    status: 'checked' | 'skipped';
    problem: string | null;
    source_entries: number;
    destination_entries: number;
    items: number;
    bytes: number;
    skipped: number;
    warnings: string[];
  }[];
  queued_at: string | null;
  queued: { created: number; folded: number } | null;
  items: {
    container_path: string;
    mapping: string;
    media_type: 'movie' | 'episode';
    shape: 'folder' | 'file';
    size: number;
    why: 'missing' | 'incomplete' | 'size_differs';
    detail: string;
    job_id: number | null;
    folded: boolean | null;
  }[];
  skipped: { container_path: string; mapping: string; reason: string; detail: string }[];
}

/** The real clock moved by `offset.ms`: files written now are that much older to the service. */
function shiftedClock(offset: { ms: number }): Clock {
  return { now: () => new Date(Date.now() + offset.ms) };
}

async function start(o: InProcessOptions & { clock?: Clock } = {}): Promise<InProcessService> {
  const { clock, ...rest } = o;
  // Past the settle time by default: files a test just wrote count as settled.
  const adapters = { clock: clock ?? shiftedClock({ ms: 11 * MINUTE }), ...rest.adapters };
  // One round of background share checks, over before the test goes on: a check still writing its
  // test file into a destination when the test ends would race the removal of the temp dir.
  const env = { SYNC_MOUNT_CHECK_INTERVAL_SECONDS: '3600', ...rest.env };
  const svc = await startInProcess({ ...rest, env, adapters });
  await waitFor(async () => (await getJson(svc.app, '/health')).body.nfs_status !== 'checking');
  // A share in use is never empty; a pass skips an empty destination root as an unmounted share.
  for (const root of [svc.moviesDst, svc.tvDst]) await makeTree(root, { '.share-marker': 'share\n' });
  return svc;
}

async function startPass(svc: InProcessService, body?: unknown): Promise<number> {
  const res = await request(svc.app, '/reconcile', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body }),
  });
  expect(res.status, res.text).toBe(202);
  expect(Object.keys(res.body)).toEqual(['reconcile_id']);
  return res.body.reconcile_id;
}

async function finishedPass(svc: InProcessService, id: number): Promise<PassJson> {
  return waitFor(
    async () => {
      const res = await getJson<PassJson>(svc.app, `/reconcile/${id}`);
      return res.body.status === 'running' ? undefined : res.body;
    },
    { what: `catch-up pass ${id}`, timeoutMs: 20_000 },
  );
}

async function jobsOf(svc: InProcessService): Promise<JobJson[]> {
  return (await getJson<{ jobs: JobJson[] }>(svc.app, '/jobs?limit=1000')).body.jobs;
}

const why = (pass: PassJson) => pass.items.map((i) => [i.container_path, i.why, i.size]);

/** A movie library and a TV library with one of each difference, and what a pass must leave alone. */
async function seedLibraries(svc: InProcessService): Promise<void> {
  await makeTree(svc.moviesSrc, {
    'Alpha (2020)/Alpha.mkv': 2000,
    'Alpha (2020)/Alpha.srt': 'subtitles',
    // Radarr's interrupted import, NAS housekeeping: rsync's excludes, never items.
    'Alpha (2020)/Alpha.mkv.partial~': 700,
    'Alpha (2020)/.DS_Store': 'finder',
    '#recycle/Old (1999)/Old.mkv': 900,
    '@eaDir/Thumbs (2001)/thumb.jpg': 90,
    'Beta (2021)/Beta.mkv': 3000,
    'Gamma (2022)/Gamma.mkv': 1000,
    'Gamma (2022)/Gamma.nfo': '<movie/>',
    'Delta (2023)/Delta.mkv': 5000,
  });
  await makeTree(svc.moviesDst, {
    'Beta (2021)/Beta.mkv': 3000,
    'Gamma (2022)/Gamma.mkv': 1000,
    'Delta (2023)/Delta.mkv': 4000,
  });
  await makeTree(svc.tvSrc, {
    'Show/Season 01/Show - S01E01.mkv': 1500,
    'Show/Season 01/Show - S01E02.mkv': 1600,
    'Show/Season 01/@eaDir/Show - S01E02.mkv.jpg': 10,
  });
  await makeTree(svc.tvDst, { 'Show/Season 01/Show - S01E01.mkv': 1500 });
}

describe('a pass', () => {
  it('finds what the destination lacks, only looks unless asked, then queues each item once', async () => {
    const telegram = await startAcceptingTelegram();
    const svc = await start({
      env: { TELEGRAM_BOT_TOKEN: '1:reconcile-token', TELEGRAM_CHAT_ID: '7', TELEGRAM_API_URL: telegram.url },
    });
    await seedLibraries(svc);

    const pass = await finishedPass(svc, await startPass(svc));
    expect(pass).toMatchObject({ started_by: 'api', status: 'done', queue: false, queued: null, error: null });
    expect(why(pass)).toEqual([
      ['/movies/Alpha (2020)', 'missing', 2009],
      ['/movies/Delta (2023)', 'size_differs', 5000],
      ['/movies/Gamma (2022)', 'incomplete', 8],
      ['/tv/Show/Season 01/Show - S01E02.mkv', 'missing', 1600],
    ]);
    expect(pass.items.map((i) => [i.media_type, i.shape, i.job_id])).toEqual([
      ['movie', 'folder', null],
      ['movie', 'folder', null],
      ['movie', 'folder', null],
      ['episode', 'file', null],
    ]);
    expect(pass.items[2]?.detail).toBe('1 of 2 files missing at the destination');
    expect(pass.totals).toEqual({ items: 4, bytes: 8617, skipped: 0, mappings_checked: 2, mappings_skipped: 0 });
    expect(pass.results.map((r) => [r.mapping, r.kind, r.status, r.items])).toEqual([
      ['/movies', 'movie', 'checked', 3],
      ['/tv', 'tv', 'checked', 1],
    ]);
    // Only looked: nothing queued, and the message says how to queue.
    expect(await jobsOf(svc)).toEqual([]);
    const [sent] = await telegram.waitForRequests(1);
    expect(JSON.parse(sent?.body ?? '{}').text).toBe(
      '<b>Catch-up Found Missing Media</b>\n' +
        `🔎 <b>Catch-up pass ${pass.reconcile_id}</b> (asked through the API)\n` +
        '4 items missing or different at the destination (8.4 KB)\n\n' +
        '/movies: 3 (6.9 KB)\n/tv: 1 (1.6 KB)\n\n' +
        `Not queued. To queue them: POST /reconcile/${pass.reconcile_id}/queue`,
    );

    const queued = await request<PassJson>(svc.app, `/reconcile/${pass.reconcile_id}/queue`, { method: 'POST' });
    expect(queued.status, queued.text).toBe(202);
    expect(queued.body.queued).toEqual({ created: 4, folded: 0 });
    const ids = queued.body.items.map((i) => i.job_id);
    expect(ids.every((id) => typeof id === 'number')).toBe(true);
    for (const id of ids) await waitForJob(svc, id ?? 0, 'success');
    const jobs = await jobsOf(svc);
    expect(jobs.map((j) => [j.source, j.container_path, j.is_upgrade]).sort()).toEqual([
      ['reconcile', '/movies/Alpha (2020)', false],
      ['reconcile', '/movies/Delta (2023)', true],
      ['reconcile', '/movies/Gamma (2022)', false],
      ['reconcile', '/tv/Show/Season 01/Show - S01E02.mkv', false],
    ]);
    // Copied, excludes left behind, the other size replaced.
    const src = await treeOf(svc.moviesSrc);
    const dst = await treeOf(svc.moviesDst);
    for (const path of [
      'Alpha (2020)/Alpha.mkv',
      'Alpha (2020)/Alpha.srt',
      'Delta (2023)/Delta.mkv',
      'Gamma (2022)/Gamma.nfo',
    ]) {
      expect(dst[path], path).toBe(src[path]);
    }
    expect(dst['Alpha (2020)/Alpha.mkv.partial~']).toBeUndefined();
    expect(dst['#recycle/']).toBeUndefined();
    expect((await treeOf(svc.tvDst))['Show/Season 01/Show - S01E02.mkv']).toBeDefined();

    // Queued once: asking again is refused, and a new pass finds nothing and queues nothing.
    const again = await request(svc.app, `/reconcile/${pass.reconcile_id}/queue`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe(`Catch-up pass ${pass.reconcile_id} was queued already`);
    const second = await finishedPass(svc, await startPass(svc, { queue: true }));
    expect(second.items).toEqual([]);
    expect(second.queued).toBeNull();
    expect(await jobsOf(svc)).toHaveLength(4);
    // A pass that found nothing is a log line, not a message.
    expect((await outboxRows(svc.dbPath)).filter((r) => r.payload.includes('Catch-up'))).toHaveLength(1);
    await svc.waitForLog(new RegExp(`Catch-up pass ${second.reconcile_id} done in [\\d.]+ s: nothing missing`));
  });

  it('folds an item into a job that already copies it, and queues the rest once', async () => {
    const svc = await start();
    await makeTree(svc.moviesSrc, { 'Waiting (2020)/Waiting.mkv': 100, 'Fresh (2021)/Fresh.mkv': 200 });
    await makeTree(svc.tvSrc, { 'Show/Season 02/Show - S02E01.mkv': 300 });
    // Jobs the runner will not take yet (waiting for a share), as a webhook of a mapping with a
    // share down leaves them: one for the movie folder, one for the season folder (a manual sync).
    const db = await openDb(svc.dbPath);
    const insert = db.prepare(
      `INSERT INTO jobs (status, source, media_type, title, container_path, source_path, dest_path, mapping,
         dedupe_key, created_at, next_attempt_at) VALUES ('queued', ?, ?, 'waiting', ?, ?, ?, ?, ?, ?, ?)`,
    );
    const later = new Date(Date.now() + 60 * MINUTE).toISOString();
    const movie = join(svc.moviesSrc, 'Waiting (2020)');
    const season = join(svc.tvSrc, 'Show/Season 02');
    const waitingMovie = insert.run(
      'radarr',
      'movie',
      '/movies/Waiting (2020)',
      movie,
      svc.moviesDst,
      '/movies',
      join(movie, 'Waiting.mkv'),
      new Date().toISOString(),
      later,
    ).lastInsertRowid;
    const waitingSeason = insert.run(
      'manual',
      'episode',
      '/tv/Show/Season 02',
      season,
      join(svc.tvDst, 'Show'),
      '/tv',
      season,
      new Date().toISOString(),
      later,
    ).lastInsertRowid;

    const pass = await finishedPass(svc, await startPass(svc, { queue: true }));
    expect(pass.queue).toBe(true);
    expect(pass.queued).toEqual({ created: 1, folded: 2 });
    expect(pass.items.map((i) => [i.container_path, i.folded, i.job_id])).toEqual([
      ['/movies/Fresh (2021)', false, expect.any(Number)],
      ['/movies/Waiting (2020)', true, Number(waitingMovie)],
      ['/tv/Show/Season 02/Show - S02E01.mkv', true, Number(waitingSeason)],
    ]);
    const fresh = pass.items[0]?.job_id ?? 0;
    await waitForJob(svc, fresh, 'success');
    expect((await jobsOf(svc)).map((j) => j.id).sort()).toEqual(
      [Number(waitingMovie), Number(waitingSeason), fresh].sort(),
    );
  });

  it('leaves alone what changed within the settle time (ctime), and finds it once settled', async () => {
    const offset = { ms: 0 };
    const svc = await start({ clock: shiftedClock(offset) });
    await makeTree(svc.moviesSrc, { 'Importing (2024)/Importing.mkv': 400 });
    await makeTree(svc.tvSrc, { 'Show/Season 01/Show - S01E09.mkv': 500 });

    const young = await finishedPass(svc, await startPass(svc, { queue: true }));
    expect(young.items).toEqual([]);
    expect(young.skipped.map((s) => [s.container_path, s.reason])).toEqual([
      ['/movies/Importing (2024)', 'settling'],
      ['/tv/Show/Season 01/Show - S01E09.mkv', 'settling'],
    ]);
    expect(young.skipped[0]?.detail).toBe('changed 0 min ago; left for a pass after 10 min');
    expect(await jobsOf(svc)).toEqual([]);

    offset.ms = 10 * MINUTE + 5000;
    const settled = await finishedPass(svc, await startPass(svc));
    expect(why(settled)).toEqual([
      ['/movies/Importing (2024)', 'missing', 400],
      ['/tv/Show/Season 01/Show - S01E09.mkv', 'missing', 500],
    ]);
  });

  it('skips a mapping whose share is down or whose destination is empty: never "all missing"', async () => {
    const dir = await tempDir('sync-webhook-reconcile-down-');
    const otherSrc = join(dir, 'src', 'other');
    const otherDst = join(dir, 'dst', 'Other');
    let tvDown = true;
    const probe = createMountProbe({ timeoutMs: 5000, requireMounts: false });
    const svc = await start({
      dir,
      mappings: [
        { container: '/movies', source: join(dir, 'src', 'movies'), destination: join(dir, 'dst', 'Movies') },
        { container: '/tv', source: join(dir, 'src', 'tv'), destination: join(dir, 'dst', 'TV Shows') },
        { container: '/other', source: otherSrc, destination: otherDst },
      ],
      adapters: {
        probe: {
          checkRoot: (check, role) =>
            tvDown && role === 'destination' && check.path.endsWith('TV Shows')
              ? Promise.resolve({ ok: false, problem: `destination ${check.path} is not mounted` })
              : probe.checkRoot(check, role),
          inspectSource: probe.inspectSource,
          sourcePresence: probe.sourcePresence,
        },
      },
    });
    await seedLibraries(svc);
    await makeTree(otherSrc, { 'Folder/file.bin': 10 });
    await rm(join(otherDst), { recursive: true, force: true });
    await mkdir(otherDst);

    const pass = await finishedPass(svc, await startPass(svc, { queue: true }));
    expect(pass.status).toBe('done');
    expect(pass.results.map((r) => [r.mapping, r.status, r.problem])).toEqual([
      ['/movies', 'checked', null],
      ['/tv', 'skipped', `share down: destination ${svc.tvDst} is not mounted`],
      ['/other', 'skipped', `share down: destination ${otherDst} is empty: an unmounted share looks like this`],
    ]);
    expect(pass.items.every((i) => i.mapping === '/movies')).toBe(true);
    expect(pass.totals.mappings_skipped).toBe(2);
    await svc.waitForLog(/Catch-up skipped \/tv: share down: destination .* is not mounted/);

    tvDown = false;
    const back = await finishedPass(svc, await startPass(svc, { mappings: ['/tv/'] }));
    expect(back.mappings).toEqual(['/tv']);
    expect(why(back)).toEqual([['/tv/Show/Season 01/Show - S01E02.mkv', 'missing', 1600]]);
  });

  it('refuses a second pass while one runs', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const real = createTreeWalker({ lowPriority: [], find: 'find', silenceLimitMs: 5000 });
    const walker: TreeWalker = {
      walk: async (root, o) => {
        await held;
        return real.walk(root, o);
      },
    };
    const svc = await start({ adapters: { shareComparer: createShareComparer(walker) } });
    await seedLibraries(svc);

    const first = await startPass(svc);
    const second = await request(svc.app, '/reconcile', { method: 'POST', body: { queue: true }, headers: json });
    expect(second.status).toBe(409);
    expect(second.body).toEqual({
      error: `Catch-up pass ${first} is still running: one pass at a time`,
      reconcile_id: first,
    });
    const running = await getJson<PassJson>(svc.app, `/reconcile/${first}`);
    expect(running.body).toMatchObject({ status: 'running', items: [], results: null, totals: null });
    const queueing = await request(svc.app, `/reconcile/${first}/queue`, { method: 'POST' });
    expect(queueing.status).toBe(409);
    expect(queueing.body.error).toBe(`Catch-up pass ${first} is still running`);

    release();
    expect((await finishedPass(svc, first)).items).toHaveLength(4);
    const list = await getJson(svc.app, '/reconcile');
    expect(list.body.passes.map((p: PassJson) => [p.reconcile_id, p.status])).toEqual([[first, 'done']]);
    expect(list.body.passes[0].items).toBeUndefined();
    await startPass(svc);
  });

  it('never follows a link out of a mapping', async () => {
    const svc = await start();
    const outside = join(svc.dir, 'outside');
    await makeTree(outside, { 'Secret (1990)/secret.mkv': 50, 'passwd.mkv': 60 });
    await makeTree(svc.moviesSrc, { 'Linked (2020)/Linked.mkv': 70, 'Inner (2021)/Inner.mkv': 80 });
    await symlink(outside, join(svc.moviesSrc, 'Escape (1990)'));
    await symlink(join(outside, 'passwd.mkv'), join(svc.moviesSrc, 'Linked (2020)/extra.mkv'));
    // A link that stays inside the mapping is a link, not a second copy of what it points to.
    await symlink('../Inner (2021)', join(svc.moviesSrc, 'Linked (2020)/inner'));
    await makeTree(svc.tvSrc, { 'Show/Season 01/Show - S01E01.mkv': 90 });
    await symlink(join(outside, 'passwd.mkv'), join(svc.tvSrc, 'Show/Season 01/Show - S01E02.mkv'));

    const pass = await finishedPass(svc, await startPass(svc, { queue: true }));
    expect(why(pass)).toEqual([
      ['/movies/Inner (2021)', 'missing', 80],
      ['/tv/Show/Season 01/Show - S01E01.mkv', 'missing', 90],
    ]);
    expect(pass.skipped.map((s) => [s.container_path, s.reason, s.detail])).toEqual([
      [
        '/movies/Linked (2020)',
        'link_out_of_mapping',
        `holds a link that leads out of the mapping: Linked (2020)/extra.mkv -> ${join(outside, 'passwd.mkv')}`,
      ],
      [
        '/tv/Show/Season 01/Show - S01E02.mkv',
        'link_out_of_mapping',
        `a link that leads out of the mapping: Show/Season 01/Show - S01E02.mkv -> ${join(outside, 'passwd.mkv')}`,
      ],
    ]);
    expect(JSON.stringify(pass)).not.toContain('secret.mkv');
    for (const item of pass.items) await waitForJob(svc, item.job_id ?? 0, 'success');
    const copied = await treeOf(svc.moviesDst);
    expect(Object.keys(copied).filter((p) => p.includes('Escape') || p.includes('Linked'))).toEqual([]);
  });
});

const json = { 'Content-Type': 'application/json' };

describe('requests a pass refuses', () => {
  it.each([
    ['a body that is not an object', '[1]', 400, 'body must be a JSON object'],
    ['JSON null', 'null', 400, 'body must be a JSON object'],
    ['broken JSON', '{"queue": tru', 400, /^Malformed JSON/],
    ['an unknown key', '{"queu": true}', 400, /Unrecognized key: "queu"/],
    ['queue that is not a boolean', '{"queue": "yes"}', 400, 'queue must be a boolean'],
    ['mappings that are not a list', '{"mappings": "/movies"}', 400, 'mappings must be an array'],
    ['an empty list of mappings', '{"mappings": []}', 400, 'mappings must not be empty'],
    ['a mapping that is not a string', '{"mappings": [7]}', 400, 'mappings.0 must be a string'],
    [
      'an unknown mapping',
      '{"mappings": ["/movies", "/music"]}',
      422,
      'Unknown mapping "/music" (mappings: /movies, /tv)',
    ],
  ])('%s', async (_name, body, status, error) => {
    const svc = await start();
    const res = await request(svc.app, '/reconcile', { method: 'POST', body, headers: json });
    expect(res.status, res.text).toBe(status);
    if (typeof error === 'string') expect(res.body.error).toBe(error);
    else expect(res.body.error).toMatch(error);
    expect((await getJson(svc.app, '/reconcile')).body.passes).toEqual([]);
  });

  it('answers 400 for a bad id or limit and 404 for an unknown pass', async () => {
    const svc = await start();
    expect((await getJson(svc.app, '/reconcile/abc')).status).toBe(400);
    expect((await getJson(svc.app, '/reconcile?limit=0')).status).toBe(400);
    const missing = await getJson(svc.app, '/reconcile/99');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('Catch-up pass 99 not found');
    expect((await request(svc.app, '/reconcile/99/queue', { method: 'POST' })).status).toBe(404);
  });
});

describe('passes the service starts itself', () => {
  it('after a downtime longer than SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES: once, and it queues', async () => {
    const dir = await tempDir('sync-webhook-reconcile-downtime-');
    const t0 = Date.now() + 11 * MINUTE;
    const at = (ms: number): Clock => ({ now: () => new Date(ms) });

    const first = await start({ dir, clock: at(t0) });
    await seedLibraries(first);
    // A first start has no earlier run to measure a downtime from.
    expect((await getJson(first.app, '/reconcile')).body.passes).toEqual([]);
    await first.stop();

    // 29 minutes down: not long enough.
    const second = await start({ dir, clock: at(t0 + 29 * MINUTE), env: { SYNC_LOG_LEVEL: 'DEBUG' } });
    await second.waitForLog(/No catch-up pass after start: down 29 min, not more than 30 min/);
    expect((await getJson(second.app, '/reconcile')).body.passes).toEqual([]);
    await second.stop();

    // Last seen at t0 + 29 min, back 31 minutes later.
    const third = await start({ dir, clock: at(t0 + 60 * MINUTE) });
    await third.waitForLog(/last seen running 31 min ago/);
    const [pass] = (await getJson(third.app, '/reconcile')).body.passes;
    expect(pass).toMatchObject({ started_by: 'after_downtime', queue: true });
    const done = await finishedPass(third, pass.reconcile_id);
    expect(done.queued).toEqual({ created: 4, folded: 0 });
    expect((await jobsOf(third)).every((j) => j.source === 'reconcile')).toBe(true);
  });

  it('on SYNC_RECONCILE_CRON, catching up a slot missed while stopped; it queues', async () => {
    const dir = await tempDir('sync-webhook-reconcile-cron-');
    const env = { SYNC_RECONCILE_CRON: '0 4 * * *', SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES: '0' };
    const at = (iso: string): Clock => ({ now: () => new Date(iso) });

    const first = await start({ dir, env, clock: at('2030-01-01T03:59:00Z') });
    await seedLibraries(first);
    expect((await getJson(first.app, '/reconcile')).body.passes).toEqual([]);
    await first.stop();

    const second = await start({ dir, env, clock: at('2030-01-01T04:10:00Z') });
    const pass = await waitFor(async () => (await getJson(second.app, '/reconcile')).body.passes[0]);
    expect(pass).toMatchObject({ started_by: 'schedule', queue: true });
    expect((await finishedPass(second, pass.reconcile_id)).queued).toEqual({ created: 4, folded: 0 });
    await second.stop();

    // The slot ran: another start in the same slot does not run it again.
    const third = await start({ dir, env, clock: at('2030-01-01T04:20:00Z') });
    expect((await getJson(third.app, '/reconcile')).body.passes).toHaveLength(1);
  });
});
