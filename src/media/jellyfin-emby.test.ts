// Jellyfin and Emby against fakes on 127.0.0.1 that take only what the real servers take: the exact
// request (method, path, headers, body), each answer class (2xx, 401, 403, 404, 5xx, slow, refused) and
// no key in any error.
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll } from '../../test/support/cleanup.js';
import { startFakeServer } from '../../test/support/fake-http.js';
import { type FakeMediaBrowser, startFakeMediaBrowser } from '../../test/support/fake-media-servers.js';
import { PermanentError } from '../core/errors.js';
import type { ScanRequest } from '../core/notify-event.js';
import { createMediaBrowserServer, type MediaBrowserKind, type MediaBrowserOptions } from './jellyfin-emby.js';

afterEach(cleanupAll);

// A key with characters the MediaBrowser header syntax would split on, were it not URL-encoded.
const KEY = 'k3y/with "quote", comma+plus';
const MAPPINGS = [{ container: '/movies' }, { container: '/tv' }];

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

function expectNoKey(err: Error): void {
  for (const form of [KEY, encodeURIComponent(KEY)]) {
    expect(err.message).not.toContain(form);
    expect(inspect(err, { depth: 10 })).not.toContain(form);
  }
}

const request = (change: ScanRequest['change'] = 'created', extra: Partial<ScanRequest> = {}): ScanRequest => ({
  mapping: '/movies',
  path: '/mnt/dst/Movies/Film (2024)',
  mediaType: 'movie',
  change,
  ...extra,
});

function server(kind: MediaBrowserKind, fake: { url: string }, extra: Partial<MediaBrowserOptions> = {}) {
  return createMediaBrowserServer({
    kind,
    id: `${kind}://media:8096`,
    mappings: MAPPINGS,
    baseUrl: `${fake.url}/`,
    apiKey: KEY,
    timeoutMs: 5_000,
    ...extra,
  });
}

describe.each([
  ['jellyfin', 'Jellyfin', 204, 'JELLYFIN'],
  ['emby', 'Emby', 200, 'EMBY'],
] as const)('%s', (kind, service, okStatus, prefix) => {
  const start = () => startFakeMediaBrowser({ kind, apiKey: KEY });

  it('is identified by its id and type, and scans every configured mapping', async () => {
    const s = server(kind, await start());
    expect([s.id, s.type]).toEqual([`${kind}://media:8096`, kind]);
    expect(['/movies', '/tv', '/anime'].map((m) => s.scansMapping(m))).toEqual([true, true, false]);
  });

  it(`POSTs /Library/Media/Updated with the folder as Created, answered ${okStatus}`, async () => {
    const fake = await start();
    await server(kind, fake).scan(request());
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(`${req.method} ${req.url}`).toBe('POST /Library/Media/Updated');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toBe('{"Updates":[{"Path":"/mnt/dst/Movies/Film (2024)","UpdateType":"Created"}]}');
    expect(fake.updates()).toEqual([{ Path: '/mnt/dst/Movies/Film (2024)', UpdateType: 'Created' }]);
  });

  it('names a deletion and a change as Deleted and Modified; an episode by its season folder', async () => {
    const fake = await start();
    const s = server(kind, fake);
    await s.scan(request('deleted'));
    await s.scan(request('modified', { mediaType: 'episode', path: '/mnt/dst/TV/Show/Season 02/Show - S02E01.mkv' }));
    expect(fake.updates()).toEqual([
      { Path: '/mnt/dst/Movies/Film (2024)', UpdateType: 'Deleted' },
      { Path: '/mnt/dst/TV/Show/Season 02', UpdateType: 'Modified' },
    ]);
  });

  it('sends the folder as the server sees it (path_map), escaped as JSON', async () => {
    const fake = await start();
    const pathMap = [{ from: '/mnt/dst/Movies', to: '/media/movies' }];
    await server(kind, fake, { pathMap }).scan(request('created', { path: '/mnt/dst/Movies/Say "Hi" \\ Ü 😀' }));
    expect(fake.updates()).toEqual([{ Path: '/media/movies/Say "Hi" \\ Ü 😀', UpdateType: 'Created' }]);
  });

  it.each([
    [401, `check ${prefix}_API_KEY`],
    [403, `the key may not update the library; check ${prefix}_API_KEY (an API key from ${service}'s dashboard)`],
    [404, `check ${prefix}_URL: it must be ${service} itself (port 8096, with its base URL if one is set)`],
  ])('turns HTTP %i into PermanentError', async (status, hint) => {
    const fake = await start();
    fake.failWith({ status, body: `refused ${KEY}` });
    const err = await rejection(server(kind, fake).scan(request()));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`${service} refused the scan of /mnt/dst/Movies/Film (2024) (HTTP ${status}): ${hint}`);
    expectNoKey(err);
  });

  it('names the YAML keys to fix for a server configured in SYNC_CONFIG', async () => {
    const fake = await start();
    fake.failWith({ status: 401 });
    const settingNames = { url: 'media_servers.1.url (SYNC_CONFIG)', apiKey: 'media_servers.1.api_key (SYNC_CONFIG)' };
    const err = await rejection(server(kind, fake, { settingNames }).scan(request()));
    expect(err.message).toMatch(/\(HTTP 401\): check media_servers\.1\.api_key \(SYNC_CONFIG\)$/);
  });

  it.each([429, 500, 502, 503])('treats HTTP %i as transient', async (status) => {
    const fake = await start();
    fake.failWith({ status });
    const err = await rejection(server(kind, fake).scan(request()));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`${service} scan of /mnt/dst/Movies/Film (2024) failed (HTTP ${status})`);
  });

  it('gives up waiting after timeoutMs, as transient', async () => {
    const fake = await start();
    fake.failWith({ hang: true });
    const err = await rejection(server(kind, fake, { timeoutMs: 200 }).scan(request()));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`${service} scan of /mnt/dst/Movies/Film (2024) failed: timed out after 0.2 s`);
  });

  it('treats a refused connection as transient, naming the cause; a key pasted into the URL is masked', async () => {
    const dead = await startFakeServer();
    await dead.close();
    const err = await rejection(
      server(kind, dead, { baseUrl: `${dead.url}/${encodeURIComponent(KEY)}` }).scan(request()),
    );
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(
      new RegExp(`^${service} scan of /mnt/dst/Movies/Film \\(2024\\) failed: .*ECONNREFUSED`),
    );
    expectNoKey(err);
  });
});

describe('the key header', () => {
  it('Jellyfin 12 takes the key only in Authorization: MediaBrowser Token="…" (URL-encoded)', async () => {
    const fake: FakeMediaBrowser = await startFakeMediaBrowser({ kind: 'jellyfin', apiKey: KEY });
    await server('jellyfin', fake).scan(request());
    const headers = fake.requests[0]!.headers;
    expect(headers.authorization).toBe(`MediaBrowser Token="${encodeURIComponent(KEY)}"`);
    expect(headers['x-emby-token']).toBeUndefined();
    expect(fake.requests[0]!.url).not.toContain('api_key');
  });

  it('Emby takes it in X-Emby-Token, never in the URL', async () => {
    const fake = await startFakeMediaBrowser({ kind: 'emby', apiKey: KEY });
    await server('emby', fake).scan(request());
    const req = fake.requests[0]!;
    expect(req.headers['x-emby-token']).toBe(KEY);
    expect(req.headers.authorization).toBeUndefined();
    expect(req.url).toBe('/Library/Media/Updated');
  });

  it('the fakes refuse the other way, as the real servers do', async () => {
    const jellyfin = await startFakeMediaBrowser({ kind: 'jellyfin', apiKey: KEY });
    const emby = await startFakeMediaBrowser({ kind: 'emby', apiKey: KEY });
    const jellyfinAsEmby = await rejection(server('emby', jellyfin).scan(request()));
    const embyAsJellyfin = await rejection(server('jellyfin', emby).scan(request()));
    expect([jellyfinAsEmby.message, embyAsJellyfin.message].map((m) => /HTTP 401/.test(m))).toEqual([true, true]);
  });
});
