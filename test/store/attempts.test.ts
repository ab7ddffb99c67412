// Every attempt of a job is kept, written in the transaction of the transition that starts or ends it.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AttemptReads, createAttemptReads } from '../../src/store/attempts.js';
import { createJobStore } from '../../src/store/jobs.js';
import { createOutboxStore } from '../../src/store/outbox.js';
import { at, DAY, newJob, openTempStore, t0, type TempStore } from './fixture.js';

let store: TempStore;
let attempts: AttemptReads;

beforeEach(() => {
  store = openTempStore();
  attempts = createAttemptReads(store.db);
});
afterEach(() => store.close());

const success = (finishedAt: Date) => ({ bytes: 1234, finishedAt, durationSeconds: 2.5, rsyncExitCode: 0 });

describe('attempts', () => {
  it('opens one at the claim, triggered by the webhook, and closes it with the success', () => {
    store.jobs.enqueue([newJob()], t0, DAY);
    store.jobs.claimNext(at(1000));
    expect(attempts.ofJob(1)).toEqual([
      {
        number: 1,
        trigger: 'webhook',
        startedAt: at(1000).toISOString(),
        finishedAt: null,
        outcome: null,
        rsyncExitCode: null,
        error: null,
        errorReason: null,
        bytes: null,
        durationSeconds: null,
      },
    ]);
    store.jobs.markSuccess(1, success(at(3500)), []);
    expect(attempts.ofJob(1)).toEqual([
      {
        number: 1,
        trigger: 'webhook',
        startedAt: at(1000).toISOString(),
        finishedAt: at(3500).toISOString(),
        outcome: 'success',
        rsyncExitCode: 0,
        error: null,
        errorReason: null,
        bytes: 1234,
        durationSeconds: 2.5,
      },
    ]);
    expect(store.reports.get(1)?.errorReason).toBeNull();
  });

  it('keeps a failure with its exit code, error and reason, on the attempt and on the job', () => {
    store.jobs.enqueue([newJob()], t0, DAY);
    store.jobs.claimNext(at(1));
    const error = 'rsync exit 23 (partial transfer due to error): link_stat failed';
    store.jobs.markFailed(
      1,
      { error, reason: 'rsync_partial', finishedAt: at(2), durationSeconds: 1, retryAt: at(DAY), rsyncExitCode: 23 },
      [],
    );
    expect(attempts.ofJob(1)).toMatchObject([
      { number: 1, outcome: 'failed', rsyncExitCode: 23, error, errorReason: 'rsync_partial', bytes: null },
    ]);
    expect(store.reports.get(1)).toMatchObject({ status: 'failed', error, errorReason: 'rsync_partial' });
  });

  it('names what started each attempt: webhook, automatic retry, manual retry, restart', () => {
    const { jobs } = store;
    const fail = (ms: number, retryAt: Date | null) =>
      jobs.markFailed(1, { error: 'boom', reason: 'rsync_io', finishedAt: at(ms), durationSeconds: 1, retryAt }, []);
    jobs.enqueue([newJob()], t0, DAY);
    jobs.claimNext(at(1));
    fail(2, at(10));
    jobs.promoteDueRetries(at(10));
    jobs.claimNext(at(11));
    fail(12, null);
    expect(jobs.retryFailed(1)).toBe('requeued');
    jobs.claimNext(at(20));
    jobs.recoverInterrupted(at(30), 3);
    jobs.claimNext(at(40));
    jobs.markSuccess(1, success(at(41)), []);

    expect(attempts.ofJob(1).map((a) => [a.number, a.trigger, a.outcome])).toEqual([
      [1, 'webhook', 'failed'],
      [2, 'automatic_retry', 'failed'],
      [3, 'manual_retry', 'interrupted'],
      [4, 'restart', 'success'],
    ]);
  });

  it('closes the attempt a crash cut as "Interrupted by restart", without a duration, also at the retry limit', () => {
    const { jobs } = store;
    jobs.enqueue([newJob(), newJob({ dedupeKey: 'b' })], t0, DAY);
    jobs.claimNext(at(1));
    jobs.claimNext(at(2));
    jobs.recordRsyncPid(1, 4242);
    const { requeued, gaveUp } = jobs.recoverInterrupted(at(5000), 0);
    expect(requeued).toEqual([]);
    expect(gaveUp.map((j) => [j.id, j.errorReason])).toEqual([
      [1, 'restart'],
      [2, 'restart'],
    ]);
    for (const id of [1, 2]) {
      expect(attempts.ofJob(id)).toMatchObject([
        {
          number: 1,
          finishedAt: at(5000).toISOString(),
          outcome: 'interrupted',
          error: 'Interrupted by restart',
          errorReason: 'restart',
          durationSeconds: null,
        },
      ]);
    }
  });

  it('a wait (share down, source growing) is no attempt: the next claim is still attempt 1', () => {
    const { jobs } = store;
    jobs.enqueue([newJob()], t0, DAY);
    jobs.claimNext(at(1));
    jobs.defer(1, 'Waiting for mount: source /src is not mounted', at(100), 'mount_down');
    expect(attempts.ofJob(1)).toEqual([]);
    expect(store.reports.get(1)).toMatchObject({ status: 'queued', errorReason: 'mount_down' });
    jobs.claimNext(at(100));
    expect(attempts.ofJob(1).map((a) => [a.number, a.trigger])).toEqual([[1, 'webhook']]);
  });

  it('a shutdown closes the attempt as interrupted, and the next one counts as the restart', () => {
    const { jobs } = store;
    jobs.enqueue([newJob()], t0, DAY);
    jobs.claimNext(at(1000));
    jobs.interrupt(1, 'Interrupted by shutdown', at(4000));
    expect(store.reports.get(1)).toMatchObject({ status: 'queued', retryCount: 0, errorReason: 'shutdown' });
    expect(attempts.ofJob(1)).toMatchObject([
      { number: 1, outcome: 'interrupted', error: 'Interrupted by shutdown', errorReason: 'shutdown' },
    ]);
    expect(attempts.ofJob(1)[0]?.durationSeconds).toBeCloseTo(3, 3);
    expect(jobs.claimNext(at(5000))?.id).toBe(1);
    expect(attempts.ofJob(1).map((a) => [a.number, a.trigger])).toEqual([
      [1, 'webhook'],
      [2, 'restart'],
    ]);
  });

  it('commits the outcome and its attempt together: when the attempt cannot be written, neither is', () => {
    const { jobs, db, outbox } = store;
    jobs.enqueue([newJob()], t0, DAY);
    jobs.claimNext(at(1));
    db.exec(`CREATE TRIGGER attempts_refuse BEFORE UPDATE ON attempts BEGIN SELECT RAISE(ABORT, 'disk said no'); END`);
    expect(() =>
      jobs.markSuccess(1, success(at(2)), [
        { target: 'tgram://1/2', payload: { type: 'telegram_html', message: { title: 't', body: 'b' } } },
      ]),
    ).toThrow(/disk said no/);
    expect(store.reports.get(1)?.status).toBe('in_progress');
    expect(outbox.pendingCount()).toBe(0);
    db.exec('DROP TRIGGER attempts_refuse');
    db.exec(`CREATE TRIGGER attempts_refuse BEFORE INSERT ON attempts BEGIN SELECT RAISE(ABORT, 'disk said no'); END`);
    jobs.enqueue([newJob({ dedupeKey: 'other' })], at(3), DAY);
    expect(() => jobs.claimNext(at(4))).toThrow(/disk said no/);
    expect(store.reports.get(2)?.status).toBe('queued');
  });

  it("adds nothing to a webhook's enqueue: the duplicate check and the job's insert, no attempt, no title", () => {
    const ran: string[] = [];
    const traced = new Database(store.db.name, { verbose: (sql) => ran.push(String(sql).replace(/\s+/g, ' ')) });
    try {
      createJobStore(traced, createOutboxStore(traced)).enqueueGroups(
        [[newJob()], [newJob({ dedupeKey: 'b' })]],
        t0,
        DAY,
      );
    } finally {
      traced.close();
    }
    expect(ran.map((sql) => sql.split(' ').slice(0, 3).join(' '))).toEqual([
      'BEGIN IMMEDIATE',
      'SELECT id FROM',
      'INSERT INTO jobs',
      'SELECT id FROM',
      'INSERT INTO jobs',
      'COMMIT',
    ]);
    expect(ran.filter((sql) => /attempts|job_titles/.test(sql))).toEqual([]);
    expect(store.db.prepare('SELECT COUNT(*) FROM attempts').pluck().get()).toBe(0);
    expect(store.db.prepare('SELECT indexed_up_to FROM job_titles_state').pluck().get()).toBe(0);
  });

  it('goes with its job when the job is deleted', () => {
    store.jobs.enqueue([newJob()], t0, DAY);
    store.jobs.claimNext(at(1));
    store.jobs.markSuccess(1, success(at(2)), []);
    store.db.prepare('DELETE FROM jobs WHERE id = 1').run();
    expect(store.db.prepare('SELECT COUNT(*) FROM attempts').pluck().get()).toBe(0);
  });
});
