// Real rsync between temp folders, driven through the real process over HTTP.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, onCleanup } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { startService, type Service } from '../support/launch.js';
import { readLog } from '../support/service-layout.js';
import { getJson, post } from '../support/http-client.js';
import { waitForJob } from '../support/jobs-api.js';
import { makeTree, pathExists, sameBytes, treeOf } from '../support/trees.js';
import { radarrDownload, sonarrDownload } from '../support/payloads.js';
import { startFakeServer, type FakeServer } from '../support/fake-http.js';

const BOT_TOKEN = '987654321:SECRET-bot-token-sync-test';
const PLEX_TOKEN = 'SECRET-plex-token-sync-test';
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

let svc: Service;
let telegram: FakeServer;
let plex: FakeServer;
/** Every API answer body seen by this file, checked for secrets at the end. */
const answers: string[] = [];

async function postJob(path: string, body: unknown): Promise<number> {
  const res = await post(svc.url, path, body);
  answers.push(res.text);
  expect(res.status, res.text).toBe(202);
  expect(res.body.status).toBe('queued');
  return res.body.job_id;
}

async function succeeded(id: number) {
  const job = await waitForJob(svc, id, (j) => j.status === 'success' || j.status === 'failed');
  answers.push(JSON.stringify(job));
  expect(job.error, `job ${id} failed`).toBeNull();
  expect(job.status).toBe('success');
  return job;
}

beforeAll(async () => {
  // Telegram refuses every message with a description that echoes the URL (and so the bot token):
  // the service must log the refusal without the token.
  telegram = await startFakeServer((req) => ({
    status: 400,
    body: { ok: false, error_code: 400, description: `Bad Request: chat not found (${req.url})` },
  }));
  plex = await startFakeServer({ status: 404, body: `no such section; token ${PLEX_TOKEN}` });
  onCleanup(() => telegram.close());
  onCleanup(() => plex.close());
  svc = await startService({
    env: {
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_CHAT_ID: '-1001234',
      TELEGRAM_API_URL: telegram.url,
      PLEX_URL: plex.url,
      PLEX_TOKEN,
      PLEX_SECTION_MOVIES: '1',
      PLEX_SECTION_TV: '2',
      SYNC_MANUAL_STABLE_SECONDS: '1',
    },
  });
});
afterAll(cleanupAll);

describe('real rsync', () => {
  it('syncs a Radarr movie folder byte for byte, without the excluded entries', async () => {
    const folder = 'Dune - Part Two (2024) {tmdb-693134}';
    const src = join(svc.moviesSrc, folder);
    const copied = {
      'Dune - Part Two (2024) {tmdb-693134} [Bluray-1080p].mkv': 3 * 1024 * 1024 + 17,
      'Dune - Part Two (2024) {tmdb-693134} [Bluray-1080p].en.srt': 'subtitles\n',
      'extras/Behind the Scenes.mkv': 200_000,
      'poster.jpg': 12_345,
    };
    await makeTree(src, {
      ...copied,
      'Dune - Part Two (2024) {tmdb-693134} [Bluray-1080p].mkv.partial~': 50_000,
      '@eaDir/poster.jpg@SynoEAStream': 'synology',
      '@eaDir/thumbs/SYNOPHOTO_THUMB_M.jpg': 999,
      '.DS_Store': 'mac',
      'extras/.DS_Store': 'mac',
      '#recycle/old.mkv': 1000,
    });
    const id = await postJob(
      '/sync/radarr',
      await radarrDownload({
        folder,
        file: 'Dune - Part Two (2024) {tmdb-693134} [Bluray-1080p].mkv',
        title: 'Dune: Part Two',
      }),
    );
    const job = await succeeded(id);

    const dst = join(svc.moviesDst, folder);
    const expected = await treeOf(src);
    for (const key of Object.keys(expected)) {
      if (/(^|\/)(@eaDir|#recycle)(\/|$)|\.DS_Store$|\.partial~$/.test(key)) delete expected[key];
    }
    expect(await treeOf(dst)).toEqual(expected);
    expect(Object.keys(expected)).toHaveLength(Object.keys(copied).length + 1); // + "extras/"

    const bytes = Object.values(copied).reduce<number>(
      (sum, v) => sum + (typeof v === 'number' ? v : Buffer.byteLength(v)),
      0,
    );
    expect(job.bytes_transferred).toBe(bytes);
    expect(job).toMatchObject({
      source: 'radarr',
      media_type: 'movie',
      title: 'Dune: Part Two (2024)',
      retry_count: 0,
    });
    expect(job.created_at).toMatch(ISO_UTC);
    expect(job.started_at).toMatch(ISO_UTC);
    expect(job.finished_at).toMatch(ISO_UTC);
    expect(Date.parse(job.finished_at!)).toBeGreaterThanOrEqual(Date.parse(job.started_at!));
    expect(Date.parse(job.started_at!)).toBeGreaterThanOrEqual(Date.parse(job.created_at));
    expect(typeof job.duration_seconds).toBe('number');
    expect(job.duration_seconds!).toBeGreaterThanOrEqual(0);
    expect(job.duration_seconds!).toBeLessThan(30);

    // The same import again within 24 h: answered as a duplicate of the finished job, not copied again.
    const again = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ folder, file: 'Dune - Part Two (2024) {tmdb-693134} [Bluray-1080p].mkv' }),
    );
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: 'duplicate', job_id: id, job_ids: [id] });
  });

  it('syncs a Sonarr episode into <dst>/<Series>/Season NN/, creating the folders', async () => {
    const file = 'The Bear (2022) - S03E01 - Tomorrow [WEBDL-1080p].mkv';
    const [srcFile] = Object.values(await makeTree(svc.tvSrc, { [`The Bear (2022)/Season 03/${file}`]: 1_500_000 }));
    // Another episode already in the source season folder must not travel with this one.
    await makeTree(svc.tvSrc, { 'The Bear (2022)/Season 03/The Bear (2022) - S03E02 - Next.mkv': 1000 });
    expect(await pathExists(join(svc.tvDst, 'The Bear (2022)'))).toBe(false);

    const id = await postJob(
      '/sync/sonarr',
      await sonarrDownload({ seriesFolder: 'The Bear (2022)', season: 3, episode: 1, episodeTitle: 'Tomorrow', file }),
    );
    const job = await succeeded(id);
    const dstFile = join(svc.tvDst, 'The Bear (2022)', 'Season 03', file);
    expect(await sameBytes(srcFile!, dstFile)).toBe(true);
    expect(await readdir(join(svc.tvDst, 'The Bear (2022)', 'Season 03'))).toEqual([file]);
    expect(job).toMatchObject({
      media_type: 'episode',
      title: 'The Bear - S03E01: Tomorrow',
      bytes_transferred: 1_500_000,
    });
    expect(job.dest_path).toBe(join(svc.tvDst, 'The Bear (2022)', 'Season 03'));
  });

  it('copes with spaces, quotes, brackets, unicode and a leading "-"', async () => {
    const movies = [
      { folder: `Spaces  and 'single' "double" quotes (2020)`, file: `it's "quoted" $HOME \`x\`.mkv` },
      { folder: 'Brackets [x] {tmdb-1} (and) * ? (2021)', file: 'file [1080p] {edition-Director} *.mkv' },
      { folder: 'Amélie – 日本語 ✓ Ünïcödé (2001)', file: 'Amélie ✓.mkv' },
      { folder: '-Leading Dash (2019)', file: '--help.mkv' },
      { folder: '-e Film; rm -rf x & echo (2018)', file: '-n.mkv' },
    ];
    const ids: number[] = [];
    for (const [i, m] of movies.entries()) {
      await makeTree(join(svc.moviesSrc, m.folder), { [m.file]: 10_000 + i, 'sub/-dash.srt': `srt ${i}` });
      ids.push(await postJob('/sync/radarr', await radarrDownload(m)));
    }
    const episodeFile = '-Show\'s [Ünï] - S01E01 - "Pilot".mkv';
    await makeTree(join(svc.tvSrc, "-Dash Show 'Q' [2020]", 'Season 01'), { [episodeFile]: 4321 });
    ids.push(
      await postJob(
        '/sync/sonarr',
        await sonarrDownload({ seriesFolder: "-Dash Show 'Q' [2020]", season: 1, episode: 1, file: episodeFile }),
      ),
    );

    for (const id of ids) await succeeded(id);
    for (const m of movies) {
      expect(await treeOf(join(svc.moviesDst, m.folder))).toEqual(await treeOf(join(svc.moviesSrc, m.folder)));
    }
    expect(
      await sameBytes(
        join(svc.tvSrc, "-Dash Show 'Q' [2020]", 'Season 01', episodeFile),
        join(svc.tvDst, "-Dash Show 'Q' [2020]", 'Season 01', episodeFile),
      ),
    ).toBe(true);
    // Nothing landed anywhere else: no stray "-e", "rm" or option-looking entries at the roots.
    expect((await readdir(svc.moviesDst)).sort()).toEqual(expect.arrayContaining(movies.map((m) => m.folder)));
    for (const name of await readdir(svc.moviesDst)) {
      expect(await pathExists(join(svc.moviesSrc, name)), `unexpected ${name} in destination`).toBe(true);
    }
  });

  it('an upgrade replaces the destination file; a plain import leaves an existing one alone', async () => {
    const folder = 'Upgrade Me (2015)';
    const file = 'Upgrade Me (2015).mkv';
    const dstFile = join(svc.moviesDst, folder, file);
    await makeTree(join(svc.moviesSrc, folder), { [file]: 'NEW CONTENT, longer than before', 'extra.nfo': 'nfo' });
    await makeTree(join(svc.moviesDst, folder), { [file]: 'OLD CONTENT' });

    const plain = await succeeded(await postJob('/sync/radarr', await radarrDownload({ folder, file })));
    expect(await readFile(dstFile, 'utf8')).toBe('OLD CONTENT'); // --ignore-existing
    expect(await readFile(join(svc.moviesDst, folder, 'extra.nfo'), 'utf8')).toBe('nfo'); // the rest was copied
    expect(plain.bytes_transferred).toBe(3);

    const upgrade = await succeeded(
      await postJob('/sync/radarr', await radarrDownload({ folder, file, isUpgrade: true })),
    );
    expect(upgrade.id).not.toBe(plain.id);
    expect(await readFile(dstFile, 'utf8')).toBe('NEW CONTENT, longer than before');
    expect(await readdir(join(svc.moviesDst, folder))).toEqual(expect.arrayContaining([file, 'extra.nfo']));
    expect((await readdir(join(svc.moviesDst, folder))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('/sync/manual queues a job (202) and syncs the folder', async () => {
    const folder = 'Manual Movie (2024)';
    await makeTree(join(svc.moviesSrc, folder), {
      'Manual Movie (2024).mkv': 64_000,
      'Manual Movie (2024).nfo': '<movie/>',
    });
    const started = Date.now();
    const id = await postJob('/sync/manual', { path: `/movies/${folder}`, type: 'movie' });
    expect(Date.now() - started).toBeLessThan(1000); // rsync never runs inside the request
    const job = await succeeded(id);
    expect(job).toMatchObject({ source: 'manual', media_type: 'movie', container_path: `/movies/${folder}` });
    expect(await treeOf(join(svc.moviesDst, folder))).toEqual(await treeOf(join(svc.moviesSrc, folder)));
    // SYNC_MANUAL_STABLE_SECONDS=1: the size was watched for a second before rsync ran.
    expect(Date.parse(job.finished_at!) - Date.parse(job.started_at!)).toBeGreaterThanOrEqual(1000);

    // A trailing slash names the same folder: a duplicate of the finished job.
    const again = await post(svc.url, '/sync/manual', { path: `/movies/${folder}/`, type: 'movie' });
    expect(again.status).toBe(200);
    expect(again.body.job_id).toBe(id);
  });

  it('writes the "File path:" line and a SUCCESS history line', async () => {
    const folder = 'Logged Movie (2023)';
    const file = 'Logged Movie (2023).mkv';
    await makeTree(join(svc.moviesSrc, folder), { [file]: 1234 });
    const id = await postJob('/sync/radarr', await radarrDownload({ folder, file, title: 'Logged Movie', year: 2023 }));
    await succeeded(id);
    await waitFor(async () => (await readLog(svc, 'sync_history.log')).includes('Logged Movie (2023)'), {
      what: 'history line',
    });
    const log = await readLog(svc, 'sync_webhook.log');
    expect(log).toContain(`File path: /movies/${folder}/${file}`);
    expect(log).toMatch(/ - INFO - Processing: Logged Movie \(2023\) - Bluray-1080p/);
    const history = await readLog(svc, 'sync_history.log');
    expect(history).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| SUCCESS +\| movie +\| Logged Movie \(2023\) \| \d+\.\ds$/m,
    );
  });

  it('never shows the bot token or the Plex token in logs or API answers', async () => {
    // A success makes a Telegram message and a Plex scan. Telegram refuses every message with the URL (and
    // so the token) in its description, Plex answers 404: both failures are logged. Wait until they were.
    const folder = 'Secret Movie (2012)';
    await makeTree(join(svc.moviesSrc, folder), { 'Secret Movie (2012).mkv': 2048 });
    await succeeded(await postJob('/sync/radarr', await radarrDownload({ folder, file: 'Secret Movie (2012).mkv' })));
    await waitFor(() => telegram.requests.length > 0 && plex.requests.length > 0, {
      what: 'Telegram and Plex attempts',
    });
    await svc.waitForLog(/tgram:\/\/987654321\/\S+ delivery given up/);
    await svc.waitForLog(/plex:\/\/\S+ delivery given up/);
    expect(telegram.requests[0]!.path).toBe(`/bot${BOT_TOKEN}/sendMessage`);
    expect(plex.requests[0]!.headers['x-plex-token']).toBe(PLEX_TOKEN);

    for (const path of ['/health', '/stats', '/jobs?limit=1000', '/jobs?status=success', '/jobs/1']) {
      answers.push((await getJson(svc.url, path)).text);
    }
    answers.push((await post(svc.url, '/test', {})).text);
    const texts = {
      stdout: svc.stdout(),
      stderr: svc.stderr(),
      'sync_webhook.log': await readLog(svc, 'sync_webhook.log'),
      'sync_history.log': await readLog(svc, 'sync_history.log'),
      answers: answers.join('\n'),
    };
    expect(texts['sync_webhook.log']).toMatch(/chat not found/);
    for (const [where, text] of Object.entries(texts)) {
      for (const secret of [BOT_TOKEN, PLEX_TOKEN, 'SECRET-bot-token', encodeURIComponent(BOT_TOKEN)]) {
        expect(text.includes(secret), `${secret} appears in ${where}`).toBe(false);
      }
    }
  });
});

describe('dry run', () => {
  let dry: Service;
  beforeAll(async () => {
    dry = await startService({ env: { SYNC_DRY_RUN: 'true' } });
  });

  it('reports success and copies nothing, not even folders', async () => {
    const folder = 'Dry Movie (2022)';
    await makeTree(join(dry.moviesSrc, folder), { 'Dry Movie (2022).mkv': 100_000, 'sub/x.srt': 'x' });
    await makeTree(join(dry.tvSrc, 'Dry Show', 'Season 02'), { 'Dry Show - S02E03.mkv': 5000 });
    const before = { movies: await treeOf(dry.moviesDst), tv: await treeOf(dry.tvDst) };

    const health = await getJson(dry.url, '/health');
    expect(health.body.dry_run).toBe(true);

    const m = await post(dry.url, '/sync/radarr', await radarrDownload({ folder, file: 'Dry Movie (2022).mkv' }));
    const e = await post(
      dry.url,
      '/sync/sonarr',
      await sonarrDownload({ seriesFolder: 'Dry Show', season: 2, episode: 3, file: 'Dry Show - S02E03.mkv' }),
    );
    expect(m.status).toBe(202);
    expect(e.status).toBe(202);
    for (const id of [m.body.job_id, e.body.job_id]) {
      const job = await waitForJob(dry, id, (j) => j.status === 'success' || j.status === 'failed');
      expect(job.status, job.error ?? '').toBe('success');
    }
    expect(await treeOf(dry.moviesDst)).toEqual(before.movies);
    expect(await treeOf(dry.tvDst)).toEqual(before.tv);
    expect(await pathExists(join(dry.tvDst, 'Dry Show'))).toBe(false);
    expect(await readLog(dry, 'sync_webhook.log')).toMatch(/rsync .*--dry-run/);
  });
});
