import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { coerceError } from '../core/errors.js';
import { ensureDir } from '../system/ensure-dir.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Why the database cannot be used, in words a user can act on. */
export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

/**
 * Opens (creating if needed) the job database and brings its schema up to date.
 * WAL lets readers run beside the single writer; synchronous=FULL makes every committed
 * job survive a power cut, which is what the 202 answer promises.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') {
    try {
      ensureDir(dirname(path));
    } catch (error) {
      throw new DatabaseOpenError(
        `Cannot create the folder of SYNC_DB_PATH (${dirname(path)}): ${coerceError(error).message}`,
        { cause: error },
      );
    }
  }
  let db: Db;
  try {
    db = new Database(path, { timeout: 5000 });
  } catch (error) {
    const reason = `${coerceError(error).message}${hintFor(error)}`;
    throw new DatabaseOpenError(`Cannot open SYNC_DB_PATH (${path}): ${reason}`, { cause: error });
  }
  try {
    // Reading the schema fails at once on a file that is not a database (or is encrypted, or
    // truncated). A full integrity check would read every page: seconds at a million jobs.
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    // Take the write lock once: another process holding it (a second sync-webhook on the same file)
    // is reported here, by name, rather than as a crash at the first write.
    db.exec('BEGIN IMMEDIATE');
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    const reason = `${coerceError(error).message}${hintFor(error)}`;
    throw new DatabaseOpenError(`SYNC_DB_PATH (${path}) cannot be used: ${reason}`, { cause: error });
  }
  return db;
}

/** What to do about an SQLite error, by its code: moving a file aside only helps when it is corrupt. */
export function hintFor(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) {
    return (
      '. Another process holds a lock on it (a second sync-webhook, or a sqlite3 shell, using the same file?): ' +
      'stop it, or give each service its own SYNC_DB_PATH.'
    );
  }
  if (/^SQLITE_(READONLY|CANTOPEN|PERM|AUTH)/.test(code)) {
    return (
      '. Check that the file and its folder exist and are writable by this user, ' +
      'on a filesystem mounted read-write.'
    );
  }
  if (/^SQLITE_(NOTADB|CORRUPT)/.test(code)) {
    return (
      '. The file is damaged or not an SQLite database: move it aside and restart; ' + 'a new database will be created.'
    );
  }
  return '.';
}

/** The numbered .sql files of this build, oldest first; the last one's number is the current schema. */
export function migrations(): { version: number; file: string }[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((name) => /^\d+-.*\.sql$/.test(name))
    .sort()
    .map((file) => ({ version: Number.parseInt(file, 10), file }));
}

/**
 * Applies the numbered .sql files above the recorded user_version, each in its own transaction.
 * better-sqlite3 opens connections in SQLite's defensive mode, which forbids editing the schema text;
 * a migration may need that to loosen a CHECK constraint (006), so it is lifted while migrations run.
 */
function migrate(db: Db): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  for (const { version, file } of migrations()) {
    if (version <= current) continue;
    const sql = readFileSync(join(MIGRATIONS_DIR, file), 'utf8');
    db.unsafeMode(true);
    try {
      db.transaction(() => {
        db.exec(sql);
        db.pragma(`user_version = ${version}`);
      })();
    } finally {
      db.unsafeMode(false);
    }
  }
}
