import { coerceError } from '../core/errors.js';
import type { Clock } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { HeartbeatStore } from '../store/heartbeat.js';

export interface HeartbeatDeps {
  store: HeartbeatStore;
  clock: Clock;
  log: Logger;
  intervalMs: number;
}

/**
 * Writes "still running" to the database every interval and at a clean stop, so that the next start
 * knows how long the service was down: Radarr and Sonarr never resend what they sent meanwhile.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: HeartbeatDeps) {}

  /** Starts beating; returns when the previous run was last seen (undefined on the very first start). */
  start(): Date | undefined {
    const previous = this.deps.store.lastSeen();
    this.beat();
    this.timer = setInterval(() => this.beat(), this.deps.intervalMs);
    this.timer.unref();
    return previous;
  }

  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.beat();
  }

  private beat(): void {
    try {
      this.deps.store.beat(this.deps.clock.now());
    } catch (error) {
      // A missed beat only makes the next start overstate the downtime; the service itself is fine.
      this.deps.log.warn(`Could not record that the service is running: ${coerceError(error).message}`);
    }
  }
}

export type DowntimeVerdict = { catchUp: true; downMinutes: number } | { catchUp: false; reason: string };

/**
 * Whether a start deserves a catch-up pass (SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES): the previous run
 * was last seen more than `thresholdMinutes` ago. A first start has nothing to catch up; 0 turns it off.
 */
export function afterDowntime(lastSeen: Date | undefined, now: Date, thresholdMinutes: number): DowntimeVerdict {
  if (thresholdMinutes === 0) return { catchUp: false, reason: 'off (SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES=0)' };
  if (!lastSeen) return { catchUp: false, reason: 'no earlier run recorded' };
  const downMs = now.getTime() - lastSeen.getTime();
  const downMinutes = Math.floor(downMs / 60_000);
  if (downMs > thresholdMinutes * 60_000) return { catchUp: true, downMinutes };
  return { catchUp: false, reason: `down ${downMinutes} min, not more than ${thresholdMinutes} min` };
}
