// A job whose outcome cannot be written (the database refuses the write): the queue stops, one
// CRITICAL line names the job and the database error, /health answers 503, and the service asks to
// exit 1 so that the container restarts it and startup recovery requeues the job.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRsync } from '../../src/runner/rsync.js';
import { cleanupAll } from '../support/cleanup.js';
import { openDb } from '../support/db.js';
import { post, request } from '../support/http-client.js';
import { startInProcess } from '../support/in-process.js';
import { getJob } from '../support/jobs-api.js';
import { radarrDownload } from '../support/payloads.js';
import { makeTree } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';
import { layoutOf } from '../support/service-layout.js';
import { tempDir } from '../support/cleanup.js';

afterAll(cleanupAll);

describe('an outcome the database will not take', () => {
  it('stops the queue, answers /health with 503 and asks to exit 1; the job stays in progress', async () => {
    const dir = await tempDir('sync-webhook-inproc-');
    const layout = layoutOf(dir);
    await makeTree(join(layout.moviesSrc, 'Locked (2020)'), { 'Locked (2020).mkv': 4096 });
    await makeTree(join(layout.moviesSrc, 'Next (2021)'), { 'Next (2021).mkv': 4096 });
    let holdWriteLock = async () => {};
    const svc = await startInProcess({
      dir,
      // The real rsync copies; right after it, another connection takes SQLite's write lock and keeps
      // it longer than the store waits (5 s), as a wedged disk or a stray sqlite3 shell would.
      adapters: {
        rsync: async (args, o) => {
          const run = await runRsync(args, o);
          await holdWriteLock();
          return run;
        },
      },
    });
    const blocker = await openDb(svc.dbPath);
    holdWriteLock = async () => {
      blocker.exec('BEGIN IMMEDIATE');
    };

    const first = await post(
      svc.app,
      '/sync/radarr',
      await radarrDownload({ folder: 'Locked (2020)', file: 'Locked (2020).mkv' }),
    );
    expect(first.status).toBe(202);
    await waitFor(() => (svc.exitCodes.length > 0 ? true : undefined), { timeoutMs: 15_000, what: 'exit request' });

    expect(svc.exitCodes).toEqual([1]);
    const health = await request(svc.app, '/health');
    expect(health.status).toBe(503);
    expect(health.body).toEqual({
      status: 'unhealthy',
      error: 'database unavailable: job outcomes cannot be recorded (database is locked)',
    });
    const critical = svc
      .output()
      .split('\n')
      .filter((line) => / - CRITICAL - /.test(line));
    expect(critical).toHaveLength(1);
    expect(critical[0]).toMatch(
      /Job 1 \(Locked \(2024\)\) ended without a recorded outcome: database is locked; the queue is stopped/,
    );

    blocker.exec('ROLLBACK');
    // Nothing more is claimed: a second webhook is still taken (the ack path is the database's), but
    // its job waits for the restart.
    const second = await post(
      svc.app,
      '/sync/radarr',
      await radarrDownload({ folder: 'Next (2021)', file: 'Next (2021).mkv' }),
    );
    expect(second.status).toBe(202);
    expect((await getJob(svc, 1)).status).toBe('in_progress');
    expect((await getJob(svc, second.body.job_id)).status).toBe('queued');
  });
});
