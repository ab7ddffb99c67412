import { describe, expect, it } from 'vitest';
import type { Mapping, MappingKind } from '../core/types.js';
import { compareInSteps, compareTrees } from './compare.js';
import type { TreeEntry } from './tree-walk.js';

const NOW = new Date('2026-05-01T12:00:00Z');
const SETTLE_MS = 10 * 60_000;
const OLD = NOW.getTime() - 60 * 60_000;
const YOUNG = NOW.getTime() - 3 * 60_000;

function mapping(kind?: MappingKind): Mapping {
  return {
    container: kind === 'tv' ? '/tv' : '/movies',
    source: { path: '/src' },
    destination: { path: '/dst' },
    plexPath: '/dst',
    ...(kind ? { kind } : {}),
  };
}

/** "path": size (a file), "path/": a folder, "path -> target": a link, "path/!": an unreadable folder. */
function listing(spec: Record<string, number | string>, ctimeMs = OLD): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  for (const [key, value] of Object.entries(spec)) {
    if (key.endsWith('/!')) out.set(key.slice(0, -2), { type: 'unreadable', size: 0, ctimeMs });
    else if (key.endsWith('/')) out.set(key.slice(0, -1), { type: 'dir', size: 4096, ctimeMs });
    else if (typeof value === 'string') out.set(key, { type: 'link', size: 5, ctimeMs, linkTarget: value });
    else out.set(key, { type: 'file', size: value, ctimeMs });
  }
  return out;
}

function compare(kind: MappingKind | undefined, source: Map<string, TreeEntry>, destination: Map<string, TreeEntry>) {
  const result = compareTrees({ mapping: mapping(kind), source, destination, now: NOW, settleMs: SETTLE_MS });
  return {
    items: result.items.map((i) => [i.containerPath, i.why, i.bytes, i.shape, i.mediaType, i.detail]),
    skipped: result.skipped.map((s) => [s.containerPath, s.reason, s.detail]),
  };
}

describe('a movie mapping: one item per movie folder', () => {
  const source = listing({
    'A (2020)/': 0,
    'A (2020)/A.mkv': 100,
    'A (2020)/A.srt': 5,
    'B (2021)/': 0,
    'B (2021)/B.mkv': 200,
    'B (2021)/Subs/': 0,
    'B (2021)/Subs/B.en.srt': 7,
    'C (2022)/': 0,
    'C (2022)/C.mkv': 300,
    'D (2023)/': 0,
    'D (2023)/D.mkv': 400,
    'D (2023)/D.nfo': 9,
    'Empty (2000)/': 0,
    'Empty (2000)/Extras/': 0,
    'loose.mkv': 50,
    '.sync-webhook-anchor': 0,
  });
  const destination = listing({
    'B (2021)/': 0,
    'B (2021)/B.mkv': 200,
    'C (2022)/': 0,
    'C (2022)/C.mkv': 301,
    'D (2023)/': 0,
    'D (2023)/D.mkv': 1,
  });

  it('finds folders missing, incomplete and different; ignores loose files and folders without files', () => {
    expect(compare('movie', source, destination)).toEqual({
      items: [
        ['/movies/A (2020)', 'missing', 105, 'folder', 'movie', 'not at the destination (2 files)'],
        ['/movies/B (2021)', 'incomplete', 7, 'folder', 'movie', '1 of 2 files missing at the destination'],
        ['/movies/C (2022)', 'size_differs', 300, 'folder', 'movie', '1 of 1 files differ in size at the destination'],
        [
          '/movies/D (2023)',
          'size_differs',
          409,
          'folder',
          'movie',
          '1 of 2 files differ in size at the destination, 1 missing',
        ],
      ],
      skipped: [],
    });
  });

  it('finds nothing when the destination has it all (it may hold more)', () => {
    const full = listing({ 'A (2020)/': 0, 'A (2020)/A.mkv': 100, 'A (2020)/A.srt': 5, 'A (2020)/extra.jpg': 1 });
    expect(compare('movie', listing({ 'A (2020)/': 0, 'A (2020)/A.mkv': 100, 'A (2020)/A.srt': 5 }), full)).toEqual({
      items: [],
      skipped: [],
    });
  });

  it('leaves a folder alone while anything in it changed within the settle time', () => {
    const young = listing({ 'A (2020)/': 0, 'A (2020)/A.mkv': 100 });
    young.set('A (2020)/A.srt', { type: 'file', size: 5, ctimeMs: YOUNG });
    expect(compare('movie', young, new Map())).toEqual({
      items: [],
      skipped: [['/movies/A (2020)', 'settling', 'changed 3 min ago; left for a pass after 10 min']],
    });
  });

  it('skips a folder holding a link out of the mapping, not one whose link stays inside', () => {
    const linked = listing({
      'A (2020)/': 0,
      'A (2020)/A.mkv': 100,
      'A (2020)/passwd': '/etc/passwd',
      'B (2021)/': 0,
      'B (2021)/B.mkv': 200,
      'B (2021)/also': '../A (2020)/A.mkv',
      'C (2022)/': 0,
      'C (2022)/C.mkv': 300,
      'C (2022)/up': '../../elsewhere',
    });
    expect(compare('movie', linked, new Map())).toEqual({
      items: [['/movies/B (2021)', 'missing', 200, 'folder', 'movie', 'not at the destination (1 file)']],
      skipped: [
        [
          '/movies/A (2020)',
          'link_out_of_mapping',
          'holds a link that leads out of the mapping: A (2020)/passwd -> /etc/passwd',
        ],
        [
          '/movies/C (2022)',
          'link_out_of_mapping',
          'holds a link that leads out of the mapping: C (2022)/up -> ../../elsewhere',
        ],
      ],
    });
  });

  it('skips what cannot be read, at either end, rather than calling it missing', () => {
    const src = listing({ 'A (2020)/': 0, 'A (2020)/A.mkv': 100, 'A (2020)/Extras/!': 0, 'B (2021)/': 0 });
    src.set('B (2021)/B.mkv', { type: 'file', size: 200, ctimeMs: OLD });
    src.set('Locked (2019)', { type: 'unreadable', size: 0, ctimeMs: OLD });
    const dst = listing({ 'B (2021)/!': 0 });
    expect(compare('movie', src, dst)).toEqual({
      items: [],
      skipped: [
        ['/movies/A (2020)', 'unreadable', '/movies/A (2020)/Extras could not be read at the source'],
        ['/movies/B (2021)', 'unreadable', '/movies/B (2021) could not be read at the destination'],
        ['/movies/Locked (2019)', 'unreadable', '/movies/Locked (2019) could not be read at the source'],
      ],
    });
  });

  it('skips a name no job can carry', () => {
    const names = listing({ 'Bad\u0007 (2020)/': 0, 'Bad\u0007 (2020)/x.mkv': 1, 'Caf\uFFFD (2021)/': 0 });
    names.set('Caf\uFFFD (2021)/x.mkv', { type: 'file', size: 1, ctimeMs: OLD });
    expect(compare('movie', names, new Map()).skipped).toEqual([
      [
        '/movies/Bad\u0007 (2020)',
        'unsafe_name',
        'Unsafe path "/movies/Bad\\u0007 (2020)": contains control character U+0007',
      ],
      ['/movies/Caf\uFFFD (2021)', 'unsafe_name', 'the name is not valid UTF-8'],
    ]);
  });
});

describe('a TV mapping, and one without kind: one item per file below a folder', () => {
  const source = listing({
    'Show/': 0,
    'Show/tvshow.nfo': 3,
    'Show/Season 01/': 0,
    'Show/Season 01/E01.mkv': 100,
    'Show/Season 01/E02.mkv': 200,
    'Show/Season 01/E03.mkv': 300,
    'Show/Season 01/E04.mkv': '/mnt/elsewhere/E04.mkv',
    'Show/Season 01/E05.mkv': 'E01.mkv',
    'Other/!': 0,
    'marker.txt': 1,
  });
  const destination = listing({
    'Show/': 0,
    'Show/tvshow.nfo': 3,
    'Show/Season 01/': 0,
    'Show/Season 01/E01.mkv': 100,
    'Show/Season 01/E02.mkv': 150,
  });

  it.each([
    ['tv', 'tv' as const, '/tv'],
    ['no kind', undefined, '/movies'],
  ])('%s', (_name, kind, prefix) => {
    expect(compare(kind, source, destination)).toEqual({
      items: [
        [
          `${prefix}/Show/Season 01/E02.mkv`,
          'size_differs',
          200,
          'file',
          'episode',
          '150 bytes at the destination, 200 here',
        ],
        [`${prefix}/Show/Season 01/E03.mkv`, 'missing', 300, 'file', 'episode', 'not at the destination'],
      ],
      skipped: [
        [`${prefix}/Other`, 'unreadable', 'could not be read at the source'],
        [
          `${prefix}/Show/Season 01/E04.mkv`,
          'link_out_of_mapping',
          'a link that leads out of the mapping: Show/Season 01/E04.mkv -> /mnt/elsewhere/E04.mkv',
        ],
      ],
    });
  });

  it('leaves a young file alone and a file below an unreadable destination folder too', () => {
    const src = listing({ 'Show/': 0, 'Show/S1/': 0, 'Show/S1/E1.mkv': 1, 'Show/S2/': 0, 'Show/S2/E1.mkv': 2 });
    src.set('Show/S1/E2.mkv', { type: 'file', size: 3, ctimeMs: YOUNG });
    const dst = listing({ 'Show/': 0, 'Show/S1/': 0, 'Show/S1/E1.mkv': 1, 'Show/S2/!': 0 });
    expect(compare('tv', src, dst)).toEqual({
      items: [],
      skipped: [
        ['/tv/Show/S1/E2.mkv', 'settling', 'changed 3 min ago; left for a pass after 10 min'],
        ['/tv/Show/S2/E1.mkv', 'unreadable', '/tv/Show/S2 could not be read at the destination'],
      ],
    });
  });
});

describe('compareInSteps', () => {
  it('pauses every few thousand entries and ends with what compareTrees finds', () => {
    const spec: Record<string, number> = {};
    for (let i = 0; i < 3000; i++) spec[`Show ${i % 30}/Season 1/E${i}.mkv`] = i;
    const source = listing(spec);
    const input = { mapping: mapping('tv'), source, destination: new Map(), now: NOW, settleMs: SETTLE_MS };
    const steps = compareInSteps(input);
    let pauses = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) pauses++;
    expect(pauses).toBe(1);
    expect(step.value).toEqual(compareTrees(input));
    expect(step.value.items).toHaveLength(3000);
  });
});
