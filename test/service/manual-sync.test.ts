// POST /sync/manual refuses a path that does not exist with 422 at once, but only when the share
// answers healthy: a share that is down or slow still queues the job, which waits as before. The
// webhooks of Radarr/Sonarr never wait on a share before their answer.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMountProbe, type MountProbe } from '../../src/mounts/probe.js';
import { cleanupAll, tempDir } from '../support/cleanup.js';
import { getJson, post } from '../support/http-client.js';
import { startInProcess } from '../support/in-process.js';
import { getJob, waitForJob } from '../support/jobs-api.js';
import { radarrDownload } from '../support/payloads.js';
import { makeTree } from '../support/trees.js';

afterAll(cleanupAll);

const MISSING = { path: '/movies/Typo Movie (2024)', type: 'movie' };

describe('POST /sync/manual with a path that does not exist', () => {
  it('answers 422 at once while the share is healthy, names the path, and makes no job', async () => {
    const svc = await startInProcess();
    await makeTree(svc.moviesSrc, { 'Real Movie (2024)/real.mkv': 2048 });
    const started = performance.now();
    const res = await post(svc.app, '/sync/manual', MISSING);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(res.status, res.text).toBe(422);
    const source = join(svc.moviesSrc, 'Typo Movie (2024)');
    expect(res.body).toEqual({
      error:
        `Path not found: /movies/Typo Movie (2024): ${source} does not exist, ` +
        `and its share ${svc.moviesSrc} answers`,
    });
    expect((await getJson(svc.app, '/jobs')).body.jobs).toEqual([]);
    await svc.waitForLog(/WARNING - Processing: Typo Movie \(2024\) .* Manual sync refused: Path not found/);

    const real = await post(svc.app, '/sync/manual', { path: '/movies/Real Movie (2024)', type: 'movie' });
    expect(real.status, real.text).toBe(202);
    const job = await waitForJob(svc, real.body.job_id, 'success');
    expect(job.error).toBeNull();
  });

  it('queues it while the share is down; the job waits for the mount, with no retry used', async () => {
    // Temp folders on the root filesystem are not mount points: with mounts required, every share is down.
    const svc = await startInProcess({ env: { SYNC_REQUIRE_MOUNTS: 'true' } });
    const res = await post(svc.app, '/sync/manual', MISSING);
    expect(res.status, res.text).toBe(202);
    const job = await waitForJob(svc, res.body.job_id, (j) => j.error !== null);
    expect(job).toMatchObject({ status: 'queued', retry_count: 0 });
    expect(job.error).toMatch(/^Waiting for mount: source .* is not mounted/);
  });

  it('queues it when the share does not answer within the mount timeout', async () => {
    const dir = await tempDir();
    // Stands in for a shell whose first stat() sits on a dead NFS server; killed at the timeout.
    const hangingShell = join(dir, 'hanging-sh');
    await writeFile(hangingShell, '#!/bin/sh\nsleep 30\n');
    await chmod(hangingShell, 0o755);
    const probe = createMountProbe({ timeoutMs: 1000, requireMounts: false, probeCommand: hangingShell });
    const svc = await startInProcess({ dir, env: { SYNC_MOUNT_TIMEOUT_SECONDS: '1' }, adapters: { probe } });
    const started = performance.now();
    const res = await post(svc.app, '/sync/manual', MISSING);
    const ms = performance.now() - started;
    expect(res.status, res.text).toBe(202);
    // At most one timeout: the probe already under way is awaited, none is started after it.
    expect(ms).toBeLessThan(3000);
    const job = await waitForJob(svc, res.body.job_id, (j) => j.error !== null);
    expect(job.status).toBe('queued');
    expect(job.error).toMatch(/did not answer within 1 s|still not answering/);
  });
});

describe('the webhooks of Radarr and Sonarr', () => {
  it('answer without waiting on a share; a manual sync waits for its check', async () => {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const looks: string[] = [];
    const real = createMountProbe({ timeoutMs: 5000, requireMounts: false });
    // Every look at a share stalls until released: an answer that needs one cannot come before.
    const stalled: MountProbe = {
      checkRoot: async (check, role) => {
        looks.push(`root ${check.path}`);
        await released;
        return real.checkRoot(check, role);
      },
      inspectSource: async (path, root, options) => {
        looks.push(`item ${path}`);
        await released;
        return real.inspectSource(path, root, options);
      },
      sourcePresence: async (paths, root) => {
        looks.push(`presence ${root}`);
        await released;
        return real.sourcePresence(paths, root);
      },
    };
    const svc = await startInProcess({ adapters: { probe: stalled } });
    const radarr = await post(svc.app, '/sync/radarr', await radarrDownload({ folder: 'Fast (2020)', file: 'f.mkv' }));
    expect(radarr.status, radarr.text).toBe(202);

    // The other mapping: the Radarr job's checks look at /movies, the mount monitor's first round (stalled
    // too, so there is no second) looked at every root once.
    const tvLooks = () => looks.filter((look) => look === `root ${svc.tvSrc}`).length;
    expect(tvLooks()).toBe(1);
    let manualAnswered = false;
    const manual = post(svc.app, '/sync/manual', { path: '/tv/Typo Show', type: 'tv' }).then((res) => {
      manualAnswered = true;
      return res;
    });
    await expect.poll(tvLooks).toBe(2);
    expect(manualAnswered).toBe(false);
    release();
    expect((await manual).status).toBe(422);
    expect((await getJob(svc, radarr.body.job_id)).source).toBe('radarr');
  });
});
