// doctor's read-only look at Jellyfin and Emby against fakes on 127.0.0.1: GET /System/Info with the key
// in each server's header, one finding naming what to fix, and no key anywhere in it.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupAll } from '../../test/support/cleanup.js';
import { startFakeServer } from '../../test/support/fake-http.js';
import { startFakeMediaBrowser } from '../../test/support/fake-media-servers.js';
import { checkMediaBrowser } from './jellyfin-emby-check.js';

afterEach(cleanupAll);

const KEY = 'check-key-0123456789abcdef';

describe.each([
  ['jellyfin', 'Jellyfin', '12.0.0', 'JELLYFIN'],
  ['emby', 'Emby', '4.8.11.0', 'EMBY'],
] as const)('%s', (kind, service, version, prefix) => {
  const check = (baseUrl: string, apiKey = KEY) =>
    checkMediaBrowser({ kind, id: `${kind}://media:8096`, baseUrl, apiKey, fetch: globalThis.fetch, timeoutMs: 500 });

  it('asks GET /System/Info once with the key, and names the server and its version', async () => {
    const fake = await startFakeMediaBrowser({ kind, apiKey: KEY });
    const findings = await check(`${fake.url}/`);
    expect(findings).toEqual([
      { level: 'ok', subject: `${kind}://media:8096`, detail: `API key accepted; ${service} ${version} "media-box"` },
    ]);
    expect(fake.requests.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual(['GET /System/Info ']);
    expect(fake.requests[0]!.headers.accept).toBe('application/json');
  });

  it(`a wrong key is a problem naming ${prefix}_API_KEY`, async () => {
    const fake = await startFakeMediaBrowser({ kind, apiKey: KEY });
    const [finding] = await check(fake.url, 'wrong-key-0123');
    expect(finding).toEqual({
      level: 'problem',
      subject: `${kind}://media:8096`,
      detail: `GET ${fake.url}/System/Info answered HTTP 401 Unauthorized`,
      fix: `check ${prefix}_API_KEY: an API key made in ${service}'s dashboard`,
    });
  });

  it.each([
    [{ status: 403 }, `check ${prefix}_API_KEY: an API key from ${service}'s dashboard, not a user's token`],
    [{ status: 404 }, `check ${prefix}_URL: it must be ${service} itself (port 8096, with its base URL if one is set)`],
    [{ status: 200, body: '<html>login</html>' }, `check ${prefix}_URL: it must be ${service} itself`],
    [{ hang: true as const }, `check ${prefix}_URL, and that ${service} runs and this container can reach it`],
  ])('%j is a problem: %s', async (action, fix) => {
    const fake = await startFakeMediaBrowser({ kind, apiKey: KEY });
    fake.failWith(action);
    const [finding] = await check(fake.url);
    expect(finding?.level).toBe('problem');
    expect(finding?.fix).toContain(fix);
  });

  it('an unreachable server is a problem; a key pasted into the URL is masked', async () => {
    const dead = await startFakeServer();
    await dead.close();
    const [finding] = await check(`${dead.url}/${KEY}`);
    expect(finding?.detail).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:\d+\/\[REDACTED\]: .*ECONNREFUSED/);
    expect(JSON.stringify(finding)).not.toContain(KEY);
  });
});
