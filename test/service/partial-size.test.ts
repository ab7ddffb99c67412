// GET /jobs/<id> shows how much a cut copy keeps at the destination (partial_bytes), measured in a child
// process with the mount timeout: a share that hangs makes it null after the timeout, and the service
// answers everything else meanwhile.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPartialCopies } from '../../src/mounts/partial-copies.js';
import { cleanupAll, onCleanup, tempDir } from '../support/cleanup.js';
import { getJson, post, request } from '../support/http-client.js';
import { startInProcess } from '../support/in-process.js';
import type { JobJson } from '../support/jobs-api.js';
import { radarrDownload } from '../support/payloads.js';
import { makeTree } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);

const FOLDER = 'Heat (1995)';
const FILE = 'Heat (1995) Bluray-1080p.mkv';
// Long enough that the failed job is still waiting for its retry while the test looks.
const ENV = { SYNC_RETRY_INTERVAL_SECONDS: '3600' };

/** A Radarr job whose source is missing: it fails and waits for its retry. */
async function failedJob(svc: Awaited<ReturnType<typeof startInProcess>>): Promise<number> {
  const res = await post(svc.app, '/sync/radarr', await radarrDownload({ folder: FOLDER, file: FILE }));
  expect(res.status, res.text).toBe(202);
  const id: number = res.body.job_id;
  await waitFor(async () => (await getJson<JobJson>(svc.app, `/jobs/${id}`)).body.status === 'failed', {
    what: 'the job failing',
  });
  return id;
}

describe('partial_bytes in GET /jobs/<id>', () => {
  it("is what the job's partial folder holds at the destination, and only on GET /jobs/<id>", async () => {
    const svc = await startInProcess({ env: ENV });
    const id = await failedJob(svc);
    expect((await getJson<JobJson>(svc.app, `/jobs/${id}`)).body.partial_bytes).toBe(0);

    await makeTree(join(svc.moviesDst, FOLDER, '.sync-webhook-partial'), { [FILE]: 123_456 });
    await makeTree(join(svc.moviesDst, FOLDER, 'Subs', '.sync-webhook-partial'), { 'en.srt': 1_000 });
    const job = (await getJson<JobJson>(svc.app, `/jobs/${id}`)).body;
    expect(job).toMatchObject({ id, status: 'failed', partial_bytes: 124_456 });

    const list = (await getJson<{ jobs: JobJson[] }>(svc.app, '/jobs')).body.jobs;
    expect(list.find((j) => j.id === id)).not.toHaveProperty('partial_bytes');
  });

  it('is null once the share does not answer within the mount timeout, and nothing else waits for it', async () => {
    const dir = await tempDir('sync-webhook-hang-');
    const pidFile = join(dir, 'stuck.pid');
    const shell = join(dir, 'hanging-sh');
    // The setsid'd sleep stands in for a find stuck on a dead NFS server: out of reach of the kill.
    await writeFile(shell, `#!/bin/sh\nsetsid sleep 30 & echo $! >> '${pidFile}'; wait\n`);
    await chmod(shell, 0o755);
    onCleanup(async () => {
      const pids = await readFile(pidFile, 'utf8').catch(() => '');
      for (const pid of pids.trim().split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
    });
    const svc = await startInProcess({
      env: ENV,
      adapters: { partials: createPartialCopies({ timeoutMs: 1_000, shell }) },
    });
    const id = await failedJob(svc);
    await mkdir(join(svc.moviesDst, FOLDER), { recursive: true });

    const started = performance.now();
    const pending = getJson<JobJson>(svc.app, `/jobs/${id}`);
    // The measurement runs in a child process: the service answers other requests meanwhile.
    const ping = await request(svc.app, '/ping');
    expect(ping.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(500);

    const job = (await pending).body;
    expect(job.partial_bytes).toBeNull();
    expect(job.status).toBe('failed');
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
