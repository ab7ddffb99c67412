// Every real Radarr/Sonarr payload, posted with the real headers to the service built in-process,
// and every way a request can be refused. The service runs with SYNC_REQUIRE_MOUNTS=true on temp
// folders (which sit on the root filesystem), so every job it queues stays queued: the answers and the
// rows are the subject here, not the copy (test/integration/sync.test.ts copies for real).
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, onCleanup } from '../support/cleanup.js';
import { startInProcess, type InProcessService } from '../support/in-process.js';
import { getJson, post, request } from '../support/http-client.js';
import { getJob } from '../support/jobs-api.js';
import { outboxRows } from '../support/db.js';
import { FIXTURES_DIR } from '../support/repo-paths.js';
import { readFixture } from '../support/payloads.js';
import { startFakeServer, type FakeServer } from '../support/fake-http.js';

const FIXTURES = readdirSync(FIXTURES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

let svc: InProcessService;
let telegram: FakeServer;

beforeAll(async () => {
  telegram = await startFakeServer();
  onCleanup(() => telegram.close());
  svc = await startInProcess({
    env: {
      SYNC_REQUIRE_MOUNTS: 'true',
      TELEGRAM_BOT_TOKEN: '123456:TEST-token-webhooks',
      TELEGRAM_CHAT_ID: '42',
      TELEGRAM_API_URL: telegram.url,
    },
  });
});
afterAll(cleanupAll);

/** Builds a per-file Sonarr Download for another episode of the Sherlock season pack. */
async function sherlockEpisode(n: number, seriesDir = 'Sherlock (2010)'): Promise<any> {
  const body = await readFixture('sonarr-download-season-pack-episode.json');
  const titles = ['A Study in Pink', 'The Blind Banker', 'The Great Game'];
  const name = `Sherlock (2010) - S01E0${n} - ${titles[n - 1]} [Bluray-1080p][DTS 5.1][x264]-SHORTBREHD.mkv`;
  body.series.path = `/tv/${seriesDir}`;
  body.episodes = [{ ...body.episodes[0], episodeNumber: n, title: titles[n - 1] }];
  body.episodeFile.relativePath = `Season 01/${name}`;
  body.episodeFile.path = `/tv/${seriesDir}/Season 01/${name}`;
  return body;
}

async function sherlockBatch(seriesDir = 'Sherlock (2010)'): Promise<any> {
  const body = await readFixture('sonarr-importcomplete-season-pack.json');
  body.series.path = `/tv/${seriesDir}`;
  for (const file of body.episodeFiles) file.path = file.path.replace('/tv/Sherlock (2010)/', `/tv/${seriesDir}/`);
  return body;
}

describe('every fixture, routed by its sender', () => {
  const expected: Record<string, 'queued' | 'test' | 'ignored'> = {};
  for (const f of FIXTURES) {
    expected[f] =
      /-download/.test(f) || /-importcomplete/.test(f) ? 'queued' : /-test\.json$/.test(f) ? 'test' : 'ignored';
  }

  it('has the fixtures this test expects', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(28);
    expect(Object.values(expected).filter((k) => k === 'queued').length).toBe(7);
    expect(Object.values(expected).filter((k) => k === 'test').length).toBe(2);
  });

  // Order matters for the duplicate rule: the Sherlock per-file episode comes before its batch
  // (alphabetical order gives that), so the batch answers 202 with the first id being the existing job.
  it.each(FIXTURES)('%s', async (file) => {
    const sender = file.startsWith('radarr-') ? 'radarr' : 'sonarr';
    const body = await readFixture(file);
    const res = await post(svc.app, `/sync/${sender}`, body);
    const kind = expected[file];
    if (kind === 'test') {
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'test successful' });
      return;
    }
    if (kind === 'ignored') {
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ignored');
      expect(res.body.reason).toEqual(expect.stringContaining(body.eventType));
      return;
    }
    expect(res.status, res.text).toBe(202);
    expect(res.body.status).toBe('queued');
    expect(Number.isInteger(res.body.job_id)).toBe(true);
    expect(res.body.job_ids[0]).toBe(res.body.job_id);
    const files = body.episodeFiles ?? [body.movieFile ?? body.episodeFile];
    expect(res.body.job_ids).toHaveLength(files.length);

    for (const [i, id] of (res.body.job_ids as number[]).entries()) {
      const job = await getJob(svc, id);
      expect(job.id).toBe(id);
      expect(job.source).toBe(sender);
      expect(['queued', 'in_progress']).toContain(job.status);
      if (sender === 'radarr') {
        expect(job.media_type).toBe('movie');
        expect(job.title).toBe(`${body.movie.title} (${body.movie.year})`);
        expect(job.container_path).toBe(body.movie.folderPath);
        expect(job.source_path).toBe(body.movie.folderPath.replace(/^\/movies/, svc.moviesSrc));
        expect(job.dest_path).toBe(svc.moviesDst);
      } else {
        const filePath: string = files[i].path;
        expect(job.media_type).toBe('episode');
        expect(job.title.startsWith(`${body.series.title} - S`)).toBe(true);
        expect(job.container_path).toBe(filePath);
        expect(job.source_path).toBe(filePath.replace(/^\/tv/, svc.tvSrc));
        expect(job.dest_path).toBe(filePath.replace(/^\/tv/, svc.tvDst).replace(/\/[^/]+$/, ''));
      }
      expect(job.retry_count).toBe(0);
      expect(job.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    }
  });

  it('turns the Sonarr titles into "Series - SxxEyy: Episode"', async () => {
    const single = await post(svc.app, '/sync/sonarr', await readFixture('sonarr-download.json'));
    // Already queued by the fixture loop: a duplicate with the same id.
    expect(single.status).toBe(200);
    expect(single.body.status).toBe('duplicate');
    expect((await getJob(svc, single.body.job_id)).title).toBe('The Bear - S03E01: Tomorrow');
    const multi = await post(svc.app, '/sync/sonarr', await readFixture('sonarr-download-multi-episode.json'));
    expect(multi.body.status).toBe('duplicate');
    expect((await getJob(svc, multi.body.job_id)).title).toBe(
      'Star Trek: The Next Generation - S01E01-S01E02: Encounter at Farpoint (1) / Encounter at Farpoint (2)',
    );
  });

  it('sends nothing to Telegram for the Test events (nor for anything queued but not run)', async () => {
    expect(await outboxRows(svc.dbPath)).toEqual([]);
    expect(telegram.requests).toHaveLength(0);
  });
});

describe('duplicates', () => {
  it('a repeated Radarr Download answers 200 duplicate with the existing id', async () => {
    const body = await readFixture('radarr-download.json');
    body.movie.folderPath = '/movies/Repeat (2020)';
    body.movieFile.path = '/movies/Repeat (2020)/Repeat (2020).mkv';
    const first = await post(svc.app, '/sync/radarr', body);
    expect(first.status).toBe(202);
    const second = await post(svc.app, '/sync/radarr', body);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ status: 'duplicate', job_id: first.body.job_id, job_ids: [first.body.job_id] });
  });

  it('Sonarr per-file Downloads, then the batch of the same files: the batch is a duplicate', async () => {
    const ids: number[] = [];
    for (const n of [1, 2, 3]) {
      const res = await post(svc.app, '/sync/sonarr', await sherlockEpisode(n, 'Sherlock A (2010)'));
      expect(res.status, res.text).toBe(202);
      ids.push(res.body.job_id);
    }
    expect(new Set(ids).size).toBe(3);
    const batch = await post(svc.app, '/sync/sonarr', await sherlockBatch('Sherlock A (2010)'));
    expect(batch.status).toBe(200);
    expect(batch.body).toEqual({ status: 'duplicate', job_id: ids[0], job_ids: ids });
  });

  it('the batch first, then the per-file Downloads: each per-file one is a duplicate', async () => {
    const batch = await post(svc.app, '/sync/sonarr', await sherlockBatch('Sherlock B (2010)'));
    expect(batch.status).toBe(202);
    const ids: number[] = batch.body.job_ids;
    expect(ids).toHaveLength(3);
    for (const n of [1, 2, 3]) {
      const res = await post(svc.app, '/sync/sonarr', await sherlockEpisode(n, 'Sherlock B (2010)'));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'duplicate', job_id: ids[n - 1], job_ids: [ids[n - 1]] });
    }
    // Titles of batch rows come from the file names matched against the episode list.
    expect((await getJob(svc, ids[1]!)).title).toBe('Sherlock - S01E02: The Blind Banker');
  });

  it('part of a batch already known: queued, the known file keeps its id', async () => {
    const first = await post(svc.app, '/sync/sonarr', await sherlockEpisode(2, 'Sherlock C (2010)'));
    expect(first.status).toBe(202);
    const batch = await post(svc.app, '/sync/sonarr', await sherlockBatch('Sherlock C (2010)'));
    expect(batch.status).toBe(202);
    expect(batch.body.status).toBe('queued');
    expect(batch.body.job_ids).toHaveLength(3);
    expect(batch.body.job_ids[1]).toBe(first.body.job_id);
    expect(new Set(batch.body.job_ids).size).toBe(3);
  });

  it('isUpgrade: true always makes a new job (Radarr and Sonarr)', async () => {
    for (const [sender, file] of [
      ['radarr', 'radarr-download-upgrade.json'],
      ['sonarr', 'sonarr-download-upgrade.json'],
    ] as const) {
      const body = await readFixture(file);
      const a = await post(svc.app, `/sync/${sender}`, body);
      const b = await post(svc.app, `/sync/${sender}`, body);
      expect(a.status).toBe(202);
      expect(b.status).toBe(202);
      expect(b.body.job_id).not.toBe(a.body.job_id);
      expect(b.body.job_id).toBeGreaterThan(a.body.job_id);
    }
  });
});

describe('README shapes and methods', () => {
  it("accepts the README's sample curl payload (quality: {quality: {name}})", async () => {
    const res = await request(svc.app, '/sync/radarr', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        eventType: 'Download',
        movie: { title: 'Test Movie', year: 2024, folderPath: '/movies/Test Movie (2024)' },
        movieFile: {
          path: '/movies/Test Movie (2024)/test.mkv',
          size: 1000000000,
          quality: { quality: { name: 'Test' } },
        },
      }),
    });
    expect(res.status, res.text).toBe(202);
    const job = await getJob(svc, res.body.job_id);
    expect(job.title).toBe('Test Movie (2024)');
    expect(job.source_path).toBe(`${svc.moviesSrc}/Test Movie (2024)`);
    expect((job as any).details.quality).toBe('Test');
  });

  it('PUT works on /sync/radarr and /sync/sonarr', async () => {
    const body = await readFixture('radarr-download.json');
    body.movie.folderPath = '/movies/Put Movie (2001)';
    body.movieFile.path = '/movies/Put Movie (2001)/Put Movie (2001).mkv';
    const res = await request(svc.app, '/sync/radarr', {
      method: 'PUT',
      body,
      headers: { 'Content-Type': 'application/json', Connection: 'close' },
    });
    expect(res.status, res.text).toBe(202);
    expect(res.body.status).toBe('queued');
    const test = await request(svc.app, '/sync/sonarr', {
      method: 'PUT',
      body: await readFixture('sonarr-test.json'),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(test.status).toBe(200);
    expect(test.body).toEqual({ status: 'test successful' });
  });

  it('the README manual request queues a job', async () => {
    const res = await post(svc.app, '/sync/manual', { path: '/movies/Movie Name (2024)', type: 'movie' });
    expect(res.status, res.text).toBe(202);
    const job = await getJob(svc, res.body.job_id);
    expect(job).toMatchObject({
      source: 'manual',
      media_type: 'movie',
      container_path: '/movies/Movie Name (2024)',
      dest_path: svc.moviesDst,
    });
    const tv = await post(svc.app, '/sync/manual', { path: '/tv/Some Show/Season 01', type: 'tv' });
    expect(tv.status).toBe(202);
    expect(await getJob(svc, tv.body.job_id)).toMatchObject({
      media_type: 'episode',
      dest_path: `${svc.tvDst}/Some Show`,
    });
  });
});

describe('refusals', () => {
  async function radarrAt(folderPath: string, filePath = `${folderPath}/movie.mkv`): Promise<any> {
    const body = await readFixture('radarr-download.json');
    body.movie.folderPath = folderPath;
    body.movieFile.path = filePath;
    return body;
  }

  it('a Radarr/Sonarr path in no mapping is ignored with 200, and no job is made', async () => {
    const before = (await getJson(svc.app, '/jobs?limit=1')).body.jobs[0].id;
    const radarr = await post(svc.app, '/sync/radarr', await radarrAt('/downloads/Elsewhere (2020)'));
    expect(radarr.status).toBe(200);
    expect(radarr.body.status).toBe('ignored');
    expect(radarr.body.reason).toContain('/downloads/Elsewhere (2020)');
    const sonarr = await readFixture('sonarr-download.json');
    sonarr.episodeFile.path = '/anime/Show/Season 01/Show - S01E01.mkv';
    const res = await post(svc.app, '/sync/sonarr', sonarr);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ignored');
    // "/moviesX" is not under "/movies".
    const boundary = await post(svc.app, '/sync/radarr', await radarrAt('/moviesX/Film (2020)'));
    expect(boundary.body.status).toBe('ignored');
    expect((await getJson(svc.app, '/jobs?limit=1')).body.jobs[0].id).toBe(before);
  });

  it('/sync/manual with a path in no mapping answers 422', async () => {
    const res = await post(svc.app, '/sync/manual', { path: '/downloads/Film (2020)', type: 'movie' });
    expect(res.status).toBe(422);
    expect(res.body.error).toEqual(expect.stringContaining('/downloads/Film (2020)'));
  });

  const escapes: [string, string][] = [
    ['..', '/movies/../etc'],
    ['.. inside', '/movies/Film (2020)/../../secret'],
    ['//', '/movies//Film (2020)'],
    ['NUL', '/movies/Film\u0000 (2020)'],
    ['newline', '/movies/Film\n(2020)'],
    ['mapping root itself', '/movies'],
  ];
  it.each(escapes)('a path with %s answers 422 from Radarr, Sonarr and manual', async (_name, path) => {
    const before = (await getJson(svc.app, '/jobs?limit=1')).body.jobs[0].id;
    const radarr = await post(svc.app, '/sync/radarr', await radarrAt(path, `${path}/movie.mkv`));
    expect(radarr.status, radarr.text).toBe(422);
    expect(typeof radarr.body.error).toBe('string');
    expect(radarr.body.error.length).toBeGreaterThan(0);

    const sonarr = await readFixture('sonarr-download.json');
    sonarr.episodeFile.path = path.replace(/^\/movies/, '/tv');
    const s = await post(svc.app, '/sync/sonarr', sonarr);
    expect(s.status, s.text).toBe(422);
    expect(typeof s.body.error).toBe('string');

    const manual = await post(svc.app, '/sync/manual', { path, type: 'movie' });
    expect(manual.status, manual.text).toBe(422);
    expect(typeof manual.body.error).toBe('string');
    expect((await getJson(svc.app, '/jobs?limit=1')).body.jobs[0].id).toBe(before);
  });

  it('malformed JSON answers 400 with an error', async () => {
    const res = await post(svc.app, '/sync/radarr', '{"eventType": "Download", "movie": {');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/JSON/i);
    const empty = await post(svc.app, '/sync/sonarr', '');
    expect(empty.status).toBe(400);
    expect(typeof empty.body.error).toBe('string');
  });

  it('a wrong Content-Type answers 415', async () => {
    const res = await post(svc.app, '/sync/radarr', JSON.stringify({ eventType: 'Test' }), {
      'Content-Type': 'text/plain',
    });
    expect(res.status).toBe(415);
    expect(typeof res.body.error).toBe('string');
    const form = await post(svc.app, '/sync/manual', 'path=/movies/x', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
  });

  it('a body over 1 MB answers 413 and the service keeps answering', async () => {
    const big = JSON.stringify({ eventType: 'Download', padding: 'x'.repeat(1024 * 1024 + 10) });
    const res = await post(svc.app, '/sync/radarr', big);
    expect(res.status).toBe(413);
    expect(typeof res.body.error).toBe('string');
    expect((await getJson(svc.app, '/health')).status).toBe(200);
  });

  it('a missing required field answers 422 naming the field', async () => {
    const noEvent = await post(svc.app, '/sync/radarr', { movie: { folderPath: '/movies/X (2020)' } });
    expect(noEvent.status).toBe(422);
    expect(noEvent.body.field).toBe('eventType');
    expect(noEvent.body.error).toContain('eventType');

    const noPaths = await post(svc.app, '/sync/radarr', { eventType: 'Download', movie: { title: 'X' } });
    expect(noPaths.status).toBe(422);
    expect(noPaths.body.field).toBe('movie.folderPath');

    const sonarrNoFile = await post(svc.app, '/sync/sonarr', { eventType: 'Download', series: { title: 'X' } });
    expect(sonarrNoFile.status).toBe(422);
    expect(sonarrNoFile.body.field).toBe('episodeFile.path');

    const manualNoPath = await post(svc.app, '/sync/manual', { type: 'movie' });
    expect(manualNoPath.status).toBe(422);
    expect(manualNoPath.body.field).toBe('path');

    const manualBadType = await post(svc.app, '/sync/manual', { path: '/movies/X', type: 'music' });
    expect(manualBadType.status).toBe(422);
    expect(manualBadType.body.field).toBe('type');

    const notObject = await post(svc.app, '/sync/radarr', [1, 2]);
    expect(notObject.status).toBe(422);
    expect(typeof notObject.body.error).toBe('string');
  });

  it('the service is still healthy after all of it', async () => {
    const health = await getJson(svc.app, '/health');
    expect(health.status).toBe(200);
    expect(svc.output()).not.toMatch(/ERROR - (GET|POST|PUT) .* failed/);
  });
});
