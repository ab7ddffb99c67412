import type { Db } from './database.js';

/**
 * Runs `write` (one transaction) with synchronous=NORMAL: its COMMIT does not wait for the disk. For
 * upkeep whose loss costs nothing but a redo (the title index, the retention's deletes): in WAL mode
 * a power cut may lose the last such commits, never corrupt the file, and they run again. It keeps
 * an fsync off the event loop that the webhooks' answers would otherwise wait behind.
 */
export function commitLazily<T>(db: Db, write: () => T): T {
  // exec, not a prepared statement: a prepared PRAGMA takes effect when prepared, not when run.
  db.exec('PRAGMA synchronous = NORMAL');
  try {
    return write();
  } finally {
    db.exec('PRAGMA synchronous = FULL');
  }
}
