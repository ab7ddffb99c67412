// A malformed media_servers: entry, or a Jellyfin URL without its key, stops the real process before it
// opens anything: exit code 2 and one stderr line naming the key or variable, never the key's value.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, tempDir } from '../support/cleanup.js';
import { startService } from '../support/launch.js';
import { layoutOf } from '../support/service-layout.js';

afterAll(cleanupAll);

const KEY = 'jellyfin-secret-0123456789';

describe.concurrent('a bad media-server setting', () => {
  it.each([
    [
      'an entry with both a token and an api_key',
      { configYaml: true, env: {} },
      'key media_servers.0.api_key: needs its token or API key',
    ],
    [
      'JELLYFIN_API_KEY without JELLYFIN_URL',
      { configYaml: false, env: { JELLYFIN_API_KEY: KEY } },
      'JELLYFIN_URL and JELLYFIN_API_KEY must be set together, or neither',
    ],
  ])('%s exits 2 naming it, before the database is created', async (_what, o, message) => {
    const dir = await tempDir();
    const l = layoutOf(dir);
    const mappings = [{ container: '/movies', source: l.moviesSrc, destination: l.moviesDst }];
    const mediaServers = [{ type: 'jellyfin', url: 'http://jellyfin:8096', token: KEY, api_key: KEY }];
    const svc = await startService({
      dir,
      ...(o.configYaml ? { configYaml: JSON.stringify({ mappings, media_servers: mediaServers }) } : { mappings }),
      env: o.env,
      waitForHealth: false,
    });
    const { code } = await Promise.race([
      svc.exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`still running after 15 s:\n${svc.output()}`)), 15_000),
      ),
    ]);
    expect(code, svc.output()).toBe(2);
    expect(svc.stdout()).toBe('');
    const lines = svc.stderr().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('sync-webhook: configuration error: ');
    expect(lines[0]).toContain(message);
    expect(lines[0]).not.toContain(KEY);
    expect(existsSync(l.dbPath)).toBe(false);
  });
});
