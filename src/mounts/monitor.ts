import { coerceError } from '../core/errors.js';
import type { Clock, Mapping, MountCheck } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { MountProbe } from './probe.js';

export interface MountState {
  path: string;
  role: 'source' | 'destination';
  ok: boolean;
  problem: string | null;
  /** When it was first seen down; null while up. */
  downSince: string | null;
}

/** A share going down or coming back, once per change: the service turns it into a message. */
export interface ShareChange {
  kind: 'down' | 'up';
  path: string;
  role: 'source' | 'destination';
  /** Down: what is wrong with it. */
  problem?: string;
  /** When it was first seen down (by this run, or by the run that reported it). */
  downSince: string;
  at: Date;
}

/** Where share messages go (the service writes them to the outbox; mounts/ knows neither outbox nor notifiers). */
export interface ShareNotices {
  /**
   * When a root was first seen down, if a down message about it still stands: an earlier run reported it,
   * and no message said it came back. Asked once per root, at its first check.
   */
  standingDown(path: string): string | undefined;
  /** Queues the message of a change; throws when it cannot (it is tried again at the next check). */
  changed(change: ShareChange): void;
}

export interface MountMonitorDeps {
  mappings: readonly Mapping[];
  probe: MountProbe;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  /** A mount that was down answers again: waiting jobs may run. */
  onRecovered: (path: string) => void;
  notices: ShareNotices;
}

/**
 * Checks every mapping root in the background and keeps the last answer, so /health reports
 * mount health without touching a mount (a hung NFS share never slows an HTTP answer).
 *
 * It also says when a share went down and came back, once per change: down once the root has been down
 * for a check interval (a blip shorter than that says nothing: the jobs only wait), back when a root
 * reported down answers again. A down message sent by an earlier run still stands after a restart, so a
 * share that stays down is reported once, however often the service restarts.
 */
export class MountMonitor {
  private readonly states = new Map<string, MountState>();
  /** Roots whose down message stands, with when they were first seen down. */
  private readonly reported = new Map<string, string>();
  /** Roots whose standing message (from an earlier run) was looked up. */
  private readonly looked = new Set<string>();
  private readonly roots: { check: MountCheck; role: 'source' | 'destination' }[];
  private timer: NodeJS.Timeout | undefined;
  private checked = false;
  // A round of probes may still run when the service stops; it must neither log into closed log files
  // nor schedule the next round.
  private stopped = false;

  constructor(private readonly deps: MountMonitorDeps) {
    const seen = new Map<string, { check: MountCheck; role: 'source' | 'destination' }>();
    for (const m of deps.mappings) {
      if (!seen.has(m.source.path)) seen.set(m.source.path, { check: m.source, role: 'source' });
      if (!seen.has(m.destination.path)) seen.set(m.destination.path, { check: m.destination, role: 'destination' });
    }
    this.roots = [...seen.values()];
  }

  start(): void {
    void this.checkAll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** False until the first round of checks has answered. */
  get ready(): boolean {
    return this.checked;
  }

  snapshot(): MountState[] {
    return this.roots.map(
      ({ check, role }) =>
        this.states.get(check.path) ?? { path: check.path, role, ok: true, problem: null, downSince: null },
    );
  }

  /** The problem the last check found with a root, or null when it was healthy (or is not a root). */
  problemOf(path: string): string | null {
    const state = this.states.get(path);
    return state && !state.ok ? state.problem : null;
  }

  /** A job found a problem right before running: show it at once rather than at the next round. */
  reportProblem(path: string, problem: string): void {
    const root = this.roots.find((r) => r.check.path === path);
    if (root) this.update(path, root.role, problem);
  }

  async checkAll(): Promise<void> {
    clearTimeout(this.timer);
    try {
      await Promise.all(
        this.roots.map(async ({ check, role }) => {
          const result = await this.deps.probe.checkRoot(check, role);
          if (!this.stopped) this.update(check.path, role, result.ok ? null : result.problem);
        }),
      );
    } catch (error) {
      if (!this.stopped) this.deps.log.error({ err: coerceError(error) }, 'Mount check failed');
    }
    if (this.stopped) return;
    this.checked = true;
    this.timer = setTimeout(() => void this.checkAll(), this.deps.intervalMs);
    this.timer.unref();
  }

  private update(path: string, role: 'source' | 'destination', problem: string | null): void {
    const previous = this.states.get(path);
    const now = this.deps.clock.now();
    this.lookUpStandingMessage(path);
    if (problem === null) {
      this.states.set(path, { path, role, ok: true, problem: null, downSince: null });
      if (previous && !previous.ok) {
        this.deps.log.info(`Mount ${path} is healthy again (down since ${previous.downSince})`);
        this.deps.onRecovered(path);
      }
      const since = this.reported.get(path);
      if (since !== undefined && this.tell({ kind: 'up', path, role, downSince: since, at: now })) {
        this.reported.delete(path);
      }
      return;
    }
    const downSince = (previous && !previous.ok ? previous.downSince : null) ?? now.toISOString();
    if (!previous || previous.ok || previous.problem !== problem) this.deps.log.warn(`NFS mount issue: ${problem}`);
    this.states.set(path, { path, role, ok: false, problem, downSince });
    const downForMs = now.getTime() - new Date(downSince).getTime();
    if (!this.reported.has(path) && downForMs >= this.deps.intervalMs) {
      if (this.tell({ kind: 'down', path, role, problem, downSince, at: now })) this.reported.set(path, downSince);
    }
  }

  private lookUpStandingMessage(path: string): void {
    if (this.looked.has(path)) return;
    this.looked.add(path);
    try {
      const since = this.deps.notices.standingDown(path);
      if (since !== undefined) this.reported.set(path, since);
    } catch (error) {
      this.deps.log.error({ err: coerceError(error) }, `Cannot read what an earlier run said about share ${path}`);
    }
  }

  /** True once the message is queued; a failure is logged and the change is told again at the next check. */
  private tell(change: ShareChange): boolean {
    try {
      this.deps.notices.changed(change);
      return true;
    } catch (error) {
      const what = change.kind === 'down' ? 'down' : 'back';
      this.deps.log.error({ err: coerceError(error) }, `Cannot queue the message that share ${change.path} is ${what}`);
      return false;
    }
  }
}
