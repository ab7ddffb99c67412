// The whole service, built from a configuration and the adapters through which it touches the
// world (clock, child processes, shares, outside HTTP services, the logs). main.ts passes the real
// ones; tests pass real rsync and SQLite on temp folders and a fake where the point is a mount state.
import type { FastifyInstance } from 'fastify';
import { type Config, secretsOf } from '../config/load.js';
import { dayOf, previousDay } from '../core/day.js';
import { SetupError } from '../core/errors.js';
import { TIMING, type Timing } from '../core/timing.js';
import type { Clock } from '../core/types.js';
import { buildApp } from '../http/app.js';
import type { PageFiles } from '../http/routes/page.js';
import { createIntake } from '../intake/intake.js';
import type { HistoryLog } from '../log/history.js';
import type { Logger } from '../log/logger.js';
import type { NotifyKind, TargetRouting } from '../core/notify-event.js';
import { redactor } from '../core/redact.js';
import { createMediaServer } from '../media/registry.js';
import { createMountGate } from '../mounts/gate.js';
import { createMissingSourceCheck } from '../mounts/missing-source.js';
import { MountMonitor } from '../mounts/monitor.js';
import type { MountProbe } from '../mounts/probe.js';
import { RootHealthCache } from '../mounts/root-health-cache.js';
import type { PartialCopies } from '../mounts/partial-copies.js';
import type { DestinationFiles } from '../mounts/destination-files.js';
import { cleanUpTrash, TRASH_CLEAN_UP_CRON } from '../mounts/trash-clean-up.js';
import { destinationShares } from '../mounts/shares.js';
import { type DeliveryRecord, Dispatcher } from '../notify/dispatcher.js';
import type { Notifier, RunProgram } from '../notify/notifier.js';
import type { MediaServer } from '../media/media-server.js';
import { coerceError } from '../core/errors.js';
import { testEvent } from '../notify/events.js';
import type { ProcessTable } from '../runner/orphans.js';
import { partialBytesOf } from '../runner/partial-copy.js';
import { ProgressBoard } from '../runner/progress-board.js';
import { Runner } from '../runner/runner.js';
import { checkRsyncAvailable } from '../runner/rsync.js';
import { runJob } from '../runner/mirror-job.js';
import { checkRsyncVersion } from '../runner/rsync-version.js';
import type { RunRsync } from '../runner/sync-job.js';
import { recoverInterruptedJobs } from '../runner/startup-recovery.js';
import { afterDowntime, Heartbeat } from '../reconcile/heartbeat.js';
import { Reconciler } from '../reconcile/reconciler.js';
import type { ShareComparer } from '../reconcile/share-compare.js';
import { queueDailySummary } from '../schedules/daily-summary.js';
import { DailyTask } from '../schedules/scheduler.js';
import { openDatabase } from '../store/database.js';
import { createJobReports } from '../store/job-reports.js';
import { createJobStore } from '../store/jobs.js';
import { createHeartbeatStore } from '../store/heartbeat.js';
import { createAttemptReads } from '../store/attempts.js';
import { createJobActivity } from '../store/job-activity.js';
import { createJobDeliveries } from '../store/job-deliveries.js';
import { createJobList } from '../store/job-list.js';
import { createRetention } from '../store/retention.js';
import { createTitleIndex } from '../store/title-index.js';
import { ChangeFeed } from '../live/change-feed.js';
import type { ListFolders } from '../mounts/folder-listing.js';
import { type HealthTarget, healthDetails } from '../reports/health-details.js';
import { HistoryReporter } from '../reports/history.js';
import { NowReporter } from '../reports/now.js';
import { RetentionTask } from '../schedules/retention.js';
import { TitleIndexer } from '../schedules/title-indexer.js';
import { observeJobStore } from './observed-job-store.js';
import { createOutboxStore } from '../store/outbox.js';
import { createReconcileRunStore } from '../store/reconcile-runs.js';
import { createScheduleRunStore } from '../store/schedule-runs.js';
import { createShareNoticeStore } from '../store/share-notices.js';
import { createWalSync } from '../store/wal-sync.js';
import { healthReport, statsReport, type TargetHealth } from '../reports/health-and-stats.js';
import { createMetrics } from '../reports/metrics.js';
import { SessionStats } from '../reports/session-stats.js';
import { createShareNotices } from './share-notices.js';

export interface ServiceAdapters {
  clock: Clock;
  log: Logger;
  history: HistoryLog;
  /** Looks at shares in child processes with a time limit (mounts/probe.ts). */
  probe: MountProbe;
  rsync: RunRsync;
  /** The rsync program's name or path, checked at start. */
  rsyncBinary: string;
  /** What cut copies left at the destination, looked at in child processes with the mount timeout. */
  partials: PartialCopies;
  /** Mirroring's file operations at the destination, in child processes with the mount timeout. */
  destinationFiles: DestinationFiles;
  /**
   * Lists and compares a mapping's shares for a catch-up pass, in a child process of its own at low
   * priority (reconcile/child-comparer.ts).
   */
  shareComparer: ShareComparer;
  /** /proc/self/mountinfo; procfs answers from memory, so this cannot hang on a dead share. */
  readMountTable: () => string;
  processes: ProcessTable;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The folders of a folder of a mapping's source, in a child process with the mount timeout. */
  listFolders: ListFolders;
  /** For the notification services and media servers. */
  fetch: typeof fetch;
  /** Runs the program a notification target hands its messages to (the apprise command). */
  runProgram: RunProgram;
  /** This build's version (package.json), shown by /health. */
  version: string;
  /** The dashboard page's built files (dist/web), served at /; null when they were not built. */
  pageFiles: PageFiles | null;
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

  const outbound = { fetch: adapters.fetch, timeoutMs: timing.outboundRequestTimeoutMs };
  const notifiers = config.notify.map((target) => target.create({ ...outbound, runProgram: adapters.runProgram }));
  const mediaServers = config.mediaServers.map((spec) =>
    createMediaServer(spec, { ...outbound, mappings: config.mappings, log }),
  );
  const notifications = notifiers.length > 0;
  const routing = targetRouting(config, mediaServers);
  // Delivery errors are secret-free by construction; /health passes them through this as well.
  const redact = redactor(secretsOf(config));

  const session = new SessionStats(clock.now());
  const dispatcher = new Dispatcher({
    outbox,
    notifiers,
    mediaServers,
    clock,
    log,
    maxAgeMs: timing.outboxMaxAgeMs,
    backoff: { firstMs: timing.outboxFirstBackoffMs, maxMs: timing.outboxMaxBackoffMs },
    groupMs: config.notifyGroupSeconds * 1000,
    onDeliveryFailed: (target, givenUp) => metrics.deliveryFailed(target, givenUp),
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
    notices: createShareNotices({
      store: createShareNoticeStore(db, outbox),
      routing,
      mappings: config.mappings,
      onQueued: () => dispatcher.wake(),
    }),
  });
  const metrics = createMetrics({ jobReports, outbox, mounts: monitor, clock, version: adapters.version });
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
      runJob(
        job,
        {
          jobs,
          mappings: config.mappings,
          mounts: mountGate,
          source: adapters.probe,
          rsync: async (args, o) => {
            const run = await adapters.rsync(args, o);
            metrics.rsyncFinished(run);
            return run;
          },
          clock,
          sleep: adapters.sleep,
          log,
          options: {
            dryRun: config.dryRun,
            rsyncTimeoutSeconds: config.rsync.timeoutSeconds,
            bandwidthLimitKiB: config.rsync.bandwidthLimitKiB,
            retry: { intervalMs: config.retry.intervalSeconds * 1000, maxRetries: config.retry.maxRetries },
            mountRecheckMs: config.mounts.checkIntervalSeconds * 1000,
            manualStableMs: config.manualStableSeconds * 1000,
          },
          routing,
          onFinished: (recorded) => {
            session.record(recorded);
            metrics.jobFinished(recorded);
            history.record(recorded);
            dispatcher.wake();
          },
          progress,
          partials: adapters.partials,
          mirror: {
            mode: config.mirror.mode,
            presence: adapters.probe,
            destination: adapters.destinationFiles,
            timeZone: config.timeZone,
          },
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
    routing,
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

  // What SYNC_MIRROR=trash moved aside goes after SYNC_TRASH_DAYS: at start, then every night. Whatever the
  // mode now: the trash of a mode since turned off is emptied all the same.
  let trashCleaning: Promise<unknown> = Promise.resolve();
  const cleanTrash = () => {
    trashCleaning = trashCleaning.then(() =>
      cleanUpTrash({
        destination: adapters.destinationFiles,
        mappings: config.mappings,
        monitor,
        trashDays: config.mirror.trashDays,
        timeZone: config.timeZone,
        clock,
        log,
      }).catch((error: unknown) => log.warn(`Trash clean-up failed: ${coerceError(error).message}`)),
    );
  };
  const trashCleanUp = new DailyTask({
    task: 'trash-clean-up',
    cron: TRASH_CLEAN_UP_CRON,
    timeZone: config.timeZone,
    runs: scheduleRuns,
    clock,
    log,
    run: cleanTrash,
  });
  const reconciler = new Reconciler({
    mappings: config.mappings,
    runs: createReconcileRunStore(db),
    walSync,
    probe: adapters.probe,
    comparer: adapters.shareComparer,
    queue: {
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
    },
    outbox,
    routing,
    onNotified: () => dispatcher.wake(),
    clock,
    log,
    settleMinutes: config.reconcile.settleMinutes,
    timeoutMs: config.reconcile.timeoutSeconds * 1000,
  });
  const heartbeat = new Heartbeat({
    store: createHeartbeatStore(db),
    clock,
    log,
    intervalMs: timing.heartbeatIntervalMs,
  });
  /** Passes the service starts itself queue what they find. */
  const startOwnPass = (startedBy: 'schedule' | 'after_downtime') => {
    const started = reconciler.start({ startedBy, queue: true });
    if (started.kind === 'busy') {
      log.info(
        `Catch-up pass (${startedBy.replace('_', ' ')}) not started: pass ${started.runningId} is still running`,
      );
    }
  };
  const reconcileSchedule = config.reconcile.cron
    ? new DailyTask({
        task: 'reconcile',
        cron: config.reconcile.cron,
        timeZone: config.timeZone,
        runs: scheduleRuns,
        clock,
        log,
        run: () => startOwnPass('schedule'),
      })
    : null;

  const intake = createIntake({
    jobs,
    walSync,
    mappings: config.mappings,
    mirror: config.mirror.mode,
    clock,
    log,
    duplicateWindowMs: timing.duplicateWindowMs,
    onQueued: (created) => {
      runner.jobsQueued(created);
      titleIndexer.jobsQueued();
    },
    missingManualSource: createMissingSourceCheck({ probe: adapters.probe, monitor }),
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
    targets: () => ({
      notifications: notifiers.map((n) => deliveryView(n.id, dispatcher.record(n.id), redact)),
      mediaServers: mediaServers.map((m) => ({
        ...deliveryView(m.id, dispatcher.record(m.id), redact),
        problems: m.problems?.().map(redact) ?? [],
      })),
    }),
  };
  const app = buildApp({
    log,
    auth: config.auth,
    pageFiles: adapters.pageFiles,
    version: adapters.version,
    intake,
    jobs,
    jobReports,
    clock,
    onRequeued: () => runner.wake(),
    progressOf: (jobId) => board.get(jobId),
    partialBytesOf: (job) => partialBytesOf(job, adapters.partials, config.dryRun),
    jobList,
    attempts: createAttemptReads(db),
    deliveries,
    mappings: config.mappings,
    now: () => nowPanel.report(),
    history: (days) => historyPanel.report(days),
    healthDetails: () =>
      healthDetails({
        mappings: config.mappings,
        mounts: monitor,
        deliveries,
        targets: () => [
          ...notifiers.map((n) => targetView(n.id, 'notification', dispatcher.record(n.id), [], redact)),
          ...mediaServers.map((m) =>
            targetView(m.id, 'media_server', dispatcher.record(m.id), m.problems?.() ?? [], redact),
          ),
        ],
        redact,
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
    scrapeMetrics: () => metrics.scrape(),
    sendTestNotification: async () => {
      // Every target, whatever its events filter: /test is how a user checks that each one is reachable.
      const event = testEvent(clock.now());
      return Promise.all(
        notifiers.map(async (notifier) => {
          try {
            await notifier.send(event);
            dispatcher.noteDelivery(notifier.id, null);
            log.info(`Notification sent: ${event.title} (${notifier.id})`);
            return { id: notifier.id, ok: true, error: null };
          } catch (thrown) {
            const error = coerceError(thrown);
            dispatcher.noteDelivery(notifier.id, error);
            log.error(`Test notification to ${notifier.id} failed: ${error.message}`);
            return { id: notifier.id, ok: false, error: redact(error.message) };
          }
        }),
      );
    },
    sendSummaryNow: () => {
      const day = dayOf(clock.now(), config.timeZone);
      queueDailySummary(summaryDeps, day, clock.now());
      return { day, notifications };
    },
    reconcile: reconciler,
    mappingNames: config.mappings.map((m) => m.container),
  });

  return {
    app,
    async start() {
      const versionLine = await checkRsyncAvailable(adapters.rsyncBinary);
      const version = checkRsyncVersion(versionLine);
      if (version.kind === 'too-old') throw new SetupError(version.problem);
      if (version.kind === 'unknown') log.warn(version.problem);
      rsyncVersion = versionLine;
      log.debug(`Using ${versionLine}`);
      await recoverInterruptedJobs({
        jobs,
        processes: adapters.processes,
        history,
        clock,
        log,
        maxRetries: config.retry.maxRetries,
        mappings: config.mappings,
        partials: adapters.partials,
        dryRun: config.dryRun,
      });
      reconciler.recoverInterrupted();
      const lastSeen = heartbeat.start();
      if (!notifications) {
        log.warn(
          'No notification target configured (SYNC_NOTIFY_URLS, notify: in SYNC_CONFIG, or ' +
            'TELEGRAM_BOT_TOKEN/TELEGRAM_CHAT_ID) - notifications disabled',
        );
      }
      monitor.start();
      dispatcher.start();
      runner.start();
      dailySummary.start();
      trashCleanUp.start();
      cleanTrash();
      const downtime = afterDowntime(lastSeen, clock.now(), config.reconcile.afterDowntimeMinutes);
      if (downtime.catchUp) {
        log.info(
          `The service was last seen running ${downtime.downMinutes} min ago ` +
            `(more than SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES=${config.reconcile.afterDowntimeMinutes}): ` +
            'a catch-up pass looks for what Radarr/Sonarr sent meanwhile',
        );
        startOwnPass('after_downtime');
      } else {
        log.debug(`No catch-up pass after start: ${downtime.reason}`);
      }
      reconcileSchedule?.start();
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
      logStartup(log, config, notifiers, mediaServers, {
        summary: dailySummary.nextRun(),
        reconcile: reconcileSchedule?.nextRun() ?? null,
      });
      if (!adapters.pageFiles) log.warn('Dashboard not built (no dist/web/index.html): run npm run build');
    },
    async stop() {
      await app.close();
      dailySummary.stop();
      trashCleanUp.stop();
      await trashCleaning;
      reconcileSchedule?.stop();
      titleIndexer.stop();
      retention.stop();
      monitor.stop();
      await reconciler.stop();
      await runner.stop();
      await dispatcher.stop();
      heartbeat.stop();
      db.close();
      walSync.close();
      log.info('Stopped');
    },
  };
}

/** One outbox row per target that wants the kind; media servers by the mappings they scan. */
function targetRouting(config: Config, mediaServers: readonly MediaServer[]): TargetRouting {
  return {
    notifiersFor: (kind: NotifyKind) =>
      config.notify.filter((t) => t.events === undefined || t.events.includes(kind)).map((t) => t.id),
    mediaServersFor: (mapping: string) => mediaServers.filter((m) => m.scansMapping(mapping)).map((m) => m.id),
  };
}

function deliveryView(id: string, record: DeliveryRecord, redact: (text: string) => string): TargetHealth {
  return {
    id,
    last_success: record.lastSuccessAt,
    last_failure: record.lastFailureAt,
    last_error: record.lastError === null ? null : redact(record.lastError),
  };
}

/** A target of the registry in GET /health/details: its last deliveries this run, errors and problems redacted. */
function targetView(
  id: string,
  kind: HealthTarget['kind'],
  record: DeliveryRecord,
  problems: readonly string[],
  redact: (text: string) => string,
): HealthTarget {
  return {
    id,
    kind,
    lastSuccessAt: record.lastSuccessAt,
    lastFailureAt: record.lastFailureAt,
    lastError: record.lastError === null ? null : redact(record.lastError),
    problems: problems.map(redact),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function logStartup(
  log: Logger,
  config: Config,
  notifiers: readonly Notifier[],
  mediaServers: readonly MediaServer[],
  next: { summary: Date | null; reconcile: Date | null },
): void {
  log.info(`Sync webhook listening on ${config.http.host}:${config.http.port}`);
  const plex = mediaServers.some((m) => m.type === 'plex');
  log.info(
    `DRY_RUN: ${config.dryRun}; notifications: ${notifiers.length > 0}; plex: ${plex}; ` +
      `require mounts: ${config.mounts.require}`,
  );
  for (const n of notifiers) log.info(`Notification target: ${n.id}`);
  for (const m of mediaServers) log.info(`Media server: ${m.id}`);
  const auth = [config.auth.basic ? 'HTTP Basic' : null, config.auth.apiKey ? 'API key' : null].filter(Boolean);
  const open = config.auth.metrics ? 'GET /health and GET /ping' : 'GET /health, GET /ping and GET /metrics';
  log.info(
    auth.length
      ? `Authentication: ${auth.join(' or ')} on every route but ${open}`
      : 'Authentication: off (set SYNC_USERNAME/SYNC_PASSWORD or SYNC_API_KEY to require it)',
  );
  const { mode, trashDays } = config.mirror;
  log.info(
    mode === 'off'
      ? 'Mirroring: off (SYNC_MIRROR): upgrades leave the replaced files, renames and deletes are ignored'
      : `Mirroring: ${mode} (SYNC_MIRROR)${mode === 'trash' ? `, trash kept ${trashDays} days` : ''}`,
  );
  log.info(`Path mappings from ${config.mappingsFrom}:`);
  for (const m of config.mappings) {
    const section = m.plexSection ? ` (Plex section ${m.plexSection})` : '';
    log.info(`Path mapping: ${m.container} -> ${m.source.path} -> ${m.destination.path}${section}`);
  }
  const nextSummary = next.summary ? ` (next ${next.summary.toISOString()})` : '';
  log.info(
    `Scheduler started - daily summary at "${config.summaryCron}" ${config.timeZone}${nextSummary}, ` +
      `auto-retry every ${config.retry.intervalSeconds} s up to ${config.retry.maxRetries} times`,
  );
  const { cron, afterDowntimeMinutes, settleMinutes } = config.reconcile;
  const scheduled = cron
    ? `at "${cron}" ${config.timeZone}${next.reconcile ? ` (next ${next.reconcile.toISOString()})` : ''}`
    : 'not scheduled';
  const afterStart =
    afterDowntimeMinutes > 0 ? `after a downtime over ${afterDowntimeMinutes} min` : 'never after start';
  log.info(`Catch-up passes: ${scheduled}, ${afterStart}; settle time ${settleMinutes} min`);
}
