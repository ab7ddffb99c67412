// The paths of a mirroring job (an upgrade's replaced files, a rename, a delete): where each file the
// event names is at the source and at the destination, which side files go with it, which folders may
// be left empty, and which folders the media servers rescan. Pure.

import { posix } from 'node:path';
import { PermanentError } from '../core/errors.js';
import type { ScanRequest } from '../core/notify-event.js';
import { isInside } from '../core/paths.js';
import type { Job, Mapping, MirroredFile, MirrorPlan } from '../core/types.js';
import { translatePath } from '../paths/translate.js';

/** A file of a mirroring job: where it is at the source and at the destination. */
export interface JobFile {
  source: string;
  dest: string;
}

/**
 * Where a container path of the job's plan is, translated again with today's mappings: it must still
 * translate safely into the job's own mapping and lie inside the event's folder (as it did when the
 * webhook was taken in), or the job cannot run.
 */
export function locate(
  path: string,
  plan: MirrorPlan,
  job: Pick<Job, 'mapping'>,
  mappings: readonly Mapping[],
): JobFile {
  const t = translatePath(path, mappings);
  if (t.kind !== 'ok' || t.mapping.container !== job.mapping || !isInside(path, plan.folder)) {
    const why = t.kind === 'ok' ? `not inside ${plan.folder} of mapping ${job.mapping}` : t.problem;
    throw new PermanentError(`${plan.event} names ${path}: ${why}; the job cannot run`, { reason: 'mapping_changed' });
  }
  return { source: t.sourcePath, dest: t.destPath };
}

/** The source path of a destination path below the mapping's destination root. */
export function sourceOf(dest: string, mapping: Mapping): string {
  const root = mapping.destination.path.replace(/\/+$/, '');
  return `${mapping.source.path.replace(/\/+$/, '')}${dest.slice(root.length)}`;
}

/** Subtitles and metadata that Radarr/Sonarr name after their video file, and move or delete with it. */
const SIDE_FILE = /\.(srt|ass|ssa|sub|idx|vtt|sup|smi|nfo)$/i;

/**
 * The side files of `video` among `folderFiles` (the files of its folder): "Name.nfo", "Name.en.srt",
 * "Name.en.forced.srt" beside "Name.mkv". They follow the same rule as the video: removed only when
 * gone at the source.
 */
export function sideFilesOf(video: string, folderFiles: readonly string[]): string[] {
  const folder = posix.dirname(video);
  const name = posix.basename(video);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  return folderFiles.filter((file) => {
    if (file === video || posix.dirname(file) !== folder) return false;
    const other = posix.basename(file);
    return other.startsWith(`${stem}.`) && SIDE_FILE.test(other);
  });
}

/** Folders in the order an empty-folder clean-up must try them: the deepest first. */
export function deepestFirst(folders: Iterable<string>): string[] {
  const depth = (path: string) => path.split('/').length;
  return [...new Set(folders)].sort((a, b) => depth(b) - depth(a) || a.localeCompare(b));
}

/** The files that left their place at the destination: deleted, moved to the trash, or renamed. */
export function changedFiles(files: readonly MirroredFile[]): MirroredFile[] {
  return files.filter((f) => f.action === 'deleted' || f.action === 'trashed' || f.action === 'renamed');
}

/**
 * What each media server rescans after a mirroring job changed files, so its library forgets the old
 * ones: the movie folder, or each season folder a changed episode file was in (and, for a rename, the
 * one it moved into). None when nothing changed.
 */
export function mirrorScans(job: Pick<Job, 'mapping' | 'mediaType'>, itemDest: string, files: readonly MirroredFile[]) {
  const changed = changedFiles(files);
  if (changed.length === 0) return [];
  const scan = (path: string, change: ScanRequest['change']): ScanRequest => ({
    mapping: job.mapping,
    path,
    mediaType: job.mediaType,
    change,
  });
  if (job.mediaType === 'movie')
    return [scan(itemDest, changed.every((f) => f.action === 'renamed') ? 'modified' : 'deleted')];
  // An episode's scan names a file; the server rescans its folder. One per folder.
  const byFolder = new Map<string, ScanRequest>();
  for (const file of changed) {
    const from = posix.dirname(file.path);
    if (file.action === 'renamed' && file.to !== undefined) {
      const to = posix.dirname(file.to);
      if (!byFolder.has(to)) byFolder.set(to, scan(file.to, 'modified'));
      if (from !== to && !byFolder.has(from)) byFolder.set(from, scan(file.path, 'deleted'));
    } else if (!byFolder.has(from)) {
      byFolder.set(from, scan(file.path, 'deleted'));
    }
  }
  return [...byFolder.values()];
}
