// The trash folders of SYNC_MIRROR=trash keep what mirroring moved aside for SYNC_TRASH_DAYS days, one
// folder per local day at the top of each destination root; this removes the days that have expired.
// A plain function that a test calls with its own clock; the service runs it at start and daily.

import { daysBefore, dayOf } from '../core/day.js';
import { coerceError } from '../core/errors.js';
import type { Clock, Mapping } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { DestinationFiles } from './destination-files.js';
import type { MountMonitor } from './monitor.js';

/** When the service cleans the trash every day, in TZ: at night, away from the daily summary at 00:05. */
export const TRASH_CLEAN_UP_CRON = '30 4 * * *';

export interface TrashCleanUpDeps {
  destination: Pick<DestinationFiles, 'cleanTrash'>;
  mappings: readonly Mapping[];
  /** A root the background check knows to be down is left for the next day. */
  monitor: Pick<MountMonitor, 'problemOf'>;
  trashDays: number;
  timeZone: string;
  clock: Clock;
  log: Logger;
}

/**
 * Removes, at every destination root, the trash's day folders older than SYNC_TRASH_DAYS: a file moved
 * there on day D goes on day D + SYNC_TRASH_DAYS. Resolves with the folders removed; a root that cannot
 * be cleaned is logged and tried again the next day.
 */
export async function cleanUpTrash(deps: TrashCleanUpDeps): Promise<string[]> {
  const lastDay = daysBefore(dayOf(deps.clock.now(), deps.timeZone), deps.trashDays);
  const removed: string[] = [];
  for (const root of new Set(deps.mappings.map((m) => m.destination.path))) {
    const problem = deps.monitor.problemOf(root);
    if (problem) {
      deps.log.info(`Trash clean-up of ${root} skipped: ${problem}`);
      continue;
    }
    try {
      const folders = await deps.destination.cleanTrash(root, lastDay);
      for (const folder of folders) {
        deps.log.info(`Trash clean-up: removed ${folder} (older than SYNC_TRASH_DAYS=${deps.trashDays} days)`);
      }
      removed.push(...folders);
    } catch (error) {
      deps.log.warn(`Trash clean-up of ${root} failed: ${coerceError(error).message}; it is tried again tomorrow`);
    }
  }
  return removed;
}
