import { PermanentError } from '../core/errors.js';
import { PARTIAL_FOLDER } from '../core/partial-folder.js';
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
  /** A cut copy left partial files in the partial folder: rsync resumes from them. */
  resume: boolean;
  /** rsync's --bwlimit in KiB/s; null for none. */
  bandwidthLimitKiB: number | null;
}

/**
 * The largest block rsync allows (protocol 30 and later; one byte more is exit 1). Its default for a
 * 2 GiB file is 46 KiB: on a resume cut at 80%, 128 KiB blocks halved the delta pass's CPU time (most of
 * it is the byte-by-byte search through the missing part), and cost at most one block more to send.
 */
const RESUME_BLOCK_SIZE = 131_072;

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
    // A cut copy moves its temp file into this folder (SIGTERM, the timeout, an I/O error), never under
    // the final name; the next run finds it there. Never with --append/--append-verify (exit 1: refused)
    // nor --inplace (the final name would show a partial file to Plex).
    `--partial-dir=${PARTIAL_FOLDER}`,
    // Local paths imply --whole-file, under which rsync deletes the partial file and copies it all again.
    // The delta pass keeps what matches and writes only the rest, into the partial file itself, but it
    // reads the partial file back: only worth it when there is one.
    ...(o.resume ? ['--no-whole-file', `--block-size=${RESUME_BLOCK_SIZE}`] : ['--whole-file']),
    ...(o.bandwidthLimitKiB === null ? [] : [`--bwlimit=${o.bandwidthLimitKiB}K`]),
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
