// Media servers from the environment (PLEX_*, JELLYFIN_*, EMBY_*) and the YAML media_servers: block: the
// specs, their ids and secrets, and the errors that stop the start, each naming the key, no secret quoted.
import { describe, expect, it } from 'vitest';
import { mediaServerId } from '../media/registry.js';
import { loadConfig, secretsOf } from './load.js';
import { ConfigError } from './schema.js';

const PLEX_TOKEN = 'plex-T0ken-secret';
const JELLYFIN_KEY = 'jellyfin0123456789abcdef';
const EMBY_KEY = 'emby0123456789abcdef';
const noFile = (path: string): string => {
  throw new Error(`ENOENT: ${path}`);
};
const MAPPINGS = `mappings:
  - { container: /movies, source: /mnt/src/movies, destination: /mnt/dst/Movies, plex_section: 1 }
  - { container: /tv, source: /mnt/src/tv, destination: /mnt/dst/TV Shows, plex_path: /data/TV Shows }
`;
const withFile = (mediaServers: string) => () => `${MAPPINGS}media_servers:\n${mediaServers}`;
const FILE_ENV = { SYNC_CONFIG: '/config/sync.yml' };

function errorOf(env: Record<string, string>, readFile: (path: string) => string = noFile): string {
  try {
    loadConfig(env, readFile);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('the environment shortcuts', () => {
  it('PLEX_URL/PLEX_TOKEN as before, JELLYFIN_URL/JELLYFIN_API_KEY and EMBY_URL/EMBY_API_KEY beside it', () => {
    const config = loadConfig(
      {
        PLEX_URL: 'http://plex:32400/',
        PLEX_TOKEN,
        JELLYFIN_URL: 'http://jellyfin:8096/jf',
        JELLYFIN_API_KEY: JELLYFIN_KEY,
        EMBY_URL: 'https://emby.lan',
        EMBY_API_KEY: EMBY_KEY,
      },
      noFile,
    );
    expect(config.mediaServers).toEqual([
      { type: 'plex', url: 'http://plex:32400', token: PLEX_TOKEN },
      { type: 'jellyfin', url: 'http://jellyfin:8096/jf', apiKey: JELLYFIN_KEY },
      { type: 'emby', url: 'https://emby.lan', apiKey: EMBY_KEY },
    ]);
    expect(config.mediaServers.map(mediaServerId)).toEqual([
      'plex://plex:32400',
      'jellyfin://jellyfin:8096/jf',
      'emby://emby.lan',
    ]);
    expect(secretsOf(config)).toEqual([PLEX_TOKEN, JELLYFIN_KEY, EMBY_KEY]);
  });

  it.each([
    [{ JELLYFIN_URL: 'http://jellyfin:8096' }, 'JELLYFIN_URL and JELLYFIN_API_KEY must be set together, or neither'],
    [{ EMBY_API_KEY: EMBY_KEY }, 'EMBY_URL and EMBY_API_KEY must be set together, or neither'],
  ])('a URL without its key (or the reverse) stops the start: %j', (env, message) => {
    expect(errorOf(env)).toBe(message);
  });

  it('a bad URL names the variable; a key pasted into it is masked', () => {
    const message = errorOf({ JELLYFIN_URL: `jellyfin:8096/${JELLYFIN_KEY}`, JELLYFIN_API_KEY: JELLYFIN_KEY });
    expect(message).toMatch(/^JELLYFIN_URL must be an http\(s\) URL/);
    expect(message).toContain('[REDACTED]');
    expect(message).not.toContain(JELLYFIN_KEY);
  });
});

describe('media_servers: in the YAML file', () => {
  it('reads each entry: type, url, token or api_key, name, path_map, sections', () => {
    const config = loadConfig(
      FILE_ENV,
      withFile(`  - type: plex
    url: http://plex:32400
    token: ${PLEX_TOKEN}
    sections: { /tv: 2 }
    path_map: [{ from: /mnt/dst, to: /data }]
  - type: jellyfin
    name: living-room
    url: http://jellyfin:8096
    api_key: ${JELLYFIN_KEY}
    path_map:
      - { from: /mnt/dst/Movies/, to: /media/movies }
      - { from: /mnt/dst/TV Shows, to: 'D:\\TV' }
  - { type: emby, url: http://emby:8096, token: ${EMBY_KEY} }
`),
    );
    const setting = (i: number, key: string) => `media_servers.${i}.${key} (SYNC_CONFIG)`;
    expect(config.mediaServers).toEqual([
      {
        type: 'plex',
        url: 'http://plex:32400',
        token: PLEX_TOKEN,
        pathMap: [{ from: '/mnt/dst', to: '/data' }],
        sections: { '/tv': '2' },
        settingNames: { url: setting(0, 'url'), token: setting(0, 'token'), sections: setting(0, 'sections') },
      },
      {
        type: 'jellyfin',
        name: 'living-room',
        url: 'http://jellyfin:8096',
        apiKey: JELLYFIN_KEY,
        pathMap: [
          { from: '/mnt/dst/Movies', to: '/media/movies' },
          { from: '/mnt/dst/TV Shows', to: 'D:\\TV' },
        ],
        settingNames: { url: setting(1, 'url'), apiKey: setting(1, 'api_key') },
      },
      {
        type: 'emby',
        url: 'http://emby:8096',
        apiKey: EMBY_KEY,
        settingNames: { url: setting(2, 'url'), apiKey: setting(2, 'token') },
      },
    ]);
    expect(config.mediaServers.map(mediaServerId)).toEqual(['plex://plex:32400', 'living-room', 'emby://emby:8096']);
    expect(secretsOf(config)).toEqual([PLEX_TOKEN, JELLYFIN_KEY, EMBY_KEY]);
  });

  it('adds up with the environment, and registers a password in a URL as a secret', () => {
    const config = loadConfig(
      { ...FILE_ENV, PLEX_URL: 'http://plex:32400', PLEX_TOKEN },
      withFile(`  - { type: jellyfin, url: 'http://admin:hunter22@jellyfin:8096', api_key: ${JELLYFIN_KEY} }\n`),
    );
    expect(config.mediaServers.map(mediaServerId)).toEqual(['plex://plex:32400', 'jellyfin://jellyfin:8096']);
    expect(secretsOf(config)).toEqual([PLEX_TOKEN, JELLYFIN_KEY, 'hunter22']);
  });

  it.each([
    ['  - { url: http://plex:32400, token: t0ken }', 'key media_servers.0.type: must be one of plex, jellyfin, emby'],
    [
      '  - { type: kodi, url: http://kodi:8080, token: t0ken }',
      'key media_servers.0.type: must be one of plex, jellyfin, emby',
    ],
    ['  - { type: plex, url: plex:32400, token: t0ken }', 'key media_servers.0.url: must be an http(s) URL'],
    [
      '  - { type: plex, url: http://plex:32400 }',
      'key media_servers.0.token: needs its token or API key: set token (Plex) or api_key (Jellyfin, Emby), ' +
        'one of them',
    ],
    [
      '  - { type: emby, url: http://emby:8096, token: a-key, api_key: a-key }',
      'key media_servers.0.api_key: needs its token or API key',
    ],
    [
      '  - { type: jellyfin, url: http://j:8096, api_key: k3y, sections: { /tv: 1 } }',
      'key media_servers.0.sections: is for Plex only',
    ],
    [
      '  - { type: plex, url: http://plex:32400, token: t0ken, sections: { /anime: 1 } }',
      'key media_servers.0.sections./anime: no mapping has this container',
    ],
    [
      '  - { type: plex, url: http://plex:32400, token: t0ken, path_map: [{ from: data, to: /data }] }',
      'key media_servers.0.path_map.0.from: must be an absolute path',
    ],
    [
      '  - { type: plex, url: http://plex:32400, token: t0ken, path_map: [{ from: /a }] }',
      'key media_servers.0.path_map.0.to: ',
    ],
    ['  - { type: plex, url: http://plex:32400, tokn: t0ken }', 'key media_servers.0: Unrecognized key: "tokn"'],
    ['  - { type: plex, url: http://plex:32400, token: t0ken, name: "my plex" }', 'key media_servers.0.name: must be'],
  ])('a malformed entry stops the start, naming the key: %s', (entry, message) => {
    const error = errorOf(FILE_ENV, withFile(`${entry}\n`));
    expect(error).toContain('SYNC_CONFIG: /config/sync.yml: ');
    expect(error).toContain(message);
  });

  it('quotes no token: neither a wrong one nor one pasted into the URL', () => {
    const error = errorOf(
      FILE_ENV,
      withFile(`  - { type: plex, url: 'plex:32400/${PLEX_TOKEN}', token: ${PLEX_TOKEN} }\n  - { type: emby }\n`),
    );
    expect(error).toContain('key media_servers.0.url: must be an http(s) URL');
    expect(error).not.toContain(PLEX_TOKEN);
  });

  it.each([
    [
      { PLEX_URL: 'http://plex:32400', PLEX_TOKEN },
      `  - { type: plex, url: 'http://plex:32400/', token: ${PLEX_TOKEN} }`,
      'SYNC_CONFIG: /config/sync.yml: key media_servers.0: the media server id plex://plex:32400 is also that of ' +
        'PLEX_URL; give one a name',
    ],
    [
      { SYNC_NOTIFY_URLS: 'tgram://42:bot-token/7' },
      `  - { type: emby, name: 'tgram://42/7', url: 'http://emby:8096', api_key: ${EMBY_KEY} }`,
      'key media_servers.0.name: must be',
    ],
  ])('two servers with one id stop the start', (env, entry, message) => {
    expect(errorOf({ ...FILE_ENV, ...env }, withFile(`${entry}\n`))).toContain(message);
  });

  it('a media server may not take the id of a notification target', () => {
    const file = () =>
      `${MAPPINGS}notify:\n  - { url: 'tgram://42:bot-token/7', name: home }\n` +
      `media_servers:\n  - { type: emby, name: home, url: 'http://emby:8096', api_key: ${EMBY_KEY} }\n`;
    expect(errorOf(FILE_ENV, file)).toBe(
      'SYNC_CONFIG: /config/sync.yml: key media_servers.0: the media server id home is also that of ' +
        'a notification target; give one a name',
    );
  });
});
