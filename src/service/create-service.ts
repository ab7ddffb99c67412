// The whole service, built from a configuration and the adapters through which it touches the
// world (clock, child processes, shares, outside HTTP services, the logs). main.ts passes the real
// ones; tests pass real rsync and SQLite on temp folders and a fake where the point is a mount state.
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/load.js';
import { dayOf, previousDay } from '../core/day.js';
import { TIMING, type Timing } from '../core/timing.js';
import type { Clock } from '../core/types.js';
import { buildApp } from '../http/app.js';
import { createIntake } from '../intake/intake.js';
import type { HistoryLog } from '../log/history.js';
import type { Logger } from '../log/logger.js';
import { createPlexServer } from '../media/plex.js';
import { createMountGate } from '../mounts/gate.js';
import { MountMonitor } from '../mounts/monitor.js';
import type { MountProbe } from '../mounts/probe.js';
import { RootHealthCache } from '../mounts/root-health-cache.js';
import type { LeftoverCleanup } from '../mounts/rsync-leftovers.js';
import { destinationShares } from '../mounts/shares.js';
import { Dispatcher } from '../notify/dispatcher.js';
import { renderTestMessage } from '../notify/render.js';
import { createTelegramNotifier } from '../notify/telegram.js';
import type { ProcessTable } from '../runner/orphans.js';
import { ProgressBoard } from '../runner/progress-board.js';
import { Runner } from '../runner/runner.js';
import { checkRsyncAvailable } from '../runner/rsync.js';
import { type RunRsync, runSyncJob } from '../runner/sync-job.js';
import { recoverInterruptedJobs } from '../runner/startup-recovery.js';
import { queueDailySummary } from '../schedules/daily-summary.js';
import { DailyTask } from '../schedules/scheduler.js';
import { openDatabase } from '../store/database.js';
import { createJobReports } from '../store/job-reports.js';
import { createJobStore } from '../store/jobs.js';
import { createAttemptReads } from '../store/attempts.js';
import { createJobActivity } from '../store/job-activity.js';
import { createJobDeliveries } from '../store/job-deliveries.js';
import { createJobList } from '../store/job-list.js';
import { createRetention } from '../store/retention.js';
import { createTitleIndex } from '../store/title-index.js';
import { ChangeFeed } from '../live/change-feed.js';
import type { ListFolders } from '../mounts/folder-listing.js';
import { healthDetails } from '../reports/health-details.js';
import { HistoryReporter } from '../reports/history.js';
import { NowReporter } from '../reports/now.js';
import { RetentionTask } from '../schedules/retention.js';
import { TitleIndexer } from '../schedules/title-indexer.js';
import { observeJobStore } from './observed-job-store.js';
import { createOutboxStore } from '../store/outbox.js';
import { createScheduleRunStore } from '../store/schedule-runs.js';
import { createWalSync } from '../store/wal-sync.js';
import { healthReport, statsReport } from '../reports/health-and-stats.js';
import { SessionStats } from '../reports/session-stats.js';

export interface ServiceAdapters {
  clock: Clock;
  log: Logger;
  history: HistoryLog;
  /** Looks at shares in child processes with a time limit (mounts/probe.ts). */
  probe: MountProbe;
  rsync: RunRsync;
  /** The rsync program's name or path, checked at start. */
  rsyncBinary: string;
  removeLeftovers: (sourceItem: string, destItem: string) => Promise<LeftoverCleanup>;
  /** /proc/self/mountinfo; procfs answers from memory, so this cannot hang on a dead share. */
  readMountTable: () => string;
  processes: ProcessTable;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The folders of a folder of a mapping's source, in a child process with the mount timeout. */
  listFolders: ListFolders;
  /** For Telegram and Plex. */
  fetch: typeof fetch;
  /** This build's version (package.json), shown by /health. */
  version: string;
  /** Ends the process; called once the queue stopped because a job's outcome could not be recorded. */
  exit: (code: number) => void;
}

export interface Service {
  app: FastifyInstance;
  /** Checks rsync, recovers jobs a previous run left in progress, then starts every background part. */
  start(): Promise<void>;
  /** Listens on SYNC_HOST:SYNC_PORT and logs the configuration it runs with. */
  listen(): Promise<void>;
  /** Refuses new webhooks, stops rsync (the jobs go back to the queue), delivers what it can, closes. */
  stop(): Promise<void>;
}

/** `timing` is TIMING but in tests, which shorten waits (the outbox's backoff) rather than sleep through them. */
export function createService(config: Config, adapters: ServiceAdapters, timing: Timing = TIMING): Service {
  const { clock, log, history } = adapters;
  const db = openDatabase(config.dbPath);
  const outbox = createOutboxStore(db);
  const walSync = createWalSync(db);
  // Every transition tells the event stream which jobs changed (nothing is noted while no page listens).
  const feed = new ChangeFeed({ windowMs: timing.events.windowMs });
  const jobs = observeJobStore(createJobStore(db, outbox), feed);
  const jobReports = createJobReports(db);
  const jobList = createJobList(db);
  const activity = createJobActivity(db);
  const deliveries = createJobDeliveries(db);
  const scheduleRuns = createScheduleRunStore(db);
  log.info(`Database initialized at ${config.dbPath}`);

  const telegram = config.telegram ? createTelegramNotifier({ ...config.telegram, fetch: adapters.fetch }) : null;
  const plex = config.plex ? createPlexServer({ ...config.plex, fetch: adapters.fetch }) : null;
  const notifications = telegram !== null;

  const session = new SessionStats(clock.now());
  const dispatcher = new Dispatcher({
    outbox,
    telegram,
    plex,
    clock,
    log,
    maxAgeMs: timing.outboxMaxAgeMs,
    backoff: { firstMs: timing.outboxFirstBackoffMs, maxMs: timing.outboxMaxBackoffMs },
  });
  const monitor = new MountMonitor({
    mappings: config.mappings,
    probe: adapters.probe,
    clock,
    log,
    intervalMs: config.mounts.checkIntervalSeconds * 1000,
    onRecovered: () => {
      jobs.releaseWaiting();
      runner.wake();
    },
    onChange: () => feed.healthChanged(),
  });
  const mountGate = createMountGate({
    monitor,
    probe: adapters.probe,
    rootHealth: new RootHealthCache({
      freshMs: timing.rootProbeFreshMs,
      readMountinfo: adapters.readMountTable,
      now: () => clock.now().getTime(),
    }),
    recheckMs: config.mounts.checkIntervalSeconds * 1000,
  });

  const board = new ProgressBoard();
  const progress = {
    set: (...args: Parameters<ProgressBoard['set']>) => {
      board.set(...args);
      feed.progressChanged();
    },
    clear: (jobId: number) => {
      board.clear(jobId);
      feed.progressChanged();
    },
  };
  const shares = destinationShares(config.mappings, adapters.readMountTable());
  let unrecorded: Error | null = null;
  const runner: Runner = new Runner({
    jobs,
    jobReports,
    clock,
    log,
    mappings: config.mappings.map((m) => m.container),
    shareOf: (mapping) => shares.get(mapping) ?? mapping,
    maxConcurrent: config.rsync.maxConcurrent,
    maxRetries: config.retry.maxRetries,
    idleRecheckMs: timing.queueIdleRecheckMs,
    burst: timing.burst,
    runJob: (job, signal) =>
      runSyncJob(
        job,
        {
          jobs,
          mappings: config.mappings,
          mounts: mountGate,
          source: adapters.probe,
          rsync: adapters.rsync,
          clock,
          sleep: adapters.sleep,
          log,
          options: {
            dryRun: config.dryRun,
            rsyncTimeoutSeconds: config.rsync.timeoutSeconds,
            retry: { intervalMs: config.retry.intervalSeconds * 1000, maxRetries: config.retry.maxRetries },
            mountRecheckMs: config.mounts.checkIntervalSeconds * 1000,
            manualStableMs: config.manualStableSeconds * 1000,
            notifications,
            plex: plex !== null,
          },
          onFinished: (recorded) => {
            session.record(recorded);
            history.record(recorded);
            dispatcher.wake();
          },
          progress,
          removeLeftovers: adapters.removeLeftovers,
        },
        signal,
      ),
    onUnrecorded: (_job, error) => {
      if (unrecorded) return;
      unrecorded = error;
      // The other copies are stopped (their rows stay in progress for the restart's recovery).
      void runner.stop().finally(() => adapters.exit(1));
    },
  });

  const summaryDeps = {
    jobReports,
    outbox,
    clock,
    log,
    timeZone: config.timeZone,
    notifications,
    onQueued: () => dispatcher.wake(),
  };
  const dailySummary = new DailyTask({
    task: 'daily-summary',
    cron: config.summaryCron,
    timeZone: config.timeZone,
    runs: scheduleRuns,
    clock,
    log,
    // The run at 00:05 reports the calendar day that just ended.
    run: (slot) => queueDailySummary(summaryDeps, previousDay(dayOf(slot, config.timeZone))),
  });

  const intake = createIntake({
    jobs,
    walSync,
    mappings: config.mappings,
    clock,
    log,
    duplicateWindowMs: timing.duplicateWindowMs,
    onQueued: (created) => {
      runner.jobsQueued(created);
      titleIndexer.jobsQueued();
    },
  });
  const titleIndexer = new TitleIndexer({ index: createTitleIndex(db), log, ...timing.titleIndex });
  const retention = new RetentionTask({
    retention: createRetention(db),
    clock,
    log,
    days: config.retentionDays,
    ...timing.retention,
    onDeleted: (ids) => feed.jobsDeleted(ids),
  });
  const nowPanel = new NowReporter({
    activity,
    counts: () => jobReports.statusCounts(),
    progressOf: (jobId) => board.get(jobId),
    clock,
    headLength: 20,
    sizeScan: 1000,
    medianTtlMs: 60_000,
  });
  const historyPanel = new HistoryReporter({
    activity,
    clock,
    timeZone: config.timeZone,
    pastDaysTtlMs: 5 * 60_000,
    reasons: 10,
  });
  let rsyncVersion: string | null = null;
  const health = () => {
    // Answered 503: the service is about to exit and must not look alive to a monitor meanwhile.
    if (unrecorded) throw new Error(`job outcomes cannot be recorded (${unrecorded.message})`);
    return healthReport(reportDeps);
  };
  const reportDeps = {
    jobReports,
    mounts: monitor,
    session,
    clock,
    timeZone: config.timeZone,
    dryRun: config.dryRun,
    notifications,
    version: adapters.version,
  };
  const app = buildApp({
    log,
    auth: config.auth,
    intake,
    jobs,
    jobReports,
    clock,
    onRequeued: () => runner.wake(),
    progressOf: (jobId) => board.get(jobId),
    jobList,
    attempts: createAttemptReads(db),
    deliveries,
    mappingNames: config.mappings.map((m) => m.container),
    mappings: config.mappings,
    now: () => nowPanel.report(),
    history: (days) => historyPanel.report(days),
    healthDetails: () =>
      healthDetails({
        mappings: config.mappings,
        mounts: monitor,
        deliveries,
        targets: () => [...(telegram ? ['telegram'] : []), ...(plex ? ['plex'] : [])],
        rsyncVersion: () => rsyncVersion,
        status: () => (unrecorded ? 'unhealthy' : health().status),
        version: adapters.version,
        startedAt: session.startedAt,
        dryRun: config.dryRun,
      }),
    listFolders: adapters.listFolders,
    feed,
    timing,
    sleep: (ms) => adapters.sleep(ms, new AbortController().signal),
    health,
    stats: () => statsReport(reportDeps),
    sendTestNotification: async () => {
      if (!telegram) return 'disabled';
      await telegram.send(renderTestMessage());
      log.info('Notification sent: Sync Webhook Test');
      return 'sent';
    },
    sendSummaryNow: () => {
      const day = dayOf(clock.now(), config.timeZone);
      queueDailySummary(summaryDeps, day, clock.now());
      return { day, notifications };
    },
  });

  return {
    app,
    async start() {
      const version = await checkRsyncAvailable(adapters.rsyncBinary);
      rsyncVersion = version;
      log.debug(`Using ${version}`);
      await recoverInterruptedJobs({
        jobs,
        processes: adapters.processes,
        history,
        clock,
        log,
        maxRetries: config.retry.maxRetries,
      });
      if (!telegram) log.warn('Telegram credentials not configured - notifications disabled');
      monitor.start();
      dispatcher.start();
      runner.start();
      dailySummary.start();
      titleIndexer.start();
      retention.start();
    },
    async listen() {
      try {
        await app.listen({ host: config.http.host, port: config.http.port });
      } catch (error) {
        throw new Error(
          `Cannot listen on ${config.http.host}:${config.http.port} (SYNC_HOST, SYNC_PORT): ${describe(error)}`,
        );
      }
      logStartup(log, config, notifications, dailySummary.nextRun());
    },
    async stop() {
      await app.close();
      dailySummary.stop();
      titleIndexer.stop();
      retention.stop();
      monitor.stop();
      await runner.stop();
      await dispatcher.stop();
      db.close();
      walSync.close();
      log.info('Stopped');
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function logStartup(log: Logger, config: Config, notifications: boolean, nextSummary: Date | null): void {
  log.info(`Sync webhook listening on ${config.http.host}:${config.http.port}`);
  log.info(
    `DRY_RUN: ${config.dryRun}; notifications: ${notifications}; plex: ${config.plex !== null}; ` +
      `require mounts: ${config.mounts.require}`,
  );
  const auth = [config.auth.basic ? 'HTTP Basic' : null, config.auth.apiKey ? 'API key' : null].filter(Boolean);
  log.info(
    auth.length
      ? `Authentication: ${auth.join(' or ')} on every route but GET /health`
      : 'Authentication: off (set SYNC_USERNAME/SYNC_PASSWORD or SYNC_API_KEY to require it)',
  );
  log.info(`Path mappings from ${config.mappingsFrom}:`);
  for (const m of config.mappings) {
    const section = m.plexSection ? ` (Plex section ${m.plexSection})` : '';
    log.info(`Path mapping: ${m.container} -> ${m.source.path} -> ${m.destination.path}${section}`);
  }
  const next = nextSummary ? ` (next ${nextSummary.toISOString()})` : '';
  log.info(
    `Scheduler started - daily summary at "${config.summaryCron}" ${config.timeZone}${next}, ` +
      `auto-retry every ${config.retry.intervalSeconds} s up to ${config.retry.maxRetries} times`,
  );
}
