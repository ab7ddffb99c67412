/**
 * The service's SQLite database, read (or seeded) beside the running service: WAL mode allows it.
 * better-sqlite3 is loaded on first use, so files that never open the database do not load it.
 */

import type { Database } from 'better-sqlite3';
import { onCleanup } from './cleanup.js';

/** Opens the service's SQLite file with better-sqlite3; closed by the test cleanup. */
export async function openDb(dbPath: string, o: { readonly?: boolean } = {}): Promise<Database> {
  const { default: Sqlite } = await import('better-sqlite3');
  const db = new Sqlite(dbPath, { readonly: o.readonly ?? false, fileMustExist: true, timeout: 5000 });
  onCleanup(() => {
    if (db.open) db.close();
  });
  return db;
}

/** One row of the outbox (the durable queue of notifications and Plex scans). */
export interface OutboxRowView {
  id: number;
  target: string;
  job_id: number | null;
  payload: string;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  last_error: string | null;
}

/** Every outbox row, oldest first. */
export async function outboxRows(dbPath: string): Promise<OutboxRowView[]> {
  const { default: Sqlite } = await import('better-sqlite3');
  const db = new Sqlite(dbPath, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    return db
      .prepare('SELECT id, target, job_id, payload, status, attempts, last_error FROM outbox ORDER BY id')
      .all() as OutboxRowView[];
  } finally {
    db.close();
  }
}
