// Media servers as fake Plex, Jellyfin and Emby servers on 127.0.0.1; the service, built in-process, copies
// with real rsync and asks each configured server to scan the changed folder, each through its own outbox
// queue: in parallel, each with its own path, retried with backoff, never failing the job, never twice.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest, tempDir } from '../support/cleanup.js';
import { outboxRows } from '../support/db.js';
import {
  type FakeMediaBrowser,
  type FakePlex,
  type FakePlexLibrary,
  startFakeMediaBrowser,
  startFakePlex,
} from '../support/fake-media-servers.js';
import { getJson, post } from '../support/http-client.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';
import { waitForJob } from '../support/jobs-api.js';
import { radarrDownload, sonarrDownload } from '../support/payloads.js';
import { layoutOf, type MediaServerSpec } from '../support/service-layout.js';
import { makeTree } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);
cleanupEachTest();

const PLEX_TOKEN = 'plex-media-T0ken';
const JELLYFIN_KEY = 'jellyfin0123456789abcdef0123';
const EMBY_KEY = 'emby0123456789abcdef0123';
const SECRETS = [PLEX_TOKEN, JELLYFIN_KEY, EMBY_KEY];

/** Plex mounts the destination share at /data. */
const LIBRARIES: FakePlexLibrary[] = [
  { key: '1', title: 'Movies', type: 'movie', locations: ['/data/Movies'] },
  { key: '2', title: 'TV Shows', type: 'show', locations: ['/data/TV Shows'] },
];

interface Setup {
  svc: InProcessService;
  plex: FakePlex;
  jellyfin: FakeMediaBrowser;
  plexId: string;
}

/** Plex (sections found by folder, the share at /data) and Jellyfin (named "den", the share at /media). */
async function start(
  o: { dir?: string; plex?: FakePlex; jellyfin?: FakeMediaBrowser; env?: Record<string, string> } = {},
) {
  const dir = o.dir ?? (await tempDir());
  const l = layoutOf(dir);
  const plex = o.plex ?? (await startFakePlex({ token: PLEX_TOKEN, libraries: LIBRARIES }));
  const jellyfin = o.jellyfin ?? (await startFakeMediaBrowser({ kind: 'jellyfin', apiKey: JELLYFIN_KEY }));
  const mediaServers: MediaServerSpec[] = [
    { type: 'plex', url: plex.url, token: PLEX_TOKEN, path_map: [{ from: join(dir, 'dst'), to: '/data' }] },
    {
      type: 'jellyfin',
      name: 'den',
      url: jellyfin.url,
      api_key: JELLYFIN_KEY,
      path_map: [
        { from: l.moviesDst, to: '/media/movies' },
        { from: l.tvDst, to: '/media/tv' },
      ],
    },
  ];
  const svc = await startInProcess({
    dir,
    mediaServers,
    env: o.env ?? {},
    // A hanging answer ends after 2 s rather than 30, and a failure is retried after 1 s rather than 30.
    timing: { outboxFirstBackoffMs: 1000, outboundRequestTimeoutMs: 2000 },
  });
  return { svc, plex, jellyfin, plexId: `plex://127.0.0.1:${plex.port}` } satisfies Setup;
}

async function syncMovie(svc: InProcessService, folder: string): Promise<number> {
  await makeTree(join(svc.moviesSrc, folder), { [`${folder}.mkv`]: 2048 });
  const res = await post(svc.app, '/sync/radarr', await radarrDownload({ folder, file: `${folder}.mkv` }));
  expect(res.status, res.text).toBe(202);
  const job = await waitForJob(svc, res.body.job_id, (j) => j.status === 'success' || j.status === 'failed');
  expect(job.status, job.error ?? '').toBe('success');
  return job.id;
}

async function rowsOfJob(svc: InProcessService, jobId: number) {
  return (await outboxRows(svc.dbPath)).filter((r) => r.job_id === jobId).map((r) => [r.target, r.status]);
}

function expectNoSecret(...texts: string[]): void {
  for (const text of texts) for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('Plex and Jellyfin side by side', () => {
  it('both get their scan for one job, each with its own path; /health lists both by id', async () => {
    const { svc, plex, jellyfin, plexId } = await start();
    const jobId = await syncMovie(svc, 'Arrival (2016)');
    await waitFor(() => plex.refreshes().length === 1 && jellyfin.updates().length === 1, { what: 'both scans' });
    expect(plex.refreshes()).toEqual([{ section: '1', path: '/data/Movies/Arrival (2016)' }]);
    expect(jellyfin.updates()).toEqual([{ Path: '/media/movies/Arrival (2016)', UpdateType: 'Created' }]);
    await waitFor(async () => (await rowsOfJob(svc, jobId)).every(([, status]) => status === 'sent'), {
      what: 'both rows sent',
    });
    expect(await rowsOfJob(svc, jobId)).toEqual([
      [plexId, 'sent'],
      ['den', 'sent'],
    ]);
    await svc.waitForLog(new RegExp(`Scan requested from den: ${svc.moviesDst}/Arrival \\(2016\\)`));
    await svc.waitForLog(new RegExp(`Scan requested from ${plexId}: ${svc.moviesDst}/Arrival \\(2016\\)`));

    // An episode: each scans the season folder, Plex finds the TV library by folder from its cached list.
    await makeTree(join(svc.tvSrc, 'Severance', 'Season 02'), { 'Severance - S02E01.mkv': 1024 });
    const res = await post(
      svc.app,
      '/sync/sonarr',
      await sonarrDownload({ seriesFolder: 'Severance', season: 2, episode: 1, file: 'Severance - S02E01.mkv' }),
    );
    expect(res.status, res.text).toBe(202);
    await waitFor(() => plex.refreshes().length === 2 && jellyfin.updates().length === 2, { what: 'episode scans' });
    expect(plex.refreshes()[1]).toEqual({ section: '2', path: '/data/TV Shows/Severance/Season 02' });
    expect(jellyfin.updates()[1]).toEqual({ Path: '/media/tv/Severance/Season 02', UpdateType: 'Created' });
    expect(plex.sectionReads()).toBe(1);

    const health = await getJson(svc.app, '/health');
    expect(health.body.media_servers).toEqual([
      { id: plexId, last_success: expect.any(String), last_failure: null, last_error: null, problems: [] },
      { id: 'den', last_success: expect.any(String), last_failure: null, last_error: null, problems: [] },
    ]);
    expectNoSecret(svc.output(), JSON.stringify(health.body));
  });

  it('one that hangs never delays another; it is retried with backoff, the job stays a success', async () => {
    const { svc, plex, jellyfin, plexId } = await start();
    jellyfin.failWith({ hang: true });
    const jobId = await syncMovie(svc, 'Hanging (2020)');
    await waitFor(() => plex.refreshes().length === 1, { what: 'the Plex scan while Jellyfin hangs' });
    expect(jellyfin.requests).toHaveLength(1);
    expect(await rowsOfJob(svc, jobId)).toEqual([
      [plexId, 'sent'],
      ['den', 'pending'],
    ]);

    await svc.waitForLog(/den delivery failed \(attempt 1\): Jellyfin scan of .* failed: timed out after 2 s/);
    jellyfin.failWith(null);
    await waitFor(() => jellyfin.updates().length === 1, { what: 'the retried Jellyfin scan', timeoutMs: 15_000 });
    expect(jellyfin.updates()).toEqual([{ Path: '/media/movies/Hanging (2020)', UpdateType: 'Created' }]);
    await waitFor(async () => (await rowsOfJob(svc, jobId)).every(([, status]) => status === 'sent'), {
      what: 'both rows sent',
    });
    expect(plex.refreshes()).toHaveLength(1);
    const health = await getJson(svc.app, '/health');
    expect(health.body.media_servers[1]).toEqual({
      id: 'den',
      last_success: expect.any(String),
      last_failure: expect.any(String),
      last_error: expect.stringMatching(/timed out after 2 s/),
      problems: [],
    });
    const job = await getJson(svc.app, `/jobs/${jobId}`);
    expect(job.body.status).toBe('success');
  });

  it('a restart sends nothing twice: a delivered scan stays delivered, a pending one goes out once', async () => {
    const dir = await tempDir();
    const first = await start({ dir });
    first.jellyfin.failWith({ status: 503 });
    const jobId = await syncMovie(first.svc, 'Restarted (2021)');
    await first.svc.waitForLog(/den delivery failed \(attempt 1\): Jellyfin scan of .* failed \(HTTP 503\)/);
    await waitFor(() => first.plex.refreshes().length === 1, { what: 'the Plex scan' });
    await first.svc.service.stop();

    first.jellyfin.failWith(null);
    const again = await start({ dir, plex: first.plex, jellyfin: first.jellyfin });
    await waitFor(() => first.jellyfin.updates().length === 1, { what: 'the Jellyfin scan after the restart' });
    await waitFor(async () => (await rowsOfJob(again.svc, jobId)).every(([, status]) => status === 'sent'), {
      what: 'both rows sent',
    });
    expect(first.plex.refreshes()).toEqual([{ section: '1', path: '/data/Movies/Restarted (2021)' }]);
    expect(first.jellyfin.updates()).toEqual([{ Path: '/media/movies/Restarted (2021)', UpdateType: 'Created' }]);
  });

  it('a folder in no Plex library: a warning and a problem in /health; Jellyfin still scans it', async () => {
    const plex = await startFakePlex({ token: PLEX_TOKEN, libraries: [LIBRARIES[1]!] });
    const { svc, jellyfin, plexId } = await start({ plex });
    const jobId = await syncMovie(svc, 'Homeless (2019)');
    await waitFor(() => jellyfin.updates().length === 1, { what: 'the Jellyfin scan' });
    const problem =
      'no Plex library holds /data/Movies/Homeless (2019) (mapping /movies; libraries: 2 (TV Shows)): add the ' +
      'folder to a library in Plex, map the path with path_map or plex_path, or name its section ' +
      "(the mapping's plex_section (or its PLEX_SECTION_* variable))";
    await svc.waitForLog(/- WARNING - plex:\/\/127\.0\.0\.1:\d+: no Plex library holds \/data\/Movies\/Homeless/);
    await svc.waitForLog(new RegExp(`- ERROR - ${plexId} delivery given up after 1 attempts: no Plex library holds`));
    expect(await rowsOfJob(svc, jobId)).toEqual([
      [plexId, 'dead'],
      ['den', 'sent'],
    ]);
    const health = await getJson(svc.app, '/health');
    expect(health.body.media_servers[0]).toEqual({
      id: plexId,
      last_success: null,
      last_failure: expect.any(String),
      last_error: problem,
      problems: [problem],
    });
    // Read again once, for the folder that matched nothing; no refresh was asked for.
    expect(plex.sectionReads()).toBe(1);
    expect(plex.refreshes()).toEqual([]);
  });
});

describe('Plex by PLEX_SECTION_* as before, Emby by EMBY_URL/EMBY_API_KEY', () => {
  it('a named section is scanned without reading the libraries; a refused Emby key fails no job', async () => {
    const plex = await startFakePlex({ token: PLEX_TOKEN, libraries: LIBRARIES });
    const emby = await startFakeMediaBrowser({ kind: 'emby', apiKey: EMBY_KEY });
    const dir = await tempDir();
    const l = layoutOf(dir);
    const svc = await startInProcess({
      dir,
      mappings: [{ container: '/movies', source: l.moviesSrc, destination: l.moviesDst, plex_path: '/data/Movies' }],
      env: {
        PLEX_URL: plex.url,
        PLEX_TOKEN,
        PLEX_SECTION_MOVIES: '1',
        EMBY_URL: emby.url,
        EMBY_API_KEY: 'not-the-emby-key',
      },
      timing: { outboxFirstBackoffMs: 1000 },
    });
    const jobId = await syncMovie(svc, 'Named (2018)');
    await waitFor(async () => (await rowsOfJob(svc, jobId)).every(([, status]) => status !== 'pending'), {
      what: 'both rows settled',
    });
    const embyId = `emby://127.0.0.1:${emby.port}`;
    expect(await rowsOfJob(svc, jobId)).toEqual([
      [`plex://127.0.0.1:${plex.port}`, 'sent'],
      [embyId, 'dead'],
    ]);
    expect(plex.refreshes()).toEqual([{ section: '1', path: '/data/Movies/Named (2018)' }]);
    expect(plex.sectionReads()).toBe(0);
    expect(emby.requests).toHaveLength(1);
    expect(emby.requests[0]!.headers['x-emby-token']).toBe('not-the-emby-key');
    const health = await getJson(svc.app, '/health');
    expect(health.body.media_servers[1]).toMatchObject({
      id: embyId,
      last_error: `Emby refused the scan of ${l.moviesDst}/Named (2018) (HTTP 401): check EMBY_API_KEY`,
    });
    expectNoSecret(svc.output(), JSON.stringify(health.body));
    expect(svc.output()).not.toContain('not-the-emby-key');
  });
});
