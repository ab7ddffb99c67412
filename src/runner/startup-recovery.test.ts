import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, Mapping, NewJob } from '../core/types.js';
import { createPartialCopies } from '../mounts/partial-copies.js';
import { openDatabase, type Db } from '../store/database.js';
import { createJobReports, type JobReports } from '../store/job-reports.js';
import { createJobStore, type JobStore } from '../store/jobs.js';
import { createOutboxStore } from '../store/outbox.js';
import { linuxProcessTable } from './orphans.js';
import { recoverInterruptedJobs } from './startup-recovery.js';

const t0 = new Date('2026-03-10T10:00:00.000Z');
const restartedAt = new Date('2026-03-10T10:05:00.000Z');

let dir: string;
let db: Db;
let jobs: JobStore;
let jobReports: JobReports;
let lines: { level: number; msg: string; jobId?: number }[];
let history: Job[];

function newJob(key: string, sourcePath = `/src/${key}`): NewJob {
  return {
    source: 'radarr',
    mediaType: 'movie',
    title: `Movie ${key}`,
    containerPath: `/movies/${key}`,
    sourcePath: sourcePath,
    destPath: '/dst',
    mapping: '/movies',
    details: { title: `Movie ${key}` },
    isUpgrade: false,
    waitForStableSize: false,
    dedupeKey: key,
  };
}

function recover(mappings: Mapping[] = []) {
  return recoverInterruptedJobs({
    jobs,
    processes: linuxProcessTable,
    history: { record: (job) => history.push(job) },
    clock: { now: () => restartedAt },
    log: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }),
    maxRetries: 3,
    mappings,
    partials: createPartialCopies({ timeoutMs: 5000 }),
    dryRun: false,
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-recovery-'));
  db = openDatabase(join(dir, 'jobs.db'));
  jobs = createJobStore(db, createOutboxStore(db));
  jobReports = createJobReports(db);
  lines = [];
  history = [];
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('startup recovery', () => {
  it('does nothing and says nothing after a clean stop', async () => {
    jobs.enqueue([newJob('a')], t0, 1000);
    expect(await recover()).toEqual({ requeued: [], gaveUp: [], stoppedRsyncOf: [] });
    expect(lines).toEqual([]);
    expect(history).toEqual([]);
    expect(jobReports.get(1)?.status).toBe('queued');
  });

  it('requeues a cut job with one retry used, and gives up one already at the limit', async () => {
    jobs.enqueue([newJob('a'), newJob('b')], t0, 1000);
    jobs.claimNext(t0);
    jobs.claimNext(t0);
    db.prepare('UPDATE jobs SET retry_count = 3 WHERE id = 2').run();

    const result = await recover();

    expect(result.requeued.map((j) => [j.id, j.status, j.retryCount])).toEqual([[1, 'queued', 1]]);
    expect(result.gaveUp.map((j) => [j.id, j.status, j.gaveUp])).toEqual([[2, 'failed', true]]);
    expect(jobReports.get(1)).toMatchObject({ status: 'queued', error: 'Interrupted by restart' });
    expect(jobReports.get(2)).toMatchObject({ status: 'failed', error: 'Interrupted by restart' });
    // Both cut attempts are failures in sync_history.log.
    expect(history.map((j) => [j.id, j.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'Found 2 interrupted jobs from previous run'],
      [30, 'Queueing interrupted job for retry: Movie a (retry 1/3)'],
      [40, 'Interrupted job exceeded max retries, not retrying: Movie b'],
      [
        40,
        'Partial copy of Movie b left in place: mapping /movies is no longer configured (check SYNC_CONFIG); ' +
          'the job cannot run',
      ],
    ]);
  });

  it("removes the partial copy of a job that gives up, but keeps the requeued job's for its resume", async () => {
    const mapping: Mapping = {
      container: '/movies',
      source: { path: join(dir, 'src') },
      destination: { path: join(dir, 'dst') },
      plexPath: '/data/Movies',
    };
    for (const key of ['a', 'b']) {
      mkdirSync(join(dir, 'src', key), { recursive: true });
      writeFileSync(join(dir, 'src', key, 'movie.mkv'), 'whole');
      mkdirSync(join(dir, 'dst', key, '.sync-webhook-partial'), { recursive: true });
      writeFileSync(join(dir, 'dst', key, '.sync-webhook-partial', 'movie.mkv'), 'part');
      jobs.enqueue([{ ...newJob(key, join(dir, 'src', key)), destPath: join(dir, 'dst') }], t0, 1000);
      jobs.claimNext(t0);
    }
    db.prepare('UPDATE jobs SET retry_count = 3 WHERE id = 2').run();

    await recover([mapping]);

    expect(readdirSync(join(dir, 'dst', 'a', '.sync-webhook-partial'))).toEqual(['movie.mkv']);
    expect(existsSync(join(dir, 'dst', 'b', '.sync-webhook-partial'))).toBe(false);
    const removed = join(dir, 'dst', 'b', '.sync-webhook-partial', 'movie.mkv');
    expect(lines.at(-1)).toMatchObject({
      level: 30,
      jobId: 2,
      msg: `Removed the partial copy of Movie b (gave up): 1 file(s) ${removed}`,
    });
  });

  it('stops an rsync the killed service left copying before the job is requeued', async () => {
    const source = join(dir, 'src', 'Movie (2024)');
    mkdirSync(source, { recursive: true });
    mkdirSync(join(dir, 'dst'));
    writeFileSync(join(source, 'movie.mkv'), Buffer.alloc(4 * 1024 * 1024, 1));
    jobs.enqueue([newJob('a', source)], t0, 1000);
    jobs.claimNext(t0);
    const orphan = spawn('rsync', ['-a', '--bwlimit=256', '--', source, `${join(dir, 'dst')}/`], {
      detached: true,
      stdio: 'ignore',
    });
    orphan.unref();
    const exited = new Promise((resolve) => orphan.once('exit', resolve));
    if (orphan.pid === undefined) throw new Error('rsync did not start');
    jobs.recordRsyncPid(1, orphan.pid);

    const result = await recover();

    expect(result.stoppedRsyncOf).toEqual([1]);
    await exited;
    expect(linuxProcessTable.commandLine(orphan.pid)).toBeUndefined();
    expect(lines[0]).toMatchObject({
      level: 40,
      jobId: 1,
      msg: `Stopped the rsync (pid ${orphan.pid}) that job 1 left running when the service was killed`,
    });
    expect(jobReports.get(1)).toMatchObject({ status: 'queued', retryCount: 1 });
  });

  it('leaves alone a process that reused the recorded pid but is not an rsync of the job', async () => {
    jobs.enqueue([newJob('a')], t0, 1000);
    jobs.claimNext(t0);
    jobs.recordRsyncPid(1, process.pid);

    const result = await recover();

    expect(result.stoppedRsyncOf).toEqual([]);
    expect(jobReports.get(1)?.status).toBe('queued');
  });
});
