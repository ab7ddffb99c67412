// Every built-in service as one configuration, the service in-process: a copy notifies each target on its
// own, so one that refuses (Gotify) and one that hangs (the JSON receiver) delay nobody else; a target whose
// events leave out successes gets none; /test and /health answer per target; no secret of any URL reaches an
// answer or a log line. Fake services on 127.0.0.1.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest, onCleanup, tempDir } from '../support/cleanup.js';
import { outboxRows } from '../support/db.js';
import { type FakeAction, type FakeServer, startFakeServer } from '../support/fake-http.js';
import { getJson, post } from '../support/http-client.js';
import { startInProcess } from '../support/in-process.js';
import { waitForJob } from '../support/jobs-api.js';
import { radarrDownload } from '../support/payloads.js';
import { layoutOf } from '../support/service-layout.js';
import { makeTree } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);
cleanupEachTest();

const SECRETS = {
  discord: 'discord-Webhook_token-1',
  slack: 'slackWebhookSecret2',
  ntfy: 'ntfy-pa55word-3',
  gotify: 'gotifyAppToken4',
  poverUser: 'poverUserKey5aaaaaaaaaaaaaaaaa',
  poverApp: 'poverAppToken6aaaaaaaaaaaaaaaa',
  json: 'json-pa55word-7',
  apprise: 'appriseKey8',
};

async function fake(answer: FakeAction): Promise<FakeServer> {
  const server = await startFakeServer(answer);
  onCleanup(() => server.close());
  return server;
}

describe('every built-in service at once', () => {
  it('delivers to each target on its own; /test and /health per target; no secret anywhere', async () => {
    const servers = {
      discord: await fake({ status: 200, body: { id: '1' } }),
      slack: await fake({ status: 200, body: 'ok' }),
      ntfy: await fake({ status: 200, body: { id: 'x', event: 'message' } }),
      gotify: await fake({ status: 500, body: { error: 'Internal Server Error', errorCode: 500 } }),
      pover: await fake({ status: 200, body: { status: 1, request: 'r' } }),
      json: await fake({ hang: true }),
      apprise: await fake({ status: 200, body: {} }),
    };
    const host = (s: FakeServer) => `127.0.0.1:${s.port}`;
    const urls = [
      `discord://417429632418316298/${SECRETS.discord}`,
      `slack://T1JJ3T3L2/A1BRTD4JD/${SECRETS.slack}`,
      `ntfy://sync:${SECRETS.ntfy}@${host(servers.ntfy)}/alerts`,
      `gotify://${host(servers.gotify)}/${SECRETS.gotify}`,
      `pover://${SECRETS.poverUser}@${SECRETS.poverApp}`,
      `json://hook:${SECRETS.json}@${host(servers.json)}/events`,
      `apprise://${host(servers.apprise)}/${SECRETS.apprise}`,
    ];
    const ids = {
      discord: 'discord://417429632418316298',
      slack: 'slack://T1JJ3T3L2/A1BRTD4JD',
      ntfy: `ntfy://${host(servers.ntfy)}/alerts`,
      gotify: `gotify://${host(servers.gotify)}`,
      pover: 'pover://api.pushover.net',
      json: `json://${host(servers.json)}/events`,
      apprise: `apprise://${host(servers.apprise)}`,
      failures: `ntfy://${host(servers.ntfy)}/failures`,
    };
    const dir = await tempDir();
    const l = layoutOf(dir);
    const svc = await startInProcess({
      dir,
      mappings: [{ container: '/movies', source: l.moviesSrc, destination: l.moviesDst }],
      env: {
        SYNC_NOTIFY_URLS: urls.join('\n'),
        DISCORD_API_URL: `${servers.discord.url}/api`,
        SLACK_API_URL: servers.slack.url,
        PUSHOVER_API_URL: servers.pover.url,
      },
      // A target of the YAML file that wants failures only, at ntfy's highest priority.
      notify: [{ url: `ntfy://${host(servers.ntfy)}/failures`, events: ['failure', 'gave_up'], priority: 'max' }],
      // A hanging answer ends after 3 s rather than 30, so stopping the service does not wait for it.
      timing: { outboxFirstBackoffMs: 60_000, outboundRequestTimeoutMs: 3000 },
    });

    const folder = 'Everywhere (2024)';
    await makeTree(join(svc.moviesSrc, folder), { [`${folder}.mkv`]: 2048 });
    const res = await post(
      svc.app,
      '/sync/radarr',
      await radarrDownload({ folder, file: `${folder}.mkv`, title: 'Everywhere' }),
    );
    expect(res.status, res.text).toBe(202);
    const job = await waitForJob(svc, res.body.job_id, (j) => j.status === 'success' || j.status === 'failed');
    expect(job.status, job.error ?? '').toBe('success');

    // The healthy ones are sent while the JSON receiver still holds its request open and Gotify is refused.
    const delivered = [ids.discord, ids.slack, ids.ntfy, ids.pover, ids.apprise];
    await waitFor(
      async () => {
        const rows = await outboxRows(svc.dbPath);
        return delivered.every((id) => rows.some((r) => r.target === id && r.status === 'sent'));
      },
      { what: 'the healthy targets have their message' },
    );
    expect(servers.json.requests).toHaveLength(1);
    const rows = await outboxRows(svc.dbPath);
    expect(
      rows
        .filter((r) => r.status !== 'sent')
        .map((r) => r.target)
        .sort(),
    ).toEqual([ids.gotify, ids.json].sort());
    expect(servers.discord.requests[0]?.url).toBe(`/api/webhooks/417429632418316298/${SECRETS.discord}?wait=true`);
    expect(servers.slack.requests[0]?.url).toBe(`/services/T1JJ3T3L2/A1BRTD4JD/${SECRETS.slack}`);
    expect(servers.ntfy.requests.map((r) => r.json())).toEqual([
      expect.objectContaining({ topic: 'alerts', title: 'Movie Synced' }),
    ]);
    expect(rows.map((r) => r.target)).not.toContain(ids.failures);
    expect(servers.pover.requests[0]?.url).toBe('/1/messages.json');
    expect(servers.apprise.requests[0]?.url).toBe(`/notify/${SECRETS.apprise}`);
    expect(servers.gotify.requests[0]?.headers['x-gotify-key']).toBe(SECRETS.gotify);
    expect(servers.json.requests[0]?.json()).toMatchObject({ kind: 'success', media: { title: 'Everywhere' } });

    // /test reaches every target; the refused one and the hanging one fail, each with its own error.
    servers.json.respondWith({ status: 204 });
    const test = await getJson(svc.app, '/test');
    expect(test.status).toBe(502);
    expect(test.body.targets).toEqual([
      { id: ids.discord, ok: true, error: null },
      { id: ids.slack, ok: true, error: null },
      { id: ids.ntfy, ok: true, error: null },
      { id: ids.gotify, ok: false, error: 'Gotify server error (HTTP 500): Internal Server Error' },
      { id: ids.pover, ok: true, error: null },
      { id: ids.json, ok: true, error: null },
      { id: ids.apprise, ok: true, error: null },
      { id: ids.failures, ok: true, error: null },
    ]);
    expect(servers.ntfy.requests.map((r) => r.json<{ topic: string }>().topic)).toEqual([
      'alerts',
      'alerts',
      'failures',
    ]);
    const health = await getJson(svc.app, '/health');
    expect(health.body.notification_targets.map((t: { id: string }) => t.id)).toEqual(Object.values(ids));

    const everything = JSON.stringify(test.body) + JSON.stringify(health.body) + svc.output() + JSON.stringify(rows);
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
    expect(svc.output()).toMatch(new RegExp(`${ids.gotify.replace(/[.]/g, '\\.')} delivery failed \\(attempt 1\\)`));
  });
});
