import { Cron } from 'croner';
import { coerceError } from '../core/errors.js';
import type { Clock } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { ScheduleRunStore } from '../store/schedule-runs.js';
import { TIMING } from '../core/timing.js';

export interface DailyTaskDeps {
  task: string;
  /** Checked with croner in `timeZone` by the configuration (SYNC_SUMMARY_CRON), so trusted here. */
  cron: string;
  timeZone: string;
  runs: ScheduleRunStore;
  clock: Clock;
  log: Logger;
  /** The work for one slot (the slot is the scheduled instant it stands for). */
  run: (slot: Date) => void;
}

/** A slot missed by at most this long (the service was down at its time) is caught up at start. */

/**
 * Runs `run` once per cron slot, in the configured time zone, and remembers the last slot in SQLite:
 * a restart just after a slot catches it up once; a restart never runs a slot twice.
 * croner only wakes us; what a slot means is decided here.
 */
export class DailyTask {
  private job: Cron | undefined;

  constructor(private readonly deps: DailyTaskDeps) {}

  start(): void {
    this.catchUp();
    this.job = new Cron(this.deps.cron, { timezone: this.deps.timeZone, protect: true }, () => this.tick());
  }

  /** Runs the latest slot unless it ran already: what croner calls; a test calls it with its own clock. */
  tick(): void {
    this.runSlot(this.latestSlot(this.deps.clock.now()) ?? this.deps.clock.now());
  }

  stop(): void {
    this.job?.stop();
  }

  nextRun(): Date | null {
    return this.job?.nextRun() ?? null;
  }

  /** The most recent slot at or before `now` (within TIMING.scheduleLookBackMs), if any. */
  latestSlot(now: Date): Date | undefined {
    const cron = new Cron(this.deps.cron, { timezone: this.deps.timeZone, paused: true });
    let cursor: Date | null = new Date(now.getTime() - TIMING.scheduleLookBackMs);
    let latest: Date | undefined;
    for (let i = 0; i < 20_000; i++) {
      cursor = cron.nextRun(cursor);
      if (!cursor || cursor.getTime() > now.getTime()) break;
      latest = cursor;
    }
    cron.stop();
    return latest;
  }

  private catchUp(): void {
    const now = this.deps.clock.now();
    const slot = this.latestSlot(now);
    if (!slot) return;
    const last = this.deps.runs.lastSlot(this.deps.task);
    if (last === undefined) {
      // First start: nothing was missed; remember where we are so the next slot is the first one.
      this.deps.runs.recordRun(this.deps.task, slot.toISOString(), now);
      return;
    }
    if (last < slot.toISOString() && now.getTime() - slot.getTime() <= TIMING.scheduleCatchUpWindowMs) {
      this.deps.log.info(`${this.deps.task}: catching up the run of ${slot.toISOString()} missed while stopped`);
      this.runSlot(slot);
    }
  }

  private runSlot(slot: Date): void {
    const key = slot.toISOString();
    const last = this.deps.runs.lastSlot(this.deps.task);
    if (last !== undefined && last >= key) return;
    try {
      this.deps.run(slot);
      this.deps.runs.recordRun(this.deps.task, key, this.deps.clock.now());
    } catch (error) {
      this.deps.log.error({ err: coerceError(error) }, `${this.deps.task} failed for ${key}`);
    }
  }
}
