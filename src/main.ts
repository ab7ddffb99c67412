// Composition root: reads the configuration, builds every part with its real adapters, and
// wires them together. Nothing else reads process.env.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, secretsOf, ConfigError, type Config } from './config/load.js';
import { DUPLICATE_WINDOW_MS } from './config/defaults.js';
import { dayOf, previousDay } from './core/day.js';
import { coerceError } from './core/errors.js';
import type { Clock } from './core/types.js';
import { buildApp } from './http/app.js';
import { createIntake } from './intake/intake.js';
import { createHistoryLog, type HistoryLog } from './log/history.js';
import { createLogger, type Logger } from './log/logger.js';
import { createPlexServer } from './media/plex.js';
import { MountMonitor } from './mounts/monitor.js';
import { createMountProbe } from './mounts/probe.js';
import { RootHealthCache } from './mounts/root-health-cache.js';
import { destinationShares } from './mounts/shares.js';
import { Dispatcher } from './notify/dispatcher.js';
import { renderTestMessage } from './notify/render.js';
import { createTelegramNotifier } from './notify/telegram.js';
import { Runner } from './runner/runner.js';
import { linuxProcessTable, stopOrphanedRsync } from './runner/orphans.js';
import { checkRsyncAvailable, runRsync } from './runner/rsync.js';
import { removeRsyncLeftovers } from './runner/rsync-leftovers.js';
import { runSyncJob } from './runner/sync-job.js';
import { ProgressBoard } from './runner/progress-board.js';
import { DailyTask } from './schedules/scheduler.js';
import { queueDailySummary } from './schedules/daily-summary.js';
import { healthReport, statsReport } from './reports/health-and-stats.js';
import { SessionStats } from './reports/session-stats.js';
import { openDatabase } from './store/database.js';
import { createJobReports } from './store/job-reports.js';
import { createJobStore } from './store/jobs.js';
import { createWalSync } from './store/wal-sync.js';
import { createOutboxStore } from './store/outbox.js';
import { createScheduleRunStore } from './store/schedule-runs.js';

const SHUTDOWN_GRACE_MS = 9000;
/** A full probe of a root is reused this long by the next jobs, while the root stays on the same mount. */
const ROOT_PROBE_FRESH_MS = 2000;
const OUTBOX_MAX_AGE_MS = 48 * 60 * 60 * 1000;

async function main(): Promise<void> {
  const config = readConfigOrExit();
  // Log timestamps and the summary's day follow the same zone, even where TZ was left unset.
  process.env.TZ = config.timeZone;
  const clock: Clock = { now: () => new Date() };
  const { log, history, closeLogs } = openLogsOrExit(config);

  if (process.getuid?.() === 0) {
    log.warn(
      'Running as root. The container runs as uid 1000; outside it, run as an unprivileged user that can read the source and write the destination.',
    );
  }

  try {
    const version = await checkRsyncAvailable('rsync');
    log.debug(`Using ${version}`);
  } catch (error) {
    fail(log, coerceError(error).message);
  }

  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase(config.dbPath);
  } catch (error) {
    fail(log, coerceError(error).message);
  }
  const outbox = createOutboxStore(db);
  const walSync = createWalSync(db);
  const jobs = createJobStore(db, outbox);
  const jobReports = createJobReports(db);
  const scheduleRuns = createScheduleRunStore(db);
  log.info(`Database initialized at ${config.dbPath}`);

  for (const orphan of jobs.interruptedRsyncs()) {
    const outcome = await stopOrphanedRsync(orphan, linuxProcessTable);
    if (outcome !== 'none')
      log.warn(
        { jobId: orphan.id },
        `Stopped the rsync (pid ${orphan.rsyncPid}) that job ${orphan.id} left running when the service was killed`,
      );
  }
  const recovered = jobs.recoverInterrupted(clock.now(), config.retry.maxRetries);
  if (recovered.requeued.length + recovered.gaveUp.length > 0) {
    log.warn(`Found ${recovered.requeued.length + recovered.gaveUp.length} interrupted jobs from previous run`);
  }
  for (const job of recovered.requeued) {
    history.record({ ...job, status: 'failed' });
    log.info(
      { jobId: job.id },
      `Queueing interrupted job for retry: ${job.title} (retry ${job.retryCount}/${config.retry.maxRetries})`,
    );
  }
  for (const job of recovered.gaveUp) {
    history.record(job);
    log.warn({ jobId: job.id }, `Interrupted job exceeded max retries, not retrying: ${job.title}`);
  }

  const telegram = config.telegram ? createTelegramNotifier(config.telegram) : null;
  const plex = config.plex ? createPlexServer(config.plex) : null;
  if (!telegram) log.warn('Telegram credentials not configured - notifications disabled');

  const session = new SessionStats(clock.now());
  const dispatcher = new Dispatcher({ outbox, telegram, plex, clock, log, maxAgeMs: OUTBOX_MAX_AGE_MS });
  const probe = createMountProbe({
    timeoutMs: config.mounts.timeoutSeconds * 1000,
    requireMounts: config.mounts.require,
  });

  let runner: Runner | undefined;
  const monitor = new MountMonitor({
    mappings: config.mappings,
    probe,
    clock,
    log,
    intervalMs: config.mounts.checkIntervalSeconds * 1000,
    onRecovered: () => {
      jobs.releaseWaiting();
      runner?.wake();
    },
  });

  const shares = destinationShares(config.mappings, readMountTable());
  const rootHealth = new RootHealthCache({
    freshMs: ROOT_PROBE_FRESH_MS,
    readMountinfo: readMountTable,
    now: () => clock.now().getTime(),
  });
  const progress = new ProgressBoard();
  runner = new Runner({
    jobs,
    jobReports,
    clock,
    log,
    mappings: config.mappings.map((m) => m.container),
    shareOf: (mapping) => shares.get(mapping) ?? mapping,
    maxConcurrent: config.rsync.maxConcurrent,
    maxRetries: config.retry.maxRetries,
    idleRecheckMs: 60_000,
    runJob: (job, signal) =>
      runSyncJob(
        job,
        {
          jobs,
          mappings: config.mappings,
          probe,
          rsync: (args, o) => runRsync(args, o),
          clock,
          sleep: (ms, signal) => sleep(ms, undefined, { signal }),
          log,
          options: {
            dryRun: config.dryRun,
            rsyncTimeoutSeconds: config.rsync.timeoutSeconds,
            retry: { intervalMs: config.retry.intervalSeconds * 1000, maxRetries: config.retry.maxRetries },
            mountRecheckMs: config.mounts.checkIntervalSeconds * 1000,
            manualStableMs: config.manualStableSeconds * 1000,
            notifications: telegram !== null,
            plex: plex !== null,
          },
          onFinished: (recorded) => {
            session.record(recorded);
            history.record(recorded);
            dispatcher.wake();
          },
          onMountProblem: (path, problem) => monitor.reportProblem(path, problem),
          knownMountProblem: (path) => monitor.problemOf(path),
          rootHealth,
          progress,
          removeLeftovers: (sourceItem, destItem) =>
            removeRsyncLeftovers(sourceItem, destItem, config.mounts.timeoutSeconds * 1000),
        },
        signal,
      ),
  });

  const summaryDeps = {
    jobReports,
    outbox,
    clock,
    log,
    timeZone: config.timeZone,
    notifications: telegram !== null,
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
    duplicateWindowMs: DUPLICATE_WINDOW_MS,
    onQueued: (created) => runner?.jobsQueued(created),
  });
  const reportDeps = {
    jobReports,
    mounts: monitor,
    session,
    clock,
    timeZone: config.timeZone,
    dryRun: config.dryRun,
    notifications: telegram !== null,
  };
  const app = buildApp({
    log,
    auth: config.auth,
    intake,
    jobs,
    jobReports,
    clock,
    onRequeued: () => runner?.wake(),
    progressOf: (jobId) => progress.get(jobId),
    health: () => healthReport(reportDeps),
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
      return { day, notifications: telegram !== null };
    },
  });

  monitor.start();
  dispatcher.start();
  runner.start();
  dailySummary.start();

  try {
    await app.listen({ host: config.http.host, port: config.http.port });
  } catch (error) {
    fail(
      log,
      `Cannot listen on ${config.http.host}:${config.http.port} (SYNC_HOST, SYNC_PORT): ${coerceError(error).message}`,
    );
  }
  logStartup(log, config, telegram !== null, dailySummary.nextRun());

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received: no new webhooks, stopping rsync, recording interrupted jobs`);
    const force = setTimeout(() => {
      log.error('Shutdown took too long; exiting now');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    await app.close();
    dailySummary.stop();
    monitor.stop();
    await runner.stop();
    await dispatcher.stop();
    db.close();
    walSync.close();
    log.info('Stopped');
    history.close();
    closeLogs();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** procfs answers from memory, so this read cannot hang on a dead share. */
function readMountTable(): string {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return '';
  }
}

function readConfigOrExit(): Config {
  try {
    return loadConfig(process.env, (path) => readFileSync(path, 'utf8'));
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : coerceError(error).message;
    process.stderr.write(`sync-webhook: configuration error: ${message}\n`);
    process.exit(2);
  }
}

function openLogsOrExit(config: Config): { log: Logger; history: HistoryLog; closeLogs: () => void } {
  try {
    const { log, close } = createLogger({
      level: config.log.level,
      logDir: config.log.path,
      secrets: secretsOf(config),
    });
    const history = createHistoryLog(config.log.path);
    return { log, history, closeLogs: close };
  } catch (error) {
    process.stderr.write(
      `sync-webhook: SYNC_LOG_PATH (${config.log.path}) cannot be created or written: ${coerceError(error).message}\n`,
    );
    process.exit(2);
  }
}

function logStartup(log: Logger, config: Config, notifications: boolean, nextSummary: Date | null): void {
  log.info(`Sync webhook listening on ${config.http.host}:${config.http.port}`);
  log.info(
    `DRY_RUN: ${config.dryRun}; notifications: ${notifications}; plex: ${config.plex !== null}; require mounts: ${config.mounts.require}`,
  );
  const auth = [config.auth.basic ? 'HTTP Basic' : null, config.auth.apiKey ? 'API key' : null].filter(Boolean);
  log.info(
    auth.length
      ? `Authentication: ${auth.join(' or ')} on every route but GET /health`
      : 'Authentication: off (set SYNC_USERNAME/SYNC_PASSWORD or SYNC_API_KEY to require it)',
  );
  log.info(`Path mappings from ${config.mappingsFrom}:`);
  for (const m of config.mappings) {
    log.info(
      `Path mapping: ${m.container} -> ${m.source.path} -> ${m.destination.path}${m.plexSection ? ` (Plex section ${m.plexSection})` : ''}`,
    );
  }
  log.info(
    `Scheduler started - daily summary at "${config.summaryCron}" ${config.timeZone}` +
      `${nextSummary ? ` (next ${nextSummary.toISOString()})` : ''}, auto-retry every ${config.retry.intervalSeconds} s up to ${config.retry.maxRetries} times`,
  );
}

function fail(log: Logger, message: string): never {
  log.fatal(message);
  process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`sync-webhook: failed to start: ${coerceError(error).stack ?? String(error)}\n`);
  process.exit(1);
});
