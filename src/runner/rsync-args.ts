import { PermanentError } from '../core/errors.js';
import { SYNC_EXCLUDES } from '../core/sync-excludes.js';

export interface RsyncArgsOptions {
  /** File or folder to copy; a folder lands as a folder inside destDir. */
  source: string;
  /** Folder the source is copied into. */
  destDir: string;
  dryRun: boolean;
  /** The import replaced a file: overwrite what the destination has. */
  isUpgrade: boolean;
  /** Create missing parents of destDir (a new series or season folder). */
  createDestDir: boolean;
}

export function buildRsyncArgs(o: RsyncArgsOptions): string[] {
  const source = withoutTrailingSlashes(o.source, 'source');
  const destDir = withoutTrailingSlashes(o.destDir, 'destination folder');
  return [
    '-avh',
    // -h alone would print "1.23M" in --stats; the byte counts must be exact digits.
    '--no-human-readable',
    '--stats',
    // One line for the whole transfer, rewritten in place: read for GET /jobs/<id>, never kept in the output.
    '--info=progress2',
    ...(o.isUpgrade ? [] : ['--ignore-existing']),
    ...SYNC_EXCLUDES.map((pattern) => `--exclude=${pattern}`),
    ...(o.createDestDir ? ['--mkpath'] : []),
    ...(o.dryRun ? ['--dry-run'] : []),
    '--',
    // No trailing slash: rsync would otherwise copy the folder's contents instead of the folder.
    source,
    // One trailing slash: destDir is always a folder to copy into, never a name to rename to.
    `${destDir}/`,
  ];
}

function withoutTrailingSlashes(path: string, what: string): string {
  const trimmed = path.replace(/\/+$/, '');
  // An empty or relative path would make rsync work on "/" or on the service's working folder.
  if (!trimmed.startsWith('/')) {
    throw new PermanentError(`rsync ${what} must be an absolute path below "/", got ${JSON.stringify(path)}`);
  }
  return trimmed;
}
