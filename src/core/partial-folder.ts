// The folder in which rsync keeps what a cut copy already wrote, so that the next attempt resumes from
// it (rsync --partial-dir). Its one name lives here for every part that walks a destination: each sync
// excludes it, reconcile skips it, a webhook path inside it is refused. Pure; imports nothing.

/**
 * A relative --partial-dir: rsync creates it beside each file it copies (inside the job's destination
 * folder) when a copy is cut, and removes it again once empty. The leading dot hides it from Plex's and
 * Jellyfin's scanners, which skip hidden folders.
 */
export const PARTIAL_FOLDER = '.sync-webhook-partial';

/** Whether `path` (absolute or relative) lies inside a partial folder, or names one. */
export function isInPartialFolder(path: string): boolean {
  return path.split('/').includes(PARTIAL_FOLDER);
}
