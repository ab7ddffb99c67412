// /health, /stats, /jobs, and how the process starts (or refuses to start).
import { existsSync, statSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest, tempDir } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { freePort, startService } from '../support/launch.js';
import { getJson, post } from '../support/http-client.js';
import { readLog } from '../support/service-layout.js';
import { getJob, waitForJob } from '../support/jobs-api.js';
import { outboxRows } from '../support/db.js';
import { makeTree } from '../support/trees.js';
import { radarrDownload, sonarrDownload } from '../support/payloads.js';
import { jobMessageTexts, startAcceptingTelegram } from '../support/fake-http.js';

afterAll(cleanupAll);
cleanupEachTest();

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

describe('mounts required, but the roots are plain folders on the root filesystem', () => {
  const degradedAndWaiting =
    '/health is 200 degraded and names them; a job waits queued, without a retry, a message or a failure';
  it(degradedAndWaiting, async () => {
    const telegram = await startAcceptingTelegram();
    const svc = await startService({
      env: {
        SYNC_REQUIRE_MOUNTS: 'true',
        TELEGRAM_BOT_TOKEN: '1:health',
        TELEGRAM_CHAT_ID: '1',
        TELEGRAM_API_URL: telegram.url,
      },
    });
    const health = await waitFor(async () => {
      const h = await getJson(svc.url, '/health');
      return h.body.nfs_status !== 'checking' ? h : undefined;
    });
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.nfs_status).toBe('error');
    expect(health.body.nfs_issues).toHaveLength(4);
    for (const root of [svc.moviesSrc, svc.moviesDst, svc.tvSrc, svc.tvDst]) {
      expect(
        health.body.nfs_issues.some((i: string) => i.includes(root) && /not mounted/.test(i)),
        root,
      ).toBe(true);
      expect(health.body.nfs_down_since[root]).toMatch(ISO_UTC);
    }

    await makeTree(join(svc.moviesSrc, 'Waiting (2020)'), { 'Waiting (2020).mkv': 1000 });
    const res = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ folder: 'Waiting (2020)', file: 'Waiting (2020).mkv' }),
    );
    expect(res.status).toBe(202);
    const waiting = await waitForJob(svc, res.body.job_id, (j) => j.error !== null);
    expect(waiting.status).toBe('queued');
    expect(waiting.retry_count).toBe(0);
    expect(waiting.error).toMatch(/Waiting for mount/);
    expect(waiting.error).toContain(svc.moviesSrc);
    expect(waiting.next_attempt_at).toMatch(ISO_UTC);
    // Looked at again (SYNC_MOUNT_CHECK_INTERVAL_SECONDS=1): still waiting, still no retry used.
    const later = await waitForJob(
      svc,
      res.body.job_id,
      (j) => j.next_attempt_at !== null && j.next_attempt_at > waiting.next_attempt_at!,
    );
    expect(later).toMatchObject({ status: 'queued', retry_count: 0, gave_up: false });

    const after = await getJson(svc.url, '/health');
    expect(after.body.jobs_24h).toMatchObject({ success: 0, failed: 0, queued: 1, in_progress: 0 });
    const stats = await getJson(svc.url, '/stats');
    expect(stats.body).toMatchObject({ failures: 0, total_failed: 0, today_failed: 0 });
    expect((await getJson(svc.url, '/jobs?status=failed')).body.jobs).toEqual([]);
    // No message about the job; the shares being down may have been told (a message of its own kind).
    expect((await outboxRows(svc.dbPath)).filter((r) => !r.payload.includes('"kind":"mount_down"'))).toEqual([]);
    expect(jobMessageTexts(telegram)).toEqual([]);
    expect(await getJob(svc, res.body.job_id)).toMatchObject({ status: 'queued', started_at: null, finished_at: null });
  });
});

describe('/health, /stats and /jobs', () => {
  it('have the README shapes, the right numbers, and /jobs filters', async () => {
    const svc = await startService();
    const health = await getJson(svc.url, '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'healthy', dry_run: false, notifications: false, nfs_issues: [] });
    expect(['ok', 'checking']).toContain(health.body.nfs_status);
    expect(health.body.timestamp).toMatch(ISO_UTC);
    expect(health.body.uptime_since).toMatch(ISO_UTC);
    expect(Object.keys(health.body)).toEqual(
      expect.arrayContaining([
        'status',
        'timestamp',
        'dry_run',
        'notifications',
        'nfs_status',
        'nfs_issues',
        'jobs_24h',
        'uptime_since',
        'version',
      ]),
    );
    expect(health.body.jobs_24h).toMatchObject({ success: 0, failed: 0 });

    // One movie (two files), one episode, one job that fails for good (its source is missing: a
    // failure; SYNC_MAX_RETRIES=0 so it gives up at once).
    await makeTree(join(svc.moviesSrc, 'Stats Movie (2020)'), {
      'Stats Movie (2020).mkv': 1_048_576,
      'Stats Movie (2020).nfo': 'x'.repeat(1000),
    });
    await makeTree(join(svc.tvSrc, 'Stats Show', 'Season 01'), { 'Stats Show - S01E01.mkv': 3000 });
    const movie = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ folder: 'Stats Movie (2020)', file: 'Stats Movie (2020).mkv' }),
    );
    const episode = await post(
      svc.url,
      '/sync/sonarr',
      await sonarrDownload({ seriesFolder: 'Stats Show', season: 1, episode: 1, file: 'Stats Show - S01E01.mkv' }),
    );
    await waitForJob(svc, movie.body.job_id, 'success');
    await waitForJob(svc, episode.body.job_id, 'success');

    await svc.stop();
    const failing = await svc.restart({ env: { SYNC_MAX_RETRIES: '0' } });
    const missing = await post(
      failing.url,
      '/sync/radarr',
      await radarrDownload({ folder: 'Missing (2010)', file: 'Missing (2010).mkv' }),
    );
    const failed = await waitForJob(failing, missing.body.job_id, (j) => j.status === 'failed');
    expect(failed.gave_up).toBe(true);
    expect(failed.error).toMatch(/does not exist/);

    const stats = await getJson(failing.url, '/stats');
    expect(Object.keys(stats.body)).toEqual(
      expect.arrayContaining([
        'movies_synced',
        'episodes_synced',
        'failures',
        'bytes_transferred',
        'bytes_transferred_human',
        'total_successful',
        'total_failed',
        'today_successful',
        'today_failed',
      ]),
    );
    // Session counters start with the process; totals and today come from the database.
    expect(stats.body).toMatchObject({
      movies_synced: 0,
      episodes_synced: 0,
      failures: 1,
      bytes_transferred: 0,
      bytes_transferred_human: '0.0 B',
      total_successful: 2,
      total_failed: 1,
      today_successful: 2,
      today_failed: 1,
    });
    const h = await getJson(failing.url, '/health');
    expect(h.body.jobs_24h).toMatchObject({ success: 2, failed: 1 });

    const before = await getJson(failing.url, '/jobs');
    expect(before.body.jobs.map((j: { id: number }) => j.id)).toEqual([3, 2, 1]); // newest first
    const one = await getJson(failing.url, '/jobs?limit=1');
    expect(one.body.jobs).toHaveLength(1);
    expect(one.body.jobs[0].id).toBe(3);
    const ok = await getJson(failing.url, '/jobs?status=success');
    expect(ok.body.jobs.map((j: { id: number }) => j.id)).toEqual([2, 1]);
    expect(
      (await getJson(failing.url, '/jobs?limit=1&status=success')).body.jobs.map((j: { id: number }) => j.id),
    ).toEqual([2]);
    expect((await getJson(failing.url, '/jobs?status=failed')).body.jobs.map((j: { id: number }) => j.id)).toEqual([3]);
    expect((await getJson(failing.url, '/jobs?status=queued')).body.jobs).toEqual([]);
    const job = ok.body.jobs[1];
    for (const key of [
      'id',
      'status',
      'source',
      'media_type',
      'title',
      'container_path',
      'source_path',
      'dest_path',
      'retry_count',
      'error',
      'bytes_transferred',
      'created_at',
      'started_at',
      'finished_at',
      'duration_seconds',
    ]) {
      expect(job, key).toHaveProperty(key);
    }
    expect(job.bytes_transferred).toBe(1_048_576 + 1000);

    for (const bad of ['/jobs?limit=abc', '/jobs?limit=0', '/jobs?limit=-1', '/jobs?status=done', '/jobs/abc']) {
      const res = await getJson(failing.url, bad);
      expect(res.status, bad).toBe(400);
      expect(typeof res.body.error, bad).toBe('string');
    }
    expect((await getJson(failing.url, '/jobs?limit=abc')).body.field).toBe('limit');
  });
});

describe('starting', () => {
  const startsInEmptyFolder =
    'with no environment but the port, in an empty folder: /health answers, ./data and ./logs created';
  it(startsInEmptyFolder, async () => {
    const dir = await tempDir();
    const port = await freePort();
    const svc = await startService({ dir, bareEnv: { SYNC_PORT: String(port) } });
    const health = await waitFor(async () => {
      const h = await getJson(svc.url, '/health');
      return h.body.nfs_status !== 'checking' ? h : undefined;
    });
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.notifications).toBe(false);
    expect(health.body.nfs_issues.join('\n')).toContain('/mnt/synology/rs-movies');
    expect(health.body.nfs_issues.join('\n')).toContain('/mnt/unraid/media/Movies');
    expect(statSync(join(dir, 'data', 'sync_jobs.db')).isFile()).toBe(true);
    expect(statSync(join(dir, 'logs')).isDirectory()).toBe(true);
    expect(existsSync(join(dir, 'logs', 'sync_webhook.log'))).toBe(true);
    expect(svc.stdout()).toMatch(/listening on 0\.0\.0\.0:\d+/);
  });

  it('without rsync on PATH: exits 2 at once, saying how to install it', async () => {
    const dir = await tempDir();
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await symlink(process.execPath, join(bin, 'node'));
    const t0 = performance.now();
    const svc = await startService({
      dir,
      bareEnv: { PATH: bin, SYNC_PORT: String(await freePort()) },
      waitForHealth: false,
    });
    const { code } = await svc.exited;
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(code).toBe(2);
    expect(svc.output()).toMatch(/rsync not found/);
    expect(svc.output()).toMatch(/apt-get install rsync/);
  });

  it('with an rsync older than the flags need: exits 2 naming the version found and the one needed', async () => {
    const dir = await tempDir();
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await symlink(process.execPath, join(bin, 'node'));
    // What Ubuntu 20.04's rsync prints: it has no --mkpath.
    await writeFile(
      join(bin, 'rsync'),
      '#!/bin/sh\necho "rsync  version 3.1.3  protocol version 31"\necho "Copyright (C) 1996-2018"\n',
      { mode: 0o755 },
    );
    const svc = await startService({
      dir,
      bareEnv: { PATH: bin, SYNC_PORT: String(await freePort()) },
      waitForHealth: false,
    });
    const { code } = await svc.exited;
    expect(code, svc.output()).toBe(2);
    expect(svc.output()).toContain('rsync 3.1.3 is too old: sync-webhook needs rsync 3.2.3 or newer (for --mkpath)');
  });

  it('with SYNC_LOG_FORMAT=json: one JSON object per line on stdout and in sync_webhook.log, redacted', async () => {
    const secret = 'json-log-api-key-0123';
    const svc = await startService({ env: { SYNC_LOG_FORMAT: 'json', SYNC_LOG_LEVEL: 'DEBUG', SYNC_API_KEY: secret } });
    // At DEBUG the body is logged: a secret pasted into it must come out redacted.
    const res = await post(svc.url, `/sync/manual?apikey=${secret}`, { path: `/movies/${secret}`, type: 'movie' });
    expect(res.status, res.text).toBe(422);
    await svc.waitForLog(/Manual sync refused/);
    await svc.stop();
    const file = await readLog(svc, 'sync_webhook.log');
    for (const text of [svc.stdout(), file]) {
      expect(text).not.toContain(secret);
      const lines = text.split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(5);
      for (const line of lines) {
        const entry = JSON.parse(line);
        expect(Object.keys(entry).slice(0, 3), line).toEqual(['time', 'level', 'msg']);
        expect(entry.time).toMatch(ISO_UTC);
      }
    }
    const entries = file
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(entries).toContainEqual(
      expect.objectContaining({ level: 'INFO', msg: expect.stringMatching(/^Sync webhook listening on /) }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ level: 'DEBUG', msg: expect.stringContaining('"path":"/movies/[REDACTED]"') }),
    );
  });

  it('with an unusable SYNC_DB_PATH: exits non-zero naming it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a-file'), 'not a folder');
    const svc = await startService({
      dir,
      bareEnv: { SYNC_PORT: String(await freePort()), SYNC_DB_PATH: join(dir, 'a-file', 'sync_jobs.db') },
      waitForHealth: false,
    });
    const { code } = await svc.exited;
    expect(code).not.toBe(0);
    expect(svc.output()).toContain('SYNC_DB_PATH');
    expect(svc.output()).toContain(join(dir, 'a-file'));
  });

  it('with an unusable SYNC_LOG_PATH: exits non-zero naming it', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a-file'), 'not a folder');
    const svc = await startService({
      dir,
      bareEnv: { SYNC_PORT: String(await freePort()), SYNC_LOG_PATH: join(dir, 'a-file', 'logs') },
      waitForHealth: false,
    });
    const { code } = await svc.exited;
    expect(code).not.toBe(0);
    expect(svc.output()).toContain('SYNC_LOG_PATH');
  });

  it.each([
    [
      'an unknown key in a mapping',
      'mappings:\n  - container: /movies\n    source: /a\n    destination: /b\n    plex_sectoin: 1\n',
      'plex_sectoin',
    ],
    ['an unknown top-level key', 'mapings:\n  - container: /movies\n    source: /a\n    destination: /b\n', 'mapings'],
    [
      'a relative path',
      'mappings:\n  - container: /movies\n    source: relative/path\n    destination: /b\n',
      'mappings.0.source',
    ],
  ])('with %s in SYNC_CONFIG: exits non-zero naming the key', async (_what, yaml, key) => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad.yml'), yaml);
    const svc = await startService({
      dir,
      bareEnv: { SYNC_PORT: String(await freePort()), SYNC_CONFIG: join(dir, 'bad.yml') },
      waitForHealth: false,
    });
    const { code } = await svc.exited;
    expect(code).not.toBe(0);
    expect(svc.output()).toContain('SYNC_CONFIG');
    expect(svc.output()).toContain(key);
  });

  it('with a bad variable: exits non-zero naming it', async () => {
    const dir = await tempDir();
    const svc = await startService({
      dir,
      bareEnv: { SYNC_PORT: String(await freePort()), SYNC_MAX_RETRIES: 'three' },
      waitForHealth: false,
    });
    const { code } = await svc.exited;
    expect(code).not.toBe(0);
    expect(svc.output()).toMatch(/SYNC_MAX_RETRIES must be a whole number, got "three"/);
  });
});
