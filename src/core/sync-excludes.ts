// The names a sync never touches, in one list: rsync gets each as --exclude, and a catch-up pass
// (reconcile/) neither walks into them nor counts them as missing. rsync's own folder for resumable
// partial files belongs here too, so that a pass never mistakes it for media.

/** rsync --exclude patterns: a name, or a `*` wildcard matched against a file's or folder's own name. */
export const SYNC_EXCLUDES: readonly string[] = Object.freeze([
  // Synology's recycle bin and thumbnail folders, macOS's folder metadata.
  '#recycle',
  '@eaDir',
  '.DS_Store',
  // Radarr's leftovers of interrupted imports.
  '*.partial~',
]);
