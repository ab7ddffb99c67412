import { describe, expect, it } from 'vitest';
import { isInside } from './paths.js';

describe('isInside', () => {
  it.each([
    ['/data/movies/A (2024)', '/data/movies', true],
    ['/data/movies/A/a.mkv', '/data/movies', true],
    ['/data/movies', '/data/movies', true],
    ['/data/movies/', '/data/movies', true],
    ['/data/movies', '/data/movies/', true],
    ['/data/movies/A', '/data/movies/', true],
    ['/data/movies/A/', '/data/movies//', true],
    ['/data/movies2', '/data/movies', false],
    ['/data/movies2/A', '/data/movies', false],
    ['/data/movie', '/data/movies', false],
    ['/data', '/data/movies', false],
    ['/other/movies', '/data/movies', false],
    ['/anything/at/all', '/', true],
    ['/', '/', true],
    ['/', '/data', false],
  ])('%s inside %s: %s', (path, root, expected) => {
    expect(isInside(path, root)).toBe(expected);
  });
});
