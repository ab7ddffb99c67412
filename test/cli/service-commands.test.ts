// The commands that talk to the service (jobs, retry, sync, test, summary), run as src/cli.ts runs
// them, against the whole service built in-process and listening on a real port of 127.0.0.1: real
// jobs copied by real rsync, a fake Telegram that checks the exact request, and every exit code.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, listenForCli } from '../support/cli.js';
import { cleanupAll, onCleanup } from '../support/cleanup.js';
import { type FakeServer, startFakeServer } from '../support/fake-http.js';
import { getJson, post } from '../support/http-client.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';
import { waitForJob } from '../support/jobs-api.js';
import { freePort } from '../support/launch.js';
import { radarrDownload } from '../support/payloads.js';
import { makeTree } from '../support/trees.js';

afterAll(cleanupAll);

const TOKEN = '110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const CHAT = '-1009876543210';

/** A Radarr import of `folder`; its file is created on the source share first unless `missing`. */
async function importMovie(svc: InProcessService, folder: string, o: { missing?: boolean } = {}): Promise<number> {
  if (!o.missing) await makeTree(join(svc.moviesSrc, folder), { [`${folder}.mkv`]: 2048 });
  const year = Number(/\((\d{4})\)$/.exec(folder)?.[1]);
  const res = await post(svc.app, '/sync/radarr', await radarrDownload({ folder, file: `${folder}.mkv`, year }));
  expect(res.status, res.text).toBe(202);
  const id: number = res.body.job_id;
  await waitForJob(svc, id, (j) => j.status === 'success' || (j.status === 'failed' && j.gave_up));
  return id;
}

function without(env: Record<string, string>, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)));
}

describe('jobs, retry and sync against the running service', () => {
  let svc: InProcessService;
  let env: Record<string, string>;
  let copied: number;
  let failed: number;

  beforeAll(async () => {
    // No automatic retry: a job whose file is missing fails for good at once.
    svc = await startInProcess({ env: { SYNC_MAX_RETRIES: '0' } });
    env = await listenForCli(svc, { SYNC_MAX_RETRIES: '0' });
    copied = await importMovie(svc, 'Arrival (2016)');
    failed = await importMovie(svc, 'Missing (2021)', { missing: true });
  });

  it('jobs: a table of the jobs, newest first, a failed one with its error', async () => {
    const run = await cli(['jobs'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+STATUS\s+SOURCE\s+TITLE\s+MAPPING\s+RETRIES\s+WHEN \(UTC\)\s+NOTE$/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      new RegExp(
        `^${failed}\\s+failed \\(gave up\\)\\s+radarr\\s+Missing \\(2021\\)\\s+/movies\\s+0\\s+` +
          '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+.*does not exist',
      ),
    );
    expect(rows[1]).toMatch(new RegExp(`^${copied}\\s+success\\s+radarr\\s+Arrival \\(2016\\)\\s+/movies\\s+0\\s`));
  });

  it('jobs --status failed and --limit ask the service for just those', async () => {
    const failedOnly = await cli(['jobs', '--status', 'failed'], env);
    expect(failedOnly.code).toBe(0);
    expect(
      failedOnly.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((row) => row.split(/\s+/)[0]),
    ).toEqual([String(failed)]);

    const newest = await cli(['jobs', '--limit', '1'], env);
    expect(newest.stdout.trimEnd().split('\n')).toHaveLength(2);

    const none = await cli(['jobs', '--status', 'in_progress'], env);
    expect(none).toMatchObject({ code: 0, stdout: 'No in_progress jobs.\n' });
  });

  it('jobs --json prints the answer of GET /jobs as it is', async () => {
    const run = await cli(['jobs', '--json', '--limit', '5'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual((await getJson(svc.app, '/jobs?limit=5')).body);
  });

  it('jobs on a narrow terminal cuts the widest column to fit', async () => {
    const run = await cli(['jobs'], env, { tty: { columns: 100 } });
    const lines = run.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(lines[1]).toContain('…');
  });

  it('retry <id>: a failed job runs again and, its file now there, is copied', async () => {
    await makeTree(join(svc.moviesSrc, 'Missing (2021)'), { 'Missing (2021).mkv': 2048 });
    const run = await cli(['retry', String(failed)], env);
    expect(run).toMatchObject({ code: 0, stdout: `Job ${failed} is queued again.\n`, stderr: '' });
    const job = await waitForJob(svc, failed, (j) => j.status === 'success' || j.status === 'failed');
    expect(job.status, job.error ?? '').toBe('success');
    expect(existsSync(join(svc.moviesDst, 'Missing (2021)', 'Missing (2021).mkv'))).toBe(true);
  });

  it('retry of a job that did not fail, or does not exist, exits 1 with the service reason', async () => {
    const done = await cli(['retry', String(copied)], env);
    expect(done.code).toBe(1);
    expect(done.stderr).toBe(
      `sync-webhook retry: the service answered 409: Job ${copied} is success, not failed: ` +
        'only failed jobs can be retried\n',
    );
    const unknown = await cli(['retry', '99999'], env);
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'sync-webhook retry: the service answered 404: Job 99999 not found\n',
    });
  });

  it('retry --failed queues every job that failed in the last 24 h, and says when there is none', async () => {
    const again = await importMovie(svc, 'Gone (2019)', { missing: true });
    const run = await cli(['retry', '--failed'], env);
    expect(run).toMatchObject({ code: 0, stdout: `Queued again: job ${again}.\n` });
    await waitForJob(svc, again, (j) => j.status === 'failed' && j.gave_up);

    await makeTree(join(svc.moviesSrc, 'Gone (2019)'), { 'Gone (2019).mkv': 2048 });
    await cli(['retry', String(again)], env);
    await waitForJob(svc, again, (j) => j.status === 'success');
    expect(await cli(['retry', '--failed'], env)).toMatchObject({
      code: 0,
      stdout: 'No job failed in the last 24 h: nothing to retry.\n',
    });
  });

  it('sync <path>: queues a manual copy that rsync carries out; the same path again is a duplicate', async () => {
    await makeTree(join(svc.moviesSrc, 'Heat (1995)'), { 'Heat (1995).mkv': 4096 });
    const run = await cli(['sync', '/movies/Heat (1995)'], env);
    expect(run.code, run.stderr).toBe(0);
    const id = Number(/^Queued job (\d+): \/movies\/Heat \(1995\)\n$/.exec(run.stdout)?.[1]);
    const job = await waitForJob(svc, id, (j) => j.status === 'success' || j.status === 'failed');
    expect(job).toMatchObject({ status: 'success', source: 'manual', container_path: '/movies/Heat (1995)' });
    expect(existsSync(join(svc.moviesDst, 'Heat (1995)', 'Heat (1995).mkv'))).toBe(true);

    const again = await cli(['sync', '/movies/Heat (1995)/'], env);
    expect(again).toMatchObject({
      code: 0,
      stdout:
        `Job ${id} already covers /movies/Heat (1995)/ (queued, or copied in the last 24 h): ` +
        'nothing new queued.\n',
    });
  });

  it('sync of a path outside every mapping exits 1 with the service reason', async () => {
    const run = await cli(['sync', '/music/Album', '--type', 'tv'], env);
    expect(run).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'sync-webhook sync: the service answered 422: No path mapping for: /music/Album (mappings: /movies, /tv)\n',
    });
  });
});

describe('test and summary', () => {
  let telegram: FakeServer;
  let svc: InProcessService;
  let env: Record<string, string>;

  beforeAll(async () => {
    telegram = await startFakeServer({ status: 200, body: { ok: true, result: { message_id: 7 } } });
    onCleanup(() => telegram.close());
    const telegramEnv = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: CHAT, TELEGRAM_API_URL: telegram.url };
    svc = await startInProcess({ env: telegramEnv, timing: { outboxFirstBackoffMs: 1000 } });
    env = await listenForCli(svc, telegramEnv);
  });

  it('test: the service sends its test message to Telegram, exactly once', async () => {
    telegram.reset();
    const run = await cli(['test'], env);
    const target = `tgram://${TOKEN.split(':')[0]}/${CHAT}`;
    expect(run).toMatchObject({ code: 0, stdout: `Test notification sent to ${target}.\n`, stderr: '' });
    expect(telegram.requests).toHaveLength(1);
    const req = telegram.requests[0]!;
    expect(`${req.method} ${req.url}`).toBe(`POST /bot${TOKEN}/sendMessage`);
    expect(req.json()).toMatchObject({
      chat_id: CHAT,
      parse_mode: 'HTML',
      text: expect.stringContaining('Sync Webhook Test'),
    });
  });

  it("summary: today's summary is queued and delivered to Telegram", async () => {
    telegram.reset();
    const run = await cli(['summary'], env);
    const today = new Date().toISOString().slice(0, 10);
    expect(run).toMatchObject({ code: 0, stdout: `Summary of ${today} queued for sending.\n` });
    const [req] = await telegram.waitForRequests(1);
    expect(req!.json()).toMatchObject({ chat_id: CHAT, text: expect.stringContaining(`Daily Summary - ${today}`) });
  });

  it("test: Telegram's refusal exits 1 with Telegram's reason, and no token in the output", async () => {
    telegram.respondWith({
      status: 400,
      body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' },
    });
    const run = await cli(['test'], env);
    telegram.respondWith({ status: 200, body: { ok: true, result: { message_id: 8 } } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^sync-webhook test: the service answered 502: .*chat not found\n$/);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  it('without Telegram: test and summary exit 1 and say which variables to set', async () => {
    const plain = await startInProcess();
    const plainEnv = await listenForCli(plain);
    const test = await cli(['test'], plainEnv);
    expect(test).toMatchObject({
      code: 1,
      stderr:
        'sync-webhook test: the service answered 503: No notification target is configured: ' +
        'set SYNC_NOTIFY_URLS, notify: in SYNC_CONFIG, or TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID\n',
    });
    const summary = await cli(['summary'], plainEnv);
    expect(summary.code).toBe(1);
    expect(summary.stderr).toMatch(/not sent: .*SYNC_NOTIFY_URLS, .* TELEGRAM_CHAT_ID where it runs\)\n$/);
  });
});

describe('credentials, from the environment the service reads', () => {
  const KEY = 'cli-api-key-9f2c';
  const USER = 'radarr';
  const PASSWORD = 'pässwörd-7';
  let env: Record<string, string>;

  beforeAll(async () => {
    const auth = { SYNC_API_KEY: KEY, SYNC_USERNAME: USER, SYNC_PASSWORD: PASSWORD };
    const svc = await startInProcess({ env: auth });
    env = await listenForCli(svc, auth);
  });

  it('SYNC_API_KEY, or SYNC_USERNAME and SYNC_PASSWORD (HTTP Basic, as ISO-8859-1), let the CLI in', async () => {
    expect((await cli(['jobs'], env)).code).toBe(0);
    expect((await cli(['jobs'], without(env, 'SYNC_API_KEY'))).code).toBe(0);
  });

  it('a URL with a user and password uses them, and never shows them', async () => {
    const url = `http://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${env.SYNC_PORT}`;
    const none = without(env, 'SYNC_API_KEY', 'SYNC_USERNAME', 'SYNC_PASSWORD');
    expect((await cli(['jobs', '--url', url], none)).code).toBe(0);
    const wrong = await cli(['jobs', '--url', url.replace('radarr:', 'sonarr:')], none);
    expect(wrong).toMatchObject({
      code: 1,
      stderr:
        "sync-webhook jobs: the service refused the credentials from the URL's user and password: " +
        'set them to the values the service runs with\n',
    });
  });

  it('wrong or missing credentials exit 1 naming the variables; no secret is printed', async () => {
    const wrongKey = 'not-the-key-1234';
    const wrong = await cli(['jobs'], { ...env, SYNC_API_KEY: wrongKey });
    expect(wrong).toMatchObject({
      code: 1,
      stderr:
        'sync-webhook jobs: the service refused the credentials from SYNC_API_KEY: ' +
        'set them to the values the service runs with\n',
    });
    const missing = await cli(['retry', '--failed'], without(env, 'SYNC_API_KEY', 'SYNC_USERNAME', 'SYNC_PASSWORD'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/requires credentials: set SYNC_API_KEY \(or SYNC_USERNAME and SYNC_PASSWORD\)/);
    for (const run of [wrong, missing]) {
      for (const secret of [KEY, PASSWORD, wrongKey]) expect(run.stdout + run.stderr).not.toContain(secret);
    }
  });
});

describe('exit codes without an answering service', () => {
  it('3 when nothing listens: the message names the URL and where it came from', async () => {
    const port = await freePort();
    const fromPort = await cli(['jobs'], { SYNC_PORT: String(port) });
    expect(fromPort.code).toBe(3);
    expect(fromPort.stderr).toMatch(
      new RegExp(
        `^sync-webhook jobs: cannot reach the service at http://127\\.0\\.0\\.1:${port} ` +
          '\\(from SYNC_HOST/SYNC_PORT\\): ' +
          '.*ECONNREFUSED.*Is it running\\? If it listens elsewhere, set SYNC_URL \\(or --url\\)\\.\n$',
      ),
    );
    const fromEnv = await cli(['test'], { SYNC_URL: `http://127.0.0.1:${port}/base/` });
    expect(fromEnv.code).toBe(3);
    expect(fromEnv.stderr).toMatch(/at http:\/\/127\.0\.0\.1:\d+\/base \(from SYNC_URL\): .*check SYNC_URL\.\n$/);
    const fromOption = await cli(['summary', '--url', `http://127.0.0.1:${port}`], { SYNC_URL: 'http://elsewhere:1' });
    expect(fromOption.stderr).toMatch(/\(from --url\)/);
  });

  it('1 when something else answers at the URL', async () => {
    const other = await startFakeServer({ status: 200, body: '<html>router login</html>' });
    onCleanup(() => other.close());
    const run = await cli(['jobs'], { SYNC_URL: other.url });
    expect(run).toMatchObject({
      code: 1,
      stderr:
        "sync-webhook jobs: GET /jobs answered HTTP 200 without sync-webhook's JSON: " +
        `is ${other.url} (from SYNC_URL) the sync-webhook service?\n`,
    });
  });

  it.each([
    [['jobs', '--status', 'done'], '--status must be one of queued, in_progress, success, failed, got "done"'],
    [['jobs', '--limit', '0'], '--limit must be a whole number from 1 to 1000, got "0"'],
    [['jobs', '--verbose'], "Unknown option '--verbose'"],
    [['jobs', 'extra'], 'unexpected argument "extra"'],
    [['retry'], 'give the id of a failed job (sync-webhook jobs --status failed lists them), or --failed'],
    [['retry', '3', '--failed'], 'give either a job id or --failed, not both'],
    [['retry', 'three'], 'the job id must be a whole number, got "three"'],
    [['sync'], 'an argument is missing'],
    [['sync', 'movies/Heat'], 'the path must be a container path as Radarr/Sonarr see it, starting with /'],
    [['sync', '/movies/Heat', '--type', 'show'], '--type must be movie or tv, got "show"'],
    [['test', '--url'], "Option '--url <value>' argument missing"],
  ])('2 for %j: %s', async (args, message) => {
    const run = await cli(args, { SYNC_URL: 'http://127.0.0.1:9' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const [first, usage, hint] = run.stderr.split('\n');
    expect(first).toContain(`sync-webhook ${args[0]}: ${message}`);
    expect(usage).toMatch(new RegExp(`^Usage: sync-webhook ${args[0]} `));
    expect(hint).toBe(`Run "sync-webhook help ${args[0]}" for its options.`);
  });

  it('2 for a URL that is not http(s), not quoted; 2 for a bad configuration, naming the variable', async () => {
    const url = await cli(['jobs'], { SYNC_URL: 'ftp://user:secret-pw@host' });
    expect(url).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^sync-webhook jobs: SYNC_URL must be the service's http\(s\) URL/),
    });
    expect(url.stderr).not.toContain('secret-pw');
    const config = await cli(['jobs'], { SYNC_MAX_RETRIES: 'three', SYNC_API_KEY: 'key-in-env-1234' });
    expect(config).toMatchObject({
      code: 2,
      stderr: 'sync-webhook jobs: configuration error: SYNC_MAX_RETRIES must be a whole number, got "three"\n',
    });
  });

  it('2 for an unknown command; help, --help and --version answer 0', async () => {
    const unknown = await cli(['rebuild'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^sync-webhook: unknown command "rebuild"/);
    const help = await cli(['help'], {});
    expect(help.code).toBe(0);
    for (const name of ['serve', 'doctor', 'jobs', 'retry', 'sync', 'test', 'summary', 'reconcile']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
    expect(help.stdout).toMatch(/Exit codes: 0 done; 1 .*\n2 .*; 3 the service cannot be reached/);
    expect((await cli(['help', 'retry'], {})).stdout).toMatch(/^Usage: sync-webhook retry <id> \| retry --failed/);
    expect((await cli(['jobs', '--help'], {})).stdout).toMatch(/--status STATUS/);
    expect(await cli(['--version'], {})).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^sync-webhook \d+\.\d+\.\d+\n$/),
    });
  });
});
