import {
  isOutboxPayload,
  type OutboxItem,
  type OutboxPayload,
  type OutboxRow,
  type SeasonKey,
} from '../core/notify-event.js';
import type { Db } from './database.js';

const INSERT = `INSERT INTO outbox (target, job_id, payload, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)`;
// Only the oldest pending row of a target is ever handed out, so messages arrive in order.
const HEAD = `SELECT id, target, job_id AS jobId, payload, attempts, next_attempt_at AS nextAttemptAt,
  created_at AS createdAt FROM outbox
  WHERE status = 'pending' AND target = ? ORDER BY id LIMIT 1`;
const MARK_SENT = `UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL
  WHERE id = ? AND status = 'pending'`;
const RESCHEDULE = `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
  WHERE id = ? AND status = 'pending'`;
const MARK_DEAD = `UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ?
  WHERE id = ? AND status = 'pending'`;
// Rows parked under a legacy marker by migration 005 join the queue of the target that takes them over;
// their ids are older than any row written since, so the order holds.
const RETARGET = `UPDATE outbox SET target = ? WHERE status = 'pending' AND target = ?`;
const MARK_TARGET_DEAD = `UPDATE outbox SET status = 'dead', last_error = ? WHERE status = 'pending' AND target = ?`;
// The pending episode successes of one season for a target (events.ts seasonKeyOf says which rows are
// those), oldest first. A payload that is not JSON is skipped here; head() gives it up.
const PENDING_SEASON = `WITH rows AS (
    SELECT id, target, job_id AS jobId, payload, attempts, next_attempt_at AS nextAttemptAt, created_at AS createdAt,
      CASE WHEN json_valid(payload) THEN payload END AS json
    FROM outbox WHERE status = 'pending' AND target = ?)
  SELECT id, target, jobId, payload, attempts, nextAttemptAt, createdAt FROM rows
  WHERE json_extract(json, '$.type') = 'notify'
    AND json_extract(json, '$.event.kind') = 'success'
    AND json_extract(json, '$.event.media.type') = 'episode'
    AND json_extract(json, '$.event.media.title') = ?
    AND json_extract(json, '$.event.media.year') IS ?
    AND json_extract(json, '$.event.media.season') = ?
    AND json_extract(json, '$.event.destination') = ?
    AND json_extract(json, '$.event.dryRun') = ?
  ORDER BY id LIMIT ?`;
const PENDING_TARGETS = `SELECT DISTINCT target FROM outbox WHERE status = 'pending'`;
const PENDING_COUNT = `SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'`;
// Read from the partial index of pending rows alone (target is its first column).
const PENDING_BY_TARGET = `SELECT target, COUNT(*) AS count FROM outbox WHERE status = 'pending' GROUP BY target`;

export interface OutboxStore {
  /** Adds rows; call inside the caller's transaction to tie them to a job transition. */
  add(items: readonly OutboxItem[], jobId: number | null, now: Date): void;
  /** The oldest pending row of a target, whether or not it is due yet. */
  head(target: string): OutboxRow | undefined;
  /** The pending episode successes of one season for a target, oldest first, at most `limit`. */
  pendingSeason(target: string, key: SeasonKey, limit: number): OutboxRow[];
  /** Each of these changes is one transaction over all the rows given: a season pack is one message. */
  markSent(ids: readonly number[], now: Date): void;
  reschedule(ids: readonly number[], nextAttemptAt: Date, error: string): void;
  markDead(ids: readonly number[], error: string): void;

  pendingTargets(): string[];
  pendingCount(): number;
  /** Moves every pending row of `from` to `to`; returns how many moved. */
  retarget(from: string, to: string): number;
  /** Gives up every pending row of a target (no longer configured); returns how many. */
  markTargetDead(target: string, error: string): number;
  /** Rows waiting for delivery, per target that has any. */
  pendingByTarget(): { target: string; count: number }[];
}

export function createOutboxStore(db: Db): OutboxStore {
  const insert =
    db.prepare<[target: string, jobId: number | null, payload: string, nextAttemptAt: string, createdAt: string]>(
      INSERT,
    );
  const head = db.prepare<[target: string], Omit<OutboxRow, 'payload'> & { payload: string }>(HEAD);
  const markSent = db.prepare<[sentAt: string, id: number]>(MARK_SENT);
  const reschedule = db.prepare<[nextAttemptAt: string, error: string, id: number]>(RESCHEDULE);
  const markDead = db.prepare<[error: string, id: number]>(MARK_DEAD);
  const pendingTargets = db.prepare<[], string>(PENDING_TARGETS).pluck();
  const pendingSeason = db.prepare<
    [
      target: string,
      series: string,
      year: number | null,
      season: number,
      destination: string,
      dryRun: number,
      limit: number,
    ],
    Omit<OutboxRow, 'payload'> & { payload: string }
  >(PENDING_SEASON);
  const addAll = db.transaction((items: readonly OutboxItem[], jobId: number | null, at: string) => {
    for (const item of items) insert.run(item.target, jobId, JSON.stringify(item.payload), at, at);
  });
  const sendAll = db.transaction((ids: readonly number[], at: string) => {
    for (const id of ids) markSent.run(at, id);
  });
  const rescheduleAll = db.transaction((ids: readonly number[], at: string, error: string) => {
    for (const id of ids) reschedule.run(at, error, id);
  });
  const markAllDead = db.transaction((ids: readonly number[], error: string) => {
    for (const id of ids) markDead.run(error, id);
  });
  const retarget = db.prepare<[to: string, from: string]>(RETARGET);
  const markTargetDead = db.prepare<[error: string, target: string]>(MARK_TARGET_DEAD);
  const pendingCount = db.prepare<[], number>(PENDING_COUNT).pluck();
  const pendingByTarget = db.prepare<[], { target: string; count: number }>(PENDING_BY_TARGET);

  return {
    add(items, jobId, now) {
      // Inside the caller's transaction this is a savepoint; alone, all targets get the message or none.
      addAll(items, jobId, now.toISOString());
    },
    head(target) {
      for (;;) {
        const row = head.get(target);
        if (!row) return undefined;
        const payload = parsePayload(row.payload);
        if (payload) return { ...row, payload };
        // Nothing can deliver it, and it must not hold up the rows behind it.
        markDead.run('the payload has no shape this version can deliver', row.id);
      }
    },
    pendingSeason(target, key, limit) {
      const { series, year, season, destination, dryRun } = key;
      const rows = pendingSeason.all(target, series, year, season, destination, dryRun ? 1 : 0, limit);
      return rows.flatMap((row) => {
        const payload = parsePayload(row.payload);
        return payload ? [{ ...row, payload }] : [];
      });
    },
    markSent(ids, now) {
      sendAll(ids, now.toISOString());
    },
    reschedule(ids, nextAttemptAt, error) {
      rescheduleAll(ids, nextAttemptAt.toISOString(), error);
    },
    markDead(ids, error) {
      markAllDead(ids, error);
    },

    pendingTargets() {
      return pendingTargets.all();
    },
    pendingCount() {
      return pendingCount.get() ?? 0;
    },
    retarget(from, to) {
      return retarget.run(to, from).changes;
    },
    markTargetDead(target, error) {
      return markTargetDead.run(error, target).changes;
    },
    pendingByTarget() {
      return pendingByTarget.all();
    },
  };
}

function parsePayload(text: string): OutboxPayload | undefined {
  try {
    const json: unknown = JSON.parse(text);
    return isOutboxPayload(json) ? json : undefined;
  } catch {
    return undefined;
  }
}
