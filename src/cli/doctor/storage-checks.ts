// The service's own files: the job database (SYNC_DB_PATH) and the log folder (SYNC_LOG_PATH).
import type { Config } from '../../config/load.js';
import type { Finding } from '../../core/finding.js';
import { inspectDatabase } from '../../store/inspect-database.js';
import { folderAccess } from '../../system/folder-access.js';

export function checkDatabase(config: Pick<Config, 'dbPath'>, uid: number | undefined): Finding {
  const subject = 'database';
  const path = config.dbPath;
  if (path === ':memory:') {
    return { level: 'note', subject, detail: 'SYNC_DB_PATH is :memory:: every job is lost when the service stops' };
  }
  const found = inspectDatabase(path);
  switch (found.state) {
    case 'missing':
      return found.folder.writable
        ? { level: 'note', subject, detail: `${path} does not exist yet: the service creates it at its first start` }
        : {
            level: 'problem',
            subject,
            detail: `${path} does not exist, and ${found.folder.existing} is not writable for ${who(uid)}`,
            fix: `give ${who(uid)} write access to ${found.folder.existing}, or set SYNC_DB_PATH to a writable place`,
          };
    case 'unusable':
      return { level: 'problem', subject, detail: found.problem, fix: `check SYNC_DB_PATH (${path})` };
    case 'usable': {
      const { schemaVersion: v, currentVersion: current } = found;
      if (v > current) {
        return {
          level: 'problem',
          subject,
          detail: `${path} has schema ${v}, newer than this build knows (${current}): a newer sync-webhook wrote it`,
          fix: 'run that newer version of sync-webhook, or restore a backup of the database',
        };
      }
      const schema =
        v === current ? `schema ${v} (current)` : `schema ${v}; the service updates it to ${current} at start`;
      return { level: 'ok', subject, detail: `${path}: opens, ${schema}, writable` };
    }
  }
}

export function checkLogFolder(config: Pick<Config, 'log'>, uid: number | undefined): Finding {
  const subject = 'logs';
  const folder = config.log.path;
  const access = folderAccess(folder);
  if (access.writable) {
    return access.exists
      ? { level: 'ok', subject, detail: `${folder}: writable` }
      : { level: 'note', subject, detail: `${folder} does not exist yet: the service creates it at its first start` };
  }
  return {
    level: 'problem',
    subject,
    detail: `${access.exists ? folder : access.existing} is not writable for ${who(uid)}`,
    fix: `give ${who(uid)} write access to ${access.existing}, or set SYNC_LOG_PATH to a writable folder`,
  };
}

function who(uid: number | undefined): string {
  return uid === undefined ? 'this user' : `uid ${uid}`;
}
