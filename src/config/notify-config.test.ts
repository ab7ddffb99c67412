// Notification targets from SYNC_NOTIFY_URLS, the YAML notify: block and the Telegram variables of old:
// ids, options, and the errors that stop the start (secrets masked).
import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from './load.js';
import { ConfigError } from './schema.js';

const TOKEN = '110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SECRET = 'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const noFile = (path: string): string => {
  throw new Error(`ENOENT: ${path}`);
};
const yaml = (notify: string) => () =>
  `mappings:\n  - container: /movies\n    source: /mnt/src\n    destination: /mnt/dst\nnotify:\n${notify}`;

function errorOf(env: Record<string, string>, readFile: (path: string) => string = noFile): string {
  try {
    loadConfig(env, readFile);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const idsOf = (env: Record<string, string>, readFile = noFile) => loadConfig(env, readFile).notify.map((t) => t.id);

describe('SYNC_NOTIFY_URLS', () => {
  it('reads URLs separated by commas, spaces or newlines; ids hold no secret', () => {
    const urls = `tgram://${TOKEN}/-1001, tgram://bot${TOKEN}/@my_channel\ntgram://42:other-token/7`;
    const config = loadConfig({ SYNC_NOTIFY_URLS: urls }, noFile);
    expect(config.notify.map((t) => t.id)).toEqual([
      'tgram://110201543/-1001',
      'tgram://110201543/@my_channel',
      'tgram://42/7',
    ]);
    expect(config.notify.every((t) => !t.id.includes(SECRET))).toBe(true);
    expect(secretsOf(config)).toEqual([TOKEN, TOKEN, '42:other-token']);
  });

  it('gives each target the same id whatever the order of the URLs', () => {
    const a = `tgram://${TOKEN}/1`;
    const b = `tgram://${TOKEN}/2`;
    const forward = idsOf({ SYNC_NOTIFY_URLS: `${a} ${b}` });
    const backward = idsOf({ SYNC_NOTIFY_URLS: `${b},${a}` });
    expect(forward).toEqual(['tgram://110201543/1', 'tgram://110201543/2']);
    expect([...backward].sort()).toEqual(forward);
  });

  it('makes one target per chat of a URL, from its path and ?to=, and keeps a comma list inside a URL whole', () => {
    expect(idsOf({ SYNC_NOTIFY_URLS: `tgram://${TOKEN}/1?to=2,3` })).toEqual([
      'tgram://110201543/1',
      'tgram://110201543/2',
      'tgram://110201543/3',
    ]);
  });

  it('turns TELEGRAM_BOT_TOKEN/TELEGRAM_CHAT_ID into one tgram target beside the URLs', () => {
    const config = loadConfig(
      { SYNC_NOTIFY_URLS: 'tgram://42:x-token/7', TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '-100' },
      noFile,
    );
    expect(config.notify.map((t) => [t.id, t.scheme])).toEqual([
      ['tgram://42/7', 'tgram'],
      ['tgram://110201543/-100', 'tgram'],
    ]);
  });

  it.each([
    ['no chat id', `tgram://${TOKEN}`, /Telegram URL names no chat id/],
    ['a token without its secret half', 'tgram://110201543/5', /Telegram URL needs the bot token/],
    ['a bad chat id', `tgram://${TOKEN}/chat!id`, /neither a number nor a @channel name/],
    ['an option it does not read', `tgram://${TOKEN}/5?silent=yes`, /options this service does not read: silent/],
    ['a broken escape', `tgram://${TOKEN}/%zz`, /broken %-escape/],
    ['a "#" part, which would be dropped', `tgram://${TOKEN}/5#general`, /has a "#…" part/],
    ['no scheme', `${TOKEN}/5`, /is not a URL of the form scheme:\/\//],
  ])('refuses %s, naming the URL with its secrets masked', (_what, url, problem) => {
    const message = errorOf({ SYNC_NOTIFY_URLS: `tgram://42:fine-token/1 ${url}` });
    expect(message).toMatch(/^SYNC_NOTIFY_URLS \(URL 2 of 2\) \(/);
    expect(message).toMatch(problem);
    expect(message).not.toContain(SECRET);
  });

  it('refuses a scheme that is not built in, listing the built-in ones, the URL masked', () => {
    const message = errorOf({ SYNC_NOTIFY_URLS: 'matrixs://bot:SECRET-pass@matrix.example.com/room?mode=x' });
    expect(message).toBe(
      'SYNC_NOTIFY_URLS (URL 1 of 1) (matrixs://[REDACTED]@matrix.example.com/[REDACTED]?mode=[REDACTED]): ' +
        'scheme matrixs:// is not built in, and the apprise command that sends to every other service is not ' +
        'installed (Debian: apt-get install apprise); built-in schemes: tgram, discord, slack, ntfy, ntfys, ' +
        'gotify, gotifys, pover, json, jsons, apprise, apprises',
    );
  });

  it('refuses an https URL that is no service’s own, as a scheme not built in', () => {
    expect(errorOf({ SYNC_NOTIFY_URLS: 'https://example.com/hooks/SECRET' })).toMatch(
      'SYNC_NOTIFY_URLS (URL 1 of 1) (https://example.com/[REDACTED]/[REDACTED]): scheme https:// is not built in',
    );
  });

  it('refuses two targets with one id', () => {
    expect(errorOf({ SYNC_NOTIFY_URLS: `tgram://${TOKEN}/5`, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '5' })).toBe(
      'TELEGRAM_BOT_TOKEN/TELEGRAM_CHAT_ID (tgram://[REDACTED]/[REDACTED]): target tgram://110201543/5 is ' +
        'configured twice (also in SYNC_NOTIFY_URLS (URL 1 of 1)); remove one, or give each a different name',
    );
  });
});

describe('notify: in the YAML file', () => {
  it('reads url, name and events; a name is the id; no events means every kind', () => {
    const config = loadConfig(
      { SYNC_CONFIG: '/etc/sync.yml' },
      yaml(
        `  - url: tgram://${TOKEN}/5\n    name: family\n    events: [failure, gave_up, summary]\n` +
          `  - url: tgram://${TOKEN}/6\n`,
      ),
    );
    expect(config.notify.map((t) => [t.id, t.events])).toEqual([
      ['family', ['failure', 'gave_up', 'summary']],
      ['tgram://110201543/6', undefined],
    ]);
  });

  it('suffixes a name per chat when one URL names several', () => {
    expect(idsOf({ SYNC_CONFIG: '/c.yml' }, yaml(`  - url: tgram://${TOKEN}/5/6\n    name: team\n`))).toEqual([
      'team/tgram://110201543/5',
      'team/tgram://110201543/6',
    ]);
  });

  it.each([
    ['an unknown kind', `  - url: tgram://${TOKEN}/5\n    events: [sucess]\n`, /key notify\.0\.events\.0: /],
    ['an unknown key', `  - url: tgram://${TOKEN}/5\n    colour: red\n`, /key notify\.0: .*colour/],
    ['a name with a slash', `  - url: tgram://${TOKEN}/5\n    name: a/b\n`, /key notify\.0\.name: must be/],
    [
      'a priority for a service without one',
      `  - url: tgram://${TOKEN}/5\n    priority: high\n`,
      /key notify\.0\.url \(tgram:\/\/\[REDACTED\]\/\[REDACTED\]\): Telegram has no message priority/,
    ],
    ['a malformed URL', '  - url: tgram://nothing\n', /key notify\.0\.url .*Telegram URL needs the bot token/],
  ])('refuses %s, naming the key', (_what, notify, problem) => {
    const message = errorOf({ SYNC_CONFIG: '/etc/sync.yml' }, yaml(notify));
    expect(message).toMatch(/^SYNC_CONFIG: \/etc\/sync\.yml: /);
    expect(message).toMatch(problem);
    expect(message).not.toContain(SECRET);
  });
});

describe('the services built in', () => {
  // One URL of each scheme, and every secret it holds.
  const URLS: [string, string[]][] = [
    ['discord://417429632418316298/discord-Webhook_token', ['discord-Webhook_token']],
    ['https://discord.com/api/webhooks/98765432101/native-Webhook_token', ['native-Webhook_token']],
    ['slack://T1JJ3T3L2/A1BRTD4JD/slackSecretPart', ['slackSecretPart']],
    ['ntfys://me:ntfy-pa55@ntfy.example.com/alerts', ['ntfy-pa55']],
    ['ntfy://ntfy.example.com/backup?token=tk_ntfyAccessToken', ['tk_ntfyAccessToken']],
    ['gotify://gotify.lan/gotifyAppToken', ['gotifyAppToken']],
    ['pover://poverUserKey123@poverAppToken456', ['poverUserKey123', 'poverAppToken456']],
    [
      'jsons://hook:json-pa55@hooks.example.com/sync?+Authorization=Bearer%20jsonBearer',
      ['json-pa55', 'Bearer jsonBearer'],
    ],
    ['apprise://apprise.lan/appriseConfigKey', ['appriseConfigKey']],
  ];

  it('registers every secret of every scheme with the log redaction, and keeps each out of the ids', () => {
    const config = loadConfig({ SYNC_NOTIFY_URLS: URLS.map(([url]) => url).join(' ') }, noFile);
    const secrets = URLS.flatMap(([, s]) => s);
    expect(secretsOf(config)).toEqual(secrets);
    const ids = config.notify.map((t) => t.id).join(' ');
    for (const secret of secrets) expect(ids).not.toContain(secret);
  });

  it('gives each target the origin it is reached at, for doctor, without a secret', () => {
    const config = loadConfig({ SYNC_NOTIFY_URLS: URLS.map(([url]) => url).join(' ') }, noFile);
    expect(config.notify.map((t) => t.origin)).toEqual([
      'https://discord.com',
      'https://discord.com',
      'https://hooks.slack.com',
      'https://ntfy.example.com',
      'http://ntfy.example.com',
      'http://gotify.lan',
      'https://api.pushover.net',
      'https://hooks.example.com',
      'http://apprise.lan',
    ]);
  });

  it.each(URLS)('masks %s in a configuration error', (url, secrets) => {
    const message = errorOf({ SYNC_NOTIFY_URLS: `${url} ${url}` });
    expect(message).toMatch(/is configured twice/);
    for (const secret of secrets) expect(message).not.toContain(secret);
  });

  it('reads the base-URL overrides, and refuses one that is not an http(s) URL', () => {
    const config = loadConfig(
      { SYNC_NOTIFY_URLS: URLS[0]?.[0] ?? '', DISCORD_API_URL: 'http://relay.lan/discord/' },
      noFile,
    );
    expect(config.notify.map((t) => t.id)).toEqual(['discord://417429632418316298']);
    for (const name of ['DISCORD_API_URL', 'SLACK_API_URL', 'PUSHOVER_API_URL']) {
      expect(errorOf({ [name]: 'discord.com/api' })).toMatch(new RegExp(`^${name} `));
    }
  });

  it('takes a priority only for a service that has one', () => {
    const yamlFile = yaml(
      '  - url: ntfy://ntfy.lan/alerts\n    priority: max\n' +
        '  - url: gotify://gotify.lan/Token1\n    priority: high\n' +
        '  - url: pover://poverUserKey123@poverAppToken456\n    priority: low\n',
    );
    expect(loadConfig({ SYNC_CONFIG: '/c.yml' }, yamlFile).notify.map((t) => t.id)).toEqual([
      'ntfy://ntfy.lan/alerts',
      'gotify://gotify.lan',
      'pover://api.pushover.net',
    ]);
    for (const url of ['slack://T1/B1/secret1', 'json://hooks.lan', 'apprise://apprise.lan/key1']) {
      expect(errorOf({ SYNC_CONFIG: '/c.yml' }, yaml(`  - url: ${url}\n    priority: high\n`))).toMatch(
        /has no message priority; remove priority/,
      );
    }
  });
});

describe('a scheme that is not built in, with the apprise command installed', () => {
  const APPRISE = '/usr/bin/apprise';
  const withApprise = (name: string) => (name === 'apprise' ? APPRISE : undefined);
  const load = (env: Record<string, string>, readFile = noFile) => loadConfig(env, readFile, withApprise);

  it('goes to the command; its id is the scheme and a server name, nothing else of the URL', () => {
    const config = load({
      SYNC_NOTIFY_URLS:
        'form://hook-user:hook-pass@127.0.0.1:8123/path-secret?+X-Token=header-secret ' +
        'pbul://o.gn5kj6nfhv736I7jC3cj3QLRiyhgl98b mailtos://me:mail-pass@smtp.example.org/?to=you@example.org',
    });
    expect(config.notify.map((t) => [t.id, t.scheme])).toEqual([
      ['form://127.0.0.1:8123', 'form'],
      ['pbul://', 'pbul'],
      ['mailtos://smtp.example.org', 'mailtos'],
    ]);
    const secrets = secretsOf(config);
    for (const secret of ['hook-pass', 'path-secret', 'header-secret', 'o.gn5kj6nfhv736I7jC3cj3QLRiyhgl98b']) {
      expect(secrets).toContain(secret);
    }
    expect(secrets).toContain('mail-pass');
    expect(secrets).not.toContain('smtp.example.org');
  });

  it('takes a name from the YAML file, and refuses a priority (the command has none) and two with one id', () => {
    const named = load(
      { SYNC_CONFIG: '/c.yml' },
      yaml('  - url: xml://nas:8080/hook\n    name: nas-xml\n    events: [failure]\n'),
    );
    expect(named.notify.map((t) => [t.id, t.events])).toEqual([['nas-xml', ['failure']]]);

    const priority = () =>
      load({ SYNC_CONFIG: '/c.yml' }, yaml('  - url: form://127.0.0.1/hook\n    priority: high\n'));
    expect(priority).toThrow(
      'SYNC_CONFIG: /c.yml: key notify.0.url (form://127.0.0.1/[REDACTED]): ' +
        'the apprise command (/usr/bin/apprise) has no message priority; remove priority',
    );
    expect(() => load({ SYNC_NOTIFY_URLS: 'form://127.0.0.1/one form://127.0.0.1/two' })).toThrow(
      /target form:\/\/127\.0\.0\.1 is configured twice .*give each a different name/,
    );
  });

  it('leaves the built-in schemes to their own parsers', () => {
    expect(load({ SYNC_NOTIFY_URLS: `tgram://${TOKEN}/5` }).notify.map((t) => t.id)).toEqual(['tgram://110201543/5']);
    expect(() => load({ SYNC_NOTIFY_URLS: 'tgram://no-token' })).toThrow(/Telegram URL needs the bot token/);
    expect(() => load({ SYNC_NOTIFY_URLS: `tgram://${TOKEN}/5#topic` })).toThrow(/has a "#…" part/);
  });

  it('hands it a "#…" part (Apprise reads a room or channel there), and an https URL no built-in service owns', () => {
    const config = load({
      SYNC_NOTIFY_URLS: 'matrixs://bot:matrix-pass@matrix.example.com/#room https://hooks.example.org/x/hook-secret',
    });
    expect(config.notify.map((t) => [t.id, t.scheme])).toEqual([
      ['matrixs://matrix.example.com', 'matrixs'],
      ['https://hooks.example.org', 'https'],
    ]);
    expect(secretsOf(config)).toEqual(expect.arrayContaining(['matrix-pass', 'hook-secret']));
  });
});
