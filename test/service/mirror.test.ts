// Upgrades, renames and deletes reach the destination (docs/mirroring.md): each real Radarr/Sonarr fixture,
// with SYNC_MIRROR off, trash and delete, against the whole service in-process, real rsync and real trees.
// Each test snapshots both destination roots before and after: exactly the files the rules name were
// removed, moved into the trash or renamed, and nothing else in the destination changed. Plex is a fake
// server that records the scans; the outbox shows the notification kinds and each scan's change.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanupAll, onCleanup, tempDir } from '../support/cleanup.js';
import { outboxRows } from '../support/db.js';
import { type FakeServer, startFakeServer } from '../support/fake-http.js';
import { post } from '../support/http-client.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';
import { type JobJson, waitForJob } from '../support/jobs-api.js';
import { readFixture } from '../support/payloads.js';
import { layoutOf, type MappingSpec } from '../support/service-layout.js';
import { makeTree, treeOf } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);

/** The service's clock starts here, so the trash folder's day is known. */
const BASE = Date.parse('2026-03-10T12:00:00.000Z');
const DAY = '2026-03-10';
const TRASH = `.sync-webhook-trash/${DAY}`;
const PLEX_TOKEN = 'plex-token-mirror';

const DUNE = '/movies/Dune - Part Two (2024) {tmdb-693134}';
const DUNE_STEM = 'Dune - Part Two (2024) {tmdb-693134}';
const DUNE_NEW = `${DUNE}/${DUNE_STEM} [Bluray-1080p][DTS-HD MA 7.1][x264]-HiFi`;
const DUNE_OLD = `${DUNE}/${DUNE_STEM} [WEBDL-1080p][EAC3 Atmos 5.1][h264]-NTb`;
const FRIENDS = '/tv/Friends (1994)/Season 02/Friends (1994) - S02E';
const FRIENDS_NEW = `${FRIENDS}12-E13 - The One After the Super Bowl [Bluray-1080p][AC3 5.1][x264]-CtrlHD.mkv`;
const FRIENDS_OLD_12 = `${FRIENDS}12 - The One After the Super Bowl (1) [WEBDL-720p][AAC 2.0][h264]`;
const FRIENDS_OLD_13 = `${FRIENDS}13 - The One After the Super Bowl (2) [WEBDL-720p][AAC 2.0][h264]`;
const PADDINGTON = '/movies/Paddington 2 (2017) {tmdb-346648}';
const PADDINGTON_OLD = `${PADDINGTON}/Paddington.2.2017.1080p.BluRay.x264.AC3.mkv`;
const PADDINGTON_NEW = `${PADDINGTON}/Paddington 2 (2017) {tmdb-346648} [Bluray-1080p][AC3 5.1][x264].mkv`;
const SCHITT = "/tv/Schitt's Creek (2015)";
const SCHITT_OLD = [1, 2].map((e) => `${SCHITT}/Season 1/Schitts.Creek.S01E0${e}.720p.WEB-DL.AAC2.0.H.264.mkv`);
const SCHITT_NEW = [
  `${SCHITT}/Season 01/Schitt's Creek (2015) - S01E01 - Our Cup Runneth Over [WEBDL-720p][AAC 2.0][h264].mkv`,
  `${SCHITT}/Season 01/Schitt's Creek (2015) - S01E02 - The Drip [WEBDL-720p][AAC 2.0][h264].mkv`,
];
const BEAR = '/tv/The Bear (2022)/Season 03/The Bear (2022) - ';
const BEAR_E01 = `${BEAR}S03E01 - Tomorrow [WEBDL-1080p][EAC3 5.1][h264]-NTb.mkv`;
const BEAR_E02 = `${BEAR}S03E02 - Next [WEBDL-1080p][EAC3 5.1][h264]-NTb.mkv`;
const FLEABAG = '/tv/Fleabag (2016)';
/** Never named by any event: each test checks it stays, byte for byte. */
const UNRELATED = { '/movies/Heat (1995)/Heat (1995).mkv': 'heat', '/tv/Fleabag Spin-off (2020)/S01/e.mkv': 'spin' };

interface Scenario {
  fixture: string;
  /** Files at the source and at the destination before the event, by container path. */
  source: Record<string, string>;
  dest: Record<string, string>;
  /** With mirroring on: files the rules remove at the destination (trash or delete). */
  removed?: string[];
  /** With mirroring on: files renamed at the destination, [from, to]. */
  renamed?: [string, string][];
  /** Folders left empty and removed, with mirroring on. */
  pruned?: string[];
  /** Files the upgrade copies (in every mode). */
  copied?: string[];
  /** With mirroring on: files named by the event and left, with why. */
  kept?: [string, string][];
  /** How the service answers with mirroring off, and (when it differs) on. */
  answerOff: 'queued' | 'ignored';
  answerOn?: 'queued' | 'ignored';
  /** The folders Plex rescans with mirroring on (in Plex's namespace) and the change each scan names; off. */
  scansOn: [string, 'created' | 'modified' | 'deleted'][];
  scansOff?: [string, 'created'][];
}

const SCENARIOS: Scenario[] = [
  {
    fixture: 'radarr-download-upgrade.json',
    source: { [`${DUNE_NEW}.mkv`]: 'new video', [`${DUNE_NEW}.en.srt`]: 'new subs', [`${DUNE}/poster.jpg`]: 'poster' },
    dest: {
      [`${DUNE_OLD}.mkv`]: 'old video',
      [`${DUNE_OLD}.en.srt`]: 'old subs',
      [`${DUNE_OLD}.nfo`]: 'old nfo',
      [`${DUNE}/poster.jpg`]: 'poster',
    },
    copied: [`${DUNE_NEW}.mkv`, `${DUNE_NEW}.en.srt`],
    removed: [`${DUNE_OLD}.mkv`, `${DUNE_OLD}.en.srt`, `${DUNE_OLD}.nfo`],
    answerOff: 'queued',
    scansOn: [[`/data/Movies/${DUNE.slice(8)}`, 'modified']],
    scansOff: [[`/data/Movies/${DUNE.slice(8)}`, 'created']],
  },
  {
    fixture: 'sonarr-download-upgrade.json',
    source: { [FRIENDS_NEW]: 'new double episode', '/tv/Friends (1994)/Season 01/e1.mkv': 's1' },
    dest: {
      [`${FRIENDS_OLD_12}.mkv`]: 'old 12',
      [`${FRIENDS_OLD_12}.en.srt`]: 'old 12 subs',
      [`${FRIENDS_OLD_13}.mkv`]: 'old 13',
      '/tv/Friends (1994)/Season 01/e1.mkv': 's1',
    },
    copied: [FRIENDS_NEW],
    removed: [`${FRIENDS_OLD_12}.mkv`, `${FRIENDS_OLD_12}.en.srt`, `${FRIENDS_OLD_13}.mkv`],
    answerOff: 'queued',
    scansOn: [['/data/TV/Friends (1994)/Season 02', 'modified']],
    scansOff: [['/data/TV/Friends (1994)/Season 02', 'created']],
  },
  {
    fixture: 'radarr-rename.json',
    source: { [PADDINGTON_NEW]: 'paddington', [`${PADDINGTON}/poster.jpg`]: 'poster' },
    dest: { [PADDINGTON_OLD]: 'paddington', [`${PADDINGTON}/poster.jpg`]: 'poster' },
    renamed: [[PADDINGTON_OLD, PADDINGTON_NEW]],
    answerOff: 'ignored',
    answerOn: 'queued',
    scansOn: [[`/data/Movies/${PADDINGTON.slice(8)}`, 'modified']],
  },
  {
    fixture: 'sonarr-rename.json',
    source: { [SCHITT_NEW[0] ?? '']: 'ep1', [SCHITT_NEW[1] ?? '']: 'ep2' },
    dest: { [SCHITT_OLD[0] ?? '']: 'ep1', [SCHITT_OLD[1] ?? '']: 'ep2', [`${SCHITT}/tvshow.nfo`]: 'show' },
    renamed: [
      [SCHITT_OLD[0] ?? '', SCHITT_NEW[0] ?? ''],
      [SCHITT_OLD[1] ?? '', SCHITT_NEW[1] ?? ''],
    ],
    pruned: [`${SCHITT}/Season 1`],
    answerOff: 'ignored',
    answerOn: 'queued',
    scansOn: [
      ["/data/TV/Schitt's Creek (2015)/Season 01", 'modified'],
      ["/data/TV/Schitt's Creek (2015)/Season 1", 'deleted'],
    ],
  },
  {
    fixture: 'radarr-moviefiledelete-upgrade.json',
    source: { [`${DUNE_NEW}.mkv`]: 'new video' },
    dest: { [`${DUNE_OLD}.mkv`]: 'old video' },
    answerOff: 'ignored',
    scansOn: [],
  },
  {
    fixture: 'radarr-moviefiledelete.json',
    source: { [`${DUNE}/poster.jpg`]: 'poster', [`${DUNE_OLD}.mkv`]: 'old video' },
    dest: {
      [`${DUNE_NEW}.mkv`]: 'new video',
      [`${DUNE_NEW}.en.srt`]: 'new subs',
      [`${DUNE}/poster.jpg`]: 'poster',
      [`${DUNE_OLD}.mkv`]: 'old video',
    },
    removed: [`${DUNE_NEW}.mkv`, `${DUNE_NEW}.en.srt`],
    answerOff: 'ignored',
    answerOn: 'queued',
    scansOn: [[`/data/Movies/${DUNE.slice(8)}`, 'deleted']],
  },
  {
    fixture: 'radarr-moviedelete.json',
    source: {},
    dest: {
      [PADDINGTON_OLD]: 'paddington',
      [`${PADDINGTON}/Featurettes/Behind the Scenes.mkv`]: 'extra',
      [`${PADDINGTON}/poster.jpg`]: 'poster',
    },
    removed: [PADDINGTON_OLD, `${PADDINGTON}/Featurettes/Behind the Scenes.mkv`, `${PADDINGTON}/poster.jpg`],
    pruned: [`${PADDINGTON}/Featurettes`, PADDINGTON],
    answerOff: 'ignored',
    answerOn: 'queued',
    scansOn: [[`/data/Movies/${PADDINGTON.slice(8)}`, 'deleted']],
  },
  {
    fixture: 'sonarr-episodefiledelete.json',
    source: { [BEAR_E02]: 'e2' },
    dest: { [BEAR_E01]: 'e1', [BEAR_E02]: 'e2' },
    removed: [BEAR_E01],
    answerOff: 'ignored',
    answerOn: 'queued',
    scansOn: [['/data/TV/The Bear (2022)/Season 03', 'deleted']],
  },
  {
    fixture: 'sonarr-seriesdelete.json',
    source: { [`${FLEABAG}/tvshow.nfo`]: 'still here' },
    dest: {
      [`${FLEABAG}/Season 01/Fleabag - S01E01.mkv`]: 's1e1',
      [`${FLEABAG}/Season 02/Fleabag - S02E01.mkv`]: 's2e1',
      [`${FLEABAG}/Season 02/Fleabag - S02E01.en.srt`]: 's2e1 subs',
      [`${FLEABAG}/tvshow.nfo`]: 'still here',
    },
    removed: [
      `${FLEABAG}/Season 01/Fleabag - S01E01.mkv`,
      `${FLEABAG}/Season 02/Fleabag - S02E01.mkv`,
      `${FLEABAG}/Season 02/Fleabag - S02E01.en.srt`,
    ],
    kept: [[`${FLEABAG}/tvshow.nfo`, 'still at the source']],
    // The series folder still holds the .nfo that is still at the source: it stays.
    pruned: [`${FLEABAG}/Season 01`, `${FLEABAG}/Season 02`],
    answerOff: 'ignored',
    answerOn: 'queued',
    scansOn: [
      ['/data/TV/Fleabag (2016)/Season 01', 'deleted'],
      ['/data/TV/Fleabag (2016)/Season 02', 'deleted'],
    ],
  },
];

type Mode = 'off' | 'trash' | 'delete';

interface Setup {
  svc: InProcessService;
  plex: FakeServer;
  telegram: FakeServer;
}

async function startMode(mode: Mode): Promise<Setup> {
  const dir = await tempDir('sync-webhook-mirror-');
  const l = layoutOf(dir);
  const plex = await startFakeServer({ status: 200, body: '' });
  const telegram = await startFakeServer({ status: 200, body: { ok: true, result: { message_id: 1 } } });
  onCleanup(() => plex.close());
  onCleanup(() => telegram.close());
  const mappings: MappingSpec[] = [
    { container: '/movies', source: l.moviesSrc, destination: l.moviesDst, plex_section: 1, plex_path: '/data/Movies' },
    { container: '/tv', source: l.tvSrc, destination: l.tvDst, plex_section: 2, plex_path: '/data/TV' },
  ];
  const started = Date.now();
  const svc = await startInProcess({
    dir,
    mappings,
    env: {
      SYNC_MIRROR: mode,
      PLEX_URL: plex.url,
      PLEX_TOKEN,
      TELEGRAM_BOT_TOKEN: '110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
      TELEGRAM_CHAT_ID: '-1001',
      TELEGRAM_API_URL: telegram.url,
    },
    adapters: { clock: { now: () => new Date(BASE + (Date.now() - started)) } },
    timing: { outboxFirstBackoffMs: 200 },
  });
  return { svc, plex, telegram };
}

/** Where a container path is on a share of the service. */
function onShare(svc: InProcessService, side: 'src' | 'dst', path: string): string {
  const movies = path.startsWith('/movies/');
  const root = side === 'src' ? (movies ? svc.moviesSrc : svc.tvSrc) : movies ? svc.moviesDst : svc.tvDst;
  return join(root, path.slice(movies ? '/movies/'.length : '/tv/'.length));
}

/** A container path as a key of both destinations' snapshot: "movies:Folder/file", "tv:Show/…". */
function key(path: string): string {
  return path.startsWith('/movies/') ? `movies:${path.slice(8)}` : `tv:${path.slice(4)}`;
}

async function destinations(svc: InProcessService): Promise<Record<string, string>> {
  const prefixed = (prefix: string, tree: Record<string, string>) =>
    Object.fromEntries(Object.entries(tree).map(([rel, hash]) => [`${prefix}:${rel}`, hash]));
  return { ...prefixed('movies', await treeOf(svc.moviesDst)), ...prefixed('tv', await treeOf(svc.tvDst)) };
}

/** Adds `rel`'s folders to a snapshot, as treeOf lists them ("a/", "a/b/"). */
function withFolders(tree: Record<string, string>, rel: string): void {
  const [share, path = ''] = rel.split(':');
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) tree[`${share}:${parts.slice(0, i).join('/')}/`] = 'dir';
}

/** What the destinations must hold after the event, from what they held before and the scenario's rules. */
function expectedAfter(
  before: Record<string, string>,
  source: Record<string, string>,
  s: Scenario,
  mode: Mode,
): Record<string, string> {
  const after = { ...before };
  for (const path of s.copied ?? []) {
    after[key(path)] = source[key(path)] ?? 'missing at the source';
    withFolders(after, key(path));
  }
  if (mode === 'off') return after;
  for (const path of s.removed ?? []) {
    const hash = before[key(path)];
    delete after[key(path)];
    if (mode === 'trash') {
      const [share, rel] = key(path).split(':');
      const trashed = `${share}:${TRASH}/${rel}`;
      after[trashed] = hash ?? 'missing before';
      withFolders(after, trashed);
    }
  }
  for (const [from, to] of s.renamed ?? []) {
    after[key(to)] = before[key(from)] ?? 'missing before';
    delete after[key(from)];
    withFolders(after, key(to));
  }
  for (const folder of s.pruned ?? []) delete after[`${key(folder)}/`];
  return after;
}

async function emptyShares(svc: InProcessService): Promise<void> {
  for (const root of [svc.moviesSrc, svc.moviesDst, svc.tvSrc, svc.tvDst]) {
    for (const name of await readdir(root)) {
      if (name !== '.share-marker') await rm(join(root, name), { recursive: true, force: true });
    }
  }
}

async function outboxSettled(svc: InProcessService): Promise<void> {
  await waitFor(async () => (await outboxRows(svc.dbPath)).every((r) => r.status !== 'pending'), {
    what: 'outbox drained',
  });
}

/** The outbox rows of one job: notification kinds, and each scan's folder and change. */
async function followUpsOf(svc: InProcessService, jobId: number) {
  const rows = (await outboxRows(svc.dbPath)).filter((r) => r.job_id === jobId).map((r) => JSON.parse(r.payload));
  return {
    kinds: rows.filter((p) => p.type === 'notify').map((p) => p.event.kind),
    changes: rows.filter((p) => p.type === 'scan').map((p) => p.scan.change),
  };
}

describe.each<Mode>(['off', 'trash', 'delete'])('SYNC_MIRROR=%s', (mode) => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await startMode(mode);
  });
  beforeEach(async () => {
    await outboxSettled(setup.svc);
    await emptyShares(setup.svc);
    setup.plex.reset();
    setup.telegram.reset();
  });

  it.each(SCENARIOS.map((s) => [s.fixture, s] as const))('%s', async (_name, s) => {
    const { svc, plex } = setup;
    await makeTree('/', {
      ...Object.fromEntries(Object.entries({ ...s.source }).map(([p, c]) => [onShare(svc, 'src', p), c])),
      ...Object.fromEntries(Object.entries({ ...s.dest, ...UNRELATED }).map(([p, c]) => [onShare(svc, 'dst', p), c])),
    });
    const sourceHashes = await sourceTrees(svc);
    const before = await destinations(svc);

    const body = await readFixture(s.fixture);
    const res = await post(svc.app, `/sync/${s.fixture.startsWith('radarr') ? 'radarr' : 'sonarr'}`, body);
    const answer = mode === 'off' ? s.answerOff : (s.answerOn ?? s.answerOff);
    if (answer === 'ignored') {
      expect(res.status, res.text).toBe(200);
      expect(res.body.status).toBe('ignored');
      await outboxSettled(svc);
      expect(await destinations(svc)).toEqual(before);
      expect(plex.requests).toHaveLength(0);
      return;
    }
    expect(res.status, res.text).toBe(202);
    const job = await waitForJob(svc, res.body.job_id, (j) => j.status === 'success' || j.status === 'failed');
    expect(job.status, job.error ?? '').toBe('success');
    expect(await destinations(svc)).toEqual(expectedAfter(before, sourceHashes, s, mode));

    expectFiles(svc, job, s, mode);
    await outboxSettled(svc);
    const scans: [string, string][] = mode === 'off' ? (s.scansOff ?? []) : s.scansOn;
    expect(plex.requests.map((r) => r.query.get('path')).sort()).toEqual(scans.map(([folder]) => folder).sort());
    for (const r of plex.requests) expect(r.headers['x-plex-token']).toBe(PLEX_TOKEN);
    const followUps = await followUpsOf(svc, job.id);
    expect(followUps.kinds).toEqual(expectedKinds(job, mode));
    expect(followUps.changes.sort()).toEqual(scans.map(([, change]) => change).sort());
  });
});

/** The source shares' snapshot, keyed as the destinations' is. */
async function sourceTrees(svc: InProcessService): Promise<Record<string, string>> {
  const prefixed = (prefix: string, tree: Record<string, string>) =>
    Object.fromEntries(Object.entries(tree).map(([rel, hash]) => [`${prefix}:${rel}`, hash]));
  return { ...prefixed('movies', await treeOf(svc.moviesSrc)), ...prefixed('tv', await treeOf(svc.tvSrc)) };
}

/** GET /jobs/<id>'s record of each file: removed, moved into the trash, renamed, or kept with why. */
function expectFiles(svc: InProcessService, job: JobJson, s: Scenario, mode: Mode): void {
  const dest = (path: string) => onShare(svc, 'dst', path);
  const trashed = (path: string) => {
    const movies = path.startsWith('/movies/');
    return join(movies ? svc.moviesDst : svc.tvDst, TRASH, path.slice(movies ? 8 : 4));
  };
  const expected: NonNullable<JobJson['files']> = [];
  if (job.kind === 'upgrade' && mode === 'off') {
    for (const path of job.replaced_files ?? []) {
      expected.push({ path: dest(path), action: 'kept', to: null, reason: 'SYNC_MIRROR is off' });
    }
  } else {
    for (const [path, reason] of s.kept ?? []) expected.push({ path: dest(path), action: 'kept', to: null, reason });
    for (const path of s.removed ?? []) {
      expected.push(
        mode === 'trash'
          ? { path: dest(path), action: 'trashed', to: trashed(path), reason: null }
          : { path: dest(path), action: 'deleted', to: null, reason: null },
      );
    }
    for (const [from, to] of s.renamed ?? []) {
      expected.push({ path: dest(from), action: 'renamed', to: dest(to), reason: null });
    }
  }
  const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
  expect([...(job.files ?? [])].sort(byPath)).toEqual(expected.sort(byPath));
}

/** The notifications a job queues: a copy's success, then what mirroring did. */
function expectedKinds(job: JobJson, mode: Mode): string[] {
  if (job.kind === 'upgrade') return mode === 'off' ? ['success'] : ['success', 'deleted'];
  return [job.kind === 'rename' ? 'renamed' : 'deleted'];
}
