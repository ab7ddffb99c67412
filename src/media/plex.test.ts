import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../core/errors.js';
import type { FakeServer } from '../../test/support/fake-http.js';
import { startFakeServer } from '../../test/support/fake-http.js';
import { createPlexServer } from './plex.js';

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
  const anime = { ...movies, container: '/anime', plexSection: undefined, plexPath: '/mnt/dst/Anime' };

  it('scans only mappings with a section, mapping the folder to Plex’s path', async () => {
    const server = await startFakeServer({ status: 200, body: '' });
    const plex = createPlexServer({ baseUrl: server.url, token: TOKEN, mappings: [movies, anime] });
    expect([plex.scansMapping('/movies'), plex.scansMapping('/anime'), plex.scansMapping('/tv')]).toEqual([
      true,
      false,
      false,
    ]);
    await plex.scan({ mapping: '/movies', path: '/mnt/dst/Movies/Film (2024)', mediaType: 'movie', change: 'created' });
    expect(server.requests[0]?.query.get('path')).toBe('/data/Movies/Film (2024)');
    const err = await plex
      .scan({ mapping: '/anime', path: '/mnt/dst/Anime/X', mediaType: 'movie', change: 'created' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(String(err)).toMatch(/mapping \/anime names no Plex section/);
    expect(server.requests).toHaveLength(1);
    await server.close();
  });
});
