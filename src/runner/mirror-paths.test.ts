import { describe, expect, it } from 'vitest';
import { PermanentError } from '../core/errors.js';
import type { Mapping, MirroredFile, MirrorPlan } from '../core/types.js';
import { changedFiles, deepestFirst, locate, mirrorScans, sideFilesOf, sourceOf } from './mirror-paths.js';

const mapping = (container: string, name: string): Mapping => ({
  container,
  source: { path: `/src/${name}` },
  destination: { path: `/dst/${name}` },
  plexPath: `/dst/${name}`,
});
const MAPPINGS = [mapping('/movies', 'movies'), mapping('/movies/4k', 'movies-4k'), mapping('/tv', 'tv')];
const PLAN: MirrorPlan = {
  kind: 'delete',
  event: 'MovieFileDelete',
  folder: '/movies/Film',
  scope: 'files',
  files: [],
};

describe('locate', () => {
  it('translates a file of the plan into its mapping', () => {
    expect(locate('/movies/Film/a [x].mkv', PLAN, { mapping: '/movies' }, MAPPINGS)).toEqual({
      source: '/src/movies/Film/a [x].mkv',
      dest: '/dst/movies/Film/a [x].mkv',
    });
  });

  it.each([
    ['a file outside the folder', '/movies/Other/a.mkv', /not inside \/movies\/Film of mapping \/movies/],
    ['a file that another mapping now holds', '/movies/4k/Film/a.mkv', /not inside/],
    ['a path that climbs out', '/movies/Film/../../etc/passwd', /contains a "\." or "\.\." segment/],
    ['a file no mapping holds', '/music/a.mp3', /No path mapping/],
  ])('refuses %s for good', (_label, path, why) => {
    const plan = { ...PLAN, folder: path.startsWith('/movies/4k') ? '/movies' : '/movies/Film' };
    expect(() => locate(path, plan, { mapping: '/movies' }, MAPPINGS)).toThrow(PermanentError);
    expect(() => locate(path, plan, { mapping: '/movies' }, MAPPINGS)).toThrow(why);
  });
});

describe('sourceOf', () => {
  it('is the same path below the source root', () => {
    expect(sourceOf('/dst/movies/Film/a.mkv', mapping('/movies', 'movies'))).toBe('/src/movies/Film/a.mkv');
  });
});

describe('sideFilesOf', () => {
  const folder = [
    '/d/F/Film [WEBDL].mkv',
    '/d/F/Film [WEBDL].nfo',
    '/d/F/Film [WEBDL].en.srt',
    '/d/F/Film [WEBDL].en.forced.SRT',
    '/d/F/Film [WEBDL].de.ass',
    '/d/F/Film [WEBDL]-thumb.jpg',
    '/d/F/Film [WEBDL] 2.srt',
    '/d/F/Film [Bluray].en.srt',
    '/d/F/Film [WEBDL].mkv.part',
    '/d/F/Sub/Film [WEBDL].en.srt',
    '/d/F/movie.nfo',
  ];
  it('are the subtitles and .nfo named after the video, beside it', () => {
    expect(sideFilesOf('/d/F/Film [WEBDL].mkv', folder)).toEqual([
      '/d/F/Film [WEBDL].nfo',
      '/d/F/Film [WEBDL].en.srt',
      '/d/F/Film [WEBDL].en.forced.SRT',
      '/d/F/Film [WEBDL].de.ass',
    ]);
  });
  it('a name without extension has its own', () => {
    expect(sideFilesOf('/d/F/README', ['/d/F/README.nfo', '/d/F/README'])).toEqual(['/d/F/README.nfo']);
  });
});

describe('deepestFirst', () => {
  it('orders folders so that a clean-up empties the inner ones first', () => {
    expect(deepestFirst(['/a', '/a/b/c', '/a/b', '/a/b/c', '/z/y'])).toEqual(['/a/b/c', '/a/b', '/z/y', '/a']);
  });
});

describe('mirrorScans', () => {
  const files = (...f: MirroredFile[]) => f;
  it('none when nothing changed at the destination', () => {
    const kept = files({ path: '/d/a.mkv', action: 'kept', reason: 'x' }, { path: '/d/b.mkv', action: 'absent' });
    expect(mirrorScans({ mapping: '/movies', mediaType: 'movie' }, '/d', kept)).toEqual([]);
    expect(changedFiles(kept)).toEqual([]);
  });

  it('a movie: its folder, deleted, or modified by a rename', () => {
    expect(
      mirrorScans(
        { mapping: '/movies', mediaType: 'movie' },
        '/d/F',
        files({ path: '/d/F/a.mkv', action: 'trashed', to: '/t' }),
      ),
    ).toEqual([{ mapping: '/movies', path: '/d/F', mediaType: 'movie', change: 'deleted' }]);
    expect(
      mirrorScans(
        { mapping: '/movies', mediaType: 'movie' },
        '/d/F',
        files({ path: '/d/F/a', action: 'renamed', to: '/d/F/b' }),
      ),
    ).toEqual([{ mapping: '/movies', path: '/d/F', mediaType: 'movie', change: 'modified' }]);
  });

  it('episodes: a scan per season folder; a rename across seasons modifies the new one, deletes from the old', () => {
    const scans = mirrorScans(
      { mapping: '/tv', mediaType: 'episode' },
      '/d/S',
      files(
        { path: '/d/S/Season 1/e1.mkv', action: 'renamed', to: '/d/S/Season 01/E1.mkv' },
        { path: '/d/S/Season 1/e2.mkv', action: 'renamed', to: '/d/S/Season 01/E2.mkv' },
        { path: '/d/S/Season 02/e1.mkv', action: 'deleted' },
        { path: '/d/S/Season 02/e2.mkv', action: 'deleted' },
      ),
    );
    expect(scans).toEqual([
      { mapping: '/tv', path: '/d/S/Season 01/E1.mkv', mediaType: 'episode', change: 'modified' },
      { mapping: '/tv', path: '/d/S/Season 1/e1.mkv', mediaType: 'episode', change: 'deleted' },
      { mapping: '/tv', path: '/d/S/Season 02/e1.mkv', mediaType: 'episode', change: 'deleted' },
    ]);
  });
});
