// Which folder a media server is asked to scan, and how that folder reads on the server: each server may
// mount the destination share under another path (`path_map`, and Plex's per-mapping `plex_path`).
// Pure.

import type { ScanRequest } from '../core/notify-event.js';
import { isInside } from '../core/paths.js';

/** `from` (a folder as this service sees it) is `to` on the media server. */
export interface PathMapEntry {
  from: string;
  to: string;
}

/**
 * The folder to scan for a change: a movie folder as copied, the season folder of an episode file (a
 * server rescans folders, and a new episode's folder may itself be new).
 */
export function scanFolder(request: Pick<ScanRequest, 'path' | 'mediaType'>): string {
  const path = trimSlashes(request.path);
  if (request.mediaType === 'movie') return path;
  const cut = path.lastIndexOf('/');
  return cut > 0 ? path.slice(0, cut) : '/';
}

/**
 * `path` as the server sees it: the entry with the longest `from` containing it (on a folder boundary)
 * replaces that prefix with its `to`; the first of two equal `from`s wins; without a match, `path`
 * itself. A `to` written with backslashes only (a Windows server, `D:\Media`) gets the rest of the
 * path with backslashes too.
 */
export function mapPath(path: string, entries: readonly PathMapEntry[]): string {
  let best: PathMapEntry | undefined;
  for (const entry of entries) {
    if (!isInside(path, entry.from)) continue;
    if (!best || trimSlashes(entry.from).length > trimSlashes(best.from).length) best = entry;
  }
  if (!best) return path;
  const rest = trimSlashes(path).slice(trimSlashes(best.from).length);
  if (best.to.includes('\\') && !best.to.includes('/')) {
    return best.to.replace(/\\+$/, '') + rest.replaceAll('/', '\\');
  }
  return trimSlashes(best.to) + rest || '/';
}

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, '');
}
