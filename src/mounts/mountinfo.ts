import { posix } from 'node:path';
import { isInside } from '../core/paths.js';

/** One line of /proc/self/mountinfo (proc(5)). */
export interface MountEntry {
  mountPoint: string;
  fstype: string;
  /** Device or share, e.g. "nas:/volume1/media" or "/dev/sda1". */
  source: string;
  mountId: number;
  parentId: number;
  majorMinor: string;
  /** Folder of the mounted filesystem shown here: not "/" for a bind mount of a subfolder. */
  root: string;
}

/**
 * Format: `36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue`.
 * The optional fields before "-" vary in number, so the fields after it are found through the separator.
 */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator === -1 || fields.length < separator + 3) continue;
    const [mountId, parentId, majorMinor, root, mountPoint] = fields;
    const fstype = fields[separator + 1];
    const source = fields[separator + 2];
    if (!mountId || !parentId || !majorMinor || !root || !mountPoint || !fstype || source === undefined) continue;
    entries.push({
      mountId: Number(mountId),
      parentId: Number(parentId),
      majorMinor,
      root: unescapeOctal(root),
      mountPoint: unescapeOctal(mountPoint),
      fstype: unescapeOctal(fstype),
      source: unescapeOctal(source),
    });
  }
  return entries;
}

/** The kernel writes space, tab, newline and backslash as \040 \011 \012 \134. */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * The mount a path lives on: the longest mount point that is the path or one of its parent folders.
 * Among mounts on the same point the last listed wins, since it hides the ones mounted before it.
 */
export function findMountFor(path: string, entries: readonly MountEntry[]): MountEntry | undefined {
  const target = trimSlashes(posix.normalize(path));
  let best: MountEntry | undefined;
  for (const entry of entries) {
    const point = trimSlashes(entry.mountPoint);
    const contains = isInside(target, entry.mountPoint);
    if (contains && (!best || point.length >= trimSlashes(best.mountPoint).length)) best = entry;
  }
  return best;
}

/** The mount that holds "/": overlay in Docker, the root disk on a host. */
export function rootFilesystem(entries: readonly MountEntry[]): MountEntry | undefined {
  return findMountFor('/', entries);
}

/**
 * A path is mounted when it lives on something other than the root filesystem. In Docker a folder
 * bind-mounted from the host is its own entry even though the host folder is "just a folder".
 */
export function isMounted(path: string, entries: readonly MountEntry[]): boolean {
  const mount = findMountFor(path, entries);
  const root = rootFilesystem(entries);
  return mount !== undefined && mount.mountId !== root?.mountId;
}

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, '');
}
