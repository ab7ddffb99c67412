import type { Mapping } from '../core/types.js';
import type { MountMonitor, MountState } from '../mounts/monitor.js';
import type { JobDeliveries } from '../store/job-deliveries.js';

// GET /health/details, the dashboard's health panel: each mapping's source and destination with its
// state and since when, rsync's version, each notification and media-server target with its last
// delivery, uptime and version. Nothing secret: paths, states and the redacted delivery errors.

export interface RootJson {
  path: string;
  state: MountState['state'];
  problem: string | null;
  /** When the root entered this state; null before the first check answered. */
  since: string | null;
}

export interface HealthDetails {
  /** As GET /health says it; 'unhealthy' while job outcomes cannot be recorded (the service exits). */
  status: 'healthy' | 'degraded' | 'unhealthy';
  version: string;
  uptime_since: string;
  rsync_version: string | null;
  dry_run: boolean;
  mappings: { container: string; source: RootJson; destination: RootJson }[];
  targets: { target: string; last_sent_at: string | null; pending: number; last_error: string | null }[];
}

export interface HealthDetailsDeps {
  mappings: readonly Mapping[];
  mounts: Pick<MountMonitor, 'snapshot'>;
  deliveries: Pick<JobDeliveries, 'ofTarget'>;
  /** The outbox targets configured (their names as the outbox rows hold them). */
  targets: () => readonly string[];
  /** rsync's version line, once the start has checked it. */
  rsyncVersion: () => string | null;
  status: () => HealthDetails['status'];
  version: string;
  startedAt: Date;
  dryRun: boolean;
}

export function healthDetails(deps: HealthDetailsDeps): HealthDetails {
  const roots = new Map(deps.mounts.snapshot().map((state) => [state.path, state]));
  const root = (path: string): RootJson => {
    const state = roots.get(path);
    return {
      path,
      state: state?.state ?? 'checking',
      problem: state?.problem ?? null,
      since: state?.since ?? null,
    };
  };
  return {
    status: deps.status(),
    version: deps.version,
    uptime_since: deps.startedAt.toISOString(),
    rsync_version: deps.rsyncVersion(),
    dry_run: deps.dryRun,
    mappings: deps.mappings.map((m) => ({
      container: m.container,
      source: root(m.source.path),
      destination: root(m.destination.path),
    })),
    targets: deps.targets().map((target) => {
      const d = deps.deliveries.ofTarget(target);
      return { target, last_sent_at: d.lastSentAt, pending: d.pending, last_error: d.lastError };
    }),
  };
}
