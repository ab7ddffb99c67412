import { posix } from 'node:path';
import { isInPartialFolder, PARTIAL_FOLDER } from '../core/partial-folder.js';
import { isInside } from '../core/paths.js';
import { isInTrashFolder, TRASH_FOLDER } from '../core/trash-folder.js';
import type { Mapping } from '../core/types.js';

export type Translation =
  | { kind: 'ok'; mapping: Mapping; relative: string; sourcePath: string; destDir: string; destPath: string }
  | { kind: 'unmapped'; problem: string }
  | { kind: 'unsafe'; problem: string };

// Linux PATH_MAX, in bytes: anything longer cannot be opened anyway.
const MAX_PATH_BYTES = 4096;
// Problem texts end up in logs and chat messages; a 4 KiB path would drown them.
const MAX_SHOWN_CHARS = 256;
const C0_CONTROL = /[\x00-\x1f]/;

function show(path: string): string {
  return JSON.stringify(path.length > MAX_SHOWN_CHARS ? `${path.slice(0, MAX_SHOWN_CHARS)}…` : path);
}

/** "/a/b/" → "/a/b"; "/" → "" so that prefix + "/" + rest works for the root too. */
function trimSlash(path: string): string {
  return path.replace(/\/+$/, '');
}

/**
 * Why a container path must not reach rsync, or null when it may. The path comes from a webhook body, so
 * anything that could walk out of a share or confuse a log line is refused rather than cleaned up.
 */
export function checkContainerPath(path: string): string | null {
  if (typeof path !== 'string') return `Unsafe path: expected a string, got ${typeof path}`;
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) {
    return `Unsafe path ${show(path)}: longer than ${MAX_PATH_BYTES} bytes`;
  }
  const control = C0_CONTROL.exec(path);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `Unsafe path ${show(path)}: contains control character U+${code}`;
  }
  if (!path.startsWith('/')) return `Unsafe path ${show(path)}: not absolute`;
  if (path.includes('//')) return `Unsafe path ${show(path)}: contains "//"`;
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    return `Unsafe path ${show(path)}: contains a "." or ".." segment`;
  }
  if (trimSlash(path) === '') return `Unsafe path ${show(path)}: names the filesystem root`;
  // What a cut copy left there must never be copied to where Plex would index it.
  if (isInPartialFolder(path)) return `Unsafe path ${show(path)}: lies in a partial folder (${PARTIAL_FOLDER})`;
  // What mirroring moved aside must neither come back to Plex nor be removed by another event.
  if (isInTrashFolder(path)) return `Unsafe path ${show(path)}: lies in the trash folder (${TRASH_FOLDER})`;
  return null;
}

export function translatePath(containerPath: string, mappings: readonly Mapping[]): Translation {
  const problem = checkContainerPath(containerPath);
  if (problem !== null) return { kind: 'unsafe', problem };
  const path = trimSlash(containerPath);

  // Longest prefix wins so /movies-4k is not taken for /movies; the '/' boundary keeps /moviesX out of /movies.
  let best: Mapping | undefined;
  for (const mapping of mappings) {
    const prefix = trimSlash(mapping.container);
    const matches = isInside(path, mapping.container);
    if (matches && (best === undefined || prefix.length > trimSlash(best.container).length)) best = mapping;
  }
  if (best === undefined) {
    const known = mappings.map((m) => m.container).join(', ') || 'none configured';
    return { kind: 'unmapped', problem: `No path mapping for: ${path} (mappings: ${known})` };
  }

  const prefix = trimSlash(best.container);
  if (path === prefix) {
    return {
      kind: 'unsafe',
      problem:
        `Unsafe path ${show(path)}: ` + `names the mapping root ${best.container}; syncing a whole library is refused`,
    };
  }
  const relative = path.slice(prefix.length + 1);
  const sourcePath = posix.join(best.source.path, relative);
  const destDir = posix.join(best.destination.path, posix.dirname(relative));
  const destPath = posix.join(destDir, posix.basename(relative));

  // The checks above should make this impossible; it guards the one invariant rsync safety rests on.
  if (!isInside(sourcePath, best.source.path) || !isInside(destPath, best.destination.path)) {
    return {
      kind: 'unsafe',
      problem: `Unsafe path ${show(path)}: translates outside ${best.source.path} or ${best.destination.path}`,
    };
  }
  return { kind: 'ok', mapping: best, relative, sourcePath, destDir, destPath };
}
