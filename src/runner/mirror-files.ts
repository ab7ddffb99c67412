// The steps of a mirroring job at the destination (docs/mirroring.md): remove files gone at the source,
// rename files, remove what a whole-movie or whole-series delete left. Each removal is verified first
// at the healthy source, through the probe's child process with the mount timeout, and each step's
// outcome per file is logged with the event that asked for it.

import { posix } from 'node:path';
import { dayOf } from '../core/day.js';
import { NotReadyError, PermanentError } from '../core/errors.js';
import { isInside } from '../core/paths.js';
import type { Clock, FileRename, Job, Mapping, MirroredFile, MirrorMode, MirrorPlan } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import { type DestinationFiles, DestinationFilesError, type FileOutcome } from '../mounts/destination-files.js';
import type { MountProbe, Presence } from '../mounts/probe.js';
import { deepestFirst, type JobFile, locate, sideFilesOf, sourceOf } from './mirror-paths.js';

export interface MirrorDeps {
  /** SYNC_MIRROR. */
  mode: MirrorMode;
  /** Whether files still exist at the source (the probe's child process, with the mount timeout). */
  presence: Pick<MountProbe, 'sourcePresence'>;
  /** Listing, removal, renames at the destination (child processes with the mount timeout). */
  destination: DestinationFiles;
  /** TZ: the trash folder's day is the local date. */
  timeZone: string;
}

/** One mirroring job's step: its job, mapping, the event that asked, and how to tell. */
export interface MirrorContext {
  job: Job;
  plan: MirrorPlan;
  mapping: Mapping;
  mappings: readonly Mapping[];
  deps: MirrorDeps;
  clock: Clock;
  log: Logger;
  /** How long a job waits for a share that did not answer. */
  recheckMs: number;
}

/** "Radarr MovieFileDelete", "Sonarr Download (upgrade)": the event named in every removal's log line. */
export function askedBy(job: Pick<Job, 'source'>, plan: MirrorPlan): string {
  const app = job.source === 'radarr' ? 'Radarr' : job.source === 'sonarr' ? 'Sonarr' : 'Manual';
  return `${app} ${plan.event}${plan.kind === 'upgrade' ? ' (upgrade)' : ''}`;
}

/** Every file of `files` kept where it is, for `reason` (mirroring off, a dry run). */
export function keptAll(files: readonly JobFile[], reason: string): MirroredFile[] {
  return files.map((f) => ({ path: f.dest, action: 'kept', reason }));
}

/**
 * Named files (an upgrade's replaced files, a delete's files) and their side files (subtitles, .nfo):
 * each one gone at the source is removed at the destination (or moved into the trash). A named file
 * still at the source is kept and reported; a side file still there is its own business.
 */
export async function removeGoneFiles(ctx: MirrorContext, named: readonly JobFile[]): Promise<MirroredFile[]> {
  const root = ctx.mapping.destination.path;
  const folders = [...new Set(named.map((f) => posix.dirname(f.dest)))];
  const listed = (await Promise.all(folders.map((folder) => sideFileListing(ctx, folder)))).flat();
  const namedDests = new Set(named.map((f) => f.dest));
  const sideFiles = named
    .flatMap((f) => sideFilesOf(f.dest, listed))
    .filter((dest, i, all) => !namedDests.has(dest) && all.indexOf(dest) === i)
    .map((dest) => ({ source: sourceOf(dest, ctx.mapping), dest }));
  const candidates = [...named, ...sideFiles];
  const presence = await presenceOf(ctx, candidates);
  const results: MirroredFile[] = [];
  const toRemove: string[] = [];
  for (const file of candidates) {
    const side = !namedDests.has(file.dest);
    const found = presence.get(file.source);
    if (found === 'absent') toRemove.push(file.dest);
    else if (found === 'present') {
      if (!side) results.push(kept(ctx, file.dest, 'still at the source'));
    } else results.push(kept(ctx, file.dest, outsideReason, 'warn'));
  }
  return [...results, ...(await remove(ctx, root, toRemove))];
}

/**
 * A whole movie or series deleted with its files: every file under its folder at the destination that is
 * gone at the source is removed; then each folder left empty, the movie or series folder last.
 */
export async function removeGoneFolder(ctx: MirrorContext, itemDest: string): Promise<MirroredFile[]> {
  const root = ctx.mapping.destination.path;
  const { files, folders } = await listing(ctx, itemDest, 'all');
  const candidates = files.map((dest) => ({ source: sourceOf(dest, ctx.mapping), dest }));
  const presence = await presenceOf(ctx, candidates);
  const results: MirroredFile[] = [];
  const toRemove: string[] = [];
  for (const file of candidates) {
    const found = presence.get(file.source);
    if (found === 'absent') toRemove.push(file.dest);
    else if (found === 'present') results.push(kept(ctx, file.dest, 'still at the source'));
    else results.push(kept(ctx, file.dest, outsideReason, 'warn'));
  }
  results.push(...(await remove(ctx, root, toRemove)));
  await prune(ctx, [...deepestFirst(folders), itemDest]);
  return results;
}

/**
 * Each file renamed at the destination from its previous to its new path, when the previous one is gone
 * at the source, is at the destination, and the new one is not there yet. Anything else is reported and
 * left alone (never copied again). A folder below the movie or series folder left empty goes.
 */
export async function renameFiles(
  ctx: MirrorContext,
  renames: readonly FileRename[],
  itemDest: string,
): Promise<MirroredFile[]> {
  const root = ctx.mapping.destination.path;
  const results: MirroredFile[] = [];
  const pairs: { from: JobFile; to: JobFile }[] = [];
  for (const rename of renames) {
    const to = locate(rename.to, ctx.plan, ctx.job, ctx.mappings);
    if (rename.from === null) results.push(kept(ctx, to.dest, 'the payload names no previous path'));
    else pairs.push({ from: locate(rename.from, ctx.plan, ctx.job, ctx.mappings), to });
  }
  const presence = await presenceOf(
    ctx,
    pairs.map((p) => p.from),
  );
  const emptied: string[] = [];
  for (const { from, to } of pairs) {
    const found = presence.get(from.source);
    if (found === 'present') {
      results.push(kept(ctx, from.dest, 'the previous name still exists at the source'));
      continue;
    }
    if (found !== 'absent') {
      results.push(kept(ctx, from.dest, outsideReason, 'warn'));
      continue;
    }
    const outcome = await destinationStep(ctx, () => ctx.deps.destination.rename(root, from.dest, to.dest));
    results.push(reported(ctx, outcome));
    if (outcome.action === 'renamed') emptied.push(posix.dirname(from.dest));
  }
  await prune(
    ctx,
    deepestFirst(emptied).filter((folder) => folder !== itemDest && isInside(folder, itemDest)),
  );
  return results;
}

const outsideReason = 'its folder at the source leads out of the share through a link';

async function presenceOf(ctx: MirrorContext, files: readonly JobFile[]): Promise<Map<string, Presence>> {
  if (files.length === 0) return new Map();
  const answer = await ctx.deps.presence.sourcePresence(
    files.map((f) => f.source),
    ctx.mapping.source.path,
  );
  if (answer.ok) return answer.of;
  if (answer.timedOut) throw new NotReadyError(`Waiting for the source: ${answer.problem}`, ctx.recheckMs, 'mapping');
  throw new Error(`Cannot tell what is still at the source: ${answer.problem}`);
}

/**
 * The files beside named ones, where side files would be. A folder that a link leads out of the share
 * has none for us: the named files in it are refused one by one, in the job's record.
 */
async function sideFileListing(ctx: MirrorContext, folder: string): Promise<string[]> {
  try {
    return (await listing(ctx, folder, 1)).files;
  } catch (error) {
    // destinationStep's refusal: a link leads the folder out of the share.
    if (error instanceof PermanentError) return [];
    throw error;
  }
}

async function listing(ctx: MirrorContext, folder: string, depth: 'all' | 1) {
  return destinationStep(ctx, () => ctx.deps.destination.list(ctx.mapping.destination.path, folder, depth));
}

async function remove(ctx: MirrorContext, root: string, files: readonly string[]): Promise<MirroredFile[]> {
  if (files.length === 0) return [];
  const trashDay = ctx.deps.mode === 'trash' ? dayOf(ctx.clock.now(), ctx.deps.timeZone) : null;
  const outcomes = await destinationStep(ctx, () => ctx.deps.destination.remove(root, files, trashDay));
  return outcomes.map((outcome) => reported(ctx, outcome));
}

async function prune(ctx: MirrorContext, folders: readonly string[]): Promise<void> {
  const root = ctx.mapping.destination.path;
  const removed = await destinationStep(ctx, () => ctx.deps.destination.prune(root, folders));
  for (const folder of removed) {
    ctx.log.info(
      `Mirror: removed the empty folder ${folder} (asked by ${askedBy(ctx.job, ctx.plan)}: ${ctx.job.title})`,
    );
  }
}

/** A step at the destination that stopped: what it did first travels with the error, for the job's record. */
export class MirrorStepError extends Error {
  override name = 'MirrorStepError';
  constructor(
    message: string,
    readonly done: MirroredFile[],
  ) {
    super(message);
  }
}

/**
 * A share that did not answer makes the job wait; a refusal cannot heal; anything else is retried. What
 * the step did before it stopped is logged all the same.
 */
async function destinationStep<T>(ctx: MirrorContext, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!(error instanceof DestinationFilesError)) throw error;
    const done = error.done.map((outcome) => reported(ctx, outcome));
    if (error.kind === 'timeout') {
      throw new NotReadyError(`Waiting for the destination: ${error.message}`, ctx.recheckMs, 'mapping');
    }
    if (error.kind === 'refused') throw new PermanentError(error.message, { reason: 'link_outside_root' });
    throw new MirrorStepError(error.message, done);
  }
}

/** The job's record of one file, and its log line naming the file and the event that asked. */
function reported(ctx: MirrorContext, outcome: FileOutcome): MirroredFile {
  const asked = `(asked by ${askedBy(ctx.job, ctx.plan)}: ${ctx.job.title})`;
  switch (outcome.action) {
    case 'deleted':
      ctx.log.info(`Mirror: deleted ${outcome.path} ${asked}`);
      return { path: outcome.path, action: 'deleted' };
    case 'trashed':
      ctx.log.info(`Mirror: moved ${outcome.path} to the trash: ${outcome.to} ${asked}`);
      return { path: outcome.path, action: 'trashed', to: outcome.to };
    case 'renamed':
      ctx.log.info(`Mirror: renamed ${outcome.path} to ${outcome.to} ${asked}`);
      return { path: outcome.path, action: 'renamed', to: outcome.to };
    case 'absent':
      ctx.log.info(`Mirror: ${outcome.path} is not at the destination, nothing to do ${asked}`);
      return { path: outcome.path, action: 'absent' };
    case 'kept':
      // The destination refused it: a link, not a regular file, a folder leading out of the share.
      return kept(ctx, outcome.path, outcome.reason, 'warn');
  }
}

function kept(ctx: MirrorContext, path: string, reason: string, level: 'info' | 'warn' = 'info'): MirroredFile {
  ctx.log[level](`Mirror: kept ${path}: ${reason} (asked by ${askedBy(ctx.job, ctx.plan)}: ${ctx.job.title})`);
  return { path, action: 'kept', reason };
}
