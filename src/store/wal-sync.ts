import { closeSync, fdatasync, openSync } from 'node:fs';
import { coerceError } from '../core/errors.js';
import type { Db } from './database.js';

/**
 * Makes commits made with synchronous=NORMAL durable without blocking the event loop: one
 * fdatasync of the WAL file on libuv's thread pool. A commit in WAL mode is its frames in the
 * WAL; once the WAL file is synced they survive a power cut, exactly as synchronous=FULL (which
 * syncs the WAL inside COMMIT, on this thread) would have made them. Calls that arrive while a
 * sync runs share the next one, so a burst pays one sync per round, not one per commit.
 */
export interface WalSync {
  /**
   * Runs `write`, one transaction, with synchronous=NORMAL so its COMMIT does not fsync on this
   * thread; `durable` resolves once that commit is on disk. Every other write of the connection
   * keeps synchronous=FULL.
   */
  commitThenSync<T>(write: () => T): { result: T; durable: Promise<void> };
  /** Resolves once everything committed before the call is on disk; rejects with the sync's error. */
  sync(): Promise<void>;
  close(): void;
}

export function createWalSync(db: Db): WalSync {
  const walSync = db.memory ? nothingToSync : createWalFileSync(db);
  // exec, not a prepared statement: a prepared PRAGMA takes effect when prepared, not when run.
  const syncAfterCommit = () => db.exec('PRAGMA synchronous = NORMAL');
  const syncInsideCommit = () => db.exec('PRAGMA synchronous = FULL');
  return {
    ...walSync,
    commitThenSync(write) {
      syncAfterCommit();
      try {
        const result = write();
        return { result, durable: walSync.sync() };
      } finally {
        syncInsideCommit();
      }
    },
  };
}

// An in-memory database has nothing to sync.
const nothingToSync: Omit<WalSync, 'commitThenSync'> = { sync: () => Promise.resolve(), close() {} };

function createWalFileSync(db: Db): Omit<WalSync, 'commitThenSync'> {
  const walPath = `${db.name}-wal`;
  let fd: number | undefined;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;

  const start = (): Promise<void> => {
    const round = new Promise<void>((resolve, reject) => {
      const fail = (error: Error) =>
        reject(new Error(`Cannot sync ${walPath} to disk: ${error.message}`, { cause: error }));
      try {
        // Opened at the first sync: the WAL file exists from the first commit until the connection closes.
        fd ??= openSync(walPath, 'r');
      } catch (error) {
        return fail(coerceError(error));
      }
      fdatasync(fd, (error) => (error ? fail(error) : resolve()));
    }).finally(() => {
      if (running === round) running = undefined;
    });
    running = round;
    return round;
  };

  return {
    sync() {
      if (!running) return start();
      // A sync already under way may have started before this caller's commit: wait for the next one.
      next ??= running
        .catch(() => undefined)
        .then(() => {
          next = undefined;
          return start();
        });
      return next;
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
