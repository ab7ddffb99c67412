import { describe, expect, it } from 'vitest';
import type { Job, JobProgress } from '../core/types.js';
import { median, NowReporter, rateBytes } from './now.js';

const NOW = new Date('2026-03-10T10:00:00.000Z');

function job(id: number, sizeBytes?: number): Job {
  return {
    id,
    status: 'queued',
    source: 'radarr',
    mediaType: 'movie',
    title: `Movie ${id}`,
    containerPath: `/movies/Movie ${id}`,
    sourcePath: `/src/Movie ${id}`,
    destPath: '/dst',
    mapping: '/movies',
    details: { title: `Movie ${id}`, ...(sizeBytes === undefined ? {} : { sizeBytes }) },
    isUpgrade: false,
    waitForStableSize: false,
    retryCount: 0,
    gaveUp: false,
    error: null,
    errorReason: null,
    bytesTransferred: null,
    createdAt: NOW.toISOString(),
    startedAt: null,
    finishedAt: null,
    durationSeconds: null,
    nextAttemptAt: null,
    kind: 'copy',
    mirror: null,
    mirroredFiles: null,
  };
}

function reporter(o: { running?: { job: Job; progress?: JobProgress }[]; queued?: Job[]; rates?: number[] }) {
  let rateReads = 0;
  const running = o.running ?? [];
  const queued = o.queued ?? [];
  const r = new NowReporter({
    activity: {
      running: () => running.map((r) => r.job),
      queueHead: (limit) => queued.slice(0, limit),
      queueSize: (max) => {
        const counted = queued.slice(0, max);
        const sizes = counted.map((j) => j.details.sizeBytes);
        return {
          jobs: counted.length,
          bytes: sizes.reduce<number>((s, b) => s + (b ?? 0), 0),
          unknown: sizes.filter((b) => b === undefined).length,
        };
      },
      successRates: () => {
        rateReads++;
        return o.rates ?? [];
      },
    },
    counts: () => ({ queued: queued.length, in_progress: running.length, success: 0, failed: 0 }),
    progressOf: (id) => running.find((r) => r.job.id === id)?.progress,
    clock: { now: () => NOW },
    headLength: 2,
    sizeScan: 10,
    medianTtlMs: 60_000,
  });
  return { r, rateReads: () => rateReads };
}

const progress = (bytes: number, percent: number, rate: string): JobProgress => ({
  bytes,
  percent,
  rate,
  eta: '0:00:10',
  updatedAt: NOW.toISOString(),
});

describe('rateBytes', () => {
  it.each([
    ['112.45MB/s', 112.45 * 1024 ** 2],
    ['1.50GB/s', 1.5 * 1024 ** 3],
    ['999.00kB/s', 999 * 1024],
    ['0.00kB/s', 0],
  ])('reads %s as rsync means it (1024 per step)', (text, bytes) => {
    expect(rateBytes(text)).toBeCloseTo(bytes, 3);
  });

  it.each(['fast', '12MB', '', '1,2MB/s'])('refuses %j', (text) => {
    expect(rateBytes(text)).toBeNull();
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('NowReporter', () => {
  it("uses the running copies' rates: what they have left by their percentage, plus the queue's known sizes", () => {
    const running = [{ job: job(1, 4000), progress: progress(1000, 25, '1.00kB/s') }];
    const queued = [job(2, 2048), job(3), job(4, 1024)];
    const report = reporter({ running, queued }).r.report();
    expect(report.eta).toEqual({
      seconds: Math.round((3000 + 3072) / 1024),
      basis: 'running_copies',
      bytesPerSecond: 1024,
      remainingBytes: 3000 + 3072,
    });
    expect(report.queue).toMatchObject({ count: 3, knownBytes: 3072, withoutSize: 1, counted: 3 });
    expect(report.queue.head.map((j) => j.id)).toEqual([2, 3]);
    expect(report.running[0]?.progress?.percent).toBe(25);
  });

  it('with nothing running, uses the median rate of the last day, read once a minute at most', () => {
    const { r, rateReads } = reporter({ queued: [job(2, 10_000)], rates: [100, 1000, 400] });
    expect(r.report().eta).toEqual({
      seconds: 25,
      basis: 'median_last_day',
      bytesPerSecond: 400,
      remainingBytes: 10_000,
    });
    r.report();
    expect(rateReads()).toBe(1);
  });

  it('says when no rate is known, and that an idle service is done', () => {
    expect(reporter({ queued: [job(2, 10)] }).r.report().eta).toMatchObject({ seconds: null, basis: 'none' });
    expect(reporter({}).r.report().eta).toEqual({ seconds: 0, basis: 'none', bytesPerSecond: null, remainingBytes: 0 });
  });

  it('a copy before its first progress line counts with the size the sender gave', () => {
    const report = reporter({ running: [{ job: job(1, 5000) }], rates: [50] }).r.report();
    expect(report.running[0]?.progress).toBeNull();
    expect(report.eta).toMatchObject({ basis: 'median_last_day', remainingBytes: 5000, seconds: 100 });
  });

  it('a running rename or delete has nothing left to copy, whatever size its event named', () => {
    const running = [{ job: { ...job(1, 5000), kind: 'delete' as const } }, { job: job(2, 700) }];
    const report = reporter({ running, rates: [50] }).r.report();
    expect(report.eta).toMatchObject({ basis: 'median_last_day', remainingBytes: 700, seconds: 14 });
  });
});
