import type { Mapping } from '../core/types.js';
import { findMountFor, parseMountinfo } from './mountinfo.js';

/**
 * Which destination share each mapping writes to: the mount point holding its destination root
 * (mappings such as "Movies" and "TV Shows" on one NFS export share it). Without a mount table
 * entry, the destination root stands for itself.
 */
export function destinationShares(mappings: readonly Mapping[], mountinfo: string): Map<string, string> {
  const entries = parseMountinfo(mountinfo);
  return new Map(
    mappings.map((m) => [m.container, findMountFor(m.destination.path, entries)?.mountPoint ?? m.destination.path]),
  );
}
