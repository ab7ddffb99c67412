// A look at the job database for `sync-webhook doctor`: it opens, its schema is one this build knows,
// and it takes a write. Nothing is changed: no migration, no setting, no file created (the write is
// rolled back). Safe beside a running service: WAL lets it read, and it waits for the write lock as
// long as the service's own connection would.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { coerceError } from '../core/errors.js';
import { type FolderAccess, folderAccess } from '../system/folder-access.js';
import { hintFor, migrations } from './database.js';

export type DatabaseInspection =
  /** Not created yet: the service creates it (and its folder) at the first start, if `folder` lets it. */
  | { state: 'missing'; folder: FolderAccess }
  | { state: 'usable'; schemaVersion: number; currentVersion: number }
  | { state: 'unusable'; problem: string };

export function inspectDatabase(path: string): DatabaseInspection {
  if (!existsSync(path)) {
    return { state: 'missing', folder: folderAccess(dirname(path)) };
  }
  const currentVersion = migrations().at(-1)?.version ?? 0;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true, timeout: 5000 });
    // Fails at once on a file that is not a database, as the service's own open does.
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    const schemaVersion = Number(db.pragma('user_version', { simple: true }));
    // A real write, rolled back: a file the OS protects is opened read-only without an error.
    db.exec('BEGIN IMMEDIATE');
    try {
      db.pragma(`user_version = ${schemaVersion}`);
    } finally {
      db.exec('ROLLBACK');
    }
    return { state: 'usable', schemaVersion, currentVersion };
  } catch (error) {
    return { state: 'unusable', problem: `${coerceError(error).message}${hintFor(error)}` };
  } finally {
    db?.close();
  }
}
