// GET /jobs/<id> shows the running copy's progress, read from rsync's --info=progress2 line.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, tempDir } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { startService } from '../support/launch.js';
import { readLog } from '../support/service-layout.js';
import { getJson, post } from '../support/http-client.js';
import { waitForJob } from '../support/jobs-api.js';
import { makeTree } from '../support/trees.js';
import { radarrDownload } from '../support/payloads.js';

afterAll(cleanupAll);

describe('progress of a running copy', () => {
  it('is in GET /jobs/<id> and /jobs while rsync copies, and gone once the job is done', async () => {
    // An rsync first in PATH that only adds a bandwidth limit, so the 12 MiB copy takes about 3 s.
    const bin = await tempDir('sync-progress-bin-');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'rsync'), '#!/bin/sh\nexec /usr/bin/rsync --bwlimit=4m "$@"\n');
    await chmod(join(bin, 'rsync'), 0o755);
    const svc = await startService({ env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` } });

    const folder = 'Slow Movie (2024)';
    await makeTree(join(svc.moviesSrc, folder), { 'Slow Movie (2024).mkv': 12 * 1024 * 1024 });
    const res = await post(svc.url, '/sync/radarr', await radarrDownload({ folder, file: 'Slow Movie (2024).mkv' }));
    expect(res.status, res.text).toBe(202);
    const id: number = res.body.job_id;

    const running = await waitFor(
      async () => {
        const job = (await getJson(svc.url, `/jobs/${id}`)).body;
        return job.status === 'in_progress' && job.progress && job.progress.bytes > 0 ? job : null;
      },
      { what: 'a progress line in GET /jobs/<id>', timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(running.progress).toMatchObject({
      percent: expect.any(Number),
      rate: expect.stringMatching(/\/s$/),
      eta: expect.stringMatching(/^\d+:\d\d:\d\d$/),
    });
    expect(running.progress.bytes).toBeLessThanOrEqual(12 * 1024 * 1024);
    expect(Date.parse(running.progress.updated_at)).not.toBeNaN();
    const listed = (await getJson(svc.url, '/jobs?status=in_progress')).body.jobs;
    expect(listed.find((j: { id: number }) => j.id === id)?.progress).toBeTruthy();

    const done = await waitForJob(svc, id, (j) => j.status === 'success' || j.status === 'failed', 20_000);
    expect(done.status).toBe('success');
    expect(done).not.toHaveProperty('progress');
    expect(done.bytes_transferred).toBe(12 * 1024 * 1024);
    // Hundreds of \r-rewritten progress lines never reach the log.
    expect(await readLog(svc, 'sync_webhook.log')).not.toMatch(/\d+%\s+\S+\/s/);
  });
});
