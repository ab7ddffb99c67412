import { describe, expect, it } from 'vitest';
import type { Mapping } from '../core/types.js';
import { checkContainerPath, translatePath } from './translate.js';

function mapping(container: string, source: string, destination: string, plexPath = destination): Mapping {
  return { container, source: { path: source }, destination: { path: destination }, plexPath };
}

const MOVIES = mapping('/movies', '/mnt/synology/rs-movies', '/mnt/unraid/media/Movies', '/mnt/media/Movies');
const MOVIES_4K = mapping('/movies-4k', '/mnt/synology/rs-4kmedia/4kmovies', '/mnt/unraid/media/4K Movies');
const TV = mapping('/tv', '/mnt/synology/rs-tv', '/mnt/unraid/media/TV Shows', '/mnt/media/TV Shows');
const MAPPINGS = [MOVIES, MOVIES_4K, TV];

describe('checkContainerPath', () => {
  it.each([
    '/movies/Film (2024)',
    '/movies/Film (2024)/',
    "/tv/Schitt's Creek (2015)/Season 01/Ep.mkv",
    '/movies/-rf/x',
    '/movies/a.b/..c/...',
    '/movies/.sync-webhook-partial-not/x',
    '/movies/.sync-webhook-trash-not/x',
    '/x',
  ])('accepts %j', (path) => {
    expect(checkContainerPath(path)).toBeNull();
  });

  it.each([
    ['', 'not absolute'],
    ['movies/Film', 'not absolute'],
    ['C:\\testpath', 'not absolute'],
    ['/', 'names the filesystem root'],
    ['/movies//Film', 'contains "//"'],
    ['/movies/Film//', 'contains "//"'],
    ['/movies/../etc', 'contains a "." or ".." segment'],
    ['/movies/Film/..', 'contains a "." or ".." segment'],
    ['/movies/./Film', 'contains a "." or ".." segment'],
    ['/movies/Film/.', 'contains a "." or ".." segment'],
    ['/tv/Show/Season 01/.sync-webhook-partial/Ep.mkv', 'lies in a partial folder (.sync-webhook-partial)'],
    ['/movies/Film/.sync-webhook-partial', 'lies in a partial folder (.sync-webhook-partial)'],
    ['/movies/.sync-webhook-trash/2026-01-02/Film/Film.mkv', 'lies in the trash folder (.sync-webhook-trash)'],
    ['/movies/.sync-webhook-trash', 'lies in the trash folder (.sync-webhook-trash)'],
    ['/movies/Film\u0000.mkv', 'contains control character U+0000'],
    ['/movies/Film\n.mkv', 'contains control character U+000A'],
    ['/movies/Film\r.mkv', 'contains control character U+000D'],
    ['/movies/Film\t.mkv', 'contains control character U+0009'],
    ['/movies/Film\u001b[31m.mkv', 'contains control character U+001B'],
    [`/movies/${'a'.repeat(4097)}`, 'longer than 4096 bytes'],
    // 2,049 two-byte characters: few enough characters, too many bytes.
    [`/movies/${'é'.repeat(2049)}`, 'longer than 4096 bytes'],
  ])('rejects %j: %s', (path, reason) => {
    const problem = checkContainerPath(path);
    expect(problem).toContain(reason);
    expect(problem).toContain(JSON.stringify(path.slice(0, 20)).slice(0, -1));
  });

  it('shows control characters escaped in the problem text', () => {
    expect(checkContainerPath('/movies/a\nb')).toBe('Unsafe path "/movies/a\\nb": contains control character U+000A');
  });

  it('rejects a value that is not a string at all', () => {
    expect(checkContainerPath(42 as unknown as string)).toContain('expected a string, got number');
  });

  it('does not repeat a huge path in full', () => {
    expect(checkContainerPath(`/${'x'.repeat(10_000)}`)!.length).toBeLessThan(400);
  });
});

describe('translatePath', () => {
  it('translates a movie folder', () => {
    expect(translatePath('/movies/Dune - Part Two (2024) {tmdb-693134}', MAPPINGS)).toEqual({
      kind: 'ok',
      mapping: MOVIES,
      relative: 'Dune - Part Two (2024) {tmdb-693134}',
      sourcePath: '/mnt/synology/rs-movies/Dune - Part Two (2024) {tmdb-693134}',
      destDir: '/mnt/unraid/media/Movies',
      destPath: '/mnt/unraid/media/Movies/Dune - Part Two (2024) {tmdb-693134}',
    });
  });

  it('translates an episode file into its season folder', () => {
    expect(translatePath('/tv/The Bear (2022)/Season 03/The Bear - S03E01.mkv', MAPPINGS)).toEqual({
      kind: 'ok',
      mapping: TV,
      relative: 'The Bear (2022)/Season 03/The Bear - S03E01.mkv',
      sourcePath: '/mnt/synology/rs-tv/The Bear (2022)/Season 03/The Bear - S03E01.mkv',
      destDir: '/mnt/unraid/media/TV Shows/The Bear (2022)/Season 03',
      destPath: '/mnt/unraid/media/TV Shows/The Bear (2022)/Season 03/The Bear - S03E01.mkv',
    });
  });

  it('ignores one trailing slash', () => {
    expect(translatePath('/movies/Film/', MAPPINGS)).toMatchObject({
      kind: 'ok',
      relative: 'Film',
      destPath: '/mnt/unraid/media/Movies/Film',
    });
  });

  it.each([
    ['/movies-4k/Film', MOVIES_4K, 'Film'],
    ['/movies/Film', MOVIES, 'Film'],
    ['/movies/movies-4k/Film', MOVIES, 'movies-4k/Film'],
  ])('%j uses the longest matching container', (path, expected, relative) => {
    // Order must not matter: shortest first and longest first give the same answer.
    for (const mappings of [MAPPINGS, [...MAPPINGS].reverse()]) {
      expect(translatePath(path, mappings)).toMatchObject({ kind: 'ok', mapping: expected, relative });
    }
  });

  it.each(['/moviesX/a', '/movies-8k/a', '/tvshows/a', '/downloads/complete/x.mkv', '/mnt/synology/rs-movies/a'])(
    '%j is not under any mapping',
    (path) => {
      expect(translatePath(path, MAPPINGS)).toEqual({
        kind: 'unmapped',
        problem: `No path mapping for: ${path} (mappings: /movies, /movies-4k, /tv)`,
      });
    },
  );

  it('says so when no mappings are configured', () => {
    expect(translatePath('/movies/a', [])).toEqual({
      kind: 'unmapped',
      problem: 'No path mapping for: /movies/a (mappings: none configured)',
    });
  });

  it.each(['/movies', '/movies/', '/movies-4k', '/tv'])('refuses %j, a whole library', (path) => {
    const result = translatePath(path, MAPPINGS);
    expect(result.kind).toBe('unsafe');
    expect(result.kind === 'unsafe' && result.problem).toContain('names the mapping root');
  });

  it('checks safety before looking for a mapping', () => {
    expect(translatePath('/nowhere/../movies/x', MAPPINGS)).toMatchObject({ kind: 'unsafe' });
    expect(translatePath('/movies/../../etc/passwd', MAPPINGS)).toMatchObject({ kind: 'unsafe' });
    expect(translatePath('/movies/a\nb', MAPPINGS)).toMatchObject({ kind: 'unsafe' });
  });

  it('maps everything through a root container', () => {
    const everything = mapping('/', '/srv/src', '/srv/dst');
    expect(translatePath('/movies/Film', [everything])).toEqual({
      kind: 'ok',
      mapping: everything,
      relative: 'movies/Film',
      sourcePath: '/srv/src/movies/Film',
      destDir: '/srv/dst/movies',
      destPath: '/srv/dst/movies/Film',
    });
    // A more specific mapping still wins over the root one.
    expect(translatePath('/movies/Film', [everything, MOVIES])).toMatchObject({ mapping: MOVIES });
  });

  it('works with share roots that are / themselves', () => {
    const bare = mapping('/media', '/', '/');
    expect(translatePath('/media/Film/f.mkv', [bare])).toMatchObject({
      kind: 'ok',
      sourcePath: '/Film/f.mkv',
      destDir: '/Film',
      destPath: '/Film/f.mkv',
    });
  });

  it('refuses a translation that lands outside its roots', () => {
    // Only a bad configuration can do this; the check still must not let it through.
    const sneaky = mapping('/movies', '/mnt/src/../other', '/mnt/dst');
    expect(translatePath('/movies/Film', [sneaky])).toMatchObject({ kind: 'unsafe' });
  });

  it.each([
    ['spaces', '/movies/The Film  Two (2024)/The Film  Two.mkv'],
    ['double quotes', '/movies/The "Quoted" Film/f.mkv'],
    ['apostrophes', "/tv/Schitt's Creek (2015)/Season 01/Schitt's Creek - S01E01.mkv"],
    ['brackets and braces', '/movies/Film (2024) {tmdb-1} [imdb-tt2]/Film [Bluray-1080p][DTS 5.1]-GRP.mkv'],
    ['shell characters', '/movies/Fast & Furious; $HOME `x` * ? |/f.mkv'],
    ['a leading dash', '/movies/-rf --delete/--exclude=x.mkv'],
    ['NFC unicode', '/tv/Sh\u014dgun (2024)/Season 01/Sh\u014dgun - S01E01.mkv'],
    ['NFD unicode', '/tv/Sho\u0304gun (2024)/Season 01/Sho\u0304gun - S01E01.mkv'],
    ['emoji and CJK', '/movies/千と千尋の神隠し 🐉 (2001)/f.mkv'],
    ['dots inside names', '/movies/...And Justice for All. (1979)/f..mkv'],
  ])('keeps %s byte for byte', (_label, path) => {
    const result = translatePath(path, MAPPINGS);
    if (result.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
    const relative = path.slice(path.indexOf('/', 1) + 1);
    expect(result.relative).toBe(relative);
    expect(result.sourcePath).toBe(`${result.mapping.source.path}/${relative}`);
    expect(result.destPath).toBe(`${result.mapping.destination.path}/${relative}`);
    expect(result.destDir).toBe(result.destPath.slice(0, result.destPath.lastIndexOf('/')));
    expect(Buffer.from(result.destPath)).toEqual(Buffer.from(`${result.mapping.destination.path}/${relative}`));
  });

  it('does not normalise NFD to NFC', () => {
    const nfd = '/tv/Sho\u0304gun/f.mkv';
    const result = translatePath(nfd, MAPPINGS);
    expect(result.kind === 'ok' && result.sourcePath).toBe('/mnt/synology/rs-tv/Sho\u0304gun/f.mkv');
    expect(result.kind === 'ok' && result.sourcePath).not.toBe('/mnt/synology/rs-tv/Sh\u014dgun/f.mkv');
  });
});
