// `sync-webhook doctor` without a running service, on temp trees: real rsync (and fake old or missing
// ones), the share checks in child processes, a real SQLite file, and fake Telegram and Plex servers
// that check the exact read-only requests. Also beside a running service, which it must not disturb.
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { openDatabase } from '../../src/store/database.js';
import { checkTargets } from '../../src/cli/doctor/target-checks.js';
import type { MediaServerSpec } from '../../src/media/registry.js';
import type { NotifyTarget } from '../../src/notify/registry.js';
import { cli, listenForCli, PACKAGE_VERSION } from '../support/cli.js';
import { cleanupAll, onCleanup, tempDir } from '../support/cleanup.js';
import { type FakeServer, startFakeServer } from '../support/fake-http.js';
import { startFakeMediaBrowser } from '../support/fake-media-servers.js';
import { post } from '../support/http-client.js';
import { startInProcess } from '../support/in-process.js';
import { radarrDownload } from '../support/payloads.js';
import {
  layoutOf,
  type MappingSpec,
  type ServiceLayout,
  testDefaultEnv,
  writeConfig,
} from '../support/service-layout.js';
import { makeTree } from '../support/trees.js';

afterAll(cleanupAll);

const TOKEN = '110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const CHAT = '-1009876543210';
const PLEX_TOKEN = 'plex-token-Zq9x';

/** A service folder with its mappings file and shares (writeConfig), and the env the service would get. */
async function setup(o: { mappings?: (l: ServiceLayout) => MappingSpec[]; database?: boolean } = {}) {
  const layout = layoutOf(await tempDir('sync-webhook-doctor-'));
  await writeConfig(layout, { mappings: o.mappings?.(layout) });
  if (o.database !== false) openDatabase(layout.dbPath).close();
  return { layout, env: testDefaultEnv(layout) };
}

/** The report's line about `subject` in its section (level, subject, detail), and its fix line if any. */
function line(stdout: string, subject: string): { text: string; fix?: string } {
  const lines = stdout.split('\n');
  const index = lines.findIndex((l) => new RegExp(`^  (ok|note|problem) +${literal(subject)}  `).test(l));
  if (index === -1) throw new Error(`no line about ${subject} in:\n${stdout}`);
  const next = lines[index + 1] ?? '';
  const fix = /^ +fix: (.*)$/.exec(next)?.[1];
  return { text: (lines[index] ?? '').trim().replace(/ {2,}/g, '  '), ...(fix ? { fix } : {}) };
}

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

async function fakeRsync(dir: string, versionLine: string): Promise<string> {
  const path = join(dir, 'rsync');
  await writeFile(path, `#!/bin/sh\necho '${versionLine}'\n`);
  await chmod(path, 0o755);
  return path;
}

describe('doctor without a service', () => {
  it('a healthy setup: every check ok, exit 0', async () => {
    const { layout, env } = await setup();
    const run = await cli(['doctor'], env, { uid: 1000 });
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`sync-webhook ${PACKAGE_VERSION} doctor, as uid 1000`);
    expect(line(run.stdout, 'rsync').text).toMatch(/^ok {2}rsync {2}rsync \d+\.\d+\.\d+ \(3\.2\.3 or newer needed\)$/);
    expect(line(run.stdout, 'configuration').text).toBe(
      `ok  configuration  valid; mappings from SYNC_CONFIG (${layout.configPath}): 2 (/movies, /tv)`,
    );
    expect(line(run.stdout, '/movies source').text).toBe(
      `ok  /movies source  ${layout.moviesSrc}: readable, not empty`,
    );
    expect(line(run.stdout, '/tv destination').text).toBe(`ok  /tv destination  ${layout.tvDst}: writable`);
    expect(line(run.stdout, 'database').text).toMatch(
      new RegExp(`^ok  database  ${literal(layout.dbPath)}: opens, schema \\d+ \\(current\\), writable$`),
    );
    expect(line(run.stdout, 'logs').text).toMatch(/^(ok|note) {2}logs {2}/);
    expect(line(run.stdout, 'notifications').text).toBe(
      'note  notifications  none (SYNC_NOTIFY_URLS, notify: in SYNC_CONFIG, ' +
        'or TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID)',
    );
    expect(line(run.stdout, 'media servers').text).toBe(
      'note  media servers  none (PLEX_*, JELLYFIN_*, EMBY_* variables, or media_servers: in SYNC_CONFIG)',
    );
    expect(run.stdout).toMatch(/\nNo problems found\.\n$/);
    // Not a terminal: no colour codes.
    expect(run.stdout).not.toContain('\x1b[');
    // The database's rolled-back write leaves no journal behind (nor a root-owned one under docker exec).
    expect(existsSync(`${layout.dbPath}-wal`) || existsSync(`${layout.dbPath}-shm`)).toBe(false);
  });

  it('a missing root and an empty source are problems with a fix naming the key; exit 1', async () => {
    const { layout, env } = await setup({
      mappings: (l) => [
        { container: '/movies', source: l.moviesSrc, destination: l.moviesDst },
        { container: '/tv', source: l.tvSrc, destination: l.tvDst },
      ],
    });
    await rm(layout.tvDst, { recursive: true });
    await rm(join(layout.moviesSrc, '.share-marker'));
    const run = await cli(['doctor'], env, { uid: 1000 });
    expect(run.code).toBe(1);
    expect(line(run.stdout, '/tv destination')).toEqual({
      text: `problem  /tv destination  destination ${layout.tvDst} does not exist`,
      fix:
        `make ${layout.tvDst} writable for uid 1000 (mount the share, create the folder, or fix its permissions), ` +
        `or correct key mappings.1.destination of ${layout.configPath}`,
    });
    expect(line(run.stdout, '/movies source').text).toBe(
      `problem  /movies source  source ${layout.moviesSrc} is empty: an unmounted share looks like this`,
    );
    expect(line(run.stdout, '/tv source').text).toMatch(/^ok {2}/);
    expect(run.stdout).toMatch(/\n2 problems: fix them, then run "sync-webhook doctor" again\.\n$/);
  });

  it('with mounts required, a folder that is no mount point is a problem that says so', async () => {
    const { layout, env } = await setup();
    const run = await cli(['doctor'], { ...env, SYNC_REQUIRE_MOUNTS: 'true' });
    expect(run.code).toBe(1);
    const movies = line(run.stdout, '/movies source');
    expect(movies.text).toMatch(
      new RegExp(`^problem  /movies source  source ${literal(layout.moviesSrc)} is not mounted`),
    );
    expect(movies.fix).toBe(
      `mount the share at ${layout.moviesSrc}; ` +
        'for a local folder that is no mount point, set SYNC_REQUIRE_MOUNTS=false',
    );
  });

  it('a database not created yet is a note; one a newer build wrote is a problem', async () => {
    const fresh = await setup({ database: false });
    const run = await cli(['doctor'], fresh.env);
    expect(run.code).toBe(0);
    expect(line(run.stdout, 'database').text).toBe(
      `note  database  ${fresh.layout.dbPath} does not exist yet: the service creates it at its first start`,
    );
    expect(existsSync(fresh.layout.dbPath)).toBe(false);

    const newer = await setup();
    const db = openDatabase(newer.layout.dbPath);
    db.pragma('user_version = 999');
    db.close();
    const refused = await cli(['doctor'], newer.env);
    expect(refused.code).toBe(1);
    expect(line(refused.stdout, 'database')).toEqual({
      text: expect.stringMatching(
        /has schema 999, newer than this build knows \(\d+\): a newer sync-webhook wrote it$/,
      ),
      fix: 'run that newer version of sync-webhook, or restore a backup of the database',
    });
  });

  it('a file that is no database is a problem naming SYNC_DB_PATH', async () => {
    const { layout, env } = await setup({ database: false });
    await mkdir(join(layout.dir, 'data'), { recursive: true });
    await writeFile(layout.dbPath, 'not a database, just text that is long enough to have a header');
    const run = await cli(['doctor'], env);
    expect(run.code).toBe(1);
    expect(line(run.stdout, 'database')).toEqual({
      text: expect.stringMatching(
        /^problem {2}database {2}file is not a database\. The file is damaged or not an SQLite/,
      ),
      fix: `check SYNC_DB_PATH (${layout.dbPath})`,
    });
  });

  it('rsync: too old, or missing, is a problem with the version needed', async () => {
    const { layout, env } = await setup();
    const old = await cli(['doctor'], env, {
      rsyncBinary: await fakeRsync(layout.dir, 'rsync  version 3.1.3  protocol version 31'),
    });
    expect(old.code).toBe(1);
    expect(line(old.stdout, 'rsync')).toEqual({
      text:
        'problem  rsync  rsync 3.1.3 is too old: sync-webhook needs rsync 3.2.3 or newer (for --mkpath); ' +
        'install a newer rsync, or use the sync-webhook Docker image',
    });
    const missing = await cli(['doctor'], env, { rsyncBinary: join(layout.dir, 'no-rsync-here') });
    expect(missing.code).toBe(1);
    expect(line(missing.stdout, 'rsync').text).toMatch(
      /^problem {2}rsync {2}rsync not found \(looked for "\S+no-rsync-here"\): install it \(Debian\/Ubuntu: apt-get/,
    );
  });

  it('a bad configuration is reported (masked) instead of the checks that need it; exit 1', async () => {
    const { env } = await setup();
    const run = await cli(['doctor'], { ...env, SYNC_PORT: 'eighty', PLEX_TOKEN: 'plex-secret-77', PLEX_URL: 'x' });
    expect(run.code).toBe(1);
    expect(line(run.stdout, 'rsync').text).toMatch(/^ok {2}/);
    expect(line(run.stdout, 'configuration')).toEqual({
      text: expect.stringMatching(/^problem {2}configuration {2}.*SYNC_PORT must be a whole number, got "eighty"/),
      fix: 'correct the variable or key it names; the service does not start like this (exit 2)',
    });
    expect(run.stdout).not.toMatch(/mappings|database/);
  });
});

describe('doctor and the notification targets: read-only calls only', () => {
  async function fakeTelegram(getChat: { status: number; body: object }): Promise<FakeServer> {
    const server = await startFakeServer((req) =>
      req.path.endsWith('/getMe')
        ? { status: 200, body: { ok: true, result: { id: 1, is_bot: true, first_name: 'Sync', username: 'sync_bot' } } }
        : req.path.endsWith('/getChat')
          ? getChat
          : { status: 500, body: { ok: false, description: `doctor must not call ${req.path}` } },
    );
    onCleanup(() => server.close());
    return server;
  }

  async function fakePlex(): Promise<FakeServer> {
    const sections = {
      MediaContainer: {
        size: 2,
        Directory: [
          { key: '1', title: 'Movies' },
          { key: '2', title: 'TV' },
        ],
      },
    };
    const server = await startFakeServer((req) =>
      req.url === '/library/sections' ? { status: 200, body: sections } : { status: 500, body: 'doctor must not scan' },
    );
    onCleanup(() => server.close());
    return server;
  }

  it('Telegram: getMe and getChat, exactly, per target; Plex: GET /library/sections with the token', async () => {
    const telegram = await fakeTelegram({
      status: 200,
      body: { ok: true, result: { id: -100, type: 'group', title: 'Media' } },
    });
    const plex = await fakePlex();
    const { env } = await setup({
      mappings: (l) => [
        { container: '/movies', source: l.moviesSrc, destination: l.moviesDst, plex_section: 1 },
        { container: '/tv', source: l.tvSrc, destination: l.tvDst, plex_section: '7' },
      ],
    });
    const targets = {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_CHAT_ID: CHAT,
      SYNC_NOTIFY_URLS: `tgram://${TOKEN}/@media_channel`,
      TELEGRAM_API_URL: telegram.url,
      PLEX_URL: plex.url,
      PLEX_TOKEN,
    };
    const run = await cli(['doctor'], { ...env, ...targets });

    const asked = telegram.requests.map((r) => `${r.method} ${r.url} ${r.body}`).sort();
    expect(asked).toEqual([
      `GET /bot${TOKEN}/getMe `,
      `GET /bot${TOKEN}/getMe `,
      `POST /bot${TOKEN}/getChat {"chat_id":"${CHAT}"}`,
      `POST /bot${TOKEN}/getChat {"chat_id":"@media_channel"}`,
    ]);
    for (const req of telegram.requests.filter((r) => r.method === 'POST')) {
      expect(req.headers['content-type']).toBe('application/json');
    }
    expect(plex.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /library/sections']);
    expect(plex.requests[0]!.headers['x-plex-token']).toBe(PLEX_TOKEN);
    expect(plex.requests[0]!.headers.accept).toBe('application/json');

    const bot = TOKEN.split(':')[0];
    expect(line(run.stdout, `tgram://${bot}/${CHAT}`).text).toBe(
      `ok  tgram://${bot}/${CHAT}  bot @sync_bot, chat "Media" (group) (getMe, getChat)`,
    );
    expect(line(run.stdout, `tgram://${bot}/@media_channel`).text).toMatch(/^ok {2}/);
    const server = `plex://127.0.0.1:${plex.port}`;
    expect(line(run.stdout, server).text).toBe(`ok  ${server}  token accepted; library sections: 1 (Movies), 2 (TV)`);
    expect(line(run.stdout, `${server} /movies`).text).toBe(`ok  ${server} /movies  section 1 (Movies)`);
    expect(line(run.stdout, `${server} /tv`)).toEqual({
      text: `problem  ${server} /tv  Plex has no library section 7`,
      fix: 'set plex_section of mapping /tv (or its PLEX_SECTION_* variable) to one of: 1 (Movies), 2 (TV)',
    });
    expect(run.code).toBe(1);
    for (const secret of [TOKEN, PLEX_TOKEN]) expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('a chat the bot cannot reach, and a Plex that is down, are problems naming what to fix', async () => {
    const telegram = await fakeTelegram({
      status: 400,
      body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' },
    });
    const plex = await fakePlex();
    await plex.close();
    const { env } = await setup();
    const run = await cli(['doctor'], {
      ...env,
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_CHAT_ID: CHAT,
      TELEGRAM_API_URL: telegram.url,
      PLEX_URL: plex.url,
      PLEX_TOKEN,
    });
    expect(run.code).toBe(1);
    const target = `tgram://${TOKEN.split(':')[0]}/${CHAT}`;
    expect(line(run.stdout, target)).toEqual({
      text:
        `problem  ${target}  bot @sync_bot accepts its token, but cannot reach chat ${CHAT} ` +
        '(HTTP 400: Bad Request: chat not found)',
      fix: expect.stringMatching(/^check TELEGRAM_CHAT_ID/),
    });
    const server = `plex://127.0.0.1:${plex.port}`;
    expect(line(run.stdout, server)).toEqual({
      text: expect.stringMatching(
        new RegExp(`^problem  ${literal(server)}  cannot reach ${literal(plex.url)}: .*ECONNREFUSED`),
      ),
      fix: 'check PLEX_URL, and that Plex runs and this container can reach it',
    });
  });

  it('Jellyfin and Emby: GET /System/Info with the key in the header each reads; a wrong key: a problem', async () => {
    const jellyfinKey = 'jellyfin-doctor-key-0123';
    const jellyfin = await startFakeMediaBrowser({ kind: 'jellyfin', apiKey: jellyfinKey });
    const emby = await startFakeMediaBrowser({ kind: 'emby', apiKey: 'emby-doctor-key-0123' });
    const mediaServers: MediaServerSpec[] = [
      { type: 'jellyfin', url: jellyfin.url, apiKey: jellyfinKey },
      { type: 'emby', name: 'attic', url: emby.url, apiKey: 'not-the-emby-key' },
    ];
    const found = await checkTargets(
      { notify: [], mediaServers, mappings: [] },
      { fetch: globalThis.fetch, timeoutMs: 2000 },
    );
    expect(found.mediaServers).toEqual([
      {
        level: 'ok',
        subject: `jellyfin://127.0.0.1:${jellyfin.port}`,
        detail: 'API key accepted; Jellyfin 12.0.0 "media-box"',
      },
      {
        level: 'problem',
        subject: 'attic',
        detail: `GET ${emby.url}/System/Info answered HTTP 401 Unauthorized`,
        fix: "check EMBY_API_KEY: an API key made in Emby's dashboard",
      },
    ]);
    expect(jellyfin.requests.map((r) => `${r.method} ${r.url} ${r.headers.authorization}`)).toEqual([
      `GET /System/Info MediaBrowser Token="${jellyfinKey}"`,
    ]);
    expect(emby.requests.map((r) => `${r.method} ${r.url} ${r.headers['x-emby-token']}`)).toEqual([
      'GET /System/Info not-the-emby-key',
    ]);
    expect(JSON.stringify(found)).not.toContain(jellyfinKey);
  });

  it('a target whose service has no read-only call is only asked whether its origin answers', async () => {
    const server = await startFakeServer({ status: 405, body: '' });
    onCleanup(() => server.close());
    const target: NotifyTarget = {
      id: 'hook://hooks.example',
      scheme: 'hook',
      secrets: [],
      origin: server.url,
      create: () => {
        throw new Error('doctor must not build a notifier');
      },
    };
    const config = { notify: [target], mediaServers: [], mappings: [] };
    const found = await checkTargets(config, { fetch: globalThis.fetch, timeoutMs: 2000 });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /']);
    const expected: Finding = {
      level: 'note',
      subject: 'hook://hooks.example',
      detail: `${server.url} answers (HTTP 405); it has no read-only check: run "sync-webhook test"`,
    };
    expect(found.notifications).toEqual([expected]);
    expect(found.mediaServers).toEqual([
      {
        level: 'note',
        subject: 'media servers',
        detail: 'none (PLEX_*, JELLYFIN_*, EMBY_* variables, or media_servers: in SYNC_CONFIG)',
      },
    ]);

    await server.close();
    const down = await checkTargets(config, { fetch: globalThis.fetch, timeoutMs: 2000 });
    expect(down.notifications).toEqual([
      {
        level: 'problem',
        subject: 'hook://hooks.example',
        detail: expect.stringMatching(/^cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/),
        fix: 'check the URL of hook://hooks.example and the network',
      },
    ]);
  });
});

describe('doctor beside a running service', () => {
  it('reads the same database and shares without disturbing the service', async () => {
    const svc = await startInProcess();
    const env = await listenForCli(svc);
    const run = await cli(['doctor'], env);
    expect(run.code, run.stdout).toBe(0);
    expect(line(run.stdout, 'database').text).toMatch(/opens, schema \d+ \(current\), writable$/);

    await makeTree(join(svc.moviesSrc, 'After (2020)'), { 'After (2020).mkv': 1024 });
    const res = await post(
      svc.app,
      '/sync/radarr',
      await radarrDownload({ folder: 'After (2020)', file: 'After (2020).mkv' }),
    );
    expect(res.status).toBe(202);
    expect((await cli(['jobs', '--status', 'queued'], env)).code).toBe(0);
  });
});
