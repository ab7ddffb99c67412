import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, NewJob } from '../core/types.js';
import { openDatabase, type Db } from '../store/database.js';
import { createJobReports, type JobReports } from '../store/job-reports.js';
import { createJobStore, type JobStore } from '../store/jobs.js';
import { createOutboxStore } from '../store/outbox.js';
import { Runner } from './runner.js';
import type { SyncJobOutcome } from './sync-job.js';

const now = new Date('2026-03-10T10:00:00.000Z');
const SHARES: Record<string, string> = { '/movies': '/mnt/media', '/tv': '/mnt/media', '/anime': '/mnt/anime' };

let dir: string;
let db: Db;
let jobs: JobStore;
let jobReports: JobReports;
let runner: Runner | undefined;
/** Jobs handed to runJob, each with the function that ends it. */
let running: { job: Job; finish: () => void }[];

function job(mapping: string, key: string): NewJob {
  return {
    source: 'radarr',
    mediaType: 'movie',
    title: key,
    containerPath: `${mapping}/${key}`,
    sourcePath: `/src${mapping}/${key}`,
    destPath: `/dst${mapping}`,
    mapping,
    details: { title: key },
    isUpgrade: false,
    waitForStableSize: false,
    dedupeKey: key,
  };
}

function start(maxConcurrent: number): Runner {
  runner = new Runner({
    jobs,
    jobReports,
    clock: { now: () => now },
    log: pino({ level: 'silent' }),
    maxConcurrent,
    maxRetries: 3,
    idleRecheckMs: 60_000,
    mappings: Object.keys(SHARES),
    shareOf: (mapping) => SHARES[mapping] ?? mapping,
    onUnrecorded: () => {
      throw new Error('no outcome may go unrecorded in these tests');
    },
    runJob: (claimed) =>
      new Promise<SyncJobOutcome>((resolve) => {
        running.push({
          job: claimed,
          finish: () => {
            jobs.markSuccess(claimed.id, { bytes: 0, finishedAt: now, durationSeconds: 0 }, []);
            resolve('success');
          },
        });
      }),
  });
  runner.start();
  return runner;
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-runner-'));
  db = openDatabase(join(dir, 'jobs.db'));
  jobs = createJobStore(db, createOutboxStore(db));
  jobReports = createJobReports(db);
  running = [];
});

afterEach(async () => {
  const stopped = runner?.stop();
  for (const { job: claimed, finish } of running) if (jobReports.get(claimed.id)?.status === 'in_progress') finish();
  await stopped;
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Runner', () => {
  it('runs one job at a time by default, oldest first', async () => {
    jobs.enqueue([job('/movies', 'a'), job('/anime', 'b')], now, 1000);
    const r = start(1);
    expect(r.runOnce()).toBe(1);
    expect(running.map((x) => x.job.title)).toEqual(['a']);
    running[0]!.finish();
    await settle();
    await settle();
    expect(running.map((x) => x.job.title)).toEqual(['a', 'b']);
  });

  it('with more allowed, never runs two jobs on the same destination share', async () => {
    jobs.enqueue([job('/movies', 'm1'), job('/tv', 't1'), job('/anime', 'a1')], now, 1000);
    const r = start(3);
    r.runOnce();
    expect(running.map((x) => x.job.title)).toEqual(['m1', 'a1']);
    expect(jobReports.get(2)?.status).toBe('queued');
    running[0]!.finish();
    await settle();
    await settle();
    expect(running.map((x) => x.job.title)).toEqual(['m1', 'a1', 't1']);
  });

  it('promotes a due retry and runs it on the same row', async () => {
    jobs.enqueue([job('/movies', 'r')], now, 1000);
    jobs.claimNext(now);
    jobs.markFailed(1, { error: 'exit 23', finishedAt: now, durationSeconds: 1, retryAt: now }, []);
    start(1).runOnce();
    expect(running.map((x) => [x.job.id, x.job.retryCount])).toEqual([[1, 1]]);
  });

  it('wakes for a new job and records every outcome before stop() returns', async () => {
    const r = start(1);
    jobs.enqueue([job('/movies', 'late')], now, 1000);
    r.wake();
    await settle();
    expect(running).toHaveLength(1);
    const stopped = r.stop();
    running[0]!.finish();
    await stopped;
    expect(jobReports.get(1)?.status).toBe('success');
  });
});

describe('Runner during a burst of webhooks', () => {
  it('starts the single job of an idle queue at once, and holds a burst until it pauses', async () => {
    let clockMs = now.getTime();
    runner = new Runner({
      jobs,
      jobReports,
      clock: { now: () => new Date(clockMs) },
      log: pino({ level: 'silent' }),
      maxConcurrent: 1,
      maxRetries: 3,
      idleRecheckMs: 60_000,
      mappings: ['/movies'],
      shareOf: (mapping) => mapping,
      burst: { minJobs: 3, windowMs: 100, quietMs: 50 },
      onUnrecorded: () => {
        throw new Error('no outcome may go unrecorded in these tests');
      },
      runJob: (claimed) =>
        new Promise<SyncJobOutcome>((resolve) => {
          running.push({
            job: claimed,
            finish: () => {
              jobs.markSuccess(claimed.id, { bytes: 0, finishedAt: new Date(clockMs), durationSeconds: 0 }, []);
              resolve('success');
            },
          });
        }),
    });
    runner.start();
    jobs.enqueue([job('/movies', 'single')], now, 1000);
    runner.jobsQueued(1);
    expect(runner.runOnce()).toBe(1);
    running[0]!.finish();
    await settle();

    jobs.enqueue([job('/movies', 'b1'), job('/movies', 'b2'), job('/movies', 'b3')], now, 1000);
    runner.jobsQueued(3);
    clockMs += 10;
    expect(runner.runOnce()).toBe(0);
    clockMs += 39;
    expect(runner.runOnce()).toBe(0);
    clockMs += 2;
    expect(runner.runOnce()).toBe(1);
  });

  it('stops claiming, and says so once, when a job ends without a recorded outcome', async () => {
    jobs.enqueue([job('/movies', 'doomed'), job('/anime', 'waiting')], now, 1000);
    const unrecorded: [number, string][] = [];
    const lines: string[] = [];
    const log = pino({ level: 'fatal' }, { write: (line: string) => lines.push(line) });
    runner = new Runner({
      jobs,
      clock: { now: () => now },
      log,
      jobReports,
      maxConcurrent: 1,
      maxRetries: 3,
      idleRecheckMs: 60_000,
      mappings: Object.keys(SHARES),
      shareOf: (mapping) => SHARES[mapping] ?? mapping,
      onUnrecorded: (claimed, error) => unrecorded.push([claimed.id, error.message]),
      // What runSyncJob does when the store cannot write the outcome: it rejects with the store's error.
      runJob: async () => {
        throw new Error('disk I/O error');
      },
    });
    runner.start();
    runner.runOnce();
    await settle();
    await settle();
    expect(unrecorded).toEqual([[1, 'disk I/O error']]);
    expect(runner.healthy).toBe(false);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 60, jobId: 1 });
    expect(lines[0]).toContain('ended without a recorded outcome: disk I/O error');
    // Neither a wake-up nor a restart of the loop claims the next job.
    runner.wake();
    runner.start();
    await settle();
    expect(runner.runOnce()).toBe(0);
    expect(jobReports.get(2)?.status).toBe('queued');
  });
});
