// SYNC_RETENTION_DAYS with the whole service: jobs that finished longer ago go with their attempts and
// deliveries on the retention's own timer (every 200 ms here, every hour in production); recent ones stay.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll } from '../support/cleanup.js';
import { openDb } from '../support/db.js';
import { getJson, post } from '../support/http-client.js';
import { startInProcess } from '../support/in-process.js';
import { waitForJob } from '../support/jobs-api.js';
import { radarrDownload } from '../support/payloads.js';

afterAll(cleanupAll);

const DAY_MS = 24 * 60 * 60 * 1000;

describe('SYNC_RETENTION_DAYS', () => {
  it('deletes jobs that finished more than that many days ago, with their attempts; nothing newer', async () => {
    const svc = await startInProcess({
      env: { SYNC_RETENTION_DAYS: '7' },
      timing: { retention: { intervalMs: 200, batch: 1, pauseMs: 1 } },
    });
    const ids: number[] = [];
    for (const name of ['Old (2020)', 'Older (2019)', 'Recent (2024)']) {
      await mkdir(join(svc.moviesSrc, name), { recursive: true });
      await writeFile(join(svc.moviesSrc, name, 'movie.mkv'), name);
      const id = (await post(svc.app, '/sync/manual', { path: `/movies/${name}` })).body.job_id;
      await waitForJob(svc, id, 'success');
      ids.push(id);
    }
    const [old, older, recent] = ids;
    const db = await openDb(svc.dbPath);
    const backdate = db.prepare('UPDATE jobs SET finished_at = ? WHERE id = ?');
    backdate.run(new Date(Date.now() - 8 * DAY_MS).toISOString(), old);
    backdate.run(new Date(Date.now() - 30 * DAY_MS).toISOString(), older);

    await svc.waitForLog(/Retention: deleted 2 jobs that finished before \S+ \(7 days\)/);
    expect((await getJson(svc.app, `/jobs/${old}`)).status).toBe(404);
    expect((await getJson(svc.app, `/jobs/${older}`)).status).toBe(404);
    expect((await getJson(svc.app, `/jobs/${recent}`)).body.attempts).toHaveLength(1);
    expect(db.prepare('SELECT job_id FROM attempts ORDER BY job_id').pluck().all()).toEqual([recent]);
    expect((await getJson(svc.app, '/stats')).body.total_successful).toBe(1);
    expect(svc.output()).not.toMatch(/Retention: .*could not/);
  });

  it('keeps every job at 0, the default', async () => {
    // A manual sync waits 1 s for its source to stop growing: ten of the retention's intervals.
    const svc = await startInProcess({
      env: { SYNC_MANUAL_STABLE_SECONDS: '1' },
      timing: { retention: { intervalMs: 100, batch: 1, pauseMs: 1 } },
    });
    const id = (await post(svc.app, '/sync/radarr', await radarrDownload({ folder: 'Gone (2001)', file: 'movie.mkv' })))
      .body.job_id;
    await waitForJob(svc, id, 'failed');
    const db = await openDb(svc.dbPath);
    db.prepare('UPDATE jobs SET finished_at = ?, gave_up = 1 WHERE id = ?').run('2001-01-01T00:00:00.000Z', id);
    await mkdir(join(svc.moviesSrc, 'Later (2024)'), { recursive: true });
    await writeFile(join(svc.moviesSrc, 'Later (2024)', 'movie.mkv'), 'later');
    const later = (await post(svc.app, '/sync/manual', { path: '/movies/Later (2024)' })).body.job_id;
    const done = await waitForJob(svc, later, 'success');
    expect(Date.parse(done.finished_at ?? '') - Date.parse(done.created_at)).toBeGreaterThanOrEqual(1000);
    expect((await getJson(svc.app, `/jobs/${id}`)).status).toBe(200);
    expect(svc.output()).not.toContain('Retention');
  });
});
