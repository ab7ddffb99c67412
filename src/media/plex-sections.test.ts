// Plex's GET /library/sections answers, as Plex sends them (XML by default, JSON when asked), read into
// libraries; and the library a folder belongs to.
import { describe, expect, it } from 'vitest';
import { describeLibraries, libraryContaining, type PlexLibrary, readPlexLibraries } from './plex-sections.js';

// As plexopedia.com's "Get Libraries" shows Plex's answer (a Windows server), with a second location, an
// escaped title, a photo library without a location, and a self-closing Directory.
const XML = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<MediaContainer size="4" allowSync="0" identifier="com.plexapp.plugins.library" ' +
    'mediaTagPrefix="/system/bundle/media/flags/" mediaTagVersion="1638961228" title1="Plex Library">',
  '    <Directory allowSync="1" art="/:/resources/movie-fanart.jpg" ' +
    'composite="/library/sections/2/composite/1640879224" filters="1" refreshing="0" ' +
    'thumb="/:/resources/movie.png" key="2" type="movie" title="Movies" agent="com.plexapp.agents.imdb" ' +
    'scanner="Plex Movie Scanner" language="en" uuid="493a64e7-b541-4667-b050-d702beebf2f6" ' +
    'updatedAt="1595491662" createdAt="1419621957" scannedAt="1640879224" content="1" directory="1" ' +
    'contentChangedAt="87188911" hidden="0">',
  '        <Location id="9" path="M:\\Media\\Movies" />',
  '        <Location id="10" path="N:\\More Movies" />',
  '    </Directory>',
  '    <Directory allowSync="1" art="/:/resources/show-fanart.jpg" key="4" type="show" ' +
    'title="TV &amp; &quot;Shows&quot; &#x1F4FA;" agent="com.plexapp.agents.thetvdb" ' +
    'scanner="Plex Series Scanner" language="en" hidden="0">',
  '        <Location id="11" path="M:\\Media\\TV Shows" />',
  '    </Directory>',
  '    <Directory key="6" type="photo" title="Photos"></Directory>',
  '    <Directory key="7" type="artist" title="Music &gt; All" />',
  '</MediaContainer>',
].join('\n');

// As Plex answers with Accept: application/json (a Linux server).
const JSON_ANSWER = JSON.stringify({
  MediaContainer: {
    size: 2,
    allowSync: false,
    title1: 'Plex Library',
    Directory: [
      {
        Location: [{ id: 1, path: '/storage/media/movies' }],
        agent: 'tv.plex.agents.movie',
        allowSync: true,
        composite: '/library/sections/2/composite/1693688538',
        key: '1',
        language: 'en-US',
        scanner: 'Plex Movie',
        title: 'Movies',
        type: 'movie',
        uuid: 'AC000000-0000-0000-0000-000000000001',
      },
      { Location: [{ id: 2, path: '/storage/media/tv' }], key: 2, title: 'TV Shows', type: 'show' },
      { key: '3', title: 'Empty', type: 'show' },
    ],
  },
});

describe('readPlexLibraries', () => {
  it('reads the XML answer: keys, titles, types and every location, entities decoded', () => {
    expect(readPlexLibraries(XML)).toEqual([
      { key: '2', title: 'Movies', type: 'movie', locations: ['M:\\Media\\Movies', 'N:\\More Movies'] },
      { key: '4', title: 'TV & "Shows" 📺', type: 'show', locations: ['M:\\Media\\TV Shows'] },
      { key: '6', title: 'Photos', type: 'photo', locations: [] },
      { key: '7', title: 'Music > All', type: 'artist', locations: [] },
    ]);
  });

  it('reads the JSON answer, a numeric key as text', () => {
    expect(readPlexLibraries(`\n ${JSON_ANSWER}`)).toEqual([
      { key: '1', title: 'Movies', type: 'movie', locations: ['/storage/media/movies'] },
      { key: '2', title: 'TV Shows', type: 'show', locations: ['/storage/media/tv'] },
      { key: '3', title: 'Empty', type: 'show', locations: [] },
    ]);
  });

  it('reads a server without libraries', () => {
    expect(readPlexLibraries('<MediaContainer size="0" title1="Plex Library"></MediaContainer>')).toEqual([]);
    expect(readPlexLibraries('{"MediaContainer": {"size": 0}}')).toEqual([]);
  });

  it('keeps ">" inside a quoted XML value and single quotes', () => {
    const xml =
      `<MediaContainer><Directory key='5' title="a > b" type="movie">` +
      `<Location path='/x/y' /></Directory></MediaContainer>`;
    expect(readPlexLibraries(xml)).toEqual([{ key: '5', title: 'a > b', type: 'movie', locations: ['/x/y'] }]);
  });

  it.each([
    ['an empty body', ''],
    ['a login page', '<html><head><title>Sign in</title></head><body>Plex</body></html>'],
    ['plain text', 'Unauthorized'],
    ['broken JSON', '{"MediaContainer": '],
    ['JSON of another shape', '{"Items": []}'],
    ['a JSON Directory without a key', '{"MediaContainer": {"Directory": [{"title": "Movies"}]}}'],
    ['an XML Directory without a key', '<MediaContainer><Directory title="Movies"/></MediaContainer>'],
  ])('finds no libraries in %s', (_what, text) => {
    expect(readPlexLibraries(text)).toBeUndefined();
  });
});

describe('libraryContaining', () => {
  const libraries: PlexLibrary[] = [
    { key: '1', title: 'Media', type: 'movie', locations: ['/data'] },
    { key: '2', title: 'Movies', type: 'movie', locations: ['/data/Movies/', '/extra/Movies'] },
    { key: '3', title: 'TV', type: 'show', locations: ['M:\\Media\\TV Shows'] },
  ];

  it.each([
    ['/data/Movies/Film (2024)', '2', '/data/Movies/'],
    ['/data/Movies', '2', '/data/Movies/'],
    ['/extra/Movies/Film', '2', '/extra/Movies'],
    ['/data/MoviesX/Film', '1', '/data'],
    ['/data', '1', '/data'],
    ['M:\\Media\\TV Shows\\Show\\Season 01', '3', 'M:\\Media\\TV Shows'],
  ])('%s is in section %s (%s)', (folder, key, location) => {
    expect(libraryContaining(folder, libraries)).toEqual({
      library: expect.objectContaining({ key }),
      location,
    });
  });

  it.each(['/elsewhere/Film', '/dat', 'M:\\Media\\TV ShowsX\\Show', '/'])('%s is in no library', (folder) => {
    expect(libraryContaining(folder, libraries)).toBeUndefined();
  });

  it('names the libraries for a message', () => {
    expect(describeLibraries(libraries)).toBe('1 (Media), 2 (Movies), 3 (TV)');
    expect(describeLibraries([])).toBe('none');
  });
});
