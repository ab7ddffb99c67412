// `sync-webhook reconcile` against the whole service built in-process and listening on 127.0.0.1:
// real trees, the real catch-up walk, and jobs copied by real rsync when it queues.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, listenForCli } from '../support/cli.js';
import { cleanupAll } from '../support/cleanup.js';
import { getJson } from '../support/http-client.js';
import { startInProcess } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';
import { makeTree } from '../support/trees.js';

afterAll(cleanupAll);

// Files a test just wrote count as settled; one round of share checks, over before the test goes on.
const ENV = { SYNC_RECONCILE_SETTLE_MINUTES: '0', SYNC_MOUNT_CHECK_INTERVAL_SECONDS: '3600' };

async function serviceWithAMissingMovie() {
  const svc = await startInProcess({ env: ENV });
  await waitFor(async () => (await getJson(svc.app, '/health')).body.nfs_status !== 'checking');
  // A share in use is never empty: a pass takes an empty destination root for an unmounted share.
  for (const root of [svc.moviesDst, svc.tvDst]) await makeTree(root, { '.share-marker': 'share\n' });
  await makeTree(join(svc.moviesSrc, 'Alien (1979)'), { 'Alien (1979).mkv': 3000 });
  await makeTree(join(svc.moviesSrc, 'Heat (1995)'), { 'Heat (1995).mkv': 1000 });
  await makeTree(join(svc.moviesDst, 'Heat (1995)'), { 'Heat (1995).mkv': 1000 });
  return { svc, env: await listenForCli(svc, ENV) };
}

describe('sync-webhook reconcile', () => {
  it('only looks by default: lists what the destination lacks and queues nothing', async () => {
    const { svc, env } = await serviceWithAMissingMovie();
    const run = await cli(['reconcile'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^PATH +BYTES +WHY +JOB\n\/movies\/Alien \(1979\) +3000 +missing *\n/);
    expect(run.stdout).toMatch(/Catch-up pass \d+: 1 item\(s\), 3000 bytes, not queued\. To queue them: --queue\n$/);
    expect((await getJson(svc.app, '/jobs')).body.jobs).toEqual([]);
  });

  it('--queue queues one job per item, which rsync copies; --mapping limits the pass', async () => {
    const { svc, env } = await serviceWithAMissingMovie();
    const tvOnly = await cli(['reconcile', '--mapping', '/tv'], env);
    expect(tvOnly.stdout).toMatch(/: 0 item\(s\), 0 bytes\.\n$/);

    const run = await cli(['reconcile', '--queue', '--mapping', '/movies'], env);
    expect(run.code, run.stderr).toBe(0);
    const jobId = Number(/\/movies\/Alien \(1979\) +3000 +missing +(\d+)/.exec(run.stdout)?.[1]);
    expect(jobId).toBeGreaterThan(0);
    await waitFor(() => existsSync(join(svc.moviesDst, 'Alien (1979)', 'Alien (1979).mkv')));
    expect((await getJson(svc.app, `/jobs/${jobId}`)).body).toMatchObject({ source: 'reconcile' });
  });

  it('--detach returns at once with the pass id; bad usage exits 2; an unknown mapping exits 1', async () => {
    const { env } = await serviceWithAMissingMovie();
    const detached = await cli(['reconcile', '--detach'], env);
    expect(detached).toMatchObject({ code: 0 });
    expect(detached.stdout).toMatch(/^Catch-up pass \d+ started: sync-webhook reconcile shows it\.\n$/);

    const relative = await cli(['reconcile', '--mapping', 'movies'], env);
    expect(relative.code).toBe(2);
    expect(relative.stderr).toMatch(/--mapping takes a mapping's container path, e\.g\. \/movies, got "movies"/);

    const unknown = await cli(['reconcile', '--mapping', '/music'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/422: Unknown mapping "\/music"/);
  });
});
