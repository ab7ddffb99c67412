// The intake on a real job store (a temp SQLite file with the real migrations) and the real WAL sync:
// what each kind of parsed request answers, which lines it logs, what it inserts, and the group commit
// (one transaction per event-loop turn, answers only once the commit is on disk).
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempStore, type TempStore } from '../../test/store/fixture.js';
import { readFixture } from '../../test/support/payloads.js';
import type { Mapping, MirrorMode, SourceResult, SyncRequest } from '../core/types.js';
import { parseManualRequest } from '../sources/manual.js';
import { parseRadarrWebhook } from '../sources/radarr.js';
import { parseSonarrWebhook } from '../sources/sonarr.js';
import { createWalSync, type WalSync } from '../store/wal-sync.js';
import { createIntake, type Intake, type IntakeDeps, type IntakeResult } from './intake.js';

const MOVIES: Mapping = {
  container: '/movies',
  kind: 'movie',
  source: { path: '/mnt/src/movies' },
  destination: { path: '/mnt/dst/Movies' },
  plexPath: '/mnt/dst/Movies',
};
const TV: Mapping = {
  container: '/tv',
  kind: 'tv',
  source: { path: '/mnt/src/tv' },
  destination: { path: '/mnt/dst/TV' },
  plexPath: '/mnt/dst/TV',
};
const WINDOW_MS = 60 * 60 * 1000;
const t0 = new Date('2026-03-10T10:00:00.000Z');

const INFO = 30;
const WARN = 40;

const DUNE = '/movies/Dune - Part Two (2024) {tmdb-693134}';
const DUNE_WEBDL = `${DUNE}/Dune - Part Two (2024) {tmdb-693134} [WEBDL-1080p][EAC3 Atmos 5.1][h264]-NTb.mkv`;
const DUNE_BLURAY = `${DUNE}/Dune - Part Two (2024) {tmdb-693134} [Bluray-1080p][DTS-HD MA 7.1][x264]-HiFi.mkv`;
const DUNE_SOURCE = '/mnt/src/movies/Dune - Part Two (2024) {tmdb-693134}';
const BEAR = '/tv/The Bear (2022)/Season 03/The Bear (2022) - S03E01 - Tomorrow [WEBDL-1080p][EAC3 5.1][h264]-NTb.mkv';
const SHERLOCK = '/tv/Sherlock (2010)/Season 01/Sherlock (2010)';
const SHERLOCK_FILES = [
  `${SHERLOCK} - S01E01 - A Study in Pink [Bluray-1080p][DTS 5.1][x264]-SHORTBREHD.mkv`,
  `${SHERLOCK} - S01E02 - The Blind Banker [Bluray-1080p][DTS 5.1][x264]-SHORTBREHD.mkv`,
  `${SHERLOCK} - S01E03 - The Great Game [Bluray-1080p][DTS 5.1][x264]-SHORTBREHD.mkv`,
];
const SHERLOCK_SOURCES = SHERLOCK_FILES.map((file) => `/mnt/src/tv${file.slice('/tv'.length)}`);
const SHERLOCK_DEST = '/mnt/dst/TV/Sherlock (2010)/Season 01';

interface LogLine {
  level: number;
  msg: string;
  jobId?: number;
}

interface Setup {
  mirror?: MirrorMode;
  mappings?: Mapping[];
  /** What the manual check says about a source path; null (the default) lets it be queued. */
  missing?: (sourcePath: string, mapping: Mapping) => string | null;
  /** Wraps the real WAL sync (to hold or fail the commit's durable promise). */
  walSync?: (real: WalSync) => Pick<WalSync, 'commitThenSync'>;
}

interface Harness {
  intake: Intake;
  store: TempStore;
  lines: LogLine[];
  /** Each enqueueGroups call the intake made on the real store: the size of each group in it. */
  enqueueCalls: number[][];
  /** What happened, in order: `queued N` for each onQueued call; tests add their own marks. */
  events: string[];
  /** The source paths the manual check was asked about. */
  askedMissing: string[];
  setNow(now: Date): void;
  /** Resolves at the next onQueued call. */
  nextQueued(): Promise<number>;
}

const opened: { store: TempStore; walSync: WalSync }[] = [];

afterEach(() => {
  for (const { store, walSync } of opened.splice(0)) {
    walSync.close();
    store.close();
  }
});

function setup(o: Setup = {}): Harness {
  const store = openTempStore();
  const realWalSync = createWalSync(store.db);
  opened.push({ store, walSync: realWalSync });
  const lines: LogLine[] = [];
  const enqueueCalls: number[][] = [];
  const events: string[] = [];
  const askedMissing: string[] = [];
  let now = t0;
  let onNextQueued: ((created: number) => void) | undefined;
  const deps: IntakeDeps = {
    jobs: {
      // The real store's method, counted: how many transactions the intake opened, and for which groups.
      enqueueGroups(groups, at, windowMs) {
        enqueueCalls.push(groups.map((group) => group.length));
        return store.jobs.enqueueGroups(groups, at, windowMs);
      },
    },
    walSync: o.walSync ? o.walSync(realWalSync) : realWalSync,
    mappings: o.mappings ?? [MOVIES, TV],
    mirror: o.mirror ?? 'trash',
    clock: { now: () => now },
    log: pino(
      { level: 'debug', base: null, timestamp: false },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    ),
    duplicateWindowMs: WINDOW_MS,
    onQueued: (created) => {
      events.push(`queued ${created}`);
      onNextQueued?.(created);
    },
    missingManualSource: async (sourcePath, mapping) => {
      askedMissing.push(sourcePath);
      return o.missing ? o.missing(sourcePath, mapping) : null;
    },
  };
  return {
    intake: createIntake(deps),
    store,
    lines,
    enqueueCalls,
    events,
    askedMissing,
    setNow: (at) => {
      now = at;
    },
    nextQueued: () =>
      new Promise((resolve) => {
        onNextQueued = resolve;
      }),
  };
}

/** A real example payload, changed as the test needs, through its sender's parser. */
async function parsed(
  sender: 'radarr' | 'sonarr',
  fixture: string,
  change: (body: any) => void = () => undefined,
): Promise<SourceResult> {
  const body = await readFixture(fixture);
  change(body);
  return sender === 'radarr' ? parseRadarrWebhook(body) : parseSonarrWebhook(body);
}

/** The one request a parse gave (the test fails on anything else). */
function onlyRequest(result: SourceResult): SyncRequest {
  const [request, ...more] = result.kind === 'sync' ? result.requests : [];
  if (!request || more.length > 0) throw new Error(`expected one sync request, got ${JSON.stringify(result)}`);
  return request;
}

function sync(...requests: SyncRequest[]): SourceResult {
  return { kind: 'sync', requests };
}

const manual = (path: string, type: 'movie' | 'tv' = 'movie') => parseManualRequest({ path, type });

/** Every event-loop turn's work so far has run (the intake flushes on setImmediate, onQueued too). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const messages = (h: Harness) => h.lines.map((line) => line.msg);
const noJobs = { queued: 0, in_progress: 0, success: 0, failed: 0 };

describe('answers that queue nothing', () => {
  it.each([
    {
      what: 'a Radarr Test',
      sender: 'radarr' as const,
      result: () => parsed('radarr', 'radarr-test.json'),
      answer: { kind: 'test' },
      line: { level: INFO, msg: 'Radarr webhook received: Test' },
    },
    {
      what: 'a Sonarr Test',
      sender: 'sonarr' as const,
      result: () => parsed('sonarr', 'sonarr-test.json'),
      answer: { kind: 'test' },
      line: { level: INFO, msg: 'Sonarr webhook received: Test' },
    },
    {
      what: 'a Radarr Grab',
      sender: 'radarr' as const,
      result: () => parsed('radarr', 'radarr-grab.json'),
      answer: { kind: 'ignored', reason: 'Event type Grab not handled' },
      line: { level: INFO, msg: 'Radarr webhook ignored: Event type Grab not handled' },
    },
    {
      what: 'a Sonarr SeriesAdd',
      sender: 'sonarr' as const,
      result: () => parsed('sonarr', 'sonarr-seriesadd.json'),
      answer: { kind: 'ignored', reason: 'Event type SeriesAdd not handled' },
      line: { level: INFO, msg: 'Sonarr webhook ignored: Event type SeriesAdd not handled' },
    },
    {
      what: 'a Radarr Download with neither folder nor file path',
      sender: 'radarr' as const,
      result: () =>
        parsed('radarr', 'radarr-download.json', (body) => {
          delete body.movie.folderPath;
          delete body.movieFile.path;
        }),
      answer: {
        kind: 'invalid',
        problem: 'movie.folderPath is missing and there is no movieFile.path',
        field: 'movie.folderPath',
      },
      line: { level: WARN, msg: 'Radarr request refused: movie.folderPath is missing and there is no movieFile.path' },
    },
    {
      what: 'a manual request that is not an object',
      sender: 'manual' as const,
      result: async () => parseManualRequest(['/movies/A']),
      answer: { kind: 'invalid', problem: 'body must be a JSON object' },
      line: { level: WARN, msg: 'Manual request refused: body must be a JSON object' },
    },
    {
      what: 'a manual request of an unknown type',
      sender: 'manual' as const,
      result: async () => parseManualRequest({ path: '/movies/A', type: 'music' }),
      answer: { kind: 'invalid', problem: 'type must be one of "movie", "tv"', field: 'type' },
      line: { level: WARN, msg: 'Manual request refused: type must be one of "movie", "tv"' },
    },
  ])('$what: answered as it was parsed, one line, nothing written', async ({ sender, result, answer, line }) => {
    const h = setup();
    await expect(h.intake.accept(sender, await result())).resolves.toEqual(answer);
    expect(h.lines).toEqual([expect.objectContaining(line)]);
    expect(h.enqueueCalls).toEqual([]);
    expect(h.store.reports.statusCounts()).toEqual(noJobs);
    await nextTurn();
    expect(h.events).toEqual([]);
  });
});

describe('a webhook that is queued', () => {
  it('translates the paths, stores the job and logs where it copies to', async () => {
    const h = setup();
    const answer = await h.intake.accept('radarr', await parsed('radarr', 'radarr-download.json'));
    expect(answer).toEqual({ kind: 'queued', ids: [1] });
    expect(h.lines).toEqual([
      {
        level: INFO,
        jobId: 1,
        msg:
          `Processing: Dune: Part Two (2024) - WEBDL-1080p | File path: ${DUNE_WEBDL} | ` +
          `queued as job 1: ${DUNE_SOURCE} -> /mnt/dst/Movies/`,
      },
    ]);
    expect(h.store.reports.get(1)).toMatchObject({
      status: 'queued',
      source: 'radarr',
      mediaType: 'movie',
      title: 'Dune: Part Two (2024)',
      containerPath: DUNE,
      sourcePath: DUNE_SOURCE,
      destPath: '/mnt/dst/Movies',
      mapping: '/movies',
      kind: 'copy',
      mirror: null,
      isUpgrade: false,
      waitForStableSize: false,
      createdAt: t0.toISOString(),
      details: { title: 'Dune: Part Two', year: 2024, quality: 'WEBDL-1080p', sizeBytes: 10741823412 },
    });
    // Webhooks never touch a share on their way in.
    expect(h.askedMissing).toEqual([]);
  });

  it('an episode is copied into its season folder; the longest mapping prefix wins', async () => {
    const TV4K: Mapping = { ...TV, container: '/tv/4k', source: { path: '/mnt/src/tv4k' } };
    const h = setup({ mappings: [TV, TV4K, MOVIES] });
    const answer = await h.intake.accept(
      'sonarr',
      await parsed('sonarr', 'sonarr-download.json', (body) => {
        body.episodeFile.path = body.episodeFile.path.replace('/tv/', '/tv/4k/');
      }),
    );
    expect(answer).toEqual({ kind: 'queued', ids: [1] });
    expect(h.store.reports.get(1)).toMatchObject({
      sourcePath: `/mnt/src/tv4k${BEAR.slice('/tv'.length)}`,
      destPath: '/mnt/dst/TV/The Bear (2022)/Season 03',
      mapping: '/tv/4k',
      mediaType: 'episode',
    });
  });

  it('a manual sync asks whether the source is there, then queues a job that waits for a stable size', async () => {
    const asked: { sourcePath: string; mapping: string }[] = [];
    const h = setup({
      missing: (sourcePath, mapping) => {
        asked.push({ sourcePath, mapping: mapping.container });
        return null;
      },
    });
    const answer = await h.intake.accept('manual', manual('/tv/Show/Season 01/', 'tv'));
    expect(answer).toEqual({ kind: 'queued', ids: [1] });
    expect(asked).toEqual([{ sourcePath: '/mnt/src/tv/Show/Season 01', mapping: '/tv' }]);
    expect(messages(h)).toEqual([
      'Processing: Season 01 | File path: /tv/Show/Season 01 | ' +
        'queued as job 1: /mnt/src/tv/Show/Season 01 -> /mnt/dst/TV/Show/',
    ]);
    expect(h.store.reports.get(1)).toMatchObject({ source: 'manual', mediaType: 'episode', waitForStableSize: true });
  });
});

describe('a request whose path escapes its mapping is refused, and nothing is inserted', () => {
  it.each([
    {
      what: 'a manual path with a ".." segment',
      sender: 'manual' as const,
      result: async () => manual('/movies/../etc'),
      problem: 'Unsafe path "/movies/../etc": contains a "." or ".." segment',
      line: 'Processing: etc | File path: /movies/../etc | Manual request refused: ',
    },
    {
      what: 'a manual path naming the mapping root',
      sender: 'manual' as const,
      result: async () => manual('/movies/'),
      problem: 'Unsafe path "/movies": names the mapping root /movies; syncing a whole library is refused',
      line: 'Processing: movies | File path: /movies | Manual request refused: ',
    },
    {
      what: 'a Radarr file path that climbs out of its folder',
      sender: 'radarr' as const,
      result: async () => {
        const request = onlyRequest(await parsed('radarr', 'radarr-download.json'));
        return sync({ ...request, filePath: `${DUNE}/../../etc/passwd` });
      },
      problem: `Unsafe path ${JSON.stringify(`${DUNE}/../../etc/passwd`)}: contains a "." or ".." segment`,
      line:
        'Processing: Dune: Part Two (2024) - WEBDL-1080p | ' +
        `File path: ${DUNE}/../../etc/passwd | Radarr request refused: `,
    },
    {
      what: 'a Radarr rename to a file outside the movie folder',
      sender: 'radarr' as const,
      result: () =>
        parsed('radarr', 'radarr-rename.json', (body) => {
          body.renamedMovieFiles[0].path = '/movies/Other (2020)/stolen.mkv';
        }),
      problem:
        'Unsafe path "/movies/Other (2020)/stolen.mkv": not inside the folder ' +
        '"/movies/Paddington 2 (2017) {tmdb-346648}" of Rename',
      line: 'Processing: Paddington 2 (2017) | File path: ',
    },
    {
      what: 'a Sonarr upgrade whose replaced file lies in another mapping',
      sender: 'sonarr' as const,
      result: () =>
        parsed('sonarr', 'sonarr-download-upgrade.json', (body) => {
          body.deletedFiles[1].path = '/movies/Friends (1994)/old.mkv';
        }),
      problem: 'Unsafe path "/movies/Friends (1994)/old.mkv": not inside the folder "/tv/Friends (1994)" of Download',
      line: 'Processing: Friends - S02E12-S02E13: ',
    },
    {
      what: 'a Sonarr upgrade whose series folder lies in another mapping than its file',
      sender: 'sonarr' as const,
      result: async () => {
        const request = onlyRequest(await parsed('sonarr', 'sonarr-download-upgrade.json'));
        if (request.mirror?.kind !== 'upgrade') throw new Error('the fixture is an upgrade');
        return sync({ ...request, mirror: { ...request.mirror, folder: '/movies/Friends (1994)' } });
      },
      problem: 'Unsafe path "/movies/Friends (1994)": not in the mapping /tv of Download',
      line: 'Processing: Friends - S02E12-S02E13: ',
    },
    {
      what: 'a Radarr file delete that names the movie folder itself',
      sender: 'radarr' as const,
      result: () =>
        parsed('radarr', 'radarr-moviefiledelete.json', (body) => {
          body.movieFile.path = body.movie.folderPath;
        }),
      problem: `Unsafe path ${JSON.stringify(DUNE)}: not inside the folder ${JSON.stringify(DUNE)} of MovieFileDelete`,
      line: 'Processing: Dune: Part Two (2024) - Bluray-1080p | File path: ',
    },
    {
      what: 'a Sonarr season pack with one file in a partial folder',
      sender: 'sonarr' as const,
      result: () =>
        parsed('sonarr', 'sonarr-importcomplete-season-pack.json', (body) => {
          body.episodeFiles[2].path = '/tv/Sherlock (2010)/Season 01/.sync-webhook-partial/S01E03.mkv';
        }),
      problem:
        'Unsafe path "/tv/Sherlock (2010)/Season 01/.sync-webhook-partial/S01E03.mkv": ' +
        'lies in a partial folder (.sync-webhook-partial)',
      line: 'Processing: Sherlock - S01E03: The Great Game - Bluray-1080p | File path: ',
    },
  ])('$what', async ({ sender, result, problem, line }) => {
    const h = setup();
    const answer = await h.intake.accept(sender, await result());
    expect(answer).toEqual({ kind: 'refused', problem });
    expect(h.lines).toHaveLength(1);
    expect(h.lines[0]).toMatchObject({ level: WARN, msg: expect.stringContaining(line) });
    if (answer.kind === 'refused') expect(h.lines[0]?.msg.endsWith(answer.problem)).toBe(true);
    expect(h.enqueueCalls).toEqual([]);
    expect(h.store.reports.statusCounts()).toEqual(noJobs);
    expect(h.askedMissing).toEqual([]);
  });
});

describe('unmapped paths', () => {
  const bear = () => parsed('sonarr', 'sonarr-download.json');

  it('a webhook with no mapped path left is ignored, with a line that says to add a mapping', async () => {
    const h = setup({ mappings: [MOVIES] });
    const problem = `No path mapping for: ${BEAR} (mappings: /movies)`;
    await expect(h.intake.accept('sonarr', await bear())).resolves.toEqual({ kind: 'ignored', reason: problem });
    expect(h.lines).toEqual([
      {
        level: WARN,
        msg:
          `Processing: The Bear - S03E01: Tomorrow - WEBDL-1080p | File path: ${BEAR} | ` +
          `not synced: ${problem}; add a mapping to sync it`,
      },
    ]);
    expect(h.enqueueCalls).toEqual([]);
    expect(h.store.reports.statusCounts()).toEqual(noJobs);
  });

  it('names "none configured" when there is no mapping at all', async () => {
    const h = setup({ mappings: [] });
    await expect(h.intake.accept('sonarr', await bear())).resolves.toEqual({
      kind: 'ignored',
      reason: `No path mapping for: ${BEAR} (mappings: none configured)`,
    });
  });

  it('a webhook whose other files are mapped queues those and logs the unmapped one', async () => {
    const h = setup();
    const result = await parsed('sonarr', 'sonarr-importcomplete-season-pack.json', (body) => {
      body.episodeFiles[1].path = body.episodeFiles[1].path.replace('/tv/', '/anime/');
    });
    await expect(h.intake.accept('sonarr', result)).resolves.toEqual({ kind: 'queued', ids: [1, 2] });
    const unmapped = SHERLOCK_FILES[1]?.replace('/tv/', '/anime/');
    expect(h.lines.map((line) => [line.level, line.jobId, line.msg.replace(/^.* \| /, '')])).toEqual([
      [
        WARN,
        undefined,
        `not synced: No path mapping for: ${unmapped} (mappings: /movies, /tv); add a mapping to sync it`,
      ],
      [INFO, 1, `queued as job 1: ${SHERLOCK_SOURCES[0]} -> ${SHERLOCK_DEST}/`],
      [INFO, 2, `queued as job 2: ${SHERLOCK_SOURCES[2]} -> ${SHERLOCK_DEST}/`],
    ]);
  });

  it('a manual sync of an unmapped path is refused, and its source is not looked at', async () => {
    const h = setup();
    const problem = 'No path mapping for: /music/Album (mappings: /movies, /tv)';
    await expect(h.intake.accept('manual', manual('/music/Album'))).resolves.toEqual({ kind: 'refused', problem });
    expect(h.lines).toEqual([
      { level: WARN, msg: `Processing: Album | File path: /music/Album | Manual sync refused: ${problem}` },
    ]);
    expect(h.askedMissing).toEqual([]);
    expect(h.enqueueCalls).toEqual([]);
  });
});

describe('a manual sync whose source the share lacks', () => {
  it('is refused with "Path not found" and the reason, and nothing is inserted', async () => {
    const h = setup({ missing: () => 'no such file or directory on /mnt/src/movies' });
    const problem = 'Path not found: /movies/Gone (2020): no such file or directory on /mnt/src/movies';
    await expect(h.intake.accept('manual', manual('/movies/Gone (2020)'))).resolves.toEqual({
      kind: 'refused',
      problem,
    });
    expect(h.askedMissing).toEqual(['/mnt/src/movies/Gone (2020)']);
    expect(h.lines).toEqual([
      {
        level: WARN,
        msg: `Processing: Gone (2020) | File path: /movies/Gone (2020) | Manual sync refused: ${problem}`,
      },
    ]);
    expect(h.enqueueCalls).toEqual([]);
    expect(h.store.reports.statusCounts()).toEqual(noJobs);
  });
});

describe('SYNC_MIRROR=off', () => {
  it.each([
    { sender: 'radarr' as const, fixture: 'radarr-rename.json', event: 'Rename' },
    { sender: 'radarr' as const, fixture: 'radarr-moviefiledelete.json', event: 'MovieFileDelete' },
    { sender: 'radarr' as const, fixture: 'radarr-moviedelete.json', event: 'MovieDelete' },
    { sender: 'sonarr' as const, fixture: 'sonarr-episodefiledelete.json', event: 'EpisodeFileDelete' },
    { sender: 'sonarr' as const, fixture: 'sonarr-seriesdelete.json', event: 'SeriesDelete' },
  ])('ignores a $event', async ({ sender, fixture, event }) => {
    const h = setup({ mirror: 'off' });
    const reason = `${event} not mirrored: SYNC_MIRROR is off`;
    await expect(h.intake.accept(sender, await parsed(sender, fixture))).resolves.toEqual({ kind: 'ignored', reason });
    const label = sender === 'radarr' ? 'Radarr' : 'Sonarr';
    expect(h.lines).toEqual([{ level: INFO, msg: `${label} webhook ignored: ${reason}` }]);
    expect(h.enqueueCalls).toEqual([]);
  });

  it('still queues an upgrade, as an upgrade', async () => {
    const h = setup({ mirror: 'off' });
    const answer = await h.intake.accept('radarr', await parsed('radarr', 'radarr-download-upgrade.json'));
    expect(answer).toEqual({ kind: 'queued', ids: [1] });
    expect(messages(h)).toEqual([
      `Processing: Dune: Part Two (2024) - Bluray-1080p | File path: ${DUNE_BLURAY} | ` +
        `queued as job 1 (upgrade): ${DUNE_SOURCE} -> /mnt/dst/Movies/`,
    ]);
    expect(h.store.reports.get(1)).toMatchObject({ kind: 'upgrade', isUpgrade: true });
  });

  it('with mirroring on, the same rename is queued as a rename', async () => {
    const h = setup({ mirror: 'trash' });
    const answer = await h.intake.accept('radarr', await parsed('radarr', 'radarr-rename.json'));
    expect(answer).toEqual({ kind: 'queued', ids: [1] });
    expect(messages(h)[0]).toMatch(/ \| queued as job 1 \(rename\): \/mnt\/src\/movies\/Paddington 2/);
    expect(h.store.reports.get(1)?.kind).toBe('rename');
  });
});

describe('duplicates', () => {
  it('the same webhook again is answered as a duplicate with the same id, and logged so', async () => {
    const h = setup();
    await expect(h.intake.accept('radarr', await parsed('radarr', 'radarr-download.json'))).resolves.toEqual({
      kind: 'queued',
      ids: [1],
    });
    await h.nextQueued();
    h.setNow(new Date(t0.getTime() + WINDOW_MS - 1));
    await expect(h.intake.accept('radarr', await parsed('radarr', 'radarr-download.json'))).resolves.toEqual({
      kind: 'duplicate',
      ids: [1],
    });
    expect(h.lines[1]).toEqual({
      level: INFO,
      jobId: 1,
      msg:
        `Processing: Dune: Part Two (2024) - WEBDL-1080p | File path: ${DUNE_WEBDL} | ` +
        'duplicate of job 1, not queued again',
    });
    expect(h.store.reports.statusCounts().queued).toBe(1);
    // Nothing new: the runner is not woken.
    await nextTurn();
    expect(h.events).toEqual(['queued 1']);
  });

  it('a duplicate of a rename names its kind', async () => {
    const h = setup();
    await h.intake.accept('radarr', await parsed('radarr', 'radarr-rename.json'));
    await expect(h.intake.accept('radarr', await parsed('radarr', 'radarr-rename.json'))).resolves.toEqual({
      kind: 'duplicate',
      ids: [1],
    });
    expect(messages(h)[1]).toMatch(/ \| duplicate of job 1 \(rename\), not queued again$/);
  });

  it('a job still queued is a duplicate at any age; a copied one only within the window', async () => {
    const h = setup();
    const dune = await parsed('radarr', 'radarr-download.json');
    const answer = (afterMs: number) => {
      h.setNow(new Date(t0.getTime() + afterMs));
      return h.intake.accept('radarr', dune);
    };
    await expect(answer(0)).resolves.toEqual({ kind: 'queued', ids: [1] });
    await expect(answer(2 * WINDOW_MS)).resolves.toEqual({ kind: 'duplicate', ids: [1] });

    const finishedAt = new Date(t0.getTime() + 3 * WINDOW_MS);
    expect(h.store.jobs.claimNext(finishedAt)?.id).toBe(1);
    h.store.jobs.markSuccess(1, { bytes: 1, finishedAt, durationSeconds: 1 }, []);
    await expect(answer(4 * WINDOW_MS)).resolves.toEqual({ kind: 'duplicate', ids: [1] });
    await expect(answer(4 * WINDOW_MS + 1)).resolves.toEqual({ kind: 'queued', ids: [2] });
  });

  it('another file of the same movie is not a duplicate: the key is the file, not the folder', async () => {
    const h = setup();
    await h.intake.accept('radarr', await parsed('radarr', 'radarr-download.json'));
    const other = await parsed('radarr', 'radarr-download.json', (body) => {
      body.movieFile.path = `${DUNE}/Dune - Part Two (2024) {tmdb-693134} [Remux-2160p].mkv`;
    });
    await expect(h.intake.accept('radarr', other)).resolves.toEqual({ kind: 'queued', ids: [2] });
  });

  it("a file outside the movie's folder keys the folder: a catch-up pass finds a folder's jobs below it", async () => {
    const h = setup();
    const outside = await parsed('radarr', 'radarr-download.json', (body) => {
      body.movieFile.path = '/movies/Elsewhere/Dune - Part Two (2024).mkv';
    });
    await expect(h.intake.accept('radarr', outside)).resolves.toEqual({ kind: 'queued', ids: [1] });
    const row = h.store.db.prepare('SELECT source_path, dedupe_key FROM jobs WHERE id = 1').get();
    expect(row).toEqual({ source_path: DUNE_SOURCE, dedupe_key: DUNE_SOURCE });
  });

  it('an upgrade is never a duplicate', async () => {
    const h = setup();
    await h.intake.accept('radarr', await parsed('radarr', 'radarr-download-upgrade.json'));
    await expect(h.intake.accept('radarr', await parsed('radarr', 'radarr-download-upgrade.json'))).resolves.toEqual({
      kind: 'queued',
      ids: [2],
    });
  });

  it('a season pack sent again with one more episode queues only that one', async () => {
    const h = setup();
    const firstTwo = await parsed('sonarr', 'sonarr-importcomplete-season-pack.json', (body) => {
      body.episodeFiles.pop();
    });
    await expect(h.intake.accept('sonarr', firstTwo)).resolves.toEqual({ kind: 'queued', ids: [1, 2] });
    const all = await parsed('sonarr', 'sonarr-importcomplete-season-pack.json');
    const queued = h.nextQueued();
    await expect(h.intake.accept('sonarr', all)).resolves.toEqual({ kind: 'queued', ids: [1, 2, 3] });
    expect(await queued).toBe(1);
    expect(
      messages(h)
        .slice(2)
        .map((msg) => msg.replace(/^.* \| /, '')),
    ).toEqual([
      'duplicate of job 1, not queued again',
      'duplicate of job 2, not queued again',
      `queued as job 3: ${SHERLOCK_SOURCES[2]} -> ${SHERLOCK_DEST}/`,
    ]);
  });
});

describe('the group commit', () => {
  it('webhooks taken in one event-loop turn share one transaction; each gets its own ids', async () => {
    const h = setup();
    const dune = await parsed('radarr', 'radarr-download.json');
    const pack = await parsed('sonarr', 'sonarr-importcomplete-season-pack.json');
    const bear = await parsed('sonarr', 'sonarr-download.json');
    const queued = h.nextQueued();
    const answers = await Promise.all([
      h.intake.accept('radarr', dune),
      h.intake.accept('sonarr', pack),
      h.intake.accept('sonarr', bear),
      // The same movie twice in one batch: the second finds the first's row of the same transaction.
      h.intake.accept('radarr', dune),
    ]);
    expect(answers).toEqual([
      { kind: 'queued', ids: [1] },
      { kind: 'queued', ids: [2, 3, 4] },
      { kind: 'queued', ids: [5] },
      { kind: 'duplicate', ids: [1] },
    ]);
    expect(h.enqueueCalls).toEqual([[1, 3, 1, 1]]);
    expect(await queued).toBe(5);

    // A webhook of a later turn opens a transaction of its own.
    await h.intake.accept('radarr', await parsed('radarr', 'radarr-rename.json'));
    expect(h.enqueueCalls).toEqual([[1, 3, 1, 1], [1]]);
  });

  it('answers nobody before the commit is on disk, and then everybody', async () => {
    const gate = deferred<void>();
    const committed = deferred<Promise<void>>();
    const h = setup({
      walSync: (real) => ({
        commitThenSync(write) {
          const { result, durable } = real.commitThenSync(write);
          committed.resolve(durable);
          // Held past the real fdatasync, until the test opens the gate.
          return { result, durable: durable.then(() => gate.promise) };
        },
      }),
    });
    const dune = await parsed('radarr', 'radarr-download.json');
    const bear = await parsed('sonarr', 'sonarr-download.json');
    const answered: string[] = [];
    const answer = (sender: string) => (result: IntakeResult) => {
      answered.push(sender);
      return result;
    };
    const a = h.intake.accept('radarr', dune).then(answer('radarr'));
    const b = h.intake.accept('sonarr', bear).then(answer('sonarr'));

    const realDurable = await committed.promise;
    await realDurable;
    await nextTurn();
    // The rows are committed, yet no caller has its answer and the runner was not told.
    expect(h.store.reports.statusCounts().queued).toBe(2);
    expect(answered).toEqual([]);
    expect(h.events).toEqual([]);
    expect(h.lines).toEqual([]);

    const queued = h.nextQueued();
    gate.resolve();
    await expect(a).resolves.toEqual({ kind: 'queued', ids: [1] });
    await expect(b).resolves.toEqual({ kind: 'queued', ids: [2] });
    expect(answered).toEqual(['radarr', 'sonarr']);
    expect(await queued).toBe(2);
  });

  it('tells the runner the number of new rows after the answers, and not at all when none is new', async () => {
    const h = setup();
    const dune = await parsed('radarr', 'radarr-download.json');
    const bear = await parsed('sonarr', 'sonarr-download.json');
    const mark = (what: string) => () => h.events.push(what);
    const queued = h.nextQueued();
    await Promise.all([
      h.intake.accept('radarr', dune).then(mark('answered radarr')),
      h.intake.accept('sonarr', bear).then(mark('answered sonarr')),
    ]);
    await queued;
    expect(h.events).toEqual(['answered radarr', 'answered sonarr', 'queued 2']);

    await Promise.all([
      h.intake.accept('radarr', dune).then(mark('duplicate radarr')),
      h.intake.accept('sonarr', bear).then(mark('duplicate sonarr')),
    ]);
    await nextTurn();
    expect(h.events).toEqual([
      'answered radarr',
      'answered sonarr',
      'queued 2',
      'duplicate radarr',
      'duplicate sonarr',
    ]);
  });

  it('a database error rejects every caller of that batch; nothing is kept and the next batch works', async () => {
    const h = setup();
    // A real refusal by SQLite, as a full disk or a broken file would give one, in the middle of the batch.
    h.store.db.exec(`CREATE TEMP TRIGGER refuse_jobs BEFORE INSERT ON main.jobs
      WHEN NEW.title LIKE 'The Bear%' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    const dune = await parsed('radarr', 'radarr-download.json');
    const bear = await parsed('sonarr', 'sonarr-download.json');
    const rename = await parsed('radarr', 'radarr-rename.json');
    const results = await Promise.allSettled([
      h.intake.accept('radarr', dune),
      h.intake.accept('sonarr', bear),
      h.intake.accept('radarr', rename),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : undefined));
    expect(reasons[0]).toMatchObject({ code: 'SQLITE_CONSTRAINT_TRIGGER', message: 'database or disk is full' });
    expect(new Set(reasons).size).toBe(1);
    expect(h.enqueueCalls).toEqual([[1, 1, 1]]);
    expect(h.store.reports.statusCounts()).toEqual(noJobs);
    expect(h.lines).toEqual([]);

    h.store.db.exec('DROP TRIGGER refuse_jobs');
    await expect(h.intake.accept('radarr', await parsed('radarr', 'radarr-download.json'))).resolves.toEqual({
      kind: 'queued',
      ids: [1],
    });
    await nextTurn();
    expect(h.events).toEqual(['queued 1']);
  });

  it('a failed sync to disk rejects every caller of that batch, and the runner is not told', async () => {
    const syncError = new Error('Cannot sync jobs.db-wal to disk: EIO: i/o error, fdatasync');
    const h = setup({
      walSync: (real) => ({
        commitThenSync(write) {
          const { result, durable } = real.commitThenSync(write);
          return { result, durable: durable.then(() => Promise.reject(syncError)) };
        },
      }),
    });
    const dune = await parsed('radarr', 'radarr-download.json');
    const bear = await parsed('sonarr', 'sonarr-download.json');
    const results = await Promise.allSettled([h.intake.accept('radarr', dune), h.intake.accept('sonarr', bear)]);
    expect(results).toEqual([
      { status: 'rejected', reason: syncError },
      { status: 'rejected', reason: syncError },
    ]);
    await nextTurn();
    expect(h.events).toEqual([]);
    expect(h.lines).toEqual([]);
  });
});
