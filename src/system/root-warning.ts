/**
 * The start's warning when the service runs as root (uid 0), or undefined. As root, rsync would leave
 * root-owned files on the destination that the media server's own user may not read or replace.
 */
export function rootWarning(uid: number | undefined): string | undefined {
  if (uid !== 0) return undefined;
  return (
    'Running as root. In the image, set PUID/PGID (default 1000:1000) to a user that can read the source ' +
    'and write the destination; outside it, run as such an unprivileged user.'
  );
}
