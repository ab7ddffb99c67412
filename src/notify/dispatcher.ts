import { coerceError, PermanentError } from '../core/errors.js';
import type { OutboxPayload, OutboxRow, SeasonKey, SyncSucceededEvent } from '../core/notify-event.js';
import type { Clock } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { MediaServer } from '../media/media-server.js';
import { seasonKeyOf, seasonPackEvent } from './events.js';
import { RetryLaterError, type Notifier } from './notifier.js';

/** The most episode files one season-pack message takes; the rest go in the next. */
const SEASON_PACK_LIMIT = 100;

/** Outbox rows sent as one message. */
interface SeasonPack {
  ids: number[];
  payload: OutboxPayload;
}

/** What the dispatcher needs of the outbox table (store/outbox.ts implements it). */
export interface DeliveryQueue {
  /** The oldest pending row of a target, whether or not it is due yet. */
  head(target: string): OutboxRow | undefined;
  /** The pending episode successes of one season for a target, oldest first, at most `limit`. */
  pendingSeason(target: string, key: SeasonKey, limit: number): OutboxRow[];
  /** Each one transaction over the rows given, so a season pack is marked as one message. */
  markSent(ids: readonly number[], now: Date): void;
  reschedule(ids: readonly number[], nextAttemptAt: Date, error: string): void;
  markDead(ids: readonly number[], error: string): void;
  pendingTargets(): string[];
  /** Moves every pending row of `from` to `to`; returns how many moved. */
  retarget(from: string, to: string): number;
  /** Gives up every pending row of a target; returns how many. */
  markTargetDead(target: string, error: string): number;
}

export interface DispatcherDeps {
  outbox: DeliveryQueue;
  notifiers: readonly Notifier[];
  mediaServers: readonly MediaServer[];
  clock: Clock;
  log: Logger;
  /** A row still failing this long after it was written is given up (logged, kept in the table). */
  maxAgeMs: number;
  /** The first wait after a failed delivery, doubled per attempt up to `maxMs`. */
  backoff: { firstMs: number; maxMs: number };
  /**
   * SYNC_NOTIFY_GROUP_SECONDS in ms: an episode success is due this long after it was written, and then
   * goes out in one message with the other pending successes of its season. 0: each on its own.
   */
  groupMs: number;
  /** Told of every failed attempt, with the row's target and whether the row was given up (/metrics). */
  onDeliveryFailed?: (target: string, givenUp: boolean) => void;
}

/** The last delivery of a target, for /health. */
export interface DeliveryRecord {
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastError: string | null;
}

/** Where migration 005 parked the rows of the single Telegram target and Plex server of old. */
const LEGACY_TARGETS = [
  {
    marker: 'legacy:telegram',
    what: 'Telegram',
    takes: (d: DispatcherDeps) => d.notifiers.filter((n) => n.scheme === 'tgram'),
  },
  {
    marker: 'legacy:plex',
    what: 'Plex',
    takes: (d: DispatcherDeps) => d.mediaServers.filter((m) => m.type === 'plex'),
  },
];

/**
 * Delivers the outbox: per target id, oldest row first, one at a time, so messages arrive in order; each
 * target drains on its own, so a failing or slow one never delays another. A failure backs off and
 * retries (a RetryLaterError's wait is honoured); a row that can never be delivered is marked dead.
 * Nothing here can fail a job: the copy was recorded before.
 *
 * Season packs are merged from rows already committed: an episode success waits `groupMs` after it was
 * written, then takes the pending successes of its season with it, and all of them are marked in one
 * transaction. Nothing waits outside SQLite, so a stop or a crash loses no message and a restart sends
 * none twice (a crash during the send may repeat it, as for any row).
 */
export class Dispatcher {
  private running = false;
  private readonly busy = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly notifiers: ReadonlyMap<string, Notifier>;
  private readonly mediaServers: ReadonlyMap<string, MediaServer>;
  private readonly records = new Map<string, DeliveryRecord>();

  constructor(private readonly deps: DispatcherDeps) {
    this.notifiers = new Map(deps.notifiers.map((n) => [n.id, n]));
    this.mediaServers = new Map(deps.mediaServers.map((m) => [m.id, m]));
  }

  start(): void {
    this.running = true;
    this.adoptLegacyRows();
    this.wake();
  }

  wake(): void {
    if (!this.running) return;
    for (const target of this.deps.outbox.pendingTargets()) {
      if (this.notifiers.has(target) || this.mediaServers.has(target)) this.drainSoon(target);
      else this.dropUnconfigured(target);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** The last success and failure of a target id this run (null before its first delivery). */
  record(target: string): DeliveryRecord {
    return this.records.get(target) ?? { lastSuccessAt: null, lastFailureAt: null, lastError: null };
  }

  /** Notes a delivery made outside the outbox (/test), so /health shows it too. */
  noteDelivery(target: string, error: Error | null): void {
    const at = this.deps.clock.now().toISOString();
    const before = this.record(target);
    this.records.set(
      target,
      error
        ? { ...before, lastFailureAt: at, lastError: error.message }
        : { ...before, lastSuccessAt: at, lastError: before.lastError },
    );
  }

  /** Delivers due rows of one target until none is due; resolves when done (tests await it). */
  async drain(target: string): Promise<void> {
    if (this.busy.has(target)) return;
    this.busy.add(target);
    try {
      for (;;) {
        const row = this.deps.outbox.head(target);
        if (!row) return;
        const season = this.deps.groupMs > 0 ? seasonKeyOf(row.payload) : undefined;
        const dueAt = Math.max(
          new Date(row.nextAttemptAt).getTime(),
          season ? new Date(row.createdAt).getTime() + this.deps.groupMs : 0,
        );
        const wait = dueAt - this.deps.clock.now().getTime();
        if (wait > 0) {
          this.retryIn(target, wait);
          return;
        }
        const delivered = await this.deliver(row, season ? this.seasonPack(row, season) : undefined);
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

  /** Rows migration 005 parked go to the one configured target of their kind; with none or several, they die. */
  private adoptLegacyRows(): void {
    const pending = new Set(this.deps.outbox.pendingTargets());
    for (const legacy of LEGACY_TARGETS) {
      if (!pending.has(legacy.marker)) continue;
      const candidates = legacy.takes(this.deps);
      const [only] = candidates;
      if (candidates.length === 1 && only) {
        const moved = this.deps.outbox.retarget(legacy.marker, only.id);
        this.deps.log.info(`${moved} outbox row(s) queued for ${legacy.what} before the upgrade go to ${only.id}`);
        continue;
      }
      const why =
        candidates.length === 0
          ? `queued for ${legacy.what} before the upgrade, and no ${legacy.what} target is configured now`
          : `queued for ${legacy.what} before the upgrade, and ${candidates.length} ${legacy.what} targets are ` +
            'configured now: which one was meant is unknown';
      const dropped = this.deps.outbox.markTargetDead(legacy.marker, why);
      this.deps.log.warn(`${dropped} outbox row(s) given up: ${why}`);
    }
  }

  /** Rows of a target that is no longer configured can never be delivered; said once per target. */
  private dropUnconfigured(target: string): void {
    const why = `target ${target} is no longer configured`;
    const dropped = this.deps.outbox.markTargetDead(target, why);
    if (dropped > 0) this.deps.log.warn(`${dropped} outbox row(s) given up: ${why}`);
  }

  private drainSoon(target: string): void {
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

  private retryIn(target: string, ms: number): void {
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

  /** The head row's season, when other successes of it are pending too: one message for all of them. */
  private seasonPack(head: OutboxRow, key: SeasonKey): SeasonPack | undefined {
    const ids: number[] = [];
    const episodes: SyncSucceededEvent[] = [];
    for (const row of this.deps.outbox.pendingSeason(head.target, key, SEASON_PACK_LIMIT)) {
      // The store hands out only episode successes; this narrows the payload's type.
      if (row.payload.type !== 'notify' || row.payload.event.kind !== 'success') continue;
      ids.push(row.id);
      episodes.push(row.payload.event);
    }
    if (ids.length < 2 || ids[0] !== head.id) return undefined;
    return { ids, payload: { type: 'notify', event: seasonPackEvent(key, episodes) } };
  }

  /**
   * True when the row left the pending state (sent or dead); false when it was rescheduled. A season
   * pack's rows (the head first) go out as one message and share its fate.
   */
  private async deliver(row: OutboxRow, pack?: SeasonPack): Promise<boolean> {
    const { outbox, clock, log } = this.deps;
    const ids = pack ? pack.ids : [row.id];
    const payload = pack ? pack.payload : row.payload;
    try {
      await this.send(row.target, payload);
      outbox.markSent(ids, clock.now());
      this.noteDelivery(row.target, null);
      const what = pack ? ` (${ids.length} episode files)` : '';
      log.info({ outboxId: row.id, jobId: row.jobId }, `${describeSent(row.target, payload)}${what}`);
      return true;
    } catch (thrown) {
      const error = coerceError(thrown);
      this.noteDelivery(row.target, error);
      const now = clock.now();
      const age = now.getTime() - new Date(row.createdAt).getTime();
      if (error instanceof PermanentError || age > this.deps.maxAgeMs) {
        outbox.markDead(ids, error.message);
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
      outbox.reschedule(ids, new Date(now.getTime() + delay), error.message);
      this.deps.onDeliveryFailed?.(row.target, false);
      log.warn(
        { outboxId: row.id, jobId: row.jobId },
        `${row.target} delivery failed (attempt ${row.attempts + 1}): ${error.message}; ` +
          `next try in ${Math.round(delay / 1000)} s`,
      );
      return false;
    }
  }

  private async send(target: string, payload: OutboxPayload): Promise<void> {
    const notifier = this.notifiers.get(target);
    const mediaServer = this.mediaServers.get(target);
    switch (payload.type) {
      case 'notify':
        if (!notifier) throw new PermanentError(`${target} is not a notification target`);
        return notifier.send(payload.event);
      case 'telegram_html':
        if (!notifier?.sendTelegramHtml) throw new PermanentError(`${target} cannot send a Telegram message`);
        return notifier.sendTelegramHtml(payload.message);
      case 'scan':
        if (!mediaServer) throw new PermanentError(`${target} is not a media server`);
        return mediaServer.scan(payload.scan);
      case 'plex_section_scan':
        if (!mediaServer?.scanPlexSection) throw new PermanentError(`${target} cannot scan a Plex section`);
        return mediaServer.scanPlexSection(payload.scan);
    }
  }
}

function describeSent(target: string, payload: OutboxPayload): string {
  switch (payload.type) {
    case 'notify':
      return `Notification sent: ${payload.event.title} (${target})`;
    case 'telegram_html':
      return `Notification sent: ${payload.message.title} (${target})`;
    case 'scan':
      return `Scan requested from ${target}: ${payload.scan.path}`;
    case 'plex_section_scan':
      return `Plex scan triggered for section ${payload.scan.section}: ${payload.scan.folder} (${target})`;
  }
}
