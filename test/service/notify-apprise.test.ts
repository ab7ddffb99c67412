// A scheme that is not built in, sent by Debian's real `apprise` command (the package .ci/run installs):
// form:// to a fake HTTP server on 127.0.0.1 that checks the request Apprise's Form plugin makes (apprise
// 1.2.0, apprise/plugins/NotifyForm.py: POST of version, title, message and type as a form, Basic auth from
// the URL's user and password). While apprise waits for the answer, the test reads its command line and
// environment from /proc: the URL is in APPRISE_URLS, never in the arguments `ps` shows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunProgram } from '../../src/notify/notifier.js';
import { findProgram } from '../../src/system/find-program.js';
import { runChild } from '../../src/system/run-child.js';
import { cleanupAll, cleanupEachTest, onCleanup } from '../support/cleanup.js';
import { outboxRows } from '../support/db.js';
import { type FakeReply, startFakeServer } from '../support/fake-http.js';
import { getJson, post } from '../support/http-client.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';
import { waitForJob } from '../support/jobs-api.js';
import { radarrDownload } from '../support/payloads.js';
import { makeTree } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);
cleanupEachTest();

const APPRISE = findProgram('apprise', process.env.PATH);
if (!APPRISE && process.env.CI) throw new Error('the apprise command is not installed (.ci/run installs it)');
if (!APPRISE) console.warn('SKIPPED the apprise command tests: apprise is not installed (apt-get install apprise)');

interface SeenRun {
  /** The arguments of the running apprise, as /proc/PID/cmdline has them. */
  argv: string[];
  /** Its environment, as /proc/PID/environ has it. */
  environ: string[];
}

/** A fake server that answers as `reply` says and, per request, reads the apprise run that sent it. */
async function fakeFormServer(reply: FakeReply = { status: 200, body: 'OK' }) {
  const pids: number[] = [];
  const seen: SeenRun[] = [];
  const server = await startFakeServer(() => {
    const pid = pids.at(-1);
    const read = (file: string) => readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0').filter(Boolean);
    seen.push({ argv: read('cmdline'), environ: read('environ') });
    return reply;
  });
  onCleanup(() => server.close());
  // The real adapter (system-adapters.ts), with the pid of each run noted for the server to look at.
  const runProgram: RunProgram = (program, args, { env, timeoutMs }) =>
    runChild(program, args, { env, timeoutMs, stop: { sigtermGraceMs: 2000 }, onSpawn: (pid) => pids.push(pid) });
  return { server, seen, runProgram };
}

async function start(url: string, runProgram: RunProgram): Promise<InProcessService> {
  return startInProcess({
    env: { SYNC_NOTIFY_URLS: url },
    adapters: { runProgram },
    timing: { outboxFirstBackoffMs: 60_000 },
  });
}

async function syncMovie(svc: InProcessService, title: string): Promise<void> {
  const folder = `${title} (2024)`;
  await makeTree(join(svc.moviesSrc, folder), { [`${folder}.mkv`]: 2048 });
  const res = await post(svc.app, '/sync/radarr', await radarrDownload({ folder, file: `${folder}.mkv`, title }));
  expect(res.status, res.text).toBe(202);
  const job = await waitForJob(svc, res.body.job_id, (j) => j.status === 'success' || j.status === 'failed');
  expect(job.status, job.error ?? '').toBe('success');
}

const SECRETS = ['hook-pass', 'path-secret', 'extra-secret'];

describe.skipIf(!APPRISE)('a scheme that is not built in, through the apprise command', () => {
  it('apprise posts the message to the service, and the URL is in its environment, not its command line', async () => {
    const { server, seen, runProgram } = await fakeFormServer();
    const url = `form://hook-user:hook-pass@127.0.0.1:${server.port}/path-secret?:extra=extra-secret`;
    const svc = await start(url, runProgram);
    const id = `form://127.0.0.1:${server.port}`;

    await syncMovie(svc, 'Tom & Jerry <3>');
    const [request] = await server.waitForRequests(1, 15_000);
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/path-secret');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers['user-agent']).toBe('Apprise');
    const basic = Buffer.from('hook-user:hook-pass').toString('base64');
    expect(request?.headers.authorization).toBe(`Basic ${basic}`);
    // Apprise made the HTML plain text for the form: entities decoded, <br> a line break, tags gone.
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
      version: '1.0',
      title: 'Movie Synced',
      message: expect.stringMatching(
        /^Tom & Jerry <3> \(2024\)\nQuality: Bluray-1080p\nSize: 10\.0 GB\nDuration: \d+\.\ds$/,
      ),
      type: 'success',
      extra: 'extra-secret',
    });

    const [run] = seen;
    expect(run?.argv.join(' ')).toMatch(/apprise --notification-type=success --input-format=html --title=Movie Synced/);
    for (const secret of [...SECRETS, '127.0.0.1']) expect(run?.argv.join(' ')).not.toContain(secret);
    expect(run?.environ).toContain(`APPRISE_URLS=${url}`);

    await waitFor(async () => (await outboxRows(svc.dbPath)).every((r) => r.status === 'sent'), { what: 'sent' });
    expect((await outboxRows(svc.dbPath)).map((r) => r.target)).toEqual([id]);
    for (const secret of SECRETS) expect(svc.output()).not.toContain(secret);
  });

  it('a refused message is retried with what apprise said, secrets masked; /test and /health show it', async () => {
    const { server, runProgram } = await fakeFormServer({ status: 500, body: 'down' });
    const url = `form://hook-user:hook-pass@127.0.0.1:${server.port}/path-secret?:extra=extra-secret`;
    const svc = await start(url, runProgram);
    const id = `form://127.0.0.1:${server.port}`;

    await syncMovie(svc, 'Refused');
    const [row] = await waitFor(async () => {
      const rows = await outboxRows(svc.dbPath);
      return rows[0]?.attempts === 1 ? rows : undefined;
    });
    expect(row).toMatchObject({ target: id, status: 'pending' });
    expect(row?.last_error).toMatch(/^apprise could not send the message \(exit 1\): .*error=500/);

    const test = await getJson(svc.app, '/test');
    expect(test.status).toBe(502);
    expect(test.body.targets).toEqual([
      { id, ok: false, error: expect.stringMatching(/^apprise could not send the message \(exit 1\)/) },
    ]);
    const health = await getJson(svc.app, '/health');
    expect(health.body.notification_targets).toEqual([
      { id, last_success: null, last_failure: expect.any(String), last_error: expect.stringMatching(/exit 1/) },
    ]);
    const answers = JSON.stringify([test.body, health.body, await outboxRows(svc.dbPath)]) + svc.output();
    for (const secret of SECRETS) expect(answers).not.toContain(secret);
  });
});
