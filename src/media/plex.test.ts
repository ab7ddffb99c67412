import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../core/errors.js';
import type { Mapping } from '../core/types.js';
import type { FakeServer } from '../../test/support/fake-http.js';
import { startFakeServer } from '../../test/support/fake-http.js';
import { cleanupAll } from '../../test/support/cleanup.js';
import { type FakePlex, type FakePlexLibrary, startFakePlex } from '../../test/support/fake-media-servers.js';
import { createPlexServer, type PlexOptions } from './plex.js';

const TOKEN = 'plex-T0ken_abc/xyz';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

function expectNoToken(err: Error): void {
  expect(err.message).not.toContain(TOKEN);
  expect(err.message).not.toContain(encodeURIComponent(TOKEN));
  expect(inspect(err, { depth: 10 })).not.toContain(TOKEN);
}

describe('createPlexServer', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer({ status: 200, body: '' });
  });
  afterEach(async () => {
    await server.close();
  });

  const plex = (extra: { baseUrl?: string; timeoutMs?: number } = {}) =>
    createPlexServer({ baseUrl: extra.baseUrl ?? server.url, token: TOKEN, timeoutMs: extra.timeoutMs ?? 5_000 });

  it('is identified as plex by default, and by the id it was given', () => {
    expect(plex().id).toBe('plex');
    expect(createPlexServer({ id: 'plex://plex:32400', baseUrl: server.url, token: TOKEN }).id).toBe(
      'plex://plex:32400',
    );
  });

  it('GETs the partial refresh with the token in a header, never in the URL', async () => {
    await plex({ baseUrl: `${server.url}/` }).scanPlexSection({
      section: '1',
      folder: '/data/Movies/Movie Title (2024)',
    });

    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/library/sections/1/refresh?path=%2Fdata%2FMovies%2FMovie%20Title%20(2024)');
    expect(req.headers['x-plex-token']).toBe(TOKEN);
    expect(req.headers.accept).toBe('application/json');
    expect(req.url).not.toContain('Token');
    expect(req.url).not.toContain(encodeURIComponent(TOKEN));
  });

  it('encodes the section and any folder name so it arrives unchanged', async () => {
    const folder = '/data/TV Shows/Tom & Jerry #1 ?+ 100% ü 😀/Season 01';
    await plex().scanPlexSection({ section: 'a b/c', folder });
    const req = server.requests[0]!;
    expect(req.path).toBe('/library/sections/a%20b%2Fc/refresh');
    expect([...req.query.keys()]).toEqual(['path']);
    expect(req.query.get('path')).toBe(folder);
  });

  it('accepts any 2xx', async () => {
    server.respondWith({ status: 204 });
    await expect(plex().scanPlexSection({ section: '2', folder: '/x' })).resolves.toBeUndefined();
  });

  it.each([
    [401, 'Plex refused the scan of section 1 (HTTP 401): check PLEX_TOKEN'],
    [403, 'Plex refused the scan of section 1 (HTTP 403): the token may not manage this server; check PLEX_TOKEN'],
    [
      404,
      'Plex refused the scan of section 1 (HTTP 404): no such library section; ' +
        'check the Plex section id of the mapping',
    ],
  ])('turns HTTP %i into PermanentError', async (status, message) => {
    server.respondWith({ status, body: '<html>nope</html>' });
    const err = await rejection(plex().scanPlexSection({ section: '1', folder: '/data/Movies/X' }));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(message);
    expectNoToken(err);
  });

  it.each([400, 429, 500, 503])('treats HTTP %i as transient', async (status) => {
    server.respondWith({ status });
    const err = await rejection(plex().scanPlexSection({ section: '1', folder: '/x' }));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`Plex scan of section 1 failed (HTTP ${status})`);
    expectNoToken(err);
  });

  it('treats a refused connection as transient, naming the cause', async () => {
    const dead = await startFakeServer();
    const url = dead.url;
    await dead.close();
    const err = await rejection(plex({ baseUrl: url }).scanPlexSection({ section: '1', folder: '/x' }));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/^Plex scan of section 1 failed: .*ECONNREFUSED/);
    expect(err.cause).toBeUndefined();
    expectNoToken(err);
  });

  it('gives up waiting after timeoutMs', async () => {
    server.respondWith({ hang: true });
    const err = await rejection(plex({ timeoutMs: 200 }).scanPlexSection({ section: '1', folder: '/x' }));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe('Plex scan of section 1 failed: timed out after 0.2 s');
  });

  it('redacts the token even if it was pasted into the base URL', async () => {
    // Not a stand-in for Plex: a fetch whose errors quote the URL, as some implementations do.
    const echoing = (async (u: string | URL | Request) => {
      throw new TypeError(`request to ${String(u)} failed`);
    }) as typeof fetch;
    const p = createPlexServer({
      baseUrl: `http://plex.invalid:32400/?X-Plex-Token=${TOKEN}`,
      token: TOKEN,
      fetch: echoing,
    });
    const err = await rejection(p.scanPlexSection({ section: '1', folder: '/x' }));
    expect(err.message).toContain('[REDACTED]');
    expectNoToken(err);
  });
});

describe('createPlexServer scan requests', () => {
  const movies = {
    container: '/movies',
    source: { path: '/mnt/src/movies' },
    destination: { path: '/mnt/dst/Movies' },
    plexSection: '1',
    plexPath: '/data/Movies',
  };
  const unnamed = (container: string, destination: string): Mapping => ({
    container,
    source: { path: `/mnt/src${container}` },
    destination: { path: destination },
    plexPath: destination,
  });
  const anime = unnamed('/anime', '/mnt/dst/Anime');
  const tv = unnamed('/tv', '/mnt/dst/TV Shows');
  const LIBRARIES: FakePlexLibrary[] = [
    { key: '1', title: 'Movies', type: 'movie', locations: ['/data/Movies'] },
    { key: '5', title: 'Everything', type: 'movie', locations: ['/mnt/dst'] },
    { key: '6', title: 'Anime', type: 'show', locations: ['/mnt/dst/Anime', '/mnt/more/Anime'] },
  ];
  const film = (mapping: string, path: string) => ({
    mapping,
    path,
    mediaType: 'movie' as const,
    change: 'created' as const,
  });

  let fake: FakePlex;
  let warnings: string[];
  beforeEach(async () => {
    fake = await startFakePlex({ token: TOKEN, libraries: LIBRARIES });
    warnings = [];
  });
  afterEach(() => cleanupAll());

  const plex = (extra: Partial<PlexOptions> = {}) =>
    createPlexServer({
      id: 'plex://plex:32400',
      baseUrl: fake.url,
      token: TOKEN,
      mappings: [movies, anime, tv],
      timeoutMs: 5_000,
      log: { warn: (message: string) => warnings.push(message) },
      ...extra,
    } as PlexOptions);

  it('scans every configured mapping; a named section is scanned without reading the libraries', async () => {
    const p = plex();
    expect(['/movies', '/anime', '/tv', '/other'].map((m) => p.scansMapping(m))).toEqual([true, true, true, false]);
    await p.scan(film('/movies', '/mnt/dst/Movies/Film (2024)'));
    expect(fake.refreshes()).toEqual([{ section: '1', path: '/data/Movies/Film (2024)' }]);
    expect(fake.sectionReads()).toBe(0);
    const err = await rejection(p.scan(film('/gone', '/mnt/dst/Gone/X')));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe('mapping /gone is no longer configured');
  });

  it('finds the section of a mapping without one: the longest location holding the folder, read once', async () => {
    const p = plex();
    await p.scan(film('/anime', '/mnt/dst/Anime/Akira (1988)'));
    await p.scan({ ...film('/anime', '/mnt/dst/Anime/Show/Season 01/Show - S01E01.mkv'), mediaType: 'episode' });
    await p.scan(film('/tv', '/mnt/dst/TV Shows/Show'));
    expect(fake.refreshes()).toEqual([
      { section: '6', path: '/mnt/dst/Anime/Akira (1988)' },
      { section: '6', path: '/mnt/dst/Anime/Show/Season 01' },
      { section: '5', path: '/mnt/dst/TV Shows/Show' },
    ]);
    expect(fake.sectionReads()).toBe(1);
    const read = fake.requests.find((r) => r.path === '/library/sections')!;
    expect(`${read.method} ${read.url}`).toBe('GET /library/sections');
    expect(read.headers['x-plex-token']).toBe(TOKEN);
    expect(read.headers.accept).toBe('application/json');
    expect(read.body).toBe('');
    expect(p.problems()).toEqual([]);
  });

  it('reads the libraries again when a folder is in none of them', async () => {
    const p = plex({ mappings: [anime], pathMap: [{ from: '/mnt/dst/Anime', to: '/new/Anime' }] });
    fake.setLibraries([LIBRARIES[0]!]);
    await rejection(p.scan(film('/anime', '/mnt/dst/Anime/A')));
    fake.setLibraries([...LIBRARIES, { key: '8', title: 'New', type: 'show', locations: ['/new'] }]);
    await p.scan(film('/anime', '/mnt/dst/Anime/B'));
    expect(fake.refreshes()).toEqual([{ section: '8', path: '/new/Anime/B' }]);
    expect(fake.sectionReads()).toBe(2);
  });

  it('a folder in no library: refused, a problem, one warning; cleared by a later scan that finds it', async () => {
    fake.setLibraries([LIBRARIES[0]!]);
    const p = plex();
    const problem =
      'no Plex library holds /mnt/dst/Anime/A (mapping /anime; libraries: 1 (Movies)): add the folder to a ' +
      'library in Plex, map the path with path_map or plex_path, or name its section ' +
      "(the mapping's plex_section (or its PLEX_SECTION_* variable))";
    for (const name of ['A', 'A']) {
      const err = await rejection(p.scan(film('/anime', `/mnt/dst/Anime/${name}`)));
      expect(err).toBeInstanceOf(PermanentError);
      expect(err.message).toBe(problem);
    }
    expect(p.problems()).toEqual([problem]);
    expect(warnings).toEqual([`plex://plex:32400: ${problem}`]);
    fake.setLibraries(LIBRARIES);
    await p.scan(film('/anime', '/mnt/dst/Anime/A'));
    expect(p.problems()).toEqual([]);
    expect(fake.refreshes()).toEqual([{ section: '6', path: '/mnt/dst/Anime/A' }]);
  });

  it('a named section Plex lacks: refused, a problem naming its sections; cleared once Plex has it', async () => {
    const p = plex({ mappings: [{ ...movies, plexSection: '7' }] });
    const err = await rejection(p.scan(film('/movies', '/mnt/dst/Movies/Film')));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(
      'Plex refused the scan of section 7 (HTTP 404): no such library section; ' +
        'check the Plex section id of the mapping',
    );
    const problem =
      'mapping /movies names Plex section 7, which Plex does not have (its sections: 1 (Movies), 5 (Everything), ' +
      "6 (Anime)); fix the mapping's plex_section (or its PLEX_SECTION_* variable), or leave it out and the " +
      'section is found by folder';
    expect(p.problems()).toEqual([problem]);
    expect(warnings).toEqual([`plex://plex:32400: ${problem}`]);
    fake.setLibraries([...LIBRARIES, { key: '7', title: 'Late', type: 'movie', locations: ['/late'] }]);
    await p.scan(film('/movies', '/mnt/dst/Movies/Film'));
    expect(p.problems()).toEqual([]);
  });

  it('a named section it cannot check (sections unreadable) is still a problem', async () => {
    const server = await startFakeServer((req) =>
      req.path === '/library/sections' ? { status: 503, body: '' } : { status: 404, body: '' },
    );
    const p = plex({ baseUrl: server.url });
    await rejection(p.scan(film('/movies', '/mnt/dst/Movies/Film')));
    expect(p.problems()).toEqual(['mapping /movies: Plex has no section 1']);
    await server.close();
  });

  it("the server's own sections replace the mappings' plex_section; a mapping it leaves out is found", async () => {
    const p = plex({ sections: { '/movies': '5' } });
    await p.scan(film('/movies', '/mnt/dst/Movies/Film'));
    await p.scan(film('/anime', '/mnt/dst/Anime/Film'));
    expect(fake.refreshes()).toEqual([
      { section: '5', path: '/data/Movies/Film' },
      { section: '6', path: '/mnt/dst/Anime/Film' },
    ]);
  });

  it("maps folders by path_map, each mapping's plex_path counting as one more entry after them", async () => {
    const sections = { '/movies': '1', '/anime': '1', '/tv': '1' };
    const p = plex({ sections, pathMap: [{ from: '/mnt/dst', to: '/share' }] });
    await p.scan(film('/movies', '/mnt/dst/Movies/A'));
    await p.scan(film('/anime', '/mnt/dst/Anime/B'));
    await p.scan({ ...film('/tv', '/mnt/dst/TV Shows/Show/Season 01/C.mkv'), mediaType: 'episode' });
    await plex({ sections, pathMap: [{ from: '/mnt/dst/Movies/', to: '/own' }] }).scan(
      film('/movies', '/mnt/dst/Movies/D'),
    );
    expect(fake.refreshes().map((r) => r.path)).toEqual([
      '/data/Movies/A',
      '/share/Anime/B',
      '/share/TV Shows/Show/Season 01',
      '/own/D',
    ]);
  });

  it('reads an XML answer, as a proxy that drops the Accept header gets it', async () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="1" title1="Plex Library">' +
      '<Directory key="3" type="show" title="Anime"><Location id="4" path="/mnt/dst/Anime" /></Directory>' +
      '</MediaContainer>';
    const server = await startFakeServer((req) =>
      req.path === '/library/sections' ? { status: 200, body: xml } : { status: 200, body: '' },
    );
    await plex({ baseUrl: server.url }).scan(film('/anime', '/mnt/dst/Anime/X'));
    expect(server.requests.map((r) => r.url)).toEqual([
      '/library/sections',
      '/library/sections/3/refresh?path=%2Fmnt%2Fdst%2FAnime%2FX',
    ]);
    await server.close();
  });

  it.each([
    [401, 'Plex refused to list its library sections (HTTP 401): check media_servers.0.token (SYNC_CONFIG)'],
    [
      403,
      'Plex refused to list its library sections (HTTP 403): the token may not manage this server; ' +
        'check media_servers.0.token (SYNC_CONFIG)',
    ],
    [
      404,
      'Plex refused to list its library sections (HTTP 404): check media_servers.0.url (SYNC_CONFIG): ' +
        'it must be the Plex server itself (port 32400)',
    ],
  ])('HTTP %i to the library sections is permanent, naming the setting to fix', async (status, message) => {
    fake.failWith({ status, body: `<html>${TOKEN}</html>` });
    const settingNames = {
      url: 'media_servers.0.url (SYNC_CONFIG)',
      token: 'media_servers.0.token (SYNC_CONFIG)',
      sections: 'media_servers.0.sections (SYNC_CONFIG)',
    };
    const err = await rejection(plex({ settingNames }).scan(film('/anime', '/mnt/dst/Anime/X')));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(message);
    expectNoToken(err);
  });

  it.each([
    [{ status: 500, body: 'oops' }, "Plex's library sections could not be read (HTTP 500)"],
    [{ hang: true as const }, "Plex's library sections could not be read: timed out after 0.2 s"],
  ])('a failed read of the sections is transient: %j', async (action, message) => {
    fake.failWith(action);
    const err = await rejection(plex({ timeoutMs: 200 }).scan(film('/anime', '/mnt/dst/Anime/X')));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe(message);
  });

  it('a 200 that lists no sections (a login page) is permanent, naming PLEX_URL', async () => {
    fake.failWith({ status: 200, body: '<html><title>Sign in</title></html>' });
    const err = await rejection(plex().scan(film('/anime', '/mnt/dst/Anime/X')));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(
      `${fake.url}/library/sections answered no list of library sections: check PLEX_URL ` +
        '(the Plex server itself, port 32400, not a proxy page)',
    );
  });

  it('a found section that Plex dropped since is tried again with fresh libraries', async () => {
    const p = plex();
    await p.scan(film('/anime', '/mnt/dst/Anime/A'));
    fake.setLibraries([{ key: '9', title: 'Anime again', type: 'show', locations: ['/mnt/dst/Anime'] }]);
    const err = await rejection(p.scan(film('/anime', '/mnt/dst/Anime/B')));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe('Plex no longer has section 6 (Anime); looking again');
    await p.scan(film('/anime', '/mnt/dst/Anime/B'));
    expect(fake.refreshes()).toEqual([
      { section: '6', path: '/mnt/dst/Anime/A' },
      { section: '9', path: '/mnt/dst/Anime/B' },
    ]);
  });
});
