// The folder into which SYNC_MIRROR=trash moves what an upgrade or a delete removes at the destination,
// one dated subfolder per day, until SYNC_TRASH_DAYS have passed. Its one name lives here for every part
// that walks a destination: copies exclude it, a webhook path inside it is refused, a mirroring job
// never lists or removes anything in it. Pure; imports nothing.

/**
 * At the top of each mapping's destination root: a move there stays on the destination's filesystem (a
 * rename, not a copy) and inside the mapping. The leading dot hides it from Plex's and Jellyfin's scanners.
 */
export const TRASH_FOLDER = '.sync-webhook-trash';

/** Whether `path` (absolute or relative) lies inside a trash folder, or names one. */
export function isInTrashFolder(path: string): boolean {
  return path.split('/').includes(TRASH_FOLDER);
}
