import { findMountFor, parseMountinfo } from './mountinfo.js';

export interface RootHealthCacheOptions {
  /** How long a full probe of a root (anchor, readable, writable: a child process each) is reused. */
  freshMs: number;
  /** The mount table, read in-process: procfs answers from memory and cannot hang on a dead share. */
  readMountinfo: () => string;
  now: () => number;
}

/**
 * Remembers which roots a full probe found healthy, and under which mount. A burst of jobs then
 * pays one probe per root every `freshMs`, while the cheap part of the check, that the root still
 * sits on the same mount, is repeated before every rsync: a share unmounted since the probe is
 * caught at once, and its mount point is never written to.
 */
export class RootHealthCache {
  private readonly healthy = new Map<string, { at: number; mountId: number | undefined }>();

  constructor(private readonly o: RootHealthCacheOptions) {}

  markHealthy(path: string): void {
    this.healthy.set(path, { at: this.o.now(), mountId: this.mountIdOf(path) });
  }

  forget(path: string): void {
    this.healthy.delete(path);
  }

  /** True when a full probe passed within freshMs and the root is still on the mount it was then. */
  stillHealthy(path: string): boolean {
    const entry = this.healthy.get(path);
    if (!entry || this.o.now() - entry.at > this.o.freshMs) return false;
    if (this.mountIdOf(path) === entry.mountId) return true;
    this.healthy.delete(path);
    return false;
  }

  private mountIdOf(path: string): number | undefined {
    try {
      return findMountFor(path, parseMountinfo(this.o.readMountinfo()))?.mountId;
    } catch {
      return undefined;
    }
  }
}
