import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRadarrWebhook } from './radarr.js';

function fixture(name: string): Record<string, unknown> {
  const url = new URL(`../../test/fixtures/arr/examples/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
}

const DUNE_FOLDER = '/movies/Dune - Part Two (2024) {tmdb-693134}';

describe('parseRadarrWebhook on the real fixtures', () => {
  it.each([
    ['radarr-applicationupdate.json', 'ApplicationUpdate'],
    ['radarr-grab.json', 'Grab'],
    ['radarr-health.json', 'Health'],
    ['radarr-healthrestored.json', 'HealthRestored'],
    ['radarr-manualinteractionrequired.json', 'ManualInteractionRequired'],
    ['radarr-movieadded.json', 'MovieAdded'],
  ])('%s is ignored', (name, eventType) => {
    expect(parseRadarrWebhook(fixture(name))).toEqual({
      kind: 'ignored',
      reason: `Event type ${eventType} not handled`,
    });
  });

  it('Test answers test without reading its C:\\testpath', () => {
    expect(parseRadarrWebhook(fixture('radarr-test.json'))).toEqual({ kind: 'test' });
  });

  it('Download syncs the movie folder', () => {
    expect(parseRadarrWebhook(fixture('radarr-download.json'))).toEqual({
      kind: 'sync',
      requests: [
        {
          source: 'radarr',
          mediaType: 'movie',
          containerPath: DUNE_FOLDER,
          filePath: `${DUNE_FOLDER}/Dune - Part Two (2024) {tmdb-693134} [WEBDL-1080p][EAC3 Atmos 5.1][h264]-NTb.mkv`,
          title: 'Dune: Part Two (2024)',
          details: { title: 'Dune: Part Two', year: 2024, quality: 'WEBDL-1080p', sizeBytes: 10741823412 },
          isUpgrade: false,
          waitForStableSize: false,
        },
      ],
    });
  });

  it('an upgrade Download is flagged as an upgrade and names the file it replaced', () => {
    const result = parseRadarrWebhook(fixture('radarr-download-upgrade.json'));
    expect(result).toMatchObject({
      kind: 'sync',
      requests: [
        {
          containerPath: DUNE_FOLDER,
          filePath: DUNE_BLURAY,
          details: { quality: 'Bluray-1080p', sizeBytes: 24896129024 },
          isUpgrade: true,
          mirror: {
            kind: 'upgrade',
            event: 'Download',
            folder: DUNE_FOLDER,
            newFile: DUNE_BLURAY,
            // The old path, never its recycleBinPath.
            replaced: [DUNE_WEBDL],
          },
        },
      ],
    });
  });
});

const DUNE_BLURAY = `${DUNE_FOLDER}/Dune - Part Two (2024) {tmdb-693134} [Bluray-1080p][DTS-HD MA 7.1][x264]-HiFi.mkv`;
const DUNE_WEBDL = `${DUNE_FOLDER}/Dune - Part Two (2024) {tmdb-693134} [WEBDL-1080p][EAC3 Atmos 5.1][h264]-NTb.mkv`;
const PADDINGTON = '/movies/Paddington 2 (2017) {tmdb-346648}';

describe('parseRadarrWebhook: renames and deletes on the real fixtures', () => {
  it.each([
    [
      'radarr-rename.json',
      {
        containerPath: PADDINGTON,
        filePath: `${PADDINGTON}/Paddington.2.2017.1080p.BluRay.x264.AC3.mkv`,
        title: 'Paddington 2 (2017)',
        details: { title: 'Paddington 2', year: 2017 },
        mirror: {
          kind: 'rename',
          event: 'Rename',
          folder: PADDINGTON,
          renames: [
            {
              from: `${PADDINGTON}/Paddington.2.2017.1080p.BluRay.x264.AC3.mkv`,
              to: `${PADDINGTON}/Paddington 2 (2017) {tmdb-346648} [Bluray-1080p][AC3 5.1][x264].mkv`,
            },
          ],
        },
      },
    ],
    [
      'radarr-moviefiledelete.json',
      {
        containerPath: DUNE_FOLDER,
        filePath: DUNE_BLURAY,
        title: 'Dune: Part Two (2024)',
        details: { title: 'Dune: Part Two', year: 2024, quality: 'Bluray-1080p' },
        mirror: { kind: 'delete', event: 'MovieFileDelete', folder: DUNE_FOLDER, scope: 'files', files: [DUNE_BLURAY] },
      },
    ],
    [
      'radarr-moviedelete.json',
      {
        containerPath: PADDINGTON,
        filePath: PADDINGTON,
        title: 'Paddington 2 (2017)',
        details: { title: 'Paddington 2', year: 2017 },
        mirror: { kind: 'delete', event: 'MovieDelete', folder: PADDINGTON, scope: 'folder' },
      },
    ],
  ])('%s is a request of its kind', (name, request) => {
    expect(parseRadarrWebhook(fixture(name))).toEqual({
      kind: 'sync',
      requests: [{ source: 'radarr', mediaType: 'movie', isUpgrade: false, waitForStableSize: false, ...request }],
    });
  });

  it("a MovieFileDelete for an upgrade is left to the upgrade's Download", () => {
    expect(parseRadarrWebhook(fixture('radarr-moviefiledelete-upgrade.json'))).toEqual({
      kind: 'ignored',
      reason: "MovieFileDelete for an upgrade: the upgrade's Download mirrors it",
    });
  });

  it.each([
    ['false', false],
    ['absent', undefined],
    ['not a boolean', 'true'],
  ])('a MovieDelete with deletedFiles %s removes nothing', (_label, deletedFiles) => {
    const body = { ...fixture('radarr-moviedelete.json'), deletedFiles };
    expect(parseRadarrWebhook(body)).toEqual({
      kind: 'ignored',
      reason: 'MovieDelete without deletedFiles: the files stay, nothing to mirror',
    });
  });

  it('a rename entry without its previous path is kept, to be reported by the job', () => {
    const body = fixture('radarr-rename.json');
    body.renamedMovieFiles = [{ path: `${PADDINGTON}/New.mkv` }];
    expect(parseRadarrWebhook(body)).toMatchObject({
      requests: [
        { filePath: `${PADDINGTON}/New.mkv`, mirror: { renames: [{ from: null, to: `${PADDINGTON}/New.mkv` }] } },
      ],
    });
  });

  it('a rename without files is ignored', () => {
    expect(parseRadarrWebhook({ ...fixture('radarr-rename.json'), renamedMovieFiles: [] })).toEqual({
      kind: 'ignored',
      reason: 'Rename without renamedMovieFiles: nothing to mirror',
    });
  });

  it('the legacy Upgrade event is an upgrade with no replaced file named', () => {
    expect(parseRadarrWebhook({ eventType: 'Upgrade', movie: { folderPath: '/m/F' } })).toMatchObject({
      requests: [{ mirror: { kind: 'upgrade', folder: '/m/F', newFile: '/m/F', replaced: [] } }],
    });
  });

  it.each([
    ['Rename without the movie folder', 'radarr-rename.json', { movie: { title: 'X' } }, 'movie.folderPath'],
    ['Rename with a file without path', 'radarr-rename.json', { renamedMovieFiles: [{}] }, 'renamedMovieFiles.0.path'],
    ['Rename with files not a list', 'radarr-rename.json', { renamedMovieFiles: 'x' }, 'renamedMovieFiles'],
    ['MovieDelete without the movie folder', 'radarr-moviedelete.json', { movie: {} }, 'movie.folderPath'],
    ['MovieFileDelete without the file', 'radarr-moviefiledelete.json', { movieFile: {} }, 'movieFile.path'],
    [
      'an upgrade with a replaced file without path',
      'radarr-download-upgrade.json',
      { deletedFiles: [{}] },
      'deletedFiles.0.path',
    ],
    [
      'an upgrade with replaced files not a list',
      'radarr-download-upgrade.json',
      { deletedFiles: true },
      'deletedFiles',
    ],
  ])('%s is invalid', (_label, name, change, field) => {
    expect(parseRadarrWebhook({ ...fixture(name), ...change })).toMatchObject({ kind: 'invalid', field });
  });

  it.each(['EpisodeFileDelete', 'SeriesDelete'])("Sonarr's %s is not Radarr's business", (eventType) => {
    expect(parseRadarrWebhook({ eventType, series: { path: '/tv/X' } })).toEqual({
      kind: 'ignored',
      reason: `Event type ${eventType} not handled`,
    });
  });
});

describe('parseRadarrWebhook on hand-made bodies', () => {
  const file = '/movies/Film (2020)/Film.mkv';

  it.each([
    ['a string body', 'hello'],
    ['null', null],
    ['an array', [{ eventType: 'Download' }]],
    ['a number', 42],
  ])('%s is not a JSON object', (_label, body) => {
    expect(parseRadarrWebhook(body)).toEqual({ kind: 'invalid', problem: 'body must be a JSON object' });
  });

  it.each([
    ['missing', {}, 'eventType is missing'],
    ['a number', { eventType: 3 }, 'eventType must be a string'],
    ['null', { eventType: null }, 'eventType must be a string'],
  ])('eventType %s is invalid', (_label, body, problem) => {
    expect(parseRadarrWebhook(body)).toEqual({ kind: 'invalid', field: 'eventType', problem });
  });

  it.each(['Grab', 'SeriesAdd', 'download', 'SomethingNew'])('event type %s is ignored', (eventType) => {
    expect(parseRadarrWebhook({ eventType, movie: { folderPath: '/movies/X' } })).toEqual({
      kind: 'ignored',
      reason: `Event type ${eventType} not handled`,
    });
  });

  it('an unknown event type is echoed without control characters', () => {
    expect(parseRadarrWebhook({ eventType: 'Evil\nINFO forged line' })).toEqual({
      kind: 'ignored',
      reason: 'Event type EvilINFO forged line not handled',
    });
  });

  it.each([
    [
      'movie.folderPath a number',
      { movie: { folderPath: 12 } },
      'movie.folderPath',
      'movie.folderPath must be a string',
    ],
    [
      'movie.folderPath empty',
      { movie: { folderPath: '' } },
      'movie.folderPath',
      'movie.folderPath must be a non-empty string',
    ],
    ['movieFile.path a boolean', { movieFile: { path: true } }, 'movieFile.path', 'movieFile.path must be a string'],
    ['movie a string', { movie: '/movies/X' }, 'movie', 'movie must be an object'],
    ['movieFile an array', { movieFile: [file] }, 'movieFile', 'movieFile must be an object'],
    [
      'no path at all',
      { movie: { title: 'Film' }, movieFile: { size: 1 } },
      'movie.folderPath',
      'movie.folderPath is missing and there is no movieFile.path',
    ],
    ['an empty body', {}, 'movie.folderPath', 'movie.folderPath is missing and there is no movieFile.path'],
  ])('Download with %s is invalid', (_label, body, field, problem) => {
    expect(parseRadarrWebhook({ eventType: 'Download', ...body })).toEqual({ kind: 'invalid', field, problem });
  });

  it('falls back to the folder of movieFile.path', () => {
    expect(parseRadarrWebhook({ eventType: 'Download', movieFile: { path: file } })).toEqual({
      kind: 'sync',
      requests: [
        {
          source: 'radarr',
          mediaType: 'movie',
          containerPath: '/movies/Film (2020)',
          filePath: file,
          title: 'Unknown Movie',
          details: { title: 'Unknown Movie' },
          isUpgrade: false,
          waitForStableSize: false,
        },
      ],
    });
  });

  it('uses the folder as the file when there is no movieFile', () => {
    const result = parseRadarrWebhook({ eventType: 'Download', movie: { title: 'Film', folderPath: '/movies/Film' } });
    expect(result).toMatchObject({
      requests: [{ containerPath: '/movies/Film', filePath: '/movies/Film', title: 'Film' }],
    });
  });

  it('treats JSON null like an omitted field', () => {
    const result = parseRadarrWebhook({
      eventType: 'Download',
      movie: { title: null, year: null, folderPath: null },
      movieFile: { path: file, quality: null, size: null },
      isUpgrade: null,
    });
    expect(result).toMatchObject({
      kind: 'sync',
      requests: [{ containerPath: '/movies/Film (2020)', isUpgrade: false }],
    });
  });

  it.each([
    ['a plain string', 'Bluray-1080p'],
    ['the API documentation shape', { quality: { id: 7, name: 'Bluray-1080p' }, revision: { version: 1 } }],
    ['a flat object', { name: 'Bluray-1080p' }],
  ])('reads the quality from %s', (_label, quality) => {
    const result = parseRadarrWebhook({ eventType: 'Download', movieFile: { path: file, quality } });
    expect(result).toMatchObject({ requests: [{ details: { quality: 'Bluray-1080p' } }] });
  });

  it('a malformed display field does not block the sync', () => {
    const result = parseRadarrWebhook({
      eventType: 'Download',
      movie: { title: ['x'], year: 'MMXX', folderPath: '/movies/Film (2020)' },
      movieFile: { path: file, quality: 1080, size: -5 },
      isUpgrade: 'yes',
    });
    expect(result).toEqual({
      kind: 'sync',
      requests: [
        expect.objectContaining({
          title: 'Unknown Movie',
          details: { title: 'Unknown Movie' },
          isUpgrade: false,
        }),
      ],
    });
  });

  it('omits the year when Radarr does not know it', () => {
    const result = parseRadarrWebhook({ eventType: 'Download', movie: { title: 'Film', year: 0, folderPath: '/m/F' } });
    expect(result).toMatchObject({ requests: [{ title: 'Film', details: { title: 'Film' } }] });
  });

  it('treats the legacy Upgrade event as an upgrade Download', () => {
    const result = parseRadarrWebhook({
      eventType: 'Upgrade',
      movie: { title: 'Film', year: 2020, folderPath: '/m/F' },
    });
    expect(result).toMatchObject({ kind: 'sync', requests: [{ isUpgrade: true, title: 'Film (2020)' }] });
  });

  it('strips control characters from titles but not from paths', () => {
    const folderPath = '/movies/Odd\tName';
    const result = parseRadarrWebhook({
      eventType: 'Download',
      movie: { title: 'Evil\r\nTitle\u0000', folderPath },
      movieFile: { path: `${folderPath}/f.mkv`, quality: 'HD\n' },
    });
    expect(result).toMatchObject({
      requests: [{ title: 'EvilTitle', details: { title: 'EvilTitle', quality: 'HD' }, containerPath: folderPath }],
    });
  });

  it('passes paths through untouched', () => {
    const folderPath = "/movies/Amélie's [Le Fabuleux] {x} -weird/";
    const result = parseRadarrWebhook({ eventType: 'Download', movie: { folderPath } });
    expect(result).toMatchObject({ requests: [{ containerPath: folderPath, filePath: folderPath }] });
  });
});
