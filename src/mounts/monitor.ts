import { coerceError } from '../core/errors.js';
import type { Clock, Mapping, MountCheck } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { MountProbe } from './probe.js';
import type { RootState } from './root-check.js';

export interface MountState {
  path: string;
  role: 'source' | 'destination';
  ok: boolean;
  problem: string | null;
  /** What is wrong, in one word; 'ok' while up, 'checking' before the first answer. */
  state: RootState | 'ok' | 'checking';
  /** When it was first seen down; null while up. */
  downSince: string | null;
  /** When it entered its current state (up or down); null before the first answer. */
  since: string | null;
}

export interface MountMonitorDeps {
  mappings: readonly Mapping[];
  probe: MountProbe;
  clock: Clock;
  log: Logger;
  intervalMs: number;
  /** A mount that was down answers again: waiting jobs may run. */
  onRecovered: (path: string) => void;
  /** A root went up or down, or its problem changed (the event stream pushes the health panel). */
  onChange?: () => void;
}

/**
 * Checks every mapping root in the background and keeps the last answer, so /health reports
 * mount health without touching a mount (a hung NFS share never slows an HTTP answer).
 */
export class MountMonitor {
  private readonly states = new Map<string, MountState>();
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
        this.states.get(check.path) ?? {
          path: check.path,
          role,
          ok: true,
          problem: null,
          state: 'checking',
          downSince: null,
          since: null,
        },
    );
  }

  /** The problem the last check found with a root, or null when it was healthy (or is not a root). */
  problemOf(path: string): string | null {
    const state = this.states.get(path);
    return state && !state.ok ? state.problem : null;
  }

  /** A job found a problem right before running: show it at once rather than at the next round. */
  reportProblem(path: string, problem: string, state: RootState = 'error'): void {
    const root = this.roots.find((r) => r.check.path === path);
    if (root) this.update(path, root.role, { problem, state });
  }

  async checkAll(): Promise<void> {
    clearTimeout(this.timer);
    try {
      await Promise.all(
        this.roots.map(async ({ check, role }) => {
          const result = await this.deps.probe.checkRoot(check, role);
          if (this.stopped) return;
          this.update(check.path, role, result.ok ? null : { problem: result.problem, state: result.state ?? 'error' });
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

  private update(
    path: string,
    role: 'source' | 'destination',
    failure: { problem: string; state: RootState } | null,
  ): void {
    const previous = this.states.get(path);
    const now = this.deps.clock.now().toISOString();
    if (failure === null) {
      const since = previous?.ok ? previous.since : now;
      this.states.set(path, { path, role, ok: true, problem: null, state: 'ok', downSince: null, since });
      if (!previous?.ok) this.deps.onChange?.();
      if (previous && !previous.ok) {
        this.deps.log.info(`Mount ${path} is healthy again (down since ${previous.downSince})`);
        this.deps.onRecovered(path);
      }
      return;
    }
    const { problem, state } = failure;
    const downSince = previous && !previous.ok ? previous.downSince : now;
    const changed = !previous || previous.ok || previous.problem !== problem;
    if (changed) this.deps.log.warn(`NFS mount issue: ${problem}`);
    const since = previous && !previous.ok && previous.state === state && previous.since ? previous.since : now;
    this.states.set(path, { path, role, ok: false, problem, state, downSince, since });
    if (changed) this.deps.onChange?.();
  }
}
