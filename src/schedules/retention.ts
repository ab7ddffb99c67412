import { coerceError } from '../core/errors.js';
import { DAY_MS } from '../core/timing.js';
import type { Clock } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { Retention } from '../store/retention.js';

export interface RetentionTaskDeps {
  retention: Pick<Retention, 'pruneFinishedBefore'>;
  clock: Clock;
  log: Logger;
  /** SYNC_RETENTION_DAYS; 0 keeps every job. */
  days: number;
  /** Between two passes; the first one runs this long after the start too. */
  intervalMs: number;
  /** Jobs per transaction. */
  batch: number;
  /** The pause between two batches, so the webhooks' answers never wait behind a long delete. */
  pauseMs: number;
  /** Called with the ids of each deleted batch (the event stream tells the pages). */
  onDeleted: (ids: readonly number[]) => void;
}

/**
 * SYNC_RETENTION_DAYS: every interval, the jobs that finished more than that many days ago are
 * deleted with their attempts and outbox rows, a small batch per short transaction with a pause in
 * between, on a timer of its own (never on a webhook's path).
 */
export class RetentionTask {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly deps: RetentionTaskDeps) {}

  start(): void {
    if (this.deps.days <= 0) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** One pass, batch after batch until none is left; resolves with how many jobs it deleted. */
  async prune(): Promise<number> {
    const { retention, clock, log, days, batch, pauseMs } = this.deps;
    const cutoff = new Date(clock.now().getTime() - days * DAY_MS);
    let deleted = 0;
    for (;;) {
      const ids = retention.pruneFinishedBefore(cutoff, batch);
      deleted += ids.length;
      if (ids.length > 0) this.deps.onDeleted(ids);
      if (ids.length < batch) break;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    if (deleted > 0) {
      log.info(`Retention: deleted ${deleted} jobs that finished before ${cutoff.toISOString()} (${days} days)`);
    }
    return deleted;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.prune()
        .catch((error: unknown) => {
          this.deps.log.error(`Retention: old jobs could not be deleted: ${coerceError(error).message}`);
        })
        .finally(() => this.schedule());
    }, this.deps.intervalMs);
    this.timer.unref();
  }
}
