import type { Mapping } from '../core/types.js';
import type { MountMonitor } from './monitor.js';
import type { MountProbe } from './probe.js';

/**
 * Why a manual sync's item can be refused at once (it is not on a share that answers healthy), or
 * null when it may be queued: the item is there, or its share is down, slow or not yet checked, in
 * which case the job waits for the share as any other does.
 */
export type MissingSourceCheck = (sourcePath: string, mapping: Mapping) => Promise<string | null>;

export interface MissingSourceCheckDeps {
  /** Both looks run in child processes with the mount timeout, like every look at a share. */
  probe: Pick<MountProbe, 'checkRoot' | 'inspectSource'>;
  /** A root the background check found down is not probed again: the job queues without waiting. */
  monitor: Pick<MountMonitor, 'problemOf'>;
}

export function createMissingSourceCheck(deps: MissingSourceCheckDeps): MissingSourceCheck {
  return async (sourcePath, mapping) => {
    const root = mapping.source;
    if (deps.monitor.problemOf(root.path) !== null) return null;
    // The root first: a share whose probe is still hanging answers at once, where a look at the item
    // would start a child that hangs for the whole timeout.
    if (!(await deps.probe.checkRoot(root, 'source')).ok) return null;
    // Without the root, the look skips the link checks: only whether the item exists matters here;
    // the job checks the rest before it copies.
    const item = await deps.probe.inspectSource(sourcePath, undefined, { measureSize: false });
    if (item.ok || !item.missing) return null;
    return `${sourcePath} does not exist, and its share ${root.path} answers`;
  };
}
