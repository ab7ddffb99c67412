// Secrets, on the real process: the password, the API key, the bot token and the Plex token never
// show in a log, stdout/stderr, an error or an answer, even when Telegram and Plex echo them back.
// Started as root, one warning says so. (Who gets in is tested in-process: test/service/access.)
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY,
  basic,
  PASSWORD,
  SECRETS,
  type Setup,
  type StartWith,
  setup,
  USER,
} from '../support/access-checks.js';
import { cleanupAll } from '../support/cleanup.js';
import { outboxRows } from '../support/db.js';
import { startService, type Service } from '../support/launch.js';
import { radarrDownload } from '../support/payloads.js';
import { readLog } from '../support/service-layout.js';
import { makeTree } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);

const startProcess: StartWith<Service> = (o) => startService(o);

/** Everything the service said anywhere: logs, stdout/stderr, every answer. */
async function expectNoSecretAnywhere(s: Setup): Promise<void> {
  const places: [string, string][] = [
    ['sync_webhook.log', await readLog(s.svc, 'sync_webhook.log')],
    ['sync_history.log', await readLog(s.svc, 'sync_history.log')],
    ['stdout+stderr', s.svc.output()],
    ['API answers', s.answers.join('\n')],
    ['outbox errors', (await outboxRows(s.svc.dbPath)).map((r) => r.last_error ?? '').join('\n')],
  ];
  for (const [where, text] of places) {
    for (const secret of SECRETS) {
      for (const form of new Set([
        secret,
        encodeURIComponent(secret),
        Buffer.from(`${USER}:${PASSWORD}`, 'latin1').toString('base64'),
      ])) {
        expect(text.includes(form), `${where} shows a secret (${form.slice(0, 4)}…)`).toBe(false);
      }
    }
  }
}

/** Things that make Telegram, Plex and the error handler talk: a sync, /test, a bad body with ?apikey=. */
async function provokeErrors(s: Setup, auth: Record<string, string>, query = ''): Promise<void> {
  await makeTree(join(s.svc.moviesSrc, 'Echo (2020)'), { 'Echo (2020).mkv': 2_000 });
  const res = await s.call(
    'POST',
    `/sync/radarr${query}`,
    await radarrDownload({ folder: 'Echo (2020)', file: 'Echo (2020).mkv' }),
    auth,
  );
  expect(res.status, res.text).toBe(202);
  await s.telegram.waitForRequests(1);
  await s.plex.waitForRequests(1);
  await waitFor(async () => (await outboxRows(s.svc.dbPath)).every((r) => r.status !== 'pending'), {
    what: 'outbox settled',
  });
  const test = await s.call('GET', `/test${query}`, undefined, auth);
  expect(test.status).toBe(502);
  expect(test.body.error).toMatch(/chat not found/);
  const malformed = await s.call('POST', `/sync/radarr${query}`, '{"eventType": "Download", ', auth);
  expect(malformed.status).toBe(400);
  await s.call('GET', `/jobs/999${query}`, undefined, auth);
  await s.call('GET', `/jobs?limit=abc${query.replace('?', '&')}`, undefined, auth);
}

describe('HTTP Basic (SYNC_USERNAME / SYNC_PASSWORD)', () => {
  let s: Setup<Service>;
  beforeAll(async () => {
    s = await setup({ SYNC_USERNAME: USER, SYNC_PASSWORD: PASSWORD }, startProcess);
  });

  it('never shows the password, bot token or Plex token', async () => {
    await provokeErrors(s, { Authorization: basic(USER, PASSWORD) });
    await expectNoSecretAnywhere(s);
  });
});

describe('API key (SYNC_API_KEY)', () => {
  let s: Setup<Service>;
  beforeAll(async () => {
    s = await setup({ SYNC_API_KEY: API_KEY }, startProcess);
  });

  it('never shows the API key, bot token or Plex token, not even from a URL that carried the key', async () => {
    await provokeErrors(s, {}, `?apikey=${encodeURIComponent(API_KEY)}`);
    await expectNoSecretAnywhere(s);
  });

  it('started as root, the log warns once that it runs as root and how to avoid it', async () => {
    if (process.getuid?.() !== 0) return; // only root sees the warning
    const log = await readLog(s.svc, 'sync_webhook.log');
    const warnings = log.split('\n').filter((l) => /root/i.test(l) && / - WARNING - /.test(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Running as root/);
    expect(warnings[0]).toMatch(/uid 1000|unprivileged user/);
  });
});
