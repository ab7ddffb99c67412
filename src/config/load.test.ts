import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, secretsOf } from './load.js';

const noFile = (path: string): string => {
  throw new Error(`ENOENT: no such file, open '${path}'`);
};
const file = (text: string) => () => text;

describe('loadConfig', () => {
  it('starts with nothing set: the original defaults and the four mappings', () => {
    const c = loadConfig({}, noFile);
    expect(c.http).toEqual({ host: '0.0.0.0', port: 5000 });
    expect(c.dbPath).toBe('./data/sync_jobs.db');
    expect(c.log).toEqual({ path: './logs', level: 'info' });
    expect(c.timeZone).toBe('UTC');
    expect(c.dryRun).toBe(false);
    expect(c.telegram).toBeNull();
    expect(c.plex).toBeNull();
    expect(c.retry).toEqual({ intervalSeconds: 900, maxRetries: 3 });
    expect(c.summaryCron).toBe('5 0 * * *');
    expect(c.rsync).toEqual({ timeoutSeconds: 14400, maxConcurrent: 1 });
    expect(c.mounts.require).toBe(true);
    expect(c.mappings.map((m) => [m.container, m.source.path, m.destination.path])).toEqual([
      ['/movies', '/mnt/synology/rs-movies', '/mnt/unraid/media/Movies'],
      ['/movies-4k', '/mnt/synology/rs-4kmedia/4kmovies', '/mnt/unraid/media/4K Movies'],
      ['/tv', '/mnt/synology/rs-tv', '/mnt/unraid/media/TV Shows'],
      ['/tv-4k', '/mnt/synology/rs-4kmedia/4ktv', '/mnt/unraid/media/4K TV Shows'],
    ]);
    expect(Object.isFrozen(c.mappings[0])).toBe(true);
  });

  it('reads the original variables', () => {
    const c = loadConfig(
      {
        TELEGRAM_BOT_TOKEN: '123:abc',
        TELEGRAM_CHAT_ID: '-100',
        SYNC_DRY_RUN: 'True',
        SYNC_LOG_LEVEL: 'warning',
        SYNC_LOG_PATH: '/logs',
        SYNC_DB_PATH: '/data/sync_jobs.db',
        TZ: 'Europe/Berlin',
        PLEX_URL: 'http://10.0.0.50:32400/',
        PLEX_TOKEN: 'plextoken',
        PLEX_SECTION_MOVIES: '1',
        PLEX_SECTION_TV_4K: '4',
      },
      noFile,
    );
    expect(c.telegram).toEqual({ baseUrl: 'https://api.telegram.org', token: '123:abc', chatId: '-100' });
    expect(c.dryRun).toBe(true);
    expect(c.log).toEqual({ path: '/logs', level: 'warn' });
    expect(c.timeZone).toBe('Europe/Berlin');
    expect(c.plex).toEqual({ baseUrl: 'http://10.0.0.50:32400', token: 'plextoken' });
    expect(c.mappings.map((m) => m.plexSection)).toEqual(['1', undefined, undefined, '4']);
    expect(secretsOf(c).sort()).toEqual(['123:abc', 'plextoken']);
  });

  it.each([
    ['SYNC_PORT', 'abc', /SYNC_PORT must be a whole number/],
    ['SYNC_PORT', '70000', /SYNC_PORT must be between/],
    ['SYNC_DRY_RUN', 'maybe', /SYNC_DRY_RUN must be true or false/],
    ['SYNC_LOG_LEVEL', 'LOUD', /SYNC_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR/],
    ['TZ', 'Mars/Olympus', /TZ must be an IANA time zone/],
    ['SYNC_MAX_RETRIES', '-1', /SYNC_MAX_RETRIES must be between/],
    ['SYNC_SUMMARY_CRON', 'daily', /SYNC_SUMMARY_CRON must be a cron expression/],
    ['TELEGRAM_API_URL', 'ftp://x', /TELEGRAM_API_URL must be an http\(s\) URL/],
  ])('names the variable when %s=%s is wrong', (name, value, message) => {
    const env = { TELEGRAM_BOT_TOKEN: 't0k3n', TELEGRAM_CHAT_ID: '1', [name]: value };
    expect(() => loadConfig(env, noFile)).toThrow(ConfigError);
    expect(() => loadConfig(env, noFile)).toThrow(message);
  });

  it('needs both Telegram variables to turn notifications on', () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: 'x' }, noFile).telegram).toBeNull();
    expect(loadConfig({ TELEGRAM_CHAT_ID: 'x' }, noFile).telegram).toBeNull();
  });
});

describe('SYNC_CONFIG', () => {
  const yaml = `
mappings:
  - container: /movies/
    source: /mnt/src/movies
    destination: /mnt/dst/Movies/
    plex_path: /data/Movies
    anchor: .sync-anchor
    fstype: { source: nfs4, destination: nfs }
  - container: /anime
    source: /mnt/src/anime
    destination: /mnt/dst/Anime
    plex_section: 7
`;

  it('replaces the built-in mappings and normalises slashes', () => {
    const c = loadConfig({ SYNC_CONFIG: '/etc/sync.yml', PLEX_SECTION_MOVIES: '3' }, file(yaml));
    expect(c.mappings).toEqual([
      {
        container: '/movies',
        source: { path: '/mnt/src/movies', anchor: '.sync-anchor', fstype: 'nfs4' },
        destination: { path: '/mnt/dst/Movies', anchor: '.sync-anchor', fstype: 'nfs' },
        plexSection: '3',
        plexPath: '/data/Movies',
      },
      {
        container: '/anime',
        source: { path: '/mnt/src/anime' },
        destination: { path: '/mnt/dst/Anime' },
        plexSection: '7',
        plexPath: '/mnt/dst/Anime',
      },
    ]);
    expect(c.mappingsFrom).toBe('SYNC_CONFIG (/etc/sync.yml)');
  });

  it.each([
    [
      'an unknown key',
      'mappings:\n  - container: /a\n    source: /b\n    destination: /c\n    colour: red\n',
      /key mappings\.0: .*colour/,
    ],
    [
      'a relative path',
      'mappings:\n  - container: /a\n    source: b\n    destination: /c\n',
      /key mappings\.0\.source: must be an absolute path/,
    ],
    ['a missing destination', 'mappings:\n  - container: /a\n    source: /b\n', /key mappings\.0\.destination/],
    ['an empty list', 'mappings: []\n', /key mappings: must list at least one mapping/],
    ['an unknown top-level key', 'mapings: []\n', /key \(top level\)|mapings/],
    [
      'a .. in a path',
      'mappings:\n  - container: /a\n    source: /b/../etc\n    destination: /c\n',
      /mappings\.0\.source: must not contain/,
    ],
    [
      'a container mapped twice',
      'mappings:\n  - {container: /a, source: /b, destination: /c}\n  - {container: /a/, source: /d, destination: /e}\n',
      /mappings\.1\.container: \/a is mapped twice/,
    ],
    ['broken YAML', 'mappings: [\n', /is not valid YAML/],
  ])('stops the start on %s, naming the key', (_name, text, message) => {
    expect(() => loadConfig({ SYNC_CONFIG: '/etc/sync.yml' }, file(text))).toThrow(message);
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadConfig({ SYNC_CONFIG: '/nope.yml' }, noFile)).toThrow(/SYNC_CONFIG: cannot read \/nope\.yml/);
  });
});
