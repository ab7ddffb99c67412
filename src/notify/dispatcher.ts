import { coerceError, PermanentError } from '../core/errors.js';
import type { Clock, Message, OutboxRow, OutboxTarget } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { MediaServer, ScanTarget } from '../media/media-server.js';
import { RetryLaterError, type Notifier } from './notifier.js';

/** What the dispatcher needs of the outbox table (store/outbox.ts implements it). */
export interface DeliveryQueue {
  /** The oldest pending row of a target, whether or not it is due yet. */
  head(target: OutboxTarget): OutboxRow | undefined;
  markSent(id: number, now: Date): void;
  reschedule(id: number, nextAttemptAt: Date, error: string): void;
  markDead(id: number, error: string): void;
  pendingTargets(): OutboxTarget[];
}

export interface DispatcherDeps {
  outbox: DeliveryQueue;
  telegram: Notifier | null;
  plex: MediaServer | null;
  clock: Clock;
  log: Logger;
  /** A row still failing this long after it was written is given up (logged, kept in the table). */
  maxAgeMs: number;
  /** The first wait after a failed delivery, doubled per attempt up to `maxMs`. */
  backoff: { firstMs: number; maxMs: number };
  /** Told of every failed attempt, with the row's target and whether the row was given up (/metrics). */
  onDeliveryFailed?: (target: string, givenUp: boolean) => void;
}

/**
 * Delivers the outbox: per target, oldest row first, one at a time, so messages arrive in order.
 * A failure backs off and retries (Telegram's retry_after is honoured); a row that can never be
 * delivered is marked dead. Nothing here can fail a job: the copy was recorded before.
 */
export class Dispatcher {
  private running = false;
  private readonly busy = new Set<OutboxTarget>();
  private readonly timers = new Map<OutboxTarget, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: DispatcherDeps) {}

  start(): void {
    this.running = true;
    this.wake();
  }

  wake(): void {
    if (!this.running) return;
    for (const target of this.deps.outbox.pendingTargets()) this.drainSoon(target);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Delivers due rows of one target until none is due; resolves when done (tests await it). */
  async drain(target: OutboxTarget): Promise<void> {
    if (this.busy.has(target)) return;
    this.busy.add(target);
    try {
      for (;;) {
        const row = this.deps.outbox.head(target);
        if (!row) return;
        const wait = new Date(row.nextAttemptAt).getTime() - this.deps.clock.now().getTime();
        if (wait > 0) {
          this.retryIn(target, wait);
          return;
        }
        const delivered = await this.deliver(row);
        if (!delivered) {
          const next = this.deps.outbox.head(target);
          if (next) this.retryIn(target, new Date(next.nextAttemptAt).getTime() - this.deps.clock.now().getTime());
          return;
        }
      }
    } finally {
      this.busy.delete(target);
    }
  }

  private drainSoon(target: OutboxTarget): void {
    if (!this.running) return;
    const work = this.drain(target).catch((error: unknown) => {
      this.deps.log.error(
        { err: coerceError(error), target },
        `Outbox could not be read; trying again in ${this.deps.backoff.firstMs / 1000} s`,
      );
      this.retryIn(target, this.deps.backoff.firstMs);
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private retryIn(target: OutboxTarget, ms: number): void {
    if (!this.running) return;
    clearTimeout(this.timers.get(target));
    const timer = setTimeout(
      () => {
        this.timers.delete(target);
        this.drainSoon(target);
      },
      Math.max(ms, 0),
    );
    timer.unref();
    this.timers.set(target, timer);
  }

  /** True when the row left the pending state (sent or dead); false when it was rescheduled. */
  private async deliver(row: OutboxRow): Promise<boolean> {
    const { outbox, clock, log } = this.deps;
    try {
      await this.send(row);
      outbox.markSent(row.id, clock.now());
      log.info({ outboxId: row.id, jobId: row.jobId }, describeSent(row));
      return true;
    } catch (thrown) {
      const error = coerceError(thrown);
      const now = clock.now();
      const age = now.getTime() - new Date(row.createdAt).getTime();
      if (error instanceof PermanentError || age > this.deps.maxAgeMs) {
        outbox.markDead(row.id, error.message);
        this.deps.onDeliveryFailed?.(row.target, true);
        log.error(
          { outboxId: row.id, jobId: row.jobId },
          `${row.target} delivery given up after ${row.attempts + 1} attempts: ${error.message}`,
        );
        return true;
      }
      const delay =
        error instanceof RetryLaterError
          ? error.retryAfterMs
          : Math.min(this.deps.backoff.firstMs * 2 ** row.attempts, this.deps.backoff.maxMs);
      outbox.reschedule(row.id, new Date(now.getTime() + delay), error.message);
      this.deps.onDeliveryFailed?.(row.target, false);
      log.warn(
        { outboxId: row.id, jobId: row.jobId },
        `${row.target} delivery failed (attempt ${row.attempts + 1}): ${error.message}; ` +
          `next try in ${Math.round(delay / 1000)} s`,
      );
      return false;
    }
  }

  private async send(row: OutboxRow): Promise<void> {
    if (row.target === 'telegram') {
      if (!this.deps.telegram)
        throw new PermanentError('Telegram is not configured (TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID)');
      await this.deps.telegram.send(row.payload as Message);
      return;
    }
    if (!this.deps.plex) throw new PermanentError('Plex is not configured (PLEX_URL, PLEX_TOKEN)');
    await this.deps.plex.scan(row.payload as ScanTarget);
  }
}

function describeSent(row: OutboxRow): string {
  if (row.target === 'telegram') return `Notification sent: ${(row.payload as Message).title}`;
  const scan = row.payload as ScanTarget;
  return `Plex scan triggered for section ${scan.section}: ${scan.folder}`;
}
