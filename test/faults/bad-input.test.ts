// Bad input that test/integration/webhooks.test.ts does not already try: names that look like rsync
// options, symlinks out of a source root, paths longer than Linux allows, titles with control
// characters and Telegram markup, and paths with carriage returns and terminal escapes. Afterwards
// the service is still up and nothing was written anywhere but the destination roots.
import { readdir, readFile, symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll } from '../support/cleanup.js';
import { startService, type Service } from '../support/launch.js';
import { readLog } from '../support/service-layout.js';
import { getJson, post } from '../support/http-client.js';
import { waitForJob, type JobJson } from '../support/jobs-api.js';
import { makeTree, pathExists, treeOf } from '../support/trees.js';
import { radarrDownload, sonarrDownload } from '../support/payloads.js';
import { type FakeServer, startAcceptingTelegram } from '../support/fake-http.js';

const TOKEN = '4711:bad-input-token';

let svc: Service;
let telegram: FakeServer;
/** Everything this test put on disk itself (relative to svc.dir → sha256), to tell it from what the service wrote. */
const seeded = new Map<string, string>();
let outside: string;

async function seed(root: string, files: Record<string, number | string>): Promise<void> {
  await makeTree(root, files);
  for (const [path, hash] of Object.entries(await treeOf(svc.dir))) seeded.set(path, hash);
}

async function finished(id: number): Promise<JobJson> {
  return waitForJob(svc, id, (j) => j.status === 'success' || (j.status === 'failed' && j.gave_up), 15_000);
}

beforeAll(async () => {
  telegram = await startAcceptingTelegram();
  svc = await startService({
    env: {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_CHAT_ID: '6',
      TELEGRAM_API_URL: telegram.url,
      // A refusal that could heal would be retried: a permanent one gives up at once with retries left.
      SYNC_MAX_RETRIES: '3',
      SYNC_RETRY_INTERVAL_SECONDS: '1',
    },
  });
  // What lies outside every mapping and must never be read into one.
  outside = join(svc.dir, 'outside');
  await seed(outside, { 'secret/passwords.txt': 'root:hunter2\n', 'secret/big.bin': 64_000, 'loose.mkv': 30_000 });
  // A destination library that must keep its own files.
  await seed(svc.moviesDst, { 'Kept (2001)/Kept (2001).mkv': 10_000 });
});
afterAll(cleanupAll);

describe('names that look like rsync options', () => {
  it('are names: folders and files starting with "-" or "--" sync as they are and change nothing else', async () => {
    await seed(svc.moviesSrc, {
      '--remove-source-files (2020)/-v --delete.mkv': 70_000,
      '--remove-source-files (2020)/--include=*.nfo': 'x',
      '-rf/-n.mkv': 20_000,
    });
    await seed(svc.tvSrc, { '-x Show/Season 01/--delete - S01E01.mkv': 25_000 });

    const movie = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ folder: '--remove-source-files (2020)', file: '-v --delete.mkv' }),
    );
    const manual = await post(svc.url, '/sync/manual', { path: '/movies/-rf', type: 'movie' });
    const episode = await post(
      svc.url,
      '/sync/sonarr',
      await sonarrDownload({ seriesFolder: '-x Show', season: 1, episode: 1, file: '--delete - S01E01.mkv' }),
    );
    for (const res of [movie, manual, episode]) {
      expect(res.status, res.text).toBe(202);
      const job = await finished(res.body.job_id);
      expect(job.status, job.error ?? '').toBe('success');
    }
    expect(await treeOf(join(svc.moviesDst, '--remove-source-files (2020)'))).toEqual(
      await treeOf(join(svc.moviesSrc, '--remove-source-files (2020)')),
    );
    expect(await treeOf(join(svc.moviesDst, '-rf'))).toEqual(await treeOf(join(svc.moviesSrc, '-rf')));
    expect(await treeOf(join(svc.tvDst, '-x Show'))).toEqual(await treeOf(join(svc.tvSrc, '-x Show')));
    // Not options: the sources are still there (no --remove-source-files), the library kept its files (no --delete).
    expect(await pathExists(join(svc.moviesSrc, '--remove-source-files (2020)', '-v --delete.mkv'))).toBe(true);
    expect(await pathExists(join(svc.tvSrc, '-x Show/Season 01/--delete - S01E01.mkv'))).toBe(true);
    expect(await pathExists(join(svc.moviesDst, 'Kept (2001)', 'Kept (2001).mkv'))).toBe(true);
  });
});

describe('symlinks that lead out of a source root', () => {
  it('fail for good, naming the link, and copy nothing from outside', async () => {
    // The movie folder itself is a link to outside.
    await symlink(join(outside, 'secret'), join(svc.moviesSrc, 'Escape (2020)'));
    // A real movie folder with a link inside it to outside.
    await seed(svc.moviesSrc, { 'Inside Job (2010)/Inside Job (2010).mkv': 15_000 });
    await symlink(join(outside, 'secret'), join(svc.moviesSrc, 'Inside Job (2010)', 'extras'));
    // A series folder that is a link to outside: the episode file resolves out of the root.
    await seed(outside, { 'elsewhere/Season 01/Stray - S01E01.mkv': 12_000 });
    await symlink(join(outside, 'elsewhere'), join(svc.tvSrc, 'Stray'));
    // A link that stays inside the root is fine.
    await seed(svc.moviesSrc, { 'Shared/poster.jpg': 5_000, 'Linked (2015)/Linked (2015).mkv': 9_000 });
    await symlink('../Shared/poster.jpg', join(svc.moviesSrc, 'Linked (2015)', 'poster.jpg'));
    await seed(svc.dir, {}); // records the links made above

    const cases: [string, unknown, string, string][] = [
      [
        'radarr',
        await radarrDownload({ folder: 'Escape (2020)', file: 'passwords.txt' }),
        join(svc.moviesSrc, 'Escape (2020)'),
        join(svc.moviesDst, 'Escape (2020)'),
      ],
      [
        'radarr',
        await radarrDownload({ folder: 'Inside Job (2010)', file: 'Inside Job (2010).mkv' }),
        join(svc.moviesSrc, 'Inside Job (2010)', 'extras'),
        join(svc.moviesDst, 'Inside Job (2010)'),
      ],
      [
        'sonarr',
        await sonarrDownload({ seriesFolder: 'Stray', season: 1, episode: 1, file: 'Stray - S01E01.mkv' }),
        join(svc.tvSrc, 'Stray', 'Season 01', 'Stray - S01E01.mkv'),
        join(svc.tvDst, 'Stray'),
      ],
    ];
    for (const [sender, body, link, dest] of cases) {
      const res = await post(svc.url, `/sync/${sender}`, body);
      expect(res.status, res.text).toBe(202);
      const job = await finished(res.body.job_id);
      expect(job.status).toBe('failed');
      expect(job.gave_up, 'a permanent failure: retrying cannot fix it').toBe(true);
      expect(job.retry_count).toBe(0);
      expect(job.error).toContain(link);
      expect(job.error).toMatch(/outside its mapping root|points out of its mapping root/);
      expect(await pathExists(dest), dest).toBe(false);
    }
    const linked = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ folder: 'Linked (2015)', file: 'Linked (2015).mkv' }),
    );
    expect((await finished(linked.body.job_id)).status).toBe('success');

    // Nothing of what lies outside reached a destination: no file with its content, no link to it.
    const secrets = new Set(Object.values(await treeOf(outside)).filter((h) => h !== 'dir' && h !== 'other'));
    for (const root of [svc.moviesDst, svc.tvDst]) {
      for (const [path, hash] of Object.entries(await treeOf(root))) {
        expect(secrets.has(hash), `${root}/${path} holds a file from outside`).toBe(false);
      }
    }
    const log = await readLog(svc, 'sync_webhook.log');
    expect(log).toMatch(/Background sync failed: Escape .*\(not retried: retrying cannot fix this\)/);
  });
});

describe('paths longer than Linux allows', () => {
  it('answer 422 from Radarr, Sonarr and the manual endpoint, and queue nothing', async () => {
    const before = (await getJson(svc.url, '/jobs?limit=1')).body.jobs[0]?.id ?? 0;
    const long = `/movies/${'A Very Long Folder Name '.repeat(60)}/${'x'.repeat(3000)}`;
    expect(Buffer.byteLength(long)).toBeGreaterThan(4096);
    const radarr = await radarrDownload({ folder: 'x', file: 'x.mkv' });
    radarr.movie.folderPath = long;
    radarr.movieFile.path = `${long}/movie.mkv`;
    const sonarr = await sonarrDownload({ seriesFolder: 'x', season: 1, episode: 1, file: 'x.mkv' });
    sonarr.episodeFile.path = `${long.replace('/movies', '/tv')}/S01E01.mkv`;
    for (const [path, body] of [
      ['/sync/radarr', radarr],
      ['/sync/sonarr', sonarr],
      ['/sync/manual', { path: long, type: 'movie' }],
    ] as const) {
      const res = await post(svc.url, path, body);
      expect(res.status, `${path}: ${res.text.slice(0, 200)}`).toBe(422);
      expect(res.body.error).toMatch(/longer than 4096 bytes/);
      // The answer names the problem without echoing 5 kB back.
      expect(res.text.length).toBeLessThan(1000);
    }
    expect((await getJson(svc.url, '/jobs?limit=1')).body.jobs[0]?.id ?? 0).toBe(before);
  });
});

describe('control characters and markup', () => {
  it('titles with control characters or Telegram markup arrive escaped and never split a log line', async () => {
    telegram.reset();
    const movieTitle =
      'Evil\nTitle\r\n2099-01-01 00:00:00,000 - CRITICAL - forged\u0007\u001b[2J ' +
      '<b>bold</b> & *md* _it_ [link](http://x) `code` ~s~';
    const folder = 'Markup Movie (2021)';
    await seed(svc.moviesSrc, { [`${folder}/${folder}.mkv`]: 4_000 });
    const radarr = await radarrDownload({
      folder,
      file: `${folder}.mkv`,
      title: movieTitle,
      quality: 'Bluray-1080p\n<i>HDR</i>',
      size: 4_000,
    });
    const movie = await post(svc.url, '/sync/radarr', radarr);
    expect(movie.status, movie.text).toBe(202);
    expect((await finished(movie.body.job_id)).status).toBe('success');

    await seed(svc.tvSrc, { 'Markup Show/Season 02/Markup Show - S02E03.mkv': 3_000 });
    const sonarr = await sonarrDownload({
      seriesFolder: 'Markup Show',
      seriesTitle: 'Show\r\n<script>alert(1)</script> & Co',
      season: 2,
      episode: 3,
      episodeTitle: 'Ep\n\u001b]0;pwned\u0007 <a href="x">link</a>',
      file: 'Markup Show - S02E03.mkv',
    });
    const episode = await post(svc.url, '/sync/sonarr', sonarr);
    expect(episode.status, episode.text).toBe(202);
    expect((await finished(episode.body.job_id)).status).toBe('success');
    // An event type and paths carrying line breaks and escapes: refused or ignored, and logged safely.
    const grab = await post(svc.url, '/sync/radarr', {
      eventType: 'Grab\r\n2099-01-01 00:00:00,000 - CRITICAL - forged',
    });
    expect(grab.status).toBe(200);
    const crPath = await radarrDownload({ folder: 'CR (2020)', file: 'x.mkv' });
    crPath.movie.folderPath = '/movies/CR\r2099-01-01 00:00:00,000 - CRITICAL - forged (2020)';
    crPath.movieFile.path = '/movies/CR\r2099-01-01 00:00:00,000 - CRITICAL - forged (2020)/x\u001b[2J.mkv';
    expect((await post(svc.url, '/sync/radarr', crPath)).status).toBe(422);

    await telegram.waitForRequests(2);
    const [movieText, episodeText] = telegram.requests.map((r) => r.json<{ text: string }>().text);
    expect(movieText!.split('\n')).toEqual([
      '<b>Movie Synced</b>',
      '<b>EvilTitle2099-01-01 00:00:00,000 - CRITICAL - forged[2J ' +
        '&lt;b&gt;bold&lt;/b&gt; &amp; *md* _it_ [link](http://x) `code` ~s~</b> (2024)',
      'Quality: Bluray-1080p&lt;i&gt;HDR&lt;/i&gt;',
      'Size: 3.9 KB',
      expect.stringMatching(/^Duration: \d+\.\ds$/),
    ]);
    expect(episodeText!.split('\n').slice(0, 3)).toEqual([
      '<b>Episode Synced</b>',
      '<b>Show&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</b>',
      'S02E03: Ep]0;pwned &lt;a href="x"&gt;link&lt;/a&gt;',
    ]);
    for (const text of [movieText!, episodeText!]) {
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      // The only markup is ours.
      expect(text.replace(/<\/?b>/g, '')).not.toMatch(/[<>]/);
    }

    // Every line of every log is one whole line: a timestamp, a level, a message; no CR, no escape.
    const line = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - (DEBUG|INFO|WARNING|ERROR|CRITICAL) - /;
    const webhookLog = await readLog(svc, 'sync_webhook.log');
    for (const [name, text] of [
      ['sync_webhook.log', webhookLog],
      ['stdout', svc.stdout()],
    ] as const) {
      for (const l of text.split('\n').filter(Boolean)) {
        expect(l, `${name}: ${JSON.stringify(l)}`).toMatch(line);
        expect(l, `${name}: ${JSON.stringify(l)}`).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f]/);
      }
      expect(text).not.toMatch(/^2099-01-01/m);
    }
    const history = await readLog(svc, 'sync_history.log');
    for (const l of history.split('\n').filter(Boolean)) {
      expect(l, JSON.stringify(l)).toMatch(
        /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| (SUCCESS|FAILED) +\| (movie|episode) +\| .+ \| (\d+\.\ds|N\/A)$/,
      );
      expect(l).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f]/);
    }
    expect(webhookLog).toContain('Processing: EvilTitle2099-01-01');
  });
});

describe('after all of it', () => {
  it('the service is still up, and nothing was written anywhere but the destination roots', async () => {
    const health = await getJson(svc.url, '/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('healthy');
    const written: string[] = [];
    for (const [path, hash] of Object.entries(await treeOf(svc.dir))) {
      const top = path.split('/')[0];
      if (top === 'data' || top === 'logs' || path === relative(svc.dir, svc.configPath)) continue;
      const underDestination = [svc.moviesDst, svc.tvDst].some((root) =>
        `${join(svc.dir, path)}/`.startsWith(`${root}/`),
      );
      if (!underDestination && seeded.get(path) !== hash) written.push(path);
    }
    expect(written, 'paths the service wrote outside the destination roots').toEqual([]);
    // The outside tree is exactly as the test made it.
    expect(await readFile(join(outside, 'secret/passwords.txt'), 'utf8')).toBe('root:hunter2\n');
    expect((await readdir(outside)).sort()).toEqual(['elsewhere', 'loose.mkv', 'secret']);
  });
});
