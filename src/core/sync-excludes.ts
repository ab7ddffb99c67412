// The names a sync never touches, in one list: rsync gets each as --exclude, and a catch-up pass
// (reconcile/) neither walks into them nor counts them as missing.
import { PARTIAL_FOLDER } from './partial-folder.js';
import { TRASH_FOLDER } from './trash-folder.js';

/**
 * rsync --exclude patterns: a name, or a `*` wildcard, matched against a file's or folder's own name;
 * a trailing `/` matches folders only.
 */
export const SYNC_EXCLUDES: readonly string[] = Object.freeze([
  // Synology's recycle bin and thumbnail folders, macOS's folder metadata.
  '#recycle',
  '@eaDir',
  '.DS_Store',
  // Radarr's leftovers of interrupted imports.
  '*.partial~',
  // Our partial folder (rsync --partial-dir): rsync adds that rule itself for a relative --partial-dir,
  // but only after ours, and a source share that is itself some copy's destination may hold one.
  `${PARTIAL_FOLDER}/`,
  // What mirroring moved into the trash (SYNC_MIRROR=trash) must never come back.
  `${TRASH_FOLDER}/`,
]);
