import { isOutboxPayload, type OutboxItem, type OutboxPayload, type OutboxRow } from '../core/notify-event.js';
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
const PENDING_TARGETS = `SELECT DISTINCT target FROM outbox WHERE status = 'pending'`;
const PENDING_COUNT = `SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'`;
// Read from the partial index of pending rows alone (target is its first column).
const PENDING_BY_TARGET = `SELECT target, COUNT(*) AS count FROM outbox WHERE status = 'pending' GROUP BY target`;

export interface OutboxStore {
  /** Adds rows; call inside the caller's transaction to tie them to a job transition. */
  add(items: readonly OutboxItem[], jobId: number | null, now: Date): void;
  /** The oldest pending row of a target, whether or not it is due yet. */
  head(target: string): OutboxRow | undefined;
  markSent(id: number, now: Date): void;
  reschedule(id: number, nextAttemptAt: Date, error: string): void;
  markDead(id: number, error: string): void;
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
  const retarget = db.prepare<[to: string, from: string]>(RETARGET);
  const markTargetDead = db.prepare<[error: string, target: string]>(MARK_TARGET_DEAD);
  const pendingCount = db.prepare<[], number>(PENDING_COUNT).pluck();
  const pendingByTarget = db.prepare<[], { target: string; count: number }>(PENDING_BY_TARGET);

  return {
    add(items, jobId, now) {
      const at = now.toISOString();
      for (const item of items) insert.run(item.target, jobId, JSON.stringify(item.payload), at, at);
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
    markSent(id, now) {
      markSent.run(now.toISOString(), id);
    },
    reschedule(id, nextAttemptAt, error) {
      reschedule.run(nextAttemptAt.toISOString(), error, id);
    },
    markDead(id, error) {
      markDead.run(error, id);
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
