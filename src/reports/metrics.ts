// GET /metrics in the Prometheus text format, written by prom-client at each scrape. No figure costs
// the webhook's path anything: counts come from the database when scraped (the trigger-kept status
// counts and index lookups: milliseconds at a million jobs), from counters this process adds to as jobs
// finish and deliveries fail, and from the mount monitor's last answers.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock, Job } from '../core/types.js';
import type { MountMonitor } from '../mounts/monitor.js';
import type { JobReports } from '../store/job-reports.js';

export interface MetricsDeps {
  jobReports: Pick<JobReports, 'statusCounts' | 'oldestQueuedCreatedAt'>;
  /** Outbox rows waiting for delivery, per target (store/outbox.ts). */
  outbox: { pendingByTarget(): { target: string; count: number }[] };
  mounts: Pick<MountMonitor, 'snapshot' | 'ready'>;
  clock: Clock;
  version: string;
}

/** What an rsync run tells the duration histogram. */
export interface RsyncRunFigures {
  durationMs: number;
  exitCode: number | null;
  timedOut: boolean;
  aborted: boolean;
  spawnError?: Error;
}

export interface ServiceMetrics {
  /** A job's attempt was recorded as success or failure (called after the transaction). */
  jobFinished(job: Job): void;
  rsyncFinished(run: RsyncRunFigures): void;
  /** A notification or scan could not be delivered; `target` is the outbox row's target as stored. */
  deliveryFailed(target: string, givenUp: boolean): void;
  scrape(): Promise<{ contentType: string; text: string }>;
}

const PREFIX = 'sync_webhook_';

/** From a second (a small file on a fast share) to the default rsync timeout of 4 h. */
const RSYNC_BUCKETS_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400];

// CPU, memory, event loop, GC and file descriptors belong to the process, not to one service built in
// it (tests build many): collected once, into a registry of their own. It is made at the first scrape:
// until something reads /metrics, the event-loop and GC observers cost nothing (the GC histogram counts
// from then on; CPU and memory are the process's totals anyway).
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createMetrics(deps: MetricsDeps): ServiceMetrics {
  const registry = new Registry();
  const registers = [registry];

  new Gauge({
    name: `${PREFIX}info`,
    help: 'Always 1; the version label names the running build.',
    labelNames: ['version'],
    registers,
    collect() {
      this.set({ version: deps.version }, 1);
    },
  });
  new Gauge({
    name: `${PREFIX}jobs`,
    help: 'Jobs in the database by status (all time, as /stats counts them).',
    labelNames: ['status'],
    registers,
    collect() {
      for (const [status, count] of Object.entries(deps.jobReports.statusCounts())) this.set({ status }, count);
    },
  });
  new Gauge({
    name: `${PREFIX}queue_depth`,
    help: 'Jobs queued and not yet running, including those waiting for a mount.',
    registers,
    collect() {
      this.set(deps.jobReports.statusCounts().queued);
    },
  });
  new Gauge({
    name: `${PREFIX}queue_oldest_age_seconds`,
    help: 'Seconds since the oldest queued job was first queued by its webhook; 0 when the queue is empty.',
    registers,
    collect() {
      const createdAt = deps.jobReports.oldestQueuedCreatedAt();
      const age = createdAt ? (deps.clock.now().getTime() - createdAt.getTime()) / 1000 : 0;
      this.set(Math.max(age, 0));
    },
  });
  new Gauge({
    name: `${PREFIX}mount_up`,
    help: 'Whether the last check found a mapping root usable (1) or not (0); absent until the first check.',
    labelNames: ['root', 'role'],
    registers,
    collect() {
      this.reset();
      if (!deps.mounts.ready) return;
      for (const mount of deps.mounts.snapshot()) this.set({ root: mount.path, role: mount.role }, mount.ok ? 1 : 0);
    },
  });
  new Gauge({
    name: `${PREFIX}outbox_pending`,
    help: 'Notifications and media-server scans waiting for delivery, by target.',
    labelNames: ['target'],
    registers,
    collect() {
      this.reset();
      for (const { target, count } of deps.outbox.pendingByTarget()) this.set({ target }, count);
    },
  });

  const jobsFinished = new Counter({
    name: `${PREFIX}jobs_finished_total`,
    help: 'Job attempts recorded since the service started, by outcome (success, failed), source and mapping.',
    labelNames: ['status', 'source', 'mapping'],
    registers,
  });
  const copiedBytes = new Counter({
    name: `${PREFIX}copied_bytes_total`,
    help: 'Bytes rsync transferred for successful jobs since the service started (0 in a dry run).',
    labelNames: ['source', 'mapping'],
    registers,
  });
  const rsyncDuration = new Histogram({
    name: `${PREFIX}rsync_duration_seconds`,
    help: 'How long each rsync ran, by outcome: success (exit 0), failed (another exit) or timeout.',
    labelNames: ['outcome'],
    buckets: RSYNC_BUCKETS_SECONDS,
    registers,
  });
  const deliveryFailures = new Counter({
    name: `${PREFIX}delivery_failures_total`,
    help: 'Failed attempts to deliver a notification or a media-server scan since the service started, by target.',
    labelNames: ['target'],
    registers,
  });
  const deliveriesGivenUp = new Counter({
    name: `${PREFIX}deliveries_given_up_total`,
    help: 'Notifications and scans given up since the service started (permanent error or 48 h old), by target.',
    labelNames: ['target'],
    registers,
  });

  return {
    jobFinished(job) {
      if (job.status !== 'success' && job.status !== 'failed') return;
      const labels = { source: job.source, mapping: job.mapping };
      jobsFinished.inc({ status: job.status, ...labels });
      if (job.status === 'success') copiedBytes.inc(labels, job.bytesTransferred ?? 0);
    },
    rsyncFinished(run) {
      // A shutdown's abort says nothing about the copy, and a missing rsync ran no copy at all.
      if (run.aborted || run.spawnError) return;
      const outcome = run.timedOut ? 'timeout' : run.exitCode === 0 ? 'success' : 'failed';
      rsyncDuration.observe({ outcome }, run.durationMs / 1000);
    },
    deliveryFailed(target, givenUp) {
      deliveryFailures.inc({ target });
      if (givenUp) deliveriesGivenUp.inc({ target });
    },
    async scrape() {
      const [serviceText, processText] = await Promise.all([registry.metrics(), processMetrics().metrics()]);
      return { contentType: registry.contentType, text: `${serviceText}\n${processText}` };
    },
  };
}
