import type { Clock, Job, JobProgress, JobStatus } from '../core/types.js';
import type { JobActivity } from '../store/job-activity.js';

// The dashboard's "Now" panel (GET /queue and the event stream): the copies running with their
// progress, the queue behind them with its size, and when it should be done.

/** What the ETA's rate is: the copies running now, or (none running) the median of the last day's copies. */
export type EtaBasis = 'running_copies' | 'median_last_day' | 'none';

export interface NowReport {
  running: { job: Job; progress: JobProgress | null }[];
  queue: {
    /** Every queued job. */
    count: number;
    /** The first of them, in the order they will run. */
    head: Job[];
    /** The sizes Radarr/Sonarr gave for the first `counted` queued jobs. */
    knownBytes: number;
    /** Of those, how many copies came without a size (manual syncs): the ETA leaves them out. */
    withoutSize: number;
    counted: number;
  };
  eta: {
    /** Seconds until the running copies and the queue are done; null when no rate is known. */
    seconds: number | null;
    basis: EtaBasis;
    bytesPerSecond: number | null;
    /** What the running copies have left plus the queue's known sizes. */
    remainingBytes: number;
  };
  counts: Record<JobStatus, number>;
}

export interface NowDeps {
  activity: Pick<JobActivity, 'running' | 'queueHead' | 'queueSize' | 'successRates'>;
  /** Jobs per status (the trigger-kept counters). */
  counts: () => Record<JobStatus, number>;
  progressOf: (jobId: number) => JobProgress | undefined;
  clock: Clock;
  /** How many queued jobs the report lists, and how many it adds the sizes of. */
  headLength: number;
  sizeScan: number;
  /** The median of the last day's rates is read again after this long. */
  medianTtlMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export class NowReporter {
  private median: { value: number | null; at: number } | undefined;

  constructor(private readonly deps: NowDeps) {}

  report(): NowReport {
    const { activity, progressOf } = this.deps;
    const running = activity.running().map((job) => ({ job, progress: progressOf(job.id) ?? null }));
    const counts = this.deps.counts();
    const size = counts.queued > 0 ? activity.queueSize(this.deps.sizeScan) : { jobs: 0, bytes: 0, unknown: 0 };
    const head = counts.queued > 0 ? activity.queueHead(this.deps.headLength) : [];

    const runningLeft = running.reduce((sum, { job, progress }) => sum + bytesLeft(job, progress), 0);
    const remainingBytes = runningLeft + size.bytes;
    const runningRate = running.reduce(
      (sum, { progress }) => sum + (progress ? (rateBytes(progress.rate) ?? 0) : 0),
      0,
    );
    const idle = running.length === 0 && counts.queued === 0;
    const [basis, rate]: [EtaBasis, number | null] =
      runningRate > 0 ? ['running_copies', runningRate] : idle ? ['none', null] : this.medianBasis();
    return {
      running,
      queue: { count: counts.queued, head, knownBytes: size.bytes, withoutSize: size.unknown, counted: size.jobs },
      eta: {
        seconds: rate ? Math.round(remainingBytes / rate) : idle ? 0 : null,
        basis,
        bytesPerSecond: rate,
        remainingBytes,
      },
      counts,
    };
  }

  private medianBasis(): [EtaBasis, number | null] {
    const now = this.deps.clock.now().getTime();
    if (!this.median || now - this.median.at > this.deps.medianTtlMs) {
      this.median = { value: median(this.deps.activity.successRates(new Date(now - DAY_MS))), at: now };
    }
    return this.median.value === null ? ['none', null] : ['median_last_day', this.median.value];
  }
}

/**
 * What a running copy has left: from rsync's own percentage, else from the size the sender gave. A rename
 * or delete copies nothing.
 */
function bytesLeft(job: Job, progress: JobProgress | null): number {
  if (job.kind === 'rename' || job.kind === 'delete') return 0;
  if (progress && progress.percent > 0 && progress.percent < 100) {
    return Math.round((progress.bytes * (100 - progress.percent)) / progress.percent);
  }
  const size = job.details.sizeBytes ?? 0;
  return Math.max(size - (progress?.bytes ?? 0), 0);
}

const UNIT: Readonly<Record<string, number>> = { '': 1, k: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * rsync's rate ("112.45MB/s") in bytes per second. rsync (progress.c) divides by 1024 per step and
 * writes kB/s, MB/s, GB/s.
 */
export function rateBytes(rate: string): number | null {
  const [, value, unit] = /^(\d+(?:\.\d+)?)([kMGT]?)B\/s$/.exec(rate) ?? [];
  const factor = UNIT[unit ?? ''];
  if (value === undefined || factor === undefined) return null;
  return Number(value) * factor;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}
