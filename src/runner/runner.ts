import { coerceError } from '../core/errors.js';
import { TIMING } from '../core/timing.js';
import type { Clock, Job } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { JobReports } from '../store/job-reports.js';
import type { JobStore } from '../store/jobs.js';
import type { SyncJobOutcome } from './sync-job.js';

export interface RunnerDeps {
  jobs: Pick<JobStore, 'claimNext' | 'promoteDueRetries'>;
  jobReports: Pick<JobReports, 'nextDueAt'>;
  runJob: (job: Job, signal: AbortSignal) => Promise<SyncJobOutcome>;
  clock: Clock;
  log: Logger;
  maxConcurrent: number;
  maxRetries: number;
  /** Longest sleep between two looks at the queue when nothing is due. */
  idleRecheckMs: number;
  /**
   * The destination share of each mapping (its mount point). With more than one rsync allowed, two
   * never write to the same share at once: they would only compete for its disks and link.
   */
  shareOf: (mapping: string) => string;
  /** Every configured mapping, to list the ones whose share is busy. */
  mappings: readonly string[];
  /** When new jobs count as a burst, and how long a pause ends it (see `jobsQueued`). */
  burst?: { minJobs: number; windowMs: number; quietMs: number };
  /**
   * A job's outcome could not be recorded (the database failed). The runner has stopped claiming;
   * the service must stop too, so that the restart's recovery takes the job over.
   */
  onUnrecorded: (job: Job, error: Error) => void;
}

/**
 * The queue worker. It claims due jobs up to the concurrency limit, and sleeps until the next
 * job or retry is due or until wake() (a webhook, a finished job, a mount that came back).
 */
export class Runner {
  private running = false;
  private wakeScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly active = new Set<Promise<void>>();
  private readonly busyShares = new Map<string, number>();
  private abort = new AbortController();
  private readonly burstRule: { minJobs: number; windowMs: number; quietMs: number };
  private burstWindow = { start: 0, jobs: 0, last: 0 };
  private failure: Error | null = null;

  constructor(private readonly deps: RunnerDeps) {
    this.burstRule = deps.burst ?? TIMING.burst;
  }

  start(): void {
    if (this.failure) return;
    this.running = true;
    this.abort = new AbortController();
    this.wake();
  }

  /** Look at the queue soon; many calls in one tick make one look. */
  wake(): void {
    if (!this.running || this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.runOnce();
    });
  }

  /**
   * New jobs were committed. One job starts at once (an idle queue's rsync starts within
   * milliseconds); during a burst of webhooks the runner waits until they pause, because every job
   * started costs the single event-loop thread probes and process spawns that would delay the
   * acknowledgements Radarr/Sonarr are waiting for (their import thread blocks on our answer).
   */
  jobsQueued(count: number): void {
    const at = this.deps.clock.now().getTime();
    const window = this.burstWindow;
    if (at - window.start > this.burstRule.windowMs) this.burstWindow = { start: at, jobs: 0, last: at };
    this.burstWindow.jobs += count;
    this.burstWindow.last = at;
    this.wake();
  }

  /** Promotes due retries and starts every job it may; returns how many it started. */
  runOnce(): number {
    if (!this.running) return 0;
    clearTimeout(this.timer);
    const { jobs, clock, log, maxConcurrent, maxRetries } = this.deps;
    const now = clock.now();
    const burstEndsIn = this.burstEndsIn(now.getTime());
    if (burstEndsIn > 0) {
      this.timer = setTimeout(() => this.runOnce(), burstEndsIn);
      return 0;
    }
    let started = 0;
    try {
      for (const job of jobs.promoteDueRetries(now)) {
        log.info({ jobId: job.id }, `Auto-retry: queued ${job.title} (retry ${job.retryCount}/${maxRetries})`);
      }
      while (this.active.size < maxConcurrent) {
        const job = jobs.claimNext(now, this.busyMappings());
        if (!job) break;
        this.track(job, this.execute(job));
        started++;
      }
      if (this.active.size < maxConcurrent) this.sleepUntilDue(now);
    } catch (error) {
      log.error({ err: coerceError(error) }, 'Job queue could not be read; trying again shortly');
      this.timer = setTimeout(() => this.runOnce(), TIMING.queueReadRetryMs);
    }
    return started;
  }

  /** Stops claiming, aborts running rsyncs and waits until each job has recorded its outcome. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.abort.abort();
    await Promise.allSettled([...this.active]);
  }

  /** False once a job's outcome could not be recorded: nothing more is claimed. */
  get healthy(): boolean {
    return this.failure === null;
  }

  private async execute(job: Job): Promise<void> {
    try {
      await this.deps.runJob(job, this.abort.signal);
    } catch (thrown) {
      // The row stays in_progress. Claiming more would only pile up jobs whose end cannot be written
      // either: stop, and let the restart's recovery requeue it.
      const error = coerceError(thrown);
      this.failure = error;
      this.running = false;
      clearTimeout(this.timer);
      this.deps.log.fatal(
        { jobId: job.id },
        `Job ${job.id} (${job.title}) ended without a recorded outcome: ${error.message}; ` +
          'the queue is stopped and the service exits so that the restart recovers the job',
      );
      this.deps.onUnrecorded(job, error);
    }
  }

  private track(job: Job, work: Promise<void>): void {
    const share = this.deps.shareOf(job.mapping);
    this.busyShares.set(share, (this.busyShares.get(share) ?? 0) + 1);
    this.active.add(work);
    void work.finally(() => {
      this.active.delete(work);
      const left = (this.busyShares.get(share) ?? 1) - 1;
      if (left > 0) this.busyShares.set(share, left);
      else this.busyShares.delete(share);
      this.wake();
    });
  }

  private busyMappings(): string[] {
    if (this.busyShares.size === 0) return [];
    return this.deps.mappings.filter((mapping) => this.busyShares.has(this.deps.shareOf(mapping)));
  }

  /** Milliseconds until the current burst of webhooks counts as over; 0 when there is none. */
  private burstEndsIn(at: number): number {
    const { jobs, last } = this.burstWindow;
    if (jobs < this.burstRule.minJobs) return 0;
    return Math.max(0, last + this.burstRule.quietMs - at);
  }

  private sleepUntilDue(now: Date): void {
    const due = this.deps.jobReports.nextDueAt();
    const delay = due
      ? Math.min(Math.max(due.getTime() - now.getTime(), 0), this.deps.idleRecheckMs)
      : this.deps.idleRecheckMs;
    this.timer = setTimeout(() => this.runOnce(), delay);
    this.timer.unref();
  }
}
