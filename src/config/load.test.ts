import { describe, expect, it } from 'vitest';
import { SECRET_VARIABLES } from './env.js';
import { loadConfig, secretsOf } from './load.js';
import { ConfigError } from './schema.js';
import { withSecretFiles } from './secret-files.js';

const noFile = (path: string): string => {
  throw new Error(`ENOENT: no such file, open '${path}'`);
};
const file = (text: string) => () => text;

/** The message of the ConfigError loadConfig throws for `env`. */
function configErrorOf(env: Record<string, string>, readFile: (path: string) => string = noFile): string {
  try {
    loadConfig(env, readFile);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const BWLIMIT_PROBLEM =
  'SYNC_RSYNC_BWLIMIT must be a rate from 1K to 1T per second such as 50M, 800K or 1.5G ' +
  '(K/M/G/T: KiB/MiB/GiB/TiB), or 0 for none';

describe('loadConfig', () => {
  it('starts with nothing set: the documented defaults and the four mappings', () => {
    const c = loadConfig({}, noFile);
    expect(c.http).toEqual({ host: '0.0.0.0', port: 5000 });
    expect(c.dbPath).toBe('./data/sync_jobs.db');
    expect(c.log).toEqual({ path: './logs', level: 'info', format: 'text' });
    expect(c.auth).toEqual({ basic: null, apiKey: null, metrics: true });
    expect(c.timeZone).toBe('UTC');
    expect(c.dryRun).toBe(false);
    expect(c.notify).toEqual([]);
    expect(c.mediaServers).toEqual([]);
    expect(c.retry).toEqual({ intervalSeconds: 900, maxRetries: 3 });
    expect(c.summaryCron).toBe('5 0 * * *');
    expect(c.rsync).toEqual({ timeoutSeconds: 14400, maxConcurrent: 1, bandwidthLimitKiB: null });
    expect(c.mounts.require).toBe(true);
    expect(c.retentionDays).toBe(0);
    expect(c.mirror).toEqual({ mode: 'off', trashDays: 30 });
    expect(c.reconcile).toEqual({ settleMinutes: 10, timeoutSeconds: 600, cron: null, afterDowntimeMinutes: 30 });
    expect(c.mappings.map((m) => [m.container, m.source.path, m.destination.path, m.kind])).toEqual([
      ['/movies', '/mnt/synology/rs-movies', '/mnt/unraid/media/Movies', 'movie'],
      ['/movies-4k', '/mnt/synology/rs-4kmedia/4kmovies', '/mnt/unraid/media/4K Movies', 'movie'],
      ['/tv', '/mnt/synology/rs-tv', '/mnt/unraid/media/TV Shows', 'tv'],
      ['/tv-4k', '/mnt/synology/rs-4kmedia/4ktv', '/mnt/unraid/media/4K TV Shows', 'tv'],
    ]);
    expect(Object.isFrozen(c.mappings[0])).toBe(true);
  });

  it('reads the documented variables', () => {
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
    expect(c.notify.map((t) => [t.id, t.scheme, t.events])).toEqual([['tgram://123/-100', 'tgram', undefined]]);
    expect(c.dryRun).toBe(true);
    expect(c.log).toEqual({ path: '/logs', level: 'warn', format: 'text' });
    expect(c.timeZone).toBe('Europe/Berlin');
    expect(c.mediaServers).toEqual([{ type: 'plex', url: 'http://10.0.0.50:32400', token: 'plextoken' }]);
    expect(c.mappings.map((m) => m.plexSection)).toEqual(['1', undefined, undefined, '4']);
    expect(secretsOf(c).sort()).toEqual(['123:abc', 'plextoken']);
  });

  it.each([
    ['trash', 'trash'],
    [' Delete ', 'delete'],
    ['OFF', 'off'],
    ['', 'off'],
  ])('reads SYNC_MIRROR=%j as %s, in any case', (value, mode) => {
    expect(loadConfig({ SYNC_MIRROR: value, SYNC_TRASH_DAYS: '7' }, noFile).mirror).toEqual({ mode, trashDays: 7 });
  });

  it('keeps the documented spellings: booleans and levels in any case, spaces trimmed, blank as unset', () => {
    for (const [word, value] of [
      ['true', true],
      ['YES', true],
      ['1', true],
      ['On', true],
      ['false', false],
      ['no', false],
      ['0', false],
      ['OFF', false],
    ] as const) {
      expect(loadConfig({ SYNC_DRY_RUN: word }, noFile).dryRun).toBe(value);
      expect(loadConfig({ SYNC_REQUIRE_MOUNTS: word }, noFile).mounts.require).toBe(value);
    }
    for (const [name, level] of [
      ['debug', 'debug'],
      ['Info', 'info'],
      ['WARNING', 'warn'],
      ['warn', 'warn'],
      ['error', 'error'],
      ['CRITICAL', 'error'],
    ] as const) {
      expect(loadConfig({ SYNC_LOG_LEVEL: name }, noFile).log.level).toBe(level);
    }
    const c = loadConfig(
      { SYNC_PORT: ' 8080 ', SYNC_HOST: '', TZ: '  ', SYNC_SUMMARY_CRON: '0 6 * * 1', PLEX_SECTION_TV: ' 2 ' },
      noFile,
    );
    expect(c.http).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(c.timeZone).toBe('UTC');
    expect(c.summaryCron).toBe('0 6 * * 1');
    expect(c.mappings.map((m) => m.plexSection)).toEqual([undefined, undefined, '2', undefined]);
  });

  it('reads the catch-up variables', () => {
    const c = loadConfig(
      {
        SYNC_RECONCILE_SETTLE_MINUTES: '0',
        SYNC_RECONCILE_TIMEOUT_SECONDS: '120',
        SYNC_RECONCILE_CRON: '30 4 * * *',
        SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES: '0',
      },
      noFile,
    );
    expect(c.reconcile).toEqual({ settleMinutes: 0, timeoutSeconds: 120, cron: '30 4 * * *', afterDowntimeMinutes: 0 });
  });

  it.each([
    ['50M', 51_200],
    ['50m', 51_200],
    ['50MiB', 51_200],
    ['50MB', 48_828],
    ['800', 800],
    ['800K', 800],
    ['1.5G', 1_572_864],
    ['1T', 1024 ** 3],
    ['0.5K', 1],
    [' 10M ', 10_240],
    ['0', null],
    ['0M', null],
    ['', null],
  ])('reads SYNC_RSYNC_BWLIMIT=%j as rsync does: %j KiB/s', (value, kib) => {
    expect(loadConfig({ SYNC_RSYNC_BWLIMIT: value }, noFile).rsync.bandwidthLimitKiB).toBe(kib);
  });

  // Each line: the variable, its bad value, and the whole one-line message main prints before it exits 2.
  it.each([
    ['SYNC_PORT', 'abc', 'SYNC_PORT must be a whole number, got "abc"'],
    ['SYNC_PORT', '80.5', 'SYNC_PORT must be a whole number, got "80.5"'],
    ['SYNC_PORT', '70000', 'SYNC_PORT must be between 0 and 65535, got 70000'],
    ['SYNC_PORT', '-1', 'SYNC_PORT must be between 0 and 65535, got -1'],
    ['SYNC_DRY_RUN', 'maybe', 'SYNC_DRY_RUN must be true or false, got "maybe"'],
    ['SYNC_REQUIRE_MOUNTS', 'enabled', 'SYNC_REQUIRE_MOUNTS must be true or false, got "enabled"'],
    ['SYNC_LOG_LEVEL', 'LOUD', 'SYNC_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got "LOUD"'],
    ['SYNC_LOG_FORMAT', 'xml', 'SYNC_LOG_FORMAT must be text or json, got "xml"'],
    ['SYNC_METRICS_AUTH', 'none', 'SYNC_METRICS_AUTH must be true or false, got "none"'],
    ['TZ', 'Mars/Olympus', 'TZ must be an IANA time zone such as Europe/Berlin or UTC, got "Mars/Olympus"'],
    ['SYNC_MAX_RETRIES', '-1', 'SYNC_MAX_RETRIES must be between 0 and 100, got -1'],
    ['SYNC_MAX_RETRIES', '101', 'SYNC_MAX_RETRIES must be between 0 and 100, got 101'],
    ['SYNC_RETRY_INTERVAL_SECONDS', '0', 'SYNC_RETRY_INTERVAL_SECONDS must be between 1 and 604800, got 0'],
    ['SYNC_RSYNC_TIMEOUT_SECONDS', '4h', 'SYNC_RSYNC_TIMEOUT_SECONDS must be a whole number, got "4h"'],
    ['SYNC_MAX_CONCURRENT', '17', 'SYNC_MAX_CONCURRENT must be between 1 and 16, got 17'],
    ['SYNC_MOUNT_TIMEOUT_SECONDS', '0', 'SYNC_MOUNT_TIMEOUT_SECONDS must be between 1 and 300, got 0'],
    ['SYNC_RSYNC_BWLIMIT', '50 MB/s', `${BWLIMIT_PROBLEM}, got "50 MB/s"`],
    ['SYNC_RSYNC_BWLIMIT', '50Mbit', `${BWLIMIT_PROBLEM}, got "50Mbit"`],
    ['SYNC_RSYNC_BWLIMIT', 'fast', `${BWLIMIT_PROBLEM}, got "fast"`],
    ['SYNC_RSYNC_BWLIMIT', '-5M', `${BWLIMIT_PROBLEM}, got "-5M"`],
    ['SYNC_RSYNC_BWLIMIT', '0.4', `${BWLIMIT_PROBLEM}, got "0.4"`],
    ['SYNC_RSYNC_BWLIMIT', '3T', `${BWLIMIT_PROBLEM}, got "3T"`],
    ['SYNC_RSYNC_BWLIMIT', '1e3', `${BWLIMIT_PROBLEM}, got "1e3"`],
    ['SYNC_RSYNC_BWLIMIT', '50MiB/s', `${BWLIMIT_PROBLEM}, got "50MiB/s"`],
    [
      'SYNC_MOUNT_CHECK_INTERVAL_SECONDS',
      '3601',
      'SYNC_MOUNT_CHECK_INTERVAL_SECONDS must be between 1 and 3600, got 3601',
    ],
    ['SYNC_MANUAL_STABLE_SECONDS', '2s', 'SYNC_MANUAL_STABLE_SECONDS must be a whole number, got "2s"'],
    ['SYNC_RETENTION_DAYS', '30d', 'SYNC_RETENTION_DAYS must be a whole number, got "30d"'],
    ['SYNC_RETENTION_DAYS', '-1', 'SYNC_RETENTION_DAYS must be between 0 and 36500, got -1'],
    ['SYNC_MIRROR', 'on', 'SYNC_MIRROR must be off, trash or delete, got "on"'],
    ['SYNC_MIRROR', 'true', 'SYNC_MIRROR must be off, trash or delete, got "true"'],
    ['SYNC_TRASH_DAYS', '0', 'SYNC_TRASH_DAYS must be between 1 and 3650, got 0'],
    ['SYNC_TRASH_DAYS', '30d', 'SYNC_TRASH_DAYS must be a whole number, got "30d"'],
    [
      'SYNC_SUMMARY_CRON',
      'daily',
      'SYNC_SUMMARY_CRON must be a cron expression with 5 fields (minute hour day month weekday), got "daily"',
    ],
    [
      'SYNC_SUMMARY_CRON',
      '99 0 * * *',
      'SYNC_SUMMARY_CRON must be a valid cron expression (minute hour day month weekday), got "99 0 * * *": ' +
        'CronPattern: Invalid value for minute: 99',
    ],
    [
      'SYNC_SUMMARY_CRON',
      '5 0 * * 8',
      'SYNC_SUMMARY_CRON must be a valid cron expression (minute hour day month weekday), got "5 0 * * 8": ' +
        'CronPattern: Invalid value for dayOfWeek: 8',
    ],
    [
      'SYNC_SUMMARY_CRON',
      '0 0 30 2 *',
      'SYNC_SUMMARY_CRON must be a cron expression that fires, got "0 0 30 2 *": it names no date that exists',
    ],
    ['SYNC_RECONCILE_SETTLE_MINUTES', '1441', 'SYNC_RECONCILE_SETTLE_MINUTES must be between 0 and 1440, got 1441'],
    ['SYNC_RECONCILE_TIMEOUT_SECONDS', '5', 'SYNC_RECONCILE_TIMEOUT_SECONDS must be between 10 and 86400, got 5'],
    [
      'SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES',
      'soon',
      'SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES must be a whole number, got "soon"',
    ],
    [
      'SYNC_RECONCILE_CRON',
      'nightly',
      'SYNC_RECONCILE_CRON must be a cron expression with 5 fields (minute hour day month weekday), got "nightly"',
    ],
    [
      'SYNC_RECONCILE_CRON',
      '0 25 * * *',
      'SYNC_RECONCILE_CRON must be a valid cron expression (minute hour day month weekday), got "0 25 * * *": ' +
        'CronPattern: Invalid value for hour: 25',
    ],
    ['TELEGRAM_API_URL', 'ftp://x', 'TELEGRAM_API_URL must be an http(s) URL, got "ftp://x"'],
    ['TELEGRAM_API_URL', 'api.telegram.org', 'TELEGRAM_API_URL must be an http(s) URL, got "api.telegram.org"'],
    ['PLEX_URL', '10.0.0.50:32400', 'PLEX_URL must be an http(s) URL, got "10.0.0.50:32400"'],
    [
      'SYNC_USERNAME',
      'radarr',
      'SYNC_USERNAME and SYNC_PASSWORD must be set together (HTTP Basic needs both), or neither',
    ],
    [
      'SYNC_PASSWORD',
      'secret-password',
      'SYNC_USERNAME and SYNC_PASSWORD must be set together (HTTP Basic needs both), or neither',
    ],
  ])('names the variable when %s=%s is wrong', (name, value, message) => {
    const env = { TELEGRAM_BOT_TOKEN: 't0k3n', TELEGRAM_CHAT_ID: '1', PLEX_TOKEN: 'plex', [name]: value };
    expect(configErrorOf(env)).toBe(message);
  });

  it('names each bad variable, up to three, on the one line', () => {
    expect(configErrorOf({ TZ: 'Berlin', SYNC_PORT: 'http', SYNC_DRY_RUN: 'y' })).toBe(
      'SYNC_PORT must be a whole number, got "http"; TZ must be an IANA time zone such as Europe/Berlin or UTC, ' +
        'got "Berlin"; SYNC_DRY_RUN must be true or false, got "y"',
    );
  });

  it('masks a secret the bad value quotes', () => {
    const env = { PLEX_TOKEN: 'plex-secret-token', PLEX_URL: 'ftp://plex.lan/?X-Plex-Token=plex-secret-token' };
    expect(configErrorOf(env)).toBe('PLEX_URL must be an http(s) URL, got "ftp://plex.lan/?X-Plex-Token=[REDACTED]"');
  });

  it('reads SYNC_LOG_FORMAT and SYNC_METRICS_AUTH', () => {
    expect(loadConfig({ SYNC_LOG_FORMAT: 'JSON' }, noFile).log.format).toBe('json');
    expect(loadConfig({ SYNC_LOG_FORMAT: 'text' }, noFile).log.format).toBe('text');
    expect(loadConfig({ SYNC_METRICS_AUTH: 'false' }, noFile).auth.metrics).toBe(false);
  });

  it('needs both Telegram variables to turn notifications on', () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: 'x' }, noFile).notify).toEqual([]);
    expect(loadConfig({ TELEGRAM_CHAT_ID: 'x' }, noFile).notify).toEqual([]);
  });
});

describe('secrets from files (NAME_FILE, as Docker secrets give them)', () => {
  const files = (contents: Record<string, string>) => (path: string) => {
    const text = contents[path];
    if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    return text;
  };

  it('reads each secret from its file, without the trailing newline', () => {
    const c = loadConfig(
      {
        TELEGRAM_BOT_TOKEN_FILE: '/run/secrets/telegram',
        TELEGRAM_CHAT_ID: '-100',
        PLEX_URL: 'http://plex:32400',
        PLEX_TOKEN_FILE: '/run/secrets/plex',
        SYNC_USERNAME: 'radarr',
        SYNC_PASSWORD_FILE: '/run/secrets/password',
        SYNC_API_KEY_FILE: ' /run/secrets/key ',
      },
      files({
        '/run/secrets/telegram': '123:abc\n',
        '/run/secrets/plex': 'plex-token\r\n',
        '/run/secrets/password': 'pass word',
        '/run/secrets/key': 'api-key\n\n',
      }),
    );
    expect(c.notify.map((t) => t.id)).toEqual(['tgram://123/-100']);
    expect(c.notify[0]?.secrets).toContain('123:abc');
    expect(c.mediaServers).toEqual([{ type: 'plex', url: 'http://plex:32400', token: 'plex-token' }]);
    expect(c.auth.basic).toEqual({ username: 'radarr', password: 'pass word' });
    expect(c.auth.apiKey).toBe('api-key');
    expect(secretsOf(c)).toEqual(expect.arrayContaining(['123:abc', 'api-key', 'pass word', 'plex-token']));
  });

  it('takes a _FILE for every secret the service knows, and for no other variable', () => {
    expect(SECRET_VARIABLES).toEqual([
      'TELEGRAM_BOT_TOKEN',
      'PLEX_TOKEN',
      'SYNC_PASSWORD',
      'SYNC_API_KEY',
      'SYNC_NOTIFY_URLS',
      'JELLYFIN_API_KEY',
      'EMBY_API_KEY',
    ]);
    const env = withSecretFiles(
      { SYNC_NOTIFY_URLS_FILE: '/s/urls', SYNC_PORT_FILE: '/s/port' },
      SECRET_VARIABLES,
      (p) => (p === '/s/urls' ? 'tgram://a/b\n' : '8080'),
    );
    expect(env.SYNC_NOTIFY_URLS).toBe('tgram://a/b');
    expect(env.SYNC_PORT).toBeUndefined();
    const c = loadConfig({ SYNC_NOTIFY_URLS_FILE: '/s/urls' }, files({ '/s/urls': 'tgram://123:abc/42\n' }));
    expect(c.notify.map((t) => t.id)).toEqual(['tgram://123/42']);
  });

  it('stops the start when both NAME and NAME_FILE are set, naming both and quoting neither', () => {
    const message = configErrorOf(
      { SYNC_API_KEY: 'inline-key', SYNC_API_KEY_FILE: '/run/secrets/key' },
      files({ '/run/secrets/key': 'file-key' }),
    );
    expect(message).toBe(
      'SYNC_API_KEY and SYNC_API_KEY_FILE are both set: keep one (SYNC_API_KEY_FILE reads it from a file)',
    );
  });

  it('names the variable and the path of a file it cannot read, never its content', () => {
    expect(configErrorOf({ PLEX_TOKEN_FILE: '/run/secrets/nope' }, files({}))).toBe(
      'PLEX_TOKEN_FILE: cannot read /run/secrets/nope: ENOENT: no such file or directory',
    );
    expect(
      configErrorOf(
        { SYNC_PASSWORD_FILE: '/run/secrets/empty', SYNC_USERNAME: 'u' },
        files({ '/run/secrets/empty': '\n' }),
      ),
    ).toBe('SYNC_PASSWORD_FILE: /run/secrets/empty is empty');
  });

  it('masks a secret read from a file wherever a configuration error quotes it', () => {
    const env = { PLEX_TOKEN_FILE: '/s/plex', PLEX_URL: 'ftp://plex.lan/?X-Plex-Token=plex-file-token' };
    expect(configErrorOf(env, files({ '/s/plex': 'plex-file-token\n' }))).toBe(
      'PLEX_URL must be an http(s) URL, got "ftp://plex.lan/?X-Plex-Token=[REDACTED]"',
    );
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
        kind: 'movie',
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
      'mappings:\n  - {container: /a, source: /b, destination: /c}\n' +
        '  - {container: /a/, source: /d, destination: /e}\n',
      /mappings\.1\.container: \/a is mapped twice/,
    ],
    ['broken YAML', 'mappings: [\n', /is not valid YAML/],
    [
      'a bad filesystem type',
      'mappings:\n  - {container: /a, source: /b, destination: /c, fstype: "nfs 4"}\n',
      /^SYNC_CONFIG: \/etc\/sync\.yml: key mappings\.0\.fstype: must be a filesystem type such as nfs4$/,
    ],
    [
      'an absolute anchor',
      'mappings:\n  - {container: /a, source: /b, destination: /c, anchor: {source: /etc/passwd}}\n',
      /^SYNC_CONFIG: \/etc\/sync\.yml: key mappings\.0\.anchor(\.source)?: /,
    ],
    [
      'a negative Plex section',
      'mappings:\n  - {container: /a, source: /b, destination: /c, plex_section: -1}\n',
      /^SYNC_CONFIG: \/etc\/sync\.yml: key mappings\.0\.plex_section: /,
    ],
    [
      'a relative plex_path',
      'mappings:\n  - {container: /a, source: /b, destination: /c, plex_path: Movies}\n',
      /^SYNC_CONFIG: \/etc\/sync\.yml: key mappings\.0\.plex_path: must be an absolute path \(start with \/\)$/,
    ],
    ['mappings that are not a list', 'mappings: /movies\n', /^SYNC_CONFIG: \/etc\/sync\.yml: key mappings: /],
    [
      'a kind that is neither movie nor tv',
      'mappings:\n  - {container: /a, source: /b, destination: /c, kind: music}\n',
      /^SYNC_CONFIG: \/etc\/sync\.yml: key mappings\.0\.kind: must be movie or tv$/,
    ],
  ])('stops the start on %s, naming the key', (_name, text, message) => {
    expect(configErrorOf({ SYNC_CONFIG: '/etc/sync.yml' }, file(text))).toMatch(message);
  });

  it('reads kind; a built-in container without one keeps its own, any other has none', () => {
    const text =
      'mappings:\n  - {container: /tv, source: /b, destination: /c}\n' +
      '  - {container: /anime, source: /d, destination: /e, kind: tv}\n' +
      '  - {container: /movies, source: /f, destination: /g, kind: tv}\n' +
      '  - {container: /music, source: /h, destination: /i}\n';
    const c = loadConfig({ SYNC_CONFIG: '/etc/sync.yml' }, file(text));
    expect(c.mappings.map((m) => [m.container, m.kind])).toEqual([
      ['/tv', 'tv'],
      ['/anime', 'tv'],
      ['/movies', 'tv'],
      ['/music', undefined],
    ]);
    expect('kind' in (c.mappings[3] ?? {})).toBe(false);
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadConfig({ SYNC_CONFIG: '/nope.yml' }, noFile)).toThrow(/SYNC_CONFIG: cannot read \/nope\.yml/);
  });
});
