// The safety rules of mirroring (docs/mirroring.md), against the whole service in-process over real trees:
// payloads whose paths escape their mapping are refused with 422 and remove nothing; links that lead out
// of a mapping, at the destination or at the source, are never followed; a delete waits while its source
// share is down; a failed check is retried; the trash empties itself after SYNC_TRASH_DAYS; a delete and a
// copy of one file never fold into one job.
import { existsSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMountProbe, type MountProbe } from '../../src/mounts/probe.js';
import { cleanupAll, onCleanup, tempDir } from '../support/cleanup.js';
import { type FakeServer, startFakeServer } from '../support/fake-http.js';
import { getJson, post } from '../support/http-client.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';
import { getJob, type JobJson, waitForJob } from '../support/jobs-api.js';
import { readFixture } from '../support/payloads.js';
import { makeTree, treeOf } from '../support/trees.js';

afterAll(cleanupAll);

const DUNE = 'Dune - Part Two (2024) {tmdb-693134}';
const DUNE_FILE = `${DUNE} [Bluray-1080p][DTS-HD MA 7.1][x264]-HiFi.mkv`;
const BEAR_SEASON = 'The Bear (2022)/Season 03';
const BEAR_FILE = 'The Bear (2022) - S03E01 - Tomorrow [WEBDL-1080p][EAC3 5.1][h264]-NTb.mkv';

async function emptyShares(svc: InProcessService): Promise<void> {
  for (const root of [svc.moviesSrc, svc.moviesDst, svc.tvSrc, svc.tvDst]) {
    for (const name of await readdir(root)) {
      if (name !== '.share-marker') await rm(join(root, name), { recursive: true, force: true });
    }
  }
}

async function snapshot(svc: InProcessService, outside: string) {
  return { movies: await treeOf(svc.moviesDst), tv: await treeOf(svc.tvDst), outside: await treeOf(outside) };
}

async function settled(svc: InProcessService, id: number): Promise<JobJson> {
  return waitForJob(svc, id, (j) => j.status === 'success' || j.status === 'failed');
}

/** MovieFileDelete of Dune's Bluray file, as the fixture has it; `change` edits the parsed body. */
type SourcePresence = Awaited<ReturnType<MountProbe['sourcePresence']>>;

/** The real share checks, except that the first look at what is still at the source answers `first`. */
function probeWhoseFirstSourceCheck(first: (root: string) => SourcePresence): MountProbe {
  const probe = createMountProbe({ timeoutMs: 5000, requireMounts: false });
  let answered = false;
  return {
    ...probe,
    sourcePresence: async (paths, root) => {
      if (answered) return probe.sourcePresence(paths, root);
      answered = true;
      return first(root);
    },
  };
}

async function movieFileDelete(change: (body: any) => void = () => undefined): Promise<any> {
  const body = await readFixture('radarr-moviefiledelete.json');
  change(body);
  return body;
}

describe('SYNC_MIRROR=delete: what is refused, and links', () => {
  let svc: InProcessService;
  let outside: string;
  beforeAll(async () => {
    svc = await startInProcess({ env: { SYNC_MIRROR: 'delete' } });
    outside = join(svc.dir, 'outside');
  });
  beforeEach(async () => {
    await emptyShares(svc);
    await rm(outside, { recursive: true, force: true });
    // Every destination file is gone at the source: only the rules stand between them and removal.
    await makeTree(svc.moviesDst, {
      [`${DUNE}/${DUNE_FILE}`]: 'dune',
      'Heat (1995)/Heat (1995).mkv': 'heat',
      'Paddington 2 (2017) {tmdb-346648}/Paddington.2.2017.1080p.BluRay.x264.AC3.mkv': 'paddington',
    });
    await makeTree(svc.tvDst, { [`${BEAR_SEASON}/${BEAR_FILE}`]: 'bear', 'Fleabag (2016)/Season 01/e1.mkv': 'flea' });
    await makeTree(outside, { 'keep.mkv': 'outside the mappings', [DUNE_FILE]: 'outside too' });
  });

  it.each([
    [
      'a rename whose previous path climbs out with ".."',
      'radarr',
      async () => {
        const body = await readFixture('radarr-rename.json');
        body.renamedMovieFiles[0].previousPath =
          '/movies/Paddington 2 (2017) {tmdb-346648}/../Heat (1995)/Heat (1995).mkv';
        return body;
      },
      'contains a "." or ".." segment',
    ],
    [
      'a file delete naming a file of another mapping',
      'radarr',
      () => movieFileDelete((b) => (b.movieFile.path = `/tv/${BEAR_SEASON}/${BEAR_FILE}`)),
      `not inside the folder "/movies/${DUNE}" of MovieFileDelete`,
    ],
    [
      'a file delete naming a file of another movie',
      'radarr',
      () => movieFileDelete((b) => (b.movieFile.path = '/movies/Heat (1995)/Heat (1995).mkv')),
      `not inside the folder "/movies/${DUNE}" of MovieFileDelete`,
    ],
    [
      'a movie delete of the mapping root',
      'radarr',
      async () => ({
        ...(await readFixture('radarr-moviedelete.json')),
        movie: { title: 'All', folderPath: '/movies' },
      }),
      'names the mapping root /movies',
    ],
    [
      'a series delete of the mapping root, with a trailing slash',
      'sonarr',
      async () => {
        const body = await readFixture('sonarr-seriesdelete.json');
        body.series.path = '/tv/';
        return body;
      },
      'names the mapping root /tv',
    ],
    [
      "an upgrade whose replaced file is another movie's",
      'radarr',
      async () => {
        const body = await readFixture('radarr-download-upgrade.json');
        body.deletedFiles[0].path = '/movies/Heat (1995)/Heat (1995).mkv';
        return body;
      },
      `not inside the folder "/movies/${DUNE}" of Download`,
    ],
    [
      'an episode delete naming the trash folder',
      'sonarr',
      async () => {
        const body = await readFixture('sonarr-episodefiledelete.json');
        body.episodeFile.path = '/tv/The Bear (2022)/.sync-webhook-trash/2026-01-01/x.mkv';
        return body;
      },
      'lies in the trash folder',
    ],
    [
      'a rename into another series',
      'sonarr',
      async () => {
        const body = await readFixture('sonarr-rename.json');
        body.renamedEpisodeFiles[0].path = '/tv/Fleabag (2016)/Season 01/e1.mkv';
        return body;
      },
      'not inside the folder "/tv/Schitt\'s Creek (2015)" of Rename',
    ],
  ] as const)('%s is refused with 422 and removes nothing', async (_label, app, payload, problem) => {
    const before = await snapshot(svc, outside);
    const res = await post(svc.app, `/sync/${app}`, await payload());
    expect(res.status, res.text).toBe(422);
    expect(res.body.error).toContain(problem);
    expect((await getJson(svc.app, '/jobs')).body.jobs.filter((j: JobJson) => j.kind !== 'copy')).toEqual([]);
    expect(await snapshot(svc, outside)).toEqual(before);
  });

  it('a destination file that is a link out of the mapping is kept, and what it points to too', async () => {
    await rm(join(svc.moviesDst, DUNE, DUNE_FILE));
    symlinkSync(join(outside, DUNE_FILE), join(svc.moviesDst, DUNE, DUNE_FILE));
    const before = await snapshot(svc, outside);
    const res = await post(svc.app, '/sync/radarr', await movieFileDelete());
    expect(res.status, res.text).toBe(202);
    const job = await settled(svc, res.body.job_id);
    expect(job.status).toBe('success');
    expect(job.files).toEqual([
      { path: join(svc.moviesDst, DUNE, DUNE_FILE), action: 'kept', to: null, reason: 'a link, not a file' },
    ]);
    expect(await snapshot(svc, outside)).toEqual(before);
    expect(svc.output()).toMatch(
      /WARNING - Mirror: kept .*Bluray.*: a link, not a file \(asked by Radarr MovieFileDelete/,
    );
  });

  it('a destination season folder that is a link out of the mapping: the file in it is kept', async () => {
    await rm(join(svc.tvDst, BEAR_SEASON), { recursive: true });
    await makeTree(join(outside, 'season'), { [BEAR_FILE]: 'outside episode' });
    symlinkSync(join(outside, 'season'), join(svc.tvDst, BEAR_SEASON));
    const before = await snapshot(svc, outside);
    const res = await post(svc.app, '/sync/sonarr', await readFixture('sonarr-episodefiledelete.json'));
    const job = await settled(svc, res.body.job_id);
    expect(job.status).toBe('success');
    expect(job.files).toEqual([
      {
        path: join(svc.tvDst, BEAR_SEASON, BEAR_FILE),
        action: 'kept',
        to: null,
        reason: `its folder leads out of ${svc.tvDst}`,
      },
    ]);
    expect(await snapshot(svc, outside)).toEqual(before);
  });

  it('a whole-movie delete whose folder is a link out of the mapping fails for good and removes nothing', async () => {
    const folder = 'Paddington 2 (2017) {tmdb-346648}';
    await rm(join(svc.moviesDst, folder), { recursive: true });
    symlinkSync(outside, join(svc.moviesDst, folder));
    const before = await snapshot(svc, outside);
    const res = await post(svc.app, '/sync/radarr', await readFixture('radarr-moviedelete.json'));
    const job = await settled(svc, res.body.job_id);
    expect(job).toMatchObject({ status: 'failed', gave_up: true, error_reason: 'link_outside_root' });
    expect(job.error).toContain('a link leads it out of');
    expect(await snapshot(svc, outside)).toEqual(before);
  });

  it('a source folder that is a link out of its share: nothing can be said, the destination file stays', async () => {
    // At the source, Dune's folder leads to a folder outside the share where its file is missing.
    await mkdir(join(outside, 'elsewhere'));
    symlinkSync(join(outside, 'elsewhere'), join(svc.moviesSrc, DUNE));
    const before = await snapshot(svc, outside);
    const res = await post(svc.app, '/sync/radarr', await movieFileDelete());
    const job = await settled(svc, res.body.job_id);
    expect(job.status).toBe('success');
    expect(job.files).toEqual([
      {
        path: join(svc.moviesDst, DUNE, DUNE_FILE),
        action: 'kept',
        to: null,
        reason: 'its folder at the source leads out of the share through a link',
      },
    ]);
    expect(await snapshot(svc, outside)).toEqual(before);
  });

  it('a rename into a destination folder that is a link out of the mapping is left alone', async () => {
    const folder = 'Paddington 2 (2017) {tmdb-346648}';
    const body = await readFixture('radarr-rename.json');
    body.renamedMovieFiles[0].path = `/movies/${folder}/Extras/new.mkv`;
    symlinkSync(outside, join(svc.moviesDst, folder, 'Extras'));
    const before = await snapshot(svc, outside);
    const res = await post(svc.app, '/sync/radarr', body);
    const job = await settled(svc, res.body.job_id);
    expect(job.status).toBe('success');
    expect(job.files).toEqual([
      {
        path: join(svc.moviesDst, folder, 'Paddington.2.2017.1080p.BluRay.x264.AC3.mkv'),
        action: 'kept',
        to: null,
        reason: `the new folder leads out of ${svc.moviesDst}`,
      },
    ]);
    expect(await snapshot(svc, outside)).toEqual(before);
  });

  it('a delete and a copy of one file are two jobs; a repeated delete folds into the first', async () => {
    await makeTree(join(svc.moviesSrc, DUNE), { [DUNE_FILE]: 'dune' });
    const copyBody = await readFixture('radarr-download.json');
    copyBody.movieFile.path = `/movies/${DUNE}/${DUNE_FILE}`;
    // In one turn of the event loop: one transaction, so the repeated delete finds the first still queued.
    const [copy, del, again] = await Promise.all([
      post(svc.app, '/sync/radarr', copyBody),
      post(svc.app, '/sync/radarr', await movieFileDelete()),
      post(svc.app, '/sync/radarr', await movieFileDelete()),
    ]);
    expect([copy.status, del.status, again.status]).toEqual([202, 202, 200]);
    expect(del.body.job_id).not.toBe(copy.body.job_id);
    expect(again.body).toMatchObject({ status: 'duplicate', job_id: del.body.job_id });
    const job = await settled(svc, del.body.job_id);
    expect(job).toMatchObject({ kind: 'delete', event: 'MovieFileDelete', delete_scope: 'files' });
    expect(job.deleted_files).toEqual([`/movies/${DUNE}/${DUNE_FILE}`]);
    // The file is back at the source: the delete keeps it.
    expect(job.files).toEqual([
      { path: join(svc.moviesDst, DUNE, DUNE_FILE), action: 'kept', to: null, reason: 'still at the source' },
    ]);
    expect((await getJob(svc, copy.body.job_id)).kind).toBe('copy');
  });
});

describe('SYNC_MIRROR=delete: a file imported again after its delete', () => {
  it('is copied again, though a copy of it succeeded within the duplicate window', async () => {
    const svc = await startInProcess({ env: { SYNC_MIRROR: 'delete' } });
    const download = await readFixture('radarr-download.json');
    download.movieFile.path = `/movies/${DUNE}/${DUNE_FILE}`;
    await makeTree(join(svc.moviesSrc, DUNE), { [DUNE_FILE]: 'dune' });
    const first = await post(svc.app, '/sync/radarr', download);
    expect((await settled(svc, first.body.job_id)).status).toBe('success');

    await rm(join(svc.moviesSrc, DUNE, DUNE_FILE));
    const del = await post(svc.app, '/sync/radarr', await movieFileDelete());
    expect((await settled(svc, del.body.job_id)).status).toBe('success');
    expect(existsSync(join(svc.moviesDst, DUNE, DUNE_FILE))).toBe(false);

    await makeTree(join(svc.moviesSrc, DUNE), { [DUNE_FILE]: 'dune again' });
    const again = await post(svc.app, '/sync/radarr', download);
    expect(again.status, again.text).toBe(202);
    expect((await settled(svc, again.body.job_id)).status).toBe('success');
    expect(readFileSync(join(svc.moviesDst, DUNE, DUNE_FILE), 'utf8')).toBe('dune again');
  });
});

describe('SYNC_MIRROR=delete: waiting and retrying', () => {
  it('a delete while the source share is down waits, then runs once it is back', async () => {
    const svc = await startInProcess({ env: { SYNC_MIRROR: 'delete' } });
    await makeTree(join(svc.moviesDst, DUNE), { [DUNE_FILE]: 'dune', 'poster.jpg': 'poster' });
    await makeTree(join(svc.moviesSrc, DUNE), { 'poster.jpg': 'poster' });
    const away = `${svc.moviesSrc}.away`;
    renameSync(svc.moviesSrc, away);
    const before = await treeOf(svc.moviesDst);

    const res = await post(svc.app, '/sync/radarr', await movieFileDelete());
    expect(res.status, res.text).toBe(202);
    const waiting = await waitForJob(svc, res.body.job_id, (j) => j.status === 'queued' && j.error !== null);
    expect(waiting.error).toMatch(/^Waiting for mount: source .* does not exist/);
    await svc.waitForLog(/Mirroring of Dune: Part Two \(2024\) waits: Waiting for mount/);
    expect(await treeOf(svc.moviesDst)).toEqual(before);

    renameSync(away, svc.moviesSrc);
    const job = await settled(svc, res.body.job_id);
    expect(job.status).toBe('success');
    expect(job.retry_count).toBe(0);
    expect(existsSync(join(svc.moviesDst, DUNE, DUNE_FILE))).toBe(false);
    expect(existsSync(join(svc.moviesDst, DUNE, 'poster.jpg'))).toBe(true);
    expect(svc.output()).toContain(
      `Mirror: deleted ${join(svc.moviesDst, DUNE, DUNE_FILE)} ` +
        '(asked by Radarr MovieFileDelete: Dune: Part Two (2024))',
    );
  });

  it('a source that cannot tell (not a timeout) fails the attempt, and the retry removes the file', async () => {
    const svc = await startInProcess({
      env: { SYNC_MIRROR: 'delete', SYNC_RETRY_INTERVAL_SECONDS: '1' },
      adapters: {
        probe: probeWhoseFirstSourceCheck((root) => ({
          ok: false,
          problem: `${root}/x cannot be looked at`,
          timedOut: false,
        })),
      },
    });
    await makeTree(join(svc.moviesDst, DUNE), { [DUNE_FILE]: 'dune' });
    const res = await post(svc.app, '/sync/radarr', await movieFileDelete());
    const job = await waitForJob(svc, res.body.job_id, (j) => j.status === 'success');
    expect(job.retry_count).toBe(1);
    expect(existsSync(join(svc.moviesDst, DUNE, DUNE_FILE))).toBe(false);
    expect(svc.output()).toMatch(
      /Background sync failed: Dune: Part Two \(2024\) - Cannot tell what is still at the source/,
    );
    expect(svc.output()).toContain('Auto-retry: queued Dune: Part Two (2024) (retry 1/3)');
  });
});

describe('SYNC_MIRROR=delete: an upgrade whose source stops answering after the copy', () => {
  it('fails that attempt, keeping what rsync did, and the retry removes the replaced file', async () => {
    const svc = await startInProcess({
      env: { SYNC_MIRROR: 'delete', SYNC_RETRY_INTERVAL_SECONDS: '1' },
      adapters: {
        probe: probeWhoseFirstSourceCheck((root) => ({
          ok: false,
          problem: `the source ${root} did not answer`,
          timedOut: true,
        })),
      },
    });
    const newFile = `${DUNE} [Bluray-1080p][DTS-HD MA 7.1][x264]-HiFi.mkv`;
    const oldFile = `${DUNE} [WEBDL-1080p][EAC3 Atmos 5.1][h264]-NTb.mkv`;
    await makeTree(join(svc.moviesSrc, DUNE), { [newFile]: 'new video' });
    await makeTree(join(svc.moviesDst, DUNE), { [oldFile]: 'old video' });

    const res = await post(svc.app, '/sync/radarr', await readFixture('radarr-download-upgrade.json'));
    expect(res.status, res.text).toBe(202);
    const job = await waitForJob(svc, res.body.job_id, (j) => j.status === 'success');
    expect(job.retry_count).toBe(1);
    expect(existsSync(join(svc.moviesDst, DUNE, oldFile))).toBe(false);
    expect(readFileSync(join(svc.moviesDst, DUNE, newFile), 'utf8')).toBe('new video');
    const { attempts } = await getJob(svc, job.id);
    expect(attempts?.map((a) => [a.outcome, a.rsync_exit_code, a.error_reason])).toEqual([
      ['failed', 0, 'mount_down'],
      ['success', 0, null],
    ]);
  });
});

describe('SYNC_MIRROR=trash', () => {
  let telegram: FakeServer;
  beforeAll(async () => {
    telegram = await startFakeServer({ status: 200, body: { ok: true, result: { message_id: 1 } } });
    onCleanup(() => telegram.close());
  });

  it('moves a deleted file into the dated trash, tells Telegram, empties the day after SYNC_TRASH_DAYS', async () => {
    const dir = await tempDir('sync-webhook-trash-');
    const day0 = Date.parse('2026-03-10T12:00:00.000Z');
    const DAY_MS = 86_400_000;
    const start = (at: number) => {
      const started = Date.now();
      return startInProcess({
        dir,
        env: {
          SYNC_MIRROR: 'trash',
          SYNC_TRASH_DAYS: '30',
          TELEGRAM_BOT_TOKEN: '110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
          TELEGRAM_CHAT_ID: '-1001',
          TELEGRAM_API_URL: telegram.url,
        },
        adapters: { clock: { now: () => new Date(at + (Date.now() - started)) } },
      });
    };
    const trashDay = (svc: InProcessService) => join(svc.moviesDst, '.sync-webhook-trash', '2026-03-10');

    const first = await start(day0);
    await makeTree(join(first.moviesDst, DUNE), { [DUNE_FILE]: 'dune', [`${DUNE_FILE.slice(0, -4)}.en.srt`]: 'subs' });
    const res = await post(first.app, '/sync/radarr', await movieFileDelete());
    const job = await settled(first, res.body.job_id);
    expect(job.status).toBe('success');
    expect(await treeOf(trashDay(first))).toEqual({
      [`${DUNE}/`]: 'dir',
      [`${DUNE}/${DUNE_FILE}`]: expect.any(String),
      [`${DUNE}/${DUNE_FILE.slice(0, -4)}.en.srt`]: expect.any(String),
    });
    expect(readFileSync(join(trashDay(first), DUNE, DUNE_FILE), 'utf8')).toBe('dune');
    await telegram.waitForRequests(1);
    expect(telegram.requests[0]?.json<{ text: string }>().text).toBe(
      '<b>Files Removed - Movie</b>\n<b>Dune: Part Two</b> (2024)\nDeleted in Radarr (MovieFileDelete)\n\n' +
        `Moved to the trash: 2 files\n• ${DUNE_FILE}\n• ${DUNE_FILE.slice(0, -4)}.en.srt`,
    );
    await first.service.stop();

    // 29 days later the day is still kept; the clean-up runs at each start (and nightly).
    const later = await start(day0 + 29 * DAY_MS);
    await later.service.stop();
    expect(existsSync(trashDay(later))).toBe(true);

    const expired = await start(day0 + 30 * DAY_MS);
    await expired.waitForLog(/Trash clean-up: removed .*2026-03-10 \(older than SYNC_TRASH_DAYS=30 days\)/);
    expect(existsSync(join(expired.moviesDst, '.sync-webhook-trash'))).toBe(false);
    expect(await treeOf(expired.moviesDst)).toEqual({ [`${DUNE}/`]: 'dir' });
  });
});
