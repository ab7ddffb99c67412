import { dayOf, dayRange } from '../core/day.js';
import type { Clock, JobStatus } from '../core/types.js';
import type { MountMonitor } from '../mounts/monitor.js';
import { formatBytes } from '../notify/format.js';
import type { JobReports } from '../store/job-reports.js';
import type { SessionStats } from './session-stats.js';
import { DAY_MS } from '../core/timing.js';

export interface ReportDeps {
  jobReports: Pick<JobReports, 'statusCounts' | 'countFinished'>;
  mounts: Pick<MountMonitor, 'snapshot' | 'ready'>;
  session: SessionStats;
  clock: Clock;
  timeZone: string;
  dryRun: boolean;
  notifications: boolean;
  /** The service's version (package.json). */
  version: string;
  /** Each notification target and media server by id, with its last delivery this run. */
  targets: () => { notifications: TargetHealth[]; mediaServers: MediaServerHealth[] };
}

/** A notification target or media server in /health: its id (never a secret) and its last deliveries. */
export interface TargetHealth {
  id: string;
  last_success: string | null;
  last_failure: string | null;
  last_error: string | null;
}

/** A media server in /health: what its answers showed to be wrong in the configuration, besides its deliveries. */
export interface MediaServerHealth extends TargetHealth {
  problems: string[];
}

export interface HealthReport {
  status: 'healthy' | 'degraded';
  timestamp: string;
  dry_run: boolean;
  notifications: boolean;
  nfs_status: 'ok' | 'error' | 'checking';
  nfs_issues: string[];
  nfs_down_since: Record<string, string>;
  jobs_24h: Record<JobStatus, number>;
  uptime_since: string;
  version: string;
  notification_targets: TargetHealth[];
  media_servers: MediaServerHealth[];
}

/** /health: from counters, two index ranges and the mount monitor's last answers; no scan of the jobs table. */
export function healthReport(deps: ReportDeps): HealthReport {
  const now = deps.clock.now();
  const last24h = { from: new Date(now.getTime() - DAY_MS), to: new Date(now.getTime() + 1) };
  const counts = deps.jobReports.statusCounts();
  const mounts = deps.mounts.snapshot();
  const down = mounts.filter((m) => !m.ok);
  const targets = deps.targets();
  return {
    status: down.length > 0 ? 'degraded' : 'healthy',
    timestamp: now.toISOString(),
    dry_run: deps.dryRun,
    notifications: deps.notifications,
    nfs_status: !deps.mounts.ready ? 'checking' : down.length > 0 ? 'error' : 'ok',
    nfs_issues: down.map((m) => m.problem ?? `${m.role} ${m.path} is not healthy`),
    nfs_down_since: Object.fromEntries(down.map((m) => [m.path, m.downSince ?? now.toISOString()])),
    jobs_24h: {
      success: deps.jobReports.countFinished('success', last24h),
      failed: deps.jobReports.countFinished('failed', last24h),
      queued: counts.queued,
      in_progress: counts.in_progress,
    },
    uptime_since: deps.session.startedAt.toISOString(),
    version: deps.version,
    notification_targets: targets.notifications,
    media_servers: targets.mediaServers,
  };
}

export interface StatsReport {
  movies_synced: number;
  episodes_synced: number;
  failures: number;
  bytes_transferred: number;
  bytes_transferred_human: string;
  total_successful: number;
  total_failed: number;
  today_successful: number;
  today_failed: number;
  start_time: string;
}

/** /stats: session counters from memory, totals from the trigger-kept counters, today from an index range. */
export function statsReport(deps: ReportDeps): StatsReport {
  const now = deps.clock.now();
  const today = dayRange(dayOf(now, deps.timeZone), deps.timeZone);
  const counts = deps.jobReports.statusCounts();
  const { session } = deps;
  return {
    movies_synced: session.moviesSynced,
    episodes_synced: session.episodesSynced,
    failures: session.failures,
    bytes_transferred: session.bytesTransferred,
    bytes_transferred_human: formatBytes(session.bytesTransferred),
    total_successful: counts.success,
    total_failed: counts.failed,
    today_successful: deps.jobReports.countFinished('success', today),
    today_failed: deps.jobReports.countFinished('failed', today),
    start_time: session.startedAt.toISOString(),
  };
}
