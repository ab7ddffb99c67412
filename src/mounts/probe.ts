import { readFile } from 'node:fs/promises';
import type { MountCheck } from '../core/types.js';
import { createRootCheck, type ProbeResult } from './root-check.js';
import { createShareScriptRunner } from './share-script.js';
import { createSourceInspection, type SourceInspection } from './source-inspection.js';
import { createSourcePresence, type SourcePresence } from './source-presence.js';

export type { ProbeResult } from './root-check.js';
export type { SourceInspection } from './source-inspection.js';
export type { Presence, SourcePresence } from './source-presence.js';

export interface MountProbe {
  /**
   * Root of a mapping side: exists, is a real mount (when required), right fstype, anchor present,
   * source readable and non-empty / destination writable.
   */
  checkRoot(check: MountCheck, role: 'source' | 'destination'): Promise<ProbeResult>;
  /**
   * The item a job copies: exists; a file, or a directory that is not empty; and, with symlinks
   * resolved, still inside `root` (a link must not make a sync read outside its mapping).
   * Size in bytes (apparent, recursive) for the stable-size check; 0 when `measureSize` is false.
   */
  inspectSource(path: string, root?: string, options?: { measureSize?: boolean }): Promise<SourceInspection>;
  /**
   * Whether each path still exists under the source `root`, before its copy at the destination may be
   * removed: `absent` only when verified under a folder inside the root that could be searched.
   */
  sourcePresence(paths: readonly string[], root: string): Promise<SourcePresence>;
}

export interface MountProbeOptions {
  timeoutMs: number;
  requireMounts: boolean;
  /** Default reads /proc/self/mountinfo. */
  readMountinfo?: () => Promise<string>;
  /**
   * Program that runs the probe scripts like `sh -c SCRIPT probe ARGS...`; default /bin/sh. Tests swap
   * in one that hangs.
   */
  probeCommand?: string;
}

/** Both looks share one runner: a path is probed by one child at a time, whichever look asks. */
export function createMountProbe(o: MountProbeOptions): MountProbe {
  const scripts = createShareScriptRunner({ timeoutMs: o.timeoutMs, shell: o.probeCommand ?? '/bin/sh' });
  return {
    checkRoot: createRootCheck({
      requireMounts: o.requireMounts,
      readMountinfo: o.readMountinfo ?? (() => readFile('/proc/self/mountinfo', 'utf8')),
      scripts,
    }),
    inspectSource: createSourceInspection(scripts),
    sourcePresence: createSourcePresence(scripts),
  };
}
