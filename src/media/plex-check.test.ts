// The read-only look at Plex against a fake Plex on 127.0.0.1: the exact request (GET /library/sections
// with the token in its header), each mapping's section checked against the answer, and no scan.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../../test/support/fake-http.js';
import { checkPlex } from './plex-check.js';

const TOKEN = 'plex-token-Zq9x';
const SECTIONS = {
  MediaContainer: {
    size: 2,
    title1: 'Plex Library',
    Directory: [
      { key: '1', type: 'movie', title: 'Movies', Location: [{ id: 1, path: '/data/Movies' }] },
      { key: '2', type: 'show', title: 'TV Shows' },
    ],
  },
};

let server: FakeServer;
beforeEach(async () => {
  server = await startFakeServer({ status: 200, body: SECTIONS });
});
afterEach(() => server.close());

const ID = 'plex://plex.lan:32400';

const check = (mappings: { container: string; section: string | undefined }[] = [], baseUrl = server.url) =>
  checkPlex({
    id: ID,
    baseUrl,
    token: TOKEN,
    fetch: globalThis.fetch,
    timeoutMs: 2000,
    mappings: mappings.map(({ container, section }) => ({
      container,
      source: { path: `/src${container}` },
      destination: { path: `/dst${container}` },
      plexSection: section,
      plexPath: `/data${container}`,
    })),
  });

describe('checkPlex', () => {
  it('asks GET /library/sections once, the token in X-Plex-Token, never in the URL', async () => {
    await check([], `${server.url}/`);
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(`${req.method} ${req.url}`).toBe('GET /library/sections');
    expect(req.headers['x-plex-token']).toBe(TOKEN);
    expect(req.headers.accept).toBe('application/json');
    expect(req.body).toBe('');
  });

  it("checks each mapping's section against the server's", async () => {
    const findings = await check([
      { container: '/movies', section: '1' },
      { container: '/tv', section: '7' },
      { container: '/other', section: undefined },
    ]);
    expect(findings).toEqual([
      { level: 'ok', subject: ID, detail: 'token accepted; library sections: 1 (Movies), 2 (TV Shows)' },
      { level: 'ok', subject: `${ID} /movies`, detail: 'section 1 (Movies)' },
      {
        level: 'problem',
        subject: `${ID} /tv`,
        detail: 'Plex has no library section 7',
        fix: 'set plex_section of mapping /tv (or its PLEX_SECTION_* variable) to one of: 1 (Movies), 2 (TV Shows)',
      },
      {
        level: 'problem',
        subject: `${ID} /other`,
        detail: 'no section named, and no Plex library holds /data/other (the destination as Plex sees it)',
        fix:
          'add the folder to a library in Plex, map the path with path_map or plex_path, or set plex_section ' +
          'of mapping /other (or its PLEX_SECTION_* variable)',
      },
    ]);
  });

  it('a mapping without a section is fine when its destination, as Plex sees it, is in or near a library', async () => {
    const mapping = (container: string, destination: string, plexPath = destination) => ({
      container,
      source: { path: `/src${container}` },
      destination: { path: destination },
      plexPath,
    });
    const findings = await checkPlex({
      id: ID,
      baseUrl: server.url,
      token: TOKEN,
      fetch: globalThis.fetch,
      timeoutMs: 2000,
      mappings: [
        mapping('/movies', '/mnt/dst/Movies', '/data/Movies'),
        mapping('/all', '/mnt/dst'),
        mapping('/tv', '/mnt/dst/TV'),
      ],
      pathMap: [{ from: '/mnt/dst', to: '/data' }],
    });
    expect(findings.slice(1)).toEqual([
      { level: 'ok', subject: `${ID} /movies`, detail: 'no section named: found by folder, section 1 (Movies)' },
      { level: 'ok', subject: `${ID} /all`, detail: 'no section named: found by folder, among 1 (Movies)' },
      expect.objectContaining({ level: 'problem', subject: `${ID} /tv`, detail: expect.stringContaining('/data/TV') }),
    ]);
  });

  it("reads an XML answer; a server's own sections and YAML keys name what to fix", async () => {
    server.respondWith({
      status: 200,
      body:
        '<?xml version="1.0" encoding="UTF-8"?><MediaContainer size="1"><Directory key="3" type="movie" ' +
        'title="Films"><Location id="1" path="/data/Movies" /></Directory></MediaContainer>',
    });
    const settingNames = {
      url: 'media_servers.0.url (SYNC_CONFIG)',
      token: 'media_servers.0.token (SYNC_CONFIG)',
      sections: 'media_servers.0.sections (SYNC_CONFIG)',
    };
    const mappings = [
      { container: '/movies', source: { path: '/s' }, destination: { path: '/d' }, plexSection: '9', plexPath: '/d' },
    ];
    const base = { id: ID, baseUrl: server.url, token: TOKEN, fetch: globalThis.fetch, timeoutMs: 2000, mappings };
    expect((await checkPlex({ ...base, sections: { '/movies': '3' }, settingNames }))[1]).toEqual({
      level: 'ok',
      subject: `${ID} /movies`,
      detail: 'section 3 (Films)',
    });
    expect((await checkPlex({ ...base, sections: { '/movies': '4' }, settingNames }))[1]).toEqual({
      level: 'problem',
      subject: `${ID} /movies`,
      detail: 'Plex has no library section 4',
      fix: 'set media_servers.0.sections (SYNC_CONFIG) for /movies to one of: 3 (Films)',
    });
    server.respondWith({ status: 401, body: '' });
    expect((await checkPlex({ ...base, settingNames }))[0]?.fix).toBe('check media_servers.0.token (SYNC_CONFIG)');
  });

  it.each([
    [401, 'check PLEX_TOKEN'],
    [403, 'check PLEX_TOKEN: it must belong to an account that manages this server'],
    [404, 'check PLEX_URL: it must be the Plex server itself (port 32400)'],
  ])('HTTP %i is a problem: %s', async (status, fix) => {
    server.respondWith({ status, body: '' });
    const findings = await check([{ container: '/movies', section: '1' }]);
    expect(findings).toEqual([
      {
        level: 'problem',
        subject: ID,
        detail: expect.stringMatching(new RegExp(`/library/sections answered HTTP ${status}`)),
        fix,
      },
    ]);
  });

  it('a 200 that is no list of sections (a login page) is a problem', async () => {
    server.respondWith({ status: 200, body: '<html>Sign in</html>' });
    const [finding] = await check();
    expect(finding).toMatchObject({ level: 'problem', fix: expect.stringMatching(/not a proxy page/) });
  });

  it('an unreachable server is a problem naming PLEX_URL; a token pasted into the URL is masked', async () => {
    await server.close();
    const findings = await check([], `${server.url}/${TOKEN}`);
    expect(findings).toEqual([
      {
        level: 'problem',
        subject: ID,
        detail: expect.stringMatching(/^cannot reach http:\/\/127\.0\.0\.1:\d+\/\[REDACTED\]: .*ECONNREFUSED/),
        fix: 'check PLEX_URL, and that Plex runs and this container can reach it',
      },
    ]);
  });
});
