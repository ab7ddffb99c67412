import { describe, expect, it } from 'vitest';
import { parseManualRequest } from './manual.js';

describe('parseManualRequest', () => {
  it('syncs a movie folder and waits for it to stop growing', () => {
    expect(parseManualRequest({ path: '/movies/Movie Name (2024)', type: 'movie' })).toEqual({
      kind: 'sync',
      requests: [
        {
          source: 'manual',
          mediaType: 'movie',
          containerPath: '/movies/Movie Name (2024)',
          filePath: '/movies/Movie Name (2024)',
          title: 'Movie Name (2024)',
          details: { title: 'Movie Name (2024)' },
          isUpgrade: false,
          waitForStableSize: true,
        },
      ],
    });
  });

  it.each([
    ['movie', 'movie'],
    ['tv', 'episode'],
    [undefined, 'movie'],
  ])('type %s gives mediaType %s', (type, mediaType) => {
    expect(parseManualRequest({ path: '/tv/Show/Season 01', type })).toMatchObject({
      kind: 'sync',
      requests: [{ mediaType }],
    });
  });

  it.each([
    ['/movies/Film/', '/movies/Film', 'Film'],
    ['/movies/Film///', '/movies/Film', 'Film'],
    ['/', '/', '/'],
    ['///', '/', '/'],
    ["/tv/Schitt's Creek [x] {y} -z/Ep 1.mkv", "/tv/Schitt's Creek [x] {y} -z/Ep 1.mkv", 'Ep 1.mkv'],
    ['/tv/Shōgun (2024)', '/tv/Shōgun (2024)', 'Shōgun (2024)'],
  ])('path %j becomes %j titled %j', (path, containerPath, title) => {
    expect(parseManualRequest({ path })).toMatchObject({
      kind: 'sync',
      requests: [{ containerPath, filePath: containerPath, title, details: { title } }],
    });
  });

  it('keeps control characters in the path but not in the title', () => {
    expect(parseManualRequest({ path: '/movies/Bad\nName' })).toMatchObject({
      requests: [{ containerPath: '/movies/Bad\nName', title: 'BadName' }],
    });
  });

  it.each([
    ['a string', '/movies/Film'],
    ['null', null],
    ['an array', ['/movies/Film']],
  ])('%s body is not a JSON object', (_label, body) => {
    expect(parseManualRequest(body)).toEqual({ kind: 'invalid', problem: 'body must be a JSON object' });
  });

  it.each([
    ['missing path', {}, 'path', 'path is missing'],
    ['empty path', { path: '' }, 'path', 'path must be a non-empty string'],
    ['numeric path', { path: 7 }, 'path', 'path must be a string'],
    ['null path', { path: null }, 'path', 'path must be a string'],
    ['unknown type', { path: '/movies/Film', type: 'episode' }, 'type', 'type must be one of "movie", "tv"'],
    ['numeric type', { path: '/movies/Film', type: 1 }, 'type', 'type must be one of "movie", "tv"'],
  ])('%s is invalid', (_label, body, field, problem) => {
    expect(parseManualRequest(body)).toEqual({ kind: 'invalid', field, problem });
  });

  it('ignores unknown keys', () => {
    expect(parseManualRequest({ path: '/movies/Film', force: true }).kind).toBe('sync');
  });
});
