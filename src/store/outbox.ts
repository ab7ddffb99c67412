import type { OutboxItem, OutboxRow, OutboxTarget } from '../core/types.js';
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
const PENDING_TARGETS = `SELECT DISTINCT target FROM outbox WHERE status = 'pending'`;
const PENDING_COUNT = `SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'`;
// Read from the partial index of pending rows alone (target is its first column).
const PENDING_BY_TARGET = `SELECT target, COUNT(*) AS count FROM outbox WHERE status = 'pending' GROUP BY target`;

export interface OutboxStore {
  /** Adds rows; call inside the caller's transaction to tie them to a job transition. */
  add(items: readonly OutboxItem[], jobId: number | null, now: Date): void;
  /** The oldest pending row of a target, whether or not it is due yet. */
  head(target: OutboxTarget): OutboxRow | undefined;
  markSent(id: number, now: Date): void;
  reschedule(id: number, nextAttemptAt: Date, error: string): void;
  markDead(id: number, error: string): void;
  pendingTargets(): OutboxTarget[];
  pendingCount(): number;
  /** Rows waiting for delivery, per target that has any. */
  pendingByTarget(): { target: string; count: number }[];
}

export function createOutboxStore(db: Db): OutboxStore {
  const insert =
    db.prepare<[target: OutboxTarget, jobId: number | null, payload: string, nextAttemptAt: string, createdAt: string]>(
      INSERT,
    );
  const head = db.prepare<[target: OutboxTarget], Omit<OutboxRow, 'payload'> & { payload: string }>(HEAD);
  const markSent = db.prepare<[sentAt: string, id: number]>(MARK_SENT);
  const reschedule = db.prepare<[nextAttemptAt: string, error: string, id: number]>(RESCHEDULE);
  const markDead = db.prepare<[error: string, id: number]>(MARK_DEAD);
  const pendingTargets = db.prepare<[], OutboxTarget>(PENDING_TARGETS).pluck();
  const pendingCount = db.prepare<[], number>(PENDING_COUNT).pluck();
  const pendingByTarget = db.prepare<[], { target: string; count: number }>(PENDING_BY_TARGET);

  return {
    add(items, jobId, now) {
      const at = now.toISOString();
      for (const item of items) insert.run(item.target, jobId, JSON.stringify(item.payload), at, at);
    },
    head(target) {
      const row = head.get(target);
      // The payload stays unknown here: the dispatcher reads it as its target's type.
      return row ? { ...row, payload: JSON.parse(row.payload) } : undefined;
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
    pendingByTarget() {
      return pendingByTarget.all();
    },
  };
}
