import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SyncRequest } from '../core/types.js';
import { parseSonarrWebhook } from './sonarr.js';

function fixture(name: string): Record<string, unknown> {
  const url = new URL(`../../test/fixtures/arr/examples/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
}

function requestsOf(body: unknown): SyncRequest[] {
  const result = parseSonarrWebhook(body);
  if (result.kind !== 'sync') throw new Error(`expected sync, got ${JSON.stringify(result)}`);
  return result.requests;
}

const SHERLOCK = '/tv/Sherlock (2010)/Season 01/Sherlock (2010)';

describe('parseSonarrWebhook on the real fixtures', () => {
  it.each([
    ['sonarr-applicationupdate.json', 'ApplicationUpdate'],
    ['sonarr-grab.json', 'Grab'],
    ['sonarr-health.json', 'Health'],
    ['sonarr-healthrestored.json', 'HealthRestored'],
    ['sonarr-manualinteractionrequired.json', 'ManualInteractionRequired'],
    ['sonarr-seriesadd.json', 'SeriesAdd'],
  ])('%s is ignored', (name, eventType) => {
    expect(parseSonarrWebhook(fixture(name))).toEqual({
      kind: 'ignored',
      reason: `Event type ${eventType} not handled`,
    });
  });

  it('Test answers test', () => {
    expect(parseSonarrWebhook(fixture('sonarr-test.json'))).toEqual({ kind: 'test' });
  });

  it('a single-episode Download syncs the episode file', () => {
    const path =
      '/tv/The Bear (2022)/Season 03/The Bear (2022) - S03E01 - Tomorrow [WEBDL-1080p][EAC3 5.1][h264]-NTb.mkv';
    expect(requestsOf(fixture('sonarr-download.json'))).toEqual([
      {
        source: 'sonarr',
        mediaType: 'episode',
        containerPath: path,
        filePath: path,
        title: 'The Bear - S03E01: Tomorrow',
        details: {
          title: 'The Bear',
          episodeCode: 'S03E01',
          episodeTitle: 'Tomorrow',
          quality: 'WEBDL-1080p',
          sizeBytes: 1873412096,
        },
        isUpgrade: false,
        waitForStableSize: false,
      },
    ]);
  });

  it('a multi-episode file is one request naming both episodes', () => {
    expect(requestsOf(fixture('sonarr-download-multi-episode.json'))).toEqual([
      expect.objectContaining({
        title: 'Star Trek: The Next Generation - S01E01-S01E02: Encounter at Farpoint (1) / Encounter at Farpoint (2)',
        details: {
          title: 'Star Trek: The Next Generation',
          episodeCode: 'S01E01-S01E02',
          episodeTitle: 'Encounter at Farpoint (1) / Encounter at Farpoint (2)',
          quality: 'Bluray-1080p',
          sizeBytes: 9123456789,
        },
        isUpgrade: false,
      }),
    ]);
  });

  it('an upgrade Download is flagged as an upgrade and names both files it replaced', () => {
    const [request] = requestsOf(fixture('sonarr-download-upgrade.json'));
    const season = '/tv/Friends (1994)/Season 02';
    const newFile =
      `${season}/Friends (1994) - S02E12-E13 - ` +
      'The One After the Super Bowl [Bluray-1080p][AC3 5.1][x264]-CtrlHD.mkv';
    expect(request).toMatchObject({
      containerPath: newFile,
      details: { episodeCode: 'S02E12-S02E13' },
      isUpgrade: true,
      mirror: {
        kind: 'upgrade',
        event: 'Download',
        folder: '/tv/Friends (1994)',
        newFile,
        replaced: [
          `${season}/Friends (1994) - S02E12 - The One After the Super Bowl (1) [WEBDL-720p][AAC 2.0][h264].mkv`,
          `${season}/Friends (1994) - S02E13 - The One After the Super Bowl (2) [WEBDL-720p][AAC 2.0][h264].mkv`,
        ],
      },
    });
  });

  it('an upgrade without series.path keeps its replaced files to the new file’s folder', () => {
    const body = fixture('sonarr-download-upgrade.json');
    body.series = { title: 'Friends', path: 42 };
    expect(requestsOf(body)[0]?.mirror).toMatchObject({ folder: '/tv/Friends (1994)/Season 02' });
  });

  it('one per-file event of a season pack is one request', () => {
    expect(requestsOf(fixture('sonarr-download-season-pack-episode.json'))).toEqual([
      expect.objectContaining({
        containerPath: `${SHERLOCK} - S01E01 - A Study in Pink [Bluray-1080p][DTS 5.1][x264]-SHORTBREHD.mkv`,
        title: 'Sherlock - S01E01: A Study in Pink',
      }),
    ]);
  });

  it('Import Complete gives one request per file, each with its own episode', () => {
    const requests = requestsOf(fixture('sonarr-importcomplete-season-pack.json'));
    expect(requests.map((r) => [r.containerPath, r.filePath, r.title, r.details.episodeCode, r.isUpgrade])).toEqual([
      [
        `${SHERLOCK} - S01E01 - A Study in Pink [Bluray-1080p][DTS 5.1][x264]-SHORTBREHD.mkv`,
        `${SHERLOCK} - S01E01 - A Study in Pink [Bluray-1080p][DTS 5.1][x264]-SHORTBREHD.mkv`,
        'Sherlock - S01E01: A Study in Pink',
        'S01E01',
        false,
      ],
      [
        `${SHERLOCK} - S01E02 - The Blind Banker [Bluray-1080p][DTS 5.1][x264]-SHORTBREHD.mkv`,
        `${SHERLOCK} - S01E02 - The Blind Banker [Bluray-1080p][DTS 5.1][x264]-SHORTBREHD.mkv`,
        'Sherlock - S01E02: The Blind Banker',
        'S01E02',
        false,
      ],
      [
        `${SHERLOCK} - S01E03 - The Great Game [Bluray-1080p][DTS 5.1][x264]-SHORTBREHD.mkv`,
        `${SHERLOCK} - S01E03 - The Great Game [Bluray-1080p][DTS 5.1][x264]-SHORTBREHD.mkv`,
        'Sherlock - S01E03: The Great Game',
        'S01E03',
        false,
      ],
    ]);
    expect(requests.map((r) => r.details.sizeBytes)).toEqual([5368709120, 5370806272, 5366611968]);
    expect(requests.every((r) => r.details.quality === 'Bluray-1080p')).toBe(true);
  });
});

describe('parseSonarrWebhook on hand-made bodies', () => {
  const file = '/tv/Show/Season 01/Show - S01E05 - Five.mkv';
  const show = { title: 'Show' };

  it.each([
    ['a string', '{"eventType":"Download"}'],
    ['null', null],
    ['an array', []],
  ])('%s body is not a JSON object', (_label, body) => {
    expect(parseSonarrWebhook(body)).toEqual({ kind: 'invalid', problem: 'body must be a JSON object' });
  });

  it('a missing eventType is invalid', () => {
    expect(parseSonarrWebhook({ series: show })).toEqual({
      kind: 'invalid',
      field: 'eventType',
      problem: 'eventType is missing',
    });
  });

  it.each([
    [
      'no file at all',
      { series: show, episodes: [] },
      'episodeFile.path',
      'episodeFile.path is missing (a Download needs episodeFile or episodeFiles)',
    ],
    ['episodeFile without a path', { episodeFile: { size: 3 } }, 'episodeFile.path', 'episodeFile.path is missing'],
    [
      'episodeFile.path a number',
      { episodeFile: { path: 5 } },
      'episodeFile.path',
      'episodeFile.path must be a string',
    ],
    [
      'episodeFile.path empty',
      { episodeFile: { path: '' } },
      'episodeFile.path',
      'episodeFile.path must be a non-empty string',
    ],
    ['episodeFile a string', { episodeFile: file }, 'episodeFile', 'episodeFile must be an object'],
    ['episodeFiles an object', { episodeFiles: { path: file } }, 'episodeFiles', 'episodeFiles must be an array'],
    ['episodeFiles empty', { episodeFiles: [] }, 'episodeFiles', 'episodeFiles must not be empty'],
    [
      'a batch file with a bad path',
      { episodeFiles: [{ path: file }, { path: ['x'] }] },
      'episodeFiles.1.path',
      'episodeFiles.1.path must be a string',
    ],
    [
      'a batch entry that is not an object',
      { episodeFiles: [null] },
      'episodeFiles.0',
      'episodeFiles.0 must be an object',
    ],
  ])('Download with %s is invalid', (_label, body, field, problem) => {
    expect(parseSonarrWebhook({ eventType: 'Download', ...body })).toEqual({ kind: 'invalid', field, problem });
  });

  it('falls back to Unknown Series and Unknown code', () => {
    expect(requestsOf({ eventType: 'Download', episodeFile: { path: file } })).toEqual([
      {
        source: 'sonarr',
        mediaType: 'episode',
        containerPath: file,
        filePath: file,
        title: 'Unknown Series - Unknown',
        details: { title: 'Unknown Series' },
        isUpgrade: false,
        waitForStableSize: false,
      },
    ]);
  });

  it('summarises more than two episode titles like the v2 service', () => {
    const [request] = requestsOf({
      eventType: 'Download',
      series: show,
      episodes: [1, 2, 3, 4].map((n) => ({ seasonNumber: 1, episodeNumber: n, title: `E${n}` })),
      episodeFile: { path: file },
    });
    expect(request?.title).toBe('Show - S01E01-S01E02-S01E03-S01E04: E1 / E2 (+2 more)');
    expect(request?.details.episodeTitle).toBe('E1 / E2 (+2 more)');
  });

  it('omits the episode title when the episodes have none', () => {
    const [request] = requestsOf({
      eventType: 'Download',
      series: show,
      episodes: [{ seasonNumber: 0, episodeNumber: 3 }],
      episodeFile: { path: file },
    });
    expect(request?.title).toBe('Show - S00E03');
  });

  it('pads to two digits but keeps longer numbers whole', () => {
    const [request] = requestsOf({
      eventType: 'Download',
      series: show,
      episodes: [{ seasonNumber: 12, episodeNumber: 1043, title: 'Long Runner' }],
      episodeFile: { path: file },
    });
    expect(request?.details.episodeCode).toBe('S12E1043');
  });

  it('malformed display fields do not block the sync', () => {
    const [request] = requestsOf({
      eventType: 'Download',
      series: 'Show',
      episodes: [
        null,
        'x',
        { seasonNumber: '1', episodeNumber: 2, title: 7 },
        { seasonNumber: 1, episodeNumber: 5, title: 'Five' },
      ],
      episodeFile: { path: file, quality: { quality: 'odd' }, size: 'big' },
      isUpgrade: 1,
    });
    expect(request).toMatchObject({
      title: 'Unknown Series - S01E05: Five',
      details: { title: 'Unknown Series', episodeCode: 'S01E05', episodeTitle: 'Five' },
      isUpgrade: false,
    });
  });

  it('treats the legacy Upgrade event as an upgrade Download', () => {
    expect(requestsOf({ eventType: 'Upgrade', episodeFile: { path: file } })[0]?.isUpgrade).toBe(true);
  });

  it('prefers episodeFile when a body carries both shapes', () => {
    const requests = requestsOf({
      eventType: 'Download',
      episodeFile: { path: file },
      episodeFiles: [{ path: '/tv/Show/a.mkv' }, { path: '/tv/Show/b.mkv' }],
    });
    expect(requests.map((r) => r.containerPath)).toEqual([file]);
  });

  it('strips control characters from titles but not from paths', () => {
    const oddPath = '/tv/Show\u0007/S01E01.mkv';
    const [request] = requestsOf({
      eventType: 'Download',
      series: { title: 'Sh\now' },
      episodes: [{ seasonNumber: 1, episodeNumber: 1, title: 'Pi\rlot' }],
      episodeFile: { path: oddPath },
    });
    expect(request).toMatchObject({ title: 'Show - S01E01: Pilot', containerPath: oddPath, filePath: oddPath });
  });
});

describe('Import Complete: matching episodes to files by name', () => {
  const season = [1, 2, 3, 4, 5].map((n) => ({ seasonNumber: 2, episodeNumber: n, title: `Ep ${n}` }));

  function codesFor(relativePaths: (string | undefined)[], episodes: unknown = season): (string | undefined)[] {
    const requests = requestsOf({
      eventType: 'Download',
      series: { title: 'Show' },
      episodes,
      episodeFiles: relativePaths.map((relativePath, i) => ({ path: `/tv/Show/file-${i}.mkv`, relativePath })),
    });
    return requests.map((r) => r.title);
  }

  it.each([
    ['Season 02/Show - S02E01 - Ep.mkv', 'Show - S02E01: Ep 1'],
    ['Season 02/show.s02e04.720p.mkv', 'Show - S02E04: Ep 4'],
    ['Season 02/Show - S02E01-E02 - Ep.mkv', 'Show - S02E01-S02E02: Ep 1 / Ep 2'],
    ['Season 02/Show - S02E01-E03 - Ep.mkv', 'Show - S02E01-S02E02-S02E03: Ep 1 / Ep 2 (+1 more)'],
    ['Season 02/Show - S02E01-03 - Ep.mkv', 'Show - S02E01-S02E02-S02E03: Ep 1 / Ep 2 (+1 more)'],
    ['Season 02/Show - S02E02-E03-E04.mkv', 'Show - S02E02-S02E03-S02E04: Ep 2 / Ep 3 (+1 more)'],
    ['Season 02/Show - S02E01E03.mkv', 'Show - S02E01-S02E03: Ep 1 / Ep 3'],
    ['Season 02/Show - S02E04.S02E05.mkv', 'Show - S02E04-S02E05: Ep 4 / Ep 5'],
    ['Season 02/Show - S02E05-720p.mkv', 'Show - S02E05: Ep 5'],
    ['Season 02/Show - S02E05-1080p.mkv', 'Show - S02E05: Ep 5'],
  ])('%s → %s', (relativePath, title) => {
    expect(codesFor([relativePath])).toEqual([title]);
  });

  it('falls back to the path when relativePath is absent', () => {
    const requests = requestsOf({
      eventType: 'Download',
      series: { title: 'Show' },
      episodes: season,
      episodeFiles: [{ path: '/tv/Show/Season 02/Show - S02E03.mkv' }],
    });
    expect(requests[0]?.title).toBe('Show - S02E03: Ep 3');
  });

  it('uses the code from the file name when no listed episode matches', () => {
    expect(codesFor(['Season 07/Show - S07E09.mkv', 'Season 07/Show - S07E10-E12.mkv'])).toEqual([
      'Show - S07E09',
      'Show - S07E10-S07E12',
    ]);
  });

  it('says Unknown when the file name carries no code', () => {
    expect(codesFor(['Season 02/Show - Finale.mkv'])).toEqual(['Show - Unknown']);
  });

  it('copes with a batch whose episodes list is null', () => {
    expect(codesFor(['Season 02/Show - S02E01.mkv'], null)).toEqual(['Show - S02E01']);
  });

  it('sets isUpgrade false on every batch request', () => {
    const requests = requestsOf({
      eventType: 'Download',
      isUpgrade: true,
      episodeFiles: [{ path: '/tv/Show/S01E01.mkv' }],
    });
    expect(requests[0]?.isUpgrade).toBe(false);
  });
});

const SCHITT = "/tv/Schitt's Creek (2015)";
const CUP = 'Our Cup Runneth Over';
const BEAR_FILE =
  '/tv/The Bear (2022)/Season 03/The Bear (2022) - S03E01 - Tomorrow [WEBDL-1080p][EAC3 5.1][h264]-NTb.mkv';

describe('parseSonarrWebhook: renames and deletes on the real fixtures', () => {
  it.each([
    [
      'sonarr-rename.json',
      {
        containerPath: SCHITT,
        filePath: `${SCHITT}/Season 1/Schitts.Creek.S01E01.720p.WEB-DL.AAC2.0.H.264.mkv`,
        title: "Schitt's Creek",
        details: { title: "Schitt's Creek" },
        mirror: {
          kind: 'rename',
          event: 'Rename',
          folder: SCHITT,
          renames: [
            {
              from: `${SCHITT}/Season 1/Schitts.Creek.S01E01.720p.WEB-DL.AAC2.0.H.264.mkv`,
              to: `${SCHITT}/Season 01/Schitt's Creek (2015) - S01E01 - ${CUP} [WEBDL-720p][AAC 2.0][h264].mkv`,
            },
            {
              from: `${SCHITT}/Season 1/Schitts.Creek.S01E02.720p.WEB-DL.AAC2.0.H.264.mkv`,
              to: `${SCHITT}/Season 01/Schitt's Creek (2015) - S01E02 - The Drip [WEBDL-720p][AAC 2.0][h264].mkv`,
            },
          ],
        },
      },
    ],
    [
      'sonarr-episodefiledelete.json',
      {
        containerPath: '/tv/The Bear (2022)',
        filePath: BEAR_FILE,
        title: 'The Bear - S03E01: Tomorrow',
        details: {
          title: 'The Bear',
          episodeCode: 'S03E01',
          episodeTitle: 'Tomorrow',
          quality: 'WEBDL-1080p',
          sizeBytes: 1873412096,
        },
        mirror: {
          kind: 'delete',
          event: 'EpisodeFileDelete',
          folder: '/tv/The Bear (2022)',
          scope: 'files',
          files: [BEAR_FILE],
        },
      },
    ],
    [
      'sonarr-seriesdelete.json',
      {
        containerPath: '/tv/Fleabag (2016)',
        filePath: '/tv/Fleabag (2016)',
        title: 'Fleabag',
        details: { title: 'Fleabag' },
        mirror: { kind: 'delete', event: 'SeriesDelete', folder: '/tv/Fleabag (2016)', scope: 'folder' },
      },
    ],
  ])('%s is a request of its kind', (name, request) => {
    expect(parseSonarrWebhook(fixture(name))).toEqual({
      kind: 'sync',
      requests: [{ source: 'sonarr', mediaType: 'episode', isUpgrade: false, waitForStableSize: false, ...request }],
    });
  });

  it("an EpisodeFileDelete for an upgrade is left to the upgrade's Download", () => {
    const body = { ...fixture('sonarr-episodefiledelete.json'), deleteReason: 'upgrade' };
    expect(parseSonarrWebhook(body)).toEqual({
      kind: 'ignored',
      reason: "EpisodeFileDelete for an upgrade: the upgrade's Download mirrors it",
    });
  });

  it.each([
    ['false', false],
    ['absent', undefined],
    ['a number', 1],
  ])('a SeriesDelete with deletedFiles %s removes nothing', (_label, deletedFiles) => {
    expect(parseSonarrWebhook({ ...fixture('sonarr-seriesdelete.json'), deletedFiles })).toEqual({
      kind: 'ignored',
      reason: 'SeriesDelete without deletedFiles: the files stay, nothing to mirror',
    });
  });

  it.each([
    ['Rename without the series folder', 'sonarr-rename.json', { series: { title: 'X' } }, 'series.path'],
    [
      'Rename with a file without path',
      'sonarr-rename.json',
      { renamedEpisodeFiles: [{}] },
      'renamedEpisodeFiles.0.path',
    ],
    ['SeriesDelete without the series folder', 'sonarr-seriesdelete.json', { series: null }, 'series'],
    ['EpisodeFileDelete without the file', 'sonarr-episodefiledelete.json', { episodeFile: {} }, 'episodeFile.path'],
    [
      'an upgrade with a replaced file without path',
      'sonarr-download-upgrade.json',
      { deletedFiles: [{ path: 3 }] },
      'deletedFiles.0.path',
    ],
  ])('%s is invalid', (_label, name, change, field) => {
    expect(parseSonarrWebhook({ ...fixture(name), ...change })).toMatchObject({ kind: 'invalid', field });
  });

  it.each(['MovieFileDelete', 'MovieDelete'])("Radarr's %s is not Sonarr's business", (eventType) => {
    expect(parseSonarrWebhook({ eventType, movie: { folderPath: '/movies/X' } })).toEqual({
      kind: 'ignored',
      reason: `Event type ${eventType} not handled`,
    });
  });
});
