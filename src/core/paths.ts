// Path containment for every layer (path translation, a job's roots, mount points). Pure; imports nothing.

/**
 * Whether `path` is `root` or lies below it, by name only: callers pass absolute paths without "." or
 * ".." segments. A trailing slash on either side is ignored, and `/moviesX` is not inside `/movies`.
 */
export function isInside(path: string, root: string): boolean {
  const trimmedRoot = root.replace(/\/+$/, '');
  const trimmedPath = path.replace(/\/+$/, '');
  return trimmedPath === trimmedRoot || trimmedPath.startsWith(`${trimmedRoot}/`);
}
