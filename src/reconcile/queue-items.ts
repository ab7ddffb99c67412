import { posix } from 'node:path';
import type { ReconcileItem } from '../core/reconcile.js';
import type { Clock, Mapping, NewJob } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import { translatePath } from '../paths/translate.js';
import type { JobStore } from '../store/jobs.js';
import type { WalSync } from '../store/wal-sync.js';

export interface QueueItemsDeps {
  jobs: Pick<JobStore, 'enqueueGroups'>;
  walSync: Pick<WalSync, 'commitThenSync'>;
  mappings: readonly Mapping[];
  clock: Clock;
  log: Logger;
  duplicateWindowMs: number;
  /** Called with the number of new rows after each commit, so the runner can start them. */
  onQueued: (created: number) => void;
}

/**
 * Jobs per transaction: a pass after a long outage may find thousands of items, and one insert
 * holds the event loop; webhooks are answered between two of these.
 */
const ITEMS_PER_COMMIT = 200;

/**
 * Queues one job per item (source "reconcile"), each folded into a job that already copies it (see
 * CoveringJobs), and returns the items with their job. An item whose path no mapping holds any more
 * (the configuration changed since the pass) stays without a job.
 */
export async function queueItems(
  items: readonly ReconcileItem[],
  lookedAt: Date,
  deps: QueueItemsDeps,
): Promise<ReconcileItem[]> {
  const out: ReconcileItem[] = [];
  for (let start = 0; start < items.length; start += ITEMS_PER_COMMIT) {
    const chunk = items.slice(start, start + ITEMS_PER_COMMIT);
    const jobs: NewJob[] = [];
    const queued: ReconcileItem[] = [];
    for (const item of chunk) {
      const job = jobFor(item, lookedAt, deps.mappings);
      if (typeof job === 'string') {
        deps.log.warn(`Catch-up item ${item.containerPath} not queued: ${job}`);
        out.push(item);
        continue;
      }
      jobs.push(job);
      queued.push(item);
    }
    if (jobs.length === 0) continue;
    const { result, durable } = deps.walSync.commitThenSync(() =>
      deps.jobs.enqueueGroups([jobs], deps.clock.now(), deps.duplicateWindowMs),
    );
    await durable;
    const [enqueued] = result;
    if (!enqueued) throw new Error('the store returned no result for the catch-up jobs');
    queued.forEach((item, i) => {
      const jobId = enqueued.ids[i];
      out.push(jobId === undefined ? item : { ...item, jobId, folded: !enqueued.created[i] });
    });
    const created = enqueued.created.filter(Boolean).length;
    if (created > 0) deps.onQueued(created);
    // Lets the webhooks that arrived meanwhile in before the next chunk.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

/** The job for an item, or why there is none. */
function jobFor(item: ReconcileItem, lookedAt: Date, mappings: readonly Mapping[]): NewJob | string {
  const translated = translatePath(item.containerPath, mappings);
  if (translated.kind !== 'ok') return translated.problem;
  if (translated.mapping.container !== item.mapping) {
    return `it now belongs to mapping ${translated.mapping.container}, not ${item.mapping}`;
  }
  const title = posix.basename(item.containerPath);
  return {
    source: 'reconcile',
    mediaType: item.mediaType,
    title,
    containerPath: item.containerPath,
    sourcePath: translated.sourcePath,
    destPath: translated.destDir,
    mapping: item.mapping,
    details: { title, sizeBytes: item.bytes },
    // A file of another size at the destination is replaced, which --ignore-existing would prevent.
    isUpgrade: item.why === 'size_differs',
    // The pass already left alone anything that changed within the settle time.
    waitForStableSize: false,
    dedupeKey: translated.sourcePath,
    coveredBy: { sourcePaths: foldersFrom(translated.sourcePath, translated.mapping.source.path), lookedAt },
  };
}

/** `path` and every folder above it, up to (not including) `root`. */
function foldersFrom(path: string, root: string): string[] {
  const out: string[] = [];
  for (let p = path; p.length > root.length && p !== '/'; p = posix.dirname(p)) out.push(p);
  return out;
}
