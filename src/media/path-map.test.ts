import { describe, expect, it } from 'vitest';
import { mapPath, scanFolder } from './path-map.js';

describe('scanFolder', () => {
  it.each([
    ['movie', '/mnt/unraid/media/Movies/Film (2024)', '/mnt/unraid/media/Movies/Film (2024)'],
    ['movie', '/mnt/unraid/media/Movies/Film (2024)/', '/mnt/unraid/media/Movies/Film (2024)'],
    [
      'episode',
      '/mnt/unraid/media/TV Shows/Show/Season 01/Show - S01E01.mkv',
      '/mnt/unraid/media/TV Shows/Show/Season 01',
    ],
    ['episode', '/mnt/unraid/media/TV Shows/loose.mkv', '/mnt/unraid/media/TV Shows'],
    ['episode', '/loose.mkv', '/'],
  ] as const)('a %s at %s scans %s', (mediaType, path, folder) => {
    expect(scanFolder({ mediaType, path })).toBe(folder);
  });
});

describe('mapPath', () => {
  const entries = [
    { from: '/mnt/unraid/media', to: '/data' },
    { from: '/mnt/unraid/media/Movies', to: '/movies' },
    { from: '/mnt/unraid/media/TV Shows/', to: '/tv/' },
  ];

  it.each([
    ['/mnt/unraid/media/Movies/Film (2024)', '/movies/Film (2024)'],
    ['/mnt/unraid/media/TV Shows/Show/Season 01', '/tv/Show/Season 01'],
    ['/mnt/unraid/media/4K Movies/Film', '/data/4K Movies/Film'],
    ['/mnt/unraid/media/Movies', '/movies'],
    // A look-alike folder is no match, and only the prefix is replaced.
    ['/mnt/unraid/media/MoviesX/Film', '/data/MoviesX/Film'],
    ['/mnt/unraid/media/Movies/mnt/unraid/media/Movies', '/movies/mnt/unraid/media/Movies'],
    ['/elsewhere/Film', '/elsewhere/Film'],
  ])('the longest matching from wins: %s → %s', (path, mapped) => {
    expect(mapPath(path, entries)).toBe(mapped);
  });

  it('keeps the path without entries, and lets the first of two equal froms win', () => {
    expect(mapPath('/dst/Film', [])).toBe('/dst/Film');
    expect(
      mapPath('/dst/Film', [
        { from: '/dst', to: '/first' },
        { from: '/dst/', to: '/second' },
      ]),
    ).toBe('/first/Film');
  });

  it('maps to and from the root', () => {
    expect(mapPath('/dst/Film', [{ from: '/dst', to: '/' }])).toBe('/Film');
    expect(mapPath('/dst', [{ from: '/dst', to: '/' }])).toBe('/');
    expect(mapPath('/dst/Film', [{ from: '/', to: '/share' }])).toBe('/share/dst/Film');
  });

  it('writes the rest with backslashes for a Windows folder', () => {
    const windows = [{ from: '/mnt/unraid/media/TV Shows', to: 'M:\\Media\\TV Shows\\' }];
    expect(mapPath('/mnt/unraid/media/TV Shows/Show/Season 01', windows)).toBe('M:\\Media\\TV Shows\\Show\\Season 01');
    expect(mapPath('/mnt/unraid/media/TV Shows', windows)).toBe('M:\\Media\\TV Shows');
  });

  it('keeps special characters as they are', () => {
    const folder = '/dst/Tom & Jerry #1 ?+ 100% ü 😀/Season 01';
    expect(mapPath(folder, [{ from: '/dst', to: '/data' }])).toBe('/data/Tom & Jerry #1 ?+ 100% ü 😀/Season 01');
  });
});
