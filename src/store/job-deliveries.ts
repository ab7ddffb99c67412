import type { JobDelivery } from '../core/job-list.js';
import type { Db } from './database.js';

// The outbox rows a job caused (its notifications and media-server scans) and whether they were
// delivered, for GET /jobs/<id>. Read here rather than in outbox.ts, which is the dispatcher's store.
// The target is read as the string the row holds, whatever names or ids the notifiers use.

const OF_JOB = `SELECT id, target, status, attempts, last_error, created_at, sent_at, next_attempt_at
  FROM outbox WHERE job_id = ? ORDER BY id`;
// Per target, from the (target, status, sent_at) index: the last delivery, and what is still waiting.
const LAST_SENT = `SELECT MAX(sent_at) FROM outbox WHERE target = ? AND status = 'sent'`;
const WAITING = `SELECT COUNT(*) FROM outbox WHERE target = ? AND status = 'pending'`;
const LAST_FAILURE = `SELECT last_error FROM outbox WHERE target = ? AND status IN ('pending', 'dead')
  AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1`;

/** What a target's deliveries look like now (the health panel). */
export interface TargetDeliveries {
  lastSentAt: string | null;
  pending: number;
  /** The error of the newest row still failing or given up, if any. */
  lastError: string | null;
}

export interface JobDeliveries {
  ofJob(jobId: number): JobDelivery[];
  ofTarget(target: string): TargetDeliveries;
}

interface DeliveryRow {
  id: number;
  target: string;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  next_attempt_at: string;
}

export function createJobDeliveries(db: Db): JobDeliveries {
  const ofJob = db.prepare<[jobId: number], DeliveryRow>(OF_JOB);
  const lastSent = db.prepare<[target: string], string | null>(LAST_SENT).pluck();
  const waiting = db.prepare<[target: string], number>(WAITING).pluck();
  const lastFailure = db.prepare<[target: string], string>(LAST_FAILURE).pluck();
  return {
    ofJob: (jobId) =>
      ofJob.all(jobId).map((row) => ({
        id: row.id,
        target: row.target,
        status: row.status,
        attempts: row.attempts,
        lastError: row.last_error,
        createdAt: row.created_at,
        sentAt: row.sent_at,
        nextAttemptAt: row.next_attempt_at,
      })),
    ofTarget: (target) => ({
      lastSentAt: lastSent.get(target) ?? null,
      pending: waiting.get(target) ?? 0,
      lastError: lastFailure.get(target) ?? null,
    }),
  };
}
