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
  targets: TargetJson[];
}

/**
 * A notification target or media server of the registry (SYNC_NOTIFY_URLS, notify:, media_servers:, …),
 * by its id. `last_sent_at` and `pending` come from the outbox (they outlive a restart); `last_success` and
 * `last_failure` are the dispatcher's since the start, /test included, as GET /health shows them.
 */
export interface TargetJson {
  /** The target's id (never a secret), as its outbox rows name it. */
  target: string;
  kind: HealthTarget['kind'];
  last_sent_at: string | null;
  pending: number;
  last_success: string | null;
  last_failure: string | null;
  /** The error of its newest row still failing or given up; else its last failure's, if none succeeded since. */
  last_error: string | null;
  /** What a media server's answers showed to be wrong in the configuration; [] for a notification target. */
  problems: string[];
}

/** A configured target and what the dispatcher knows of it, its error texts and problems already redacted. */
export interface HealthTarget {
  id: string;
  kind: 'notification' | 'media_server';
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastError: string | null;
  problems: string[];
}

export interface HealthDetailsDeps {
  mappings: readonly Mapping[];
  mounts: Pick<MountMonitor, 'snapshot'>;
  deliveries: Pick<JobDeliveries, 'ofTarget'>;
  /** The notification targets and media servers configured, from the registry. */
  targets: () => readonly HealthTarget[];
  /** core/redact.ts with the configured secrets: outbox errors are secret-free already, checked once more. */
  redact: (text: string) => string;
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
    targets: deps.targets().map((t) => {
      const d = deps.deliveries.ofTarget(t.id);
      const failingNow = t.lastFailureAt !== null && (t.lastSuccessAt === null || t.lastFailureAt > t.lastSuccessAt);
      return {
        target: t.id,
        kind: t.kind,
        last_sent_at: d.lastSentAt,
        pending: d.pending,
        last_success: t.lastSuccessAt,
        last_failure: t.lastFailureAt,
        last_error: d.lastError !== null ? deps.redact(d.lastError) : failingNow ? t.lastError : null,
        problems: t.problems,
      };
    }),
  };
}
