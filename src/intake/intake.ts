import { isInside } from '../core/paths.js';
import type {
  Clock,
  Mapping,
  MirrorMode,
  MirrorPlan,
  NewJob,
  SourceResult,
  SyncRequest,
  WebhookSource,
} from '../core/types.js';
import type { Logger } from '../log/logger.js';
import { translatePath } from '../paths/translate.js';
import type { EnqueueResult, JobStore } from '../store/jobs.js';
import type { WalSync } from '../store/wal-sync.js';

export type IntakeResult =
  | { kind: 'queued'; ids: number[] }
  | { kind: 'duplicate'; ids: number[] }
  | { kind: 'test' }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; problem: string; field?: string }
  | { kind: 'refused'; problem: string };

export interface IntakeDeps {
  jobs: Pick<JobStore, 'enqueueGroups'>;
  walSync: Pick<WalSync, 'commitThenSync'>;
  mappings: readonly Mapping[];
  /** SYNC_MIRROR: off ignores renames and deletes, as before mirroring existed. */
  mirror: MirrorMode;
  clock: Clock;
  log: Logger;
  duplicateWindowMs: number;
  /** Called with the number of new rows after each commit, so the runner can start them. */
  onQueued: (created: number) => void;
  /**
   * Manual syncs only (the webhook path stays free of share I/O): why the item can be refused at once
   * (not on a share that answers healthy), or null to queue it (see mounts/missing-source.ts).
   */
  missingManualSource: (sourcePath: string, mapping: Mapping) => Promise<string | null>;
}

/**
 * Turns what a source parsed into committed jobs: translate every path (refusing any that escapes
 * its mapping), then insert all rows in one transaction. Nothing is acknowledged before the commit.
 */
export interface Intake {
  /** Resolves once the jobs are committed (or found to exist); rejects when the database refused them. */
  accept(sender: WebhookSource, parsed: SourceResult): Promise<IntakeResult>;
}

export function createIntake(deps: IntakeDeps): Intake {
  const { log } = deps;
  const commit = groupCommit(deps);
  return {
    async accept(sender, parsed) {
      if (parsed.kind === 'test') {
        log.info(`${label(sender)} webhook received: Test`);
        return { kind: 'test' };
      }
      if (parsed.kind === 'ignored') {
        log.info(`${label(sender)} webhook ignored: ${parsed.reason}`);
        return parsed;
      }
      if (parsed.kind === 'invalid') {
        log.warn(`${label(sender)} request refused: ${parsed.problem}`);
        return parsed;
      }

      const unmirrored = parsed.requests.find((r) => r.mirror && r.mirror.kind !== 'upgrade');
      if (unmirrored?.mirror && deps.mirror === 'off') {
        const reason = `${unmirrored.mirror.event} not mirrored: SYNC_MIRROR is off`;
        log.info(`${label(sender)} webhook ignored: ${reason}`);
        return { kind: 'ignored', reason };
      }

      // One line per file, written once its outcome is known: "Processing: … | File path: … | outcome".
      const jobs: NewJob[] = [];
      const described: string[] = [];
      const unmapped: string[] = [];
      for (const request of parsed.requests) {
        const quality = request.details.quality ? ` - ${request.details.quality}` : '';
        const what = `Processing: ${request.title}${quality} | File path: ${request.filePath}`;
        const translated = translate(request, deps.mappings);
        if (translated.kind === 'unsafe') {
          log.warn(`${what} | ${label(sender)} request refused: ${translated.problem}`);
          return { kind: 'refused', problem: translated.problem };
        }
        if (translated.kind === 'unmapped') {
          if (sender === 'manual') log.warn(`${what} | Manual sync refused: ${translated.problem}`);
          else log.warn(`${what} | not synced: ${translated.problem}; add a mapping to sync it`);
          unmapped.push(translated.problem);
          continue;
        }
        if (sender === 'manual') {
          const missing = await deps.missingManualSource(translated.job.sourcePath, translated.mapping);
          if (missing !== null) {
            const problem = `Path not found: ${request.containerPath}: ${missing}`;
            log.warn(`${what} | Manual sync refused: ${problem}`);
            return { kind: 'refused', problem };
          }
        }
        jobs.push(translated.job);
        described.push(what);
      }

      if (unmapped.length > 0) {
        const problem = unmapped.join('; ');
        if (sender === 'manual') return { kind: 'refused', problem };
        if (jobs.length === 0) return { kind: 'ignored', reason: problem };
      }

      const result = await commit(jobs);
      const anyCreated = result.created.some(Boolean);
      jobs.forEach((job, i) => {
        const id = result.ids[i];
        const kind = job.mirror ? ` (${job.mirror.kind})` : '';
        if (result.created[i])
          log.info(
            { jobId: id },
            `${described[i]} | queued as job ${id}${kind}: ${job.sourcePath} -> ${job.destPath}/`,
          );
        else log.info({ jobId: id }, `${described[i]} | duplicate of job ${id}${kind}, not queued again`);
      });
      return { kind: anyCreated ? 'queued' : 'duplicate', ids: result.ids };
    },
  };
}

/**
 * Group commit: the jobs of every webhook parsed in one turn of the event loop go into one
 * transaction, and the commits of a burst share each fsync, which runs off the event loop while
 * the next requests are parsed. Each caller is answered only once its commit is on disk: nothing
 * is acknowledged before it is durable.
 */
function groupCommit(deps: IntakeDeps): (jobs: NewJob[]) => Promise<EnqueueResult> {
  let pending: { jobs: NewJob[]; resolve: (r: EnqueueResult) => void; reject: (e: unknown) => void }[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    try {
      const { result: results, durable } = deps.walSync.commitThenSync(() =>
        deps.jobs.enqueueGroups(
          batch.map((p) => p.jobs),
          deps.clock.now(),
          deps.duplicateWindowMs,
        ),
      );
      const created = results.reduce((n, r) => n + r.created.filter(Boolean).length, 0);
      durable.then(
        () => {
          for (const [i, p] of batch.entries()) {
            const result = results[i];
            if (result) p.resolve(result);
            else p.reject(new Error('the store returned fewer results than webhooks it was given'));
          }
          // After the answers are on their way: the runner's first steps (the claim, spawning the
          // checks) block the event loop for milliseconds and must not hold them up.
          if (created > 0) setImmediate(() => deps.onQueued(created));
        },
        (error: unknown) => {
          for (const p of batch) p.reject(error);
        },
      );
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  };
  return (jobs) =>
    new Promise((resolve, reject) => {
      pending.push({ jobs, resolve, reject });
      // setImmediate runs after the I/O callbacks of this turn: every request read so far joins the batch.
      if (pending.length === 1) setImmediate(flush);
    });
}

type Translated =
  | { kind: 'ok'; job: NewJob; mapping: Mapping }
  | { kind: 'unmapped'; problem: string }
  | { kind: 'unsafe'; problem: string };

function translate(request: SyncRequest, mappings: readonly Mapping[]): Translated {
  const item = translatePath(request.containerPath, mappings);
  if (item.kind !== 'ok') return item;
  let dedupeKey = item.sourcePath;
  if (request.filePath !== request.containerPath) {
    const file = translatePath(request.filePath, mappings);
    if (file.kind === 'unsafe') return file;
    // The key is the file only when it lies in the item's folder: the catch-up pass finds a folder's jobs
    // among the keys below it (store/jobs.ts, FIND_COVERING).
    if (file.kind === 'ok' && isInside(file.sourcePath, item.sourcePath)) dedupeKey = file.sourcePath;
  }
  const problem = request.mirror ? mirrorPathProblem(request.mirror, item.mapping, mappings) : null;
  if (problem !== null) return { kind: 'unsafe', problem };
  return {
    kind: 'ok',
    mapping: item.mapping,
    job: {
      source: request.source,
      mediaType: request.mediaType,
      title: request.title,
      containerPath: request.containerPath,
      sourcePath: item.sourcePath,
      destPath: item.destDir,
      mapping: item.mapping.container,
      details: request.details,
      isUpgrade: request.isUpgrade,
      waitForStableSize: request.waitForStableSize,
      ...(request.mirror ? { mirror: request.mirror } : {}),
      dedupeKey: dedupeKey,
    },
  };
}

/**
 * Why an upgrade's, a rename's or a delete's paths must not be acted on, or null. Each file may be
 * removed or renamed at the destination: it must translate safely, in the item's mapping, and lie inside
 * the event's movie or series folder (which is not a mapping root). Refused as a whole, so a payload with
 * one bad path removes nothing.
 */
function mirrorPathProblem(plan: MirrorPlan, mapping: Mapping, mappings: readonly Mapping[]): string | null {
  const folder = translatePath(plan.folder, mappings);
  if (folder.kind === 'unsafe') return folder.problem;
  if (folder.kind === 'unmapped' || folder.mapping !== mapping) {
    return `Unsafe path ${JSON.stringify(plan.folder)}: not in the mapping ${mapping.container} of ${plan.event}`;
  }
  for (const path of filesOf(plan)) {
    const file = translatePath(path, mappings);
    if (file.kind === 'unsafe') return file.problem;
    if (
      file.kind === 'unmapped' ||
      file.mapping !== mapping ||
      !isInside(path, plan.folder) ||
      file.relative === folder.relative
    ) {
      const folderName = JSON.stringify(plan.folder);
      return `Unsafe path ${JSON.stringify(path)}: not inside the folder ${folderName} of ${plan.event}`;
    }
  }
  return null;
}

/** Every container path of a plan that names a file. */
function filesOf(plan: MirrorPlan): string[] {
  switch (plan.kind) {
    case 'upgrade':
      return plan.replaced;
    case 'rename':
      return plan.renames.flatMap((r) => (r.from === null ? [r.to] : [r.from, r.to]));
    case 'delete':
      return plan.scope === 'files' ? plan.files : [];
  }
}

function label(sender: WebhookSource): string {
  return sender === 'radarr' ? 'Radarr' : sender === 'sonarr' ? 'Sonarr' : 'Manual';
}
