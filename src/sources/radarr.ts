import { posix } from 'node:path';
import { z } from 'zod';
import type { MediaDetails, SourceResult, SyncRequest } from '../core/types.js';
import {
  compactDetails,
  deletedFilesFlag,
  deleteForUpgrade,
  deleteReason,
  deleteWithoutFiles,
  displayText,
  invalid,
  notHandled,
  optionalPath,
  parseWith,
  qualityName,
  readEvent,
  renamedFiles,
  replacedFiles,
  requiredPath,
  sizeBytes,
} from './common.js';

const movieFields = {
  title: displayText,
  // Year 0 is what Radarr sends for an unknown year.
  year: z.number().int().positive().nullish().catch(undefined),
};

const radarrDownload = z.looseObject({
  movie: z.looseObject({ ...movieFields, folderPath: optionalPath }).nullish(),
  movieFile: z
    .looseObject({
      path: optionalPath,
      quality: qualityName,
      size: sizeBytes,
    })
    .nullish(),
  isUpgrade: z.boolean().nullish().catch(undefined),
  deletedFiles: replacedFiles,
});

// A rename or a delete acts on files of the movie's folder: without the folder there is nothing to check
// the files against.
const movieWithFolder = z.looseObject({ ...movieFields, folderPath: requiredPath });

const radarrRename = z.looseObject({ movie: movieWithFolder, renamedMovieFiles: renamedFiles });

const radarrFileDelete = z.looseObject({
  movie: z.looseObject({ ...movieFields, folderPath: optionalPath }).nullish(),
  movieFile: z.looseObject({ path: requiredPath, quality: qualityName }),
  deleteReason,
});

const radarrMovieDelete = z.looseObject({ movie: movieWithFolder, deletedFiles: deletedFilesFlag });

type Movie = { title?: string | null | undefined; year?: number | null | undefined };

export function parseRadarrWebhook(body: unknown): SourceResult {
  const event = readEvent(body);
  if (event.kind === 'mirror') return parseMirrorEvent(event.eventType, event.body);
  if (event.kind !== 'download') return event;
  const parsed = parseWith(radarrDownload, event.body);
  if (!parsed.ok) return parsed.invalid;
  const { movie, movieFile } = parsed.data;

  const filePath = movieFile?.path ?? undefined;
  // The whole movie folder is synced so subtitles, artwork and .nfo files travel with the film.
  const folder = movie?.folderPath ?? (filePath === undefined ? undefined : posix.dirname(filePath));
  if (folder === undefined) {
    return invalid('movie.folderPath', 'movie.folderPath is missing and there is no movieFile.path');
  }

  const isUpgrade = event.legacyUpgrade || parsed.data.isUpgrade === true;
  const request: SyncRequest = {
    ...movieRequest(movie, folder, filePath ?? folder, { quality: movieFile?.quality, sizeBytes: movieFile?.size }),
    isUpgrade,
  };
  if (isUpgrade) {
    const replaced = (parsed.data.deletedFiles ?? []).map((file) => file.path);
    request.mirror = { kind: 'upgrade', event: 'Download', folder, newFile: filePath ?? folder, replaced };
  }
  return { kind: 'sync', requests: [request] };
}

function parseMirrorEvent(eventType: string, body: Record<string, unknown>): SourceResult {
  switch (eventType) {
    case 'Rename': {
      const parsed = parseWith(radarrRename, body);
      if (!parsed.ok) return parsed.invalid;
      const { movie } = parsed.data;
      const renames = parsed.data.renamedMovieFiles.map((file) => ({ from: file.previousPath ?? null, to: file.path }));
      const [first] = renames;
      if (!first) return { kind: 'ignored', reason: 'Rename without renamedMovieFiles: nothing to mirror' };
      const request = movieRequest(movie, movie.folderPath, first.from ?? first.to);
      request.mirror = { kind: 'rename', event: 'Rename', folder: movie.folderPath, renames };
      return { kind: 'sync', requests: [request] };
    }
    case 'MovieFileDelete': {
      const parsed = parseWith(radarrFileDelete, body);
      if (!parsed.ok) return parsed.invalid;
      if (parsed.data.deleteReason === 'upgrade') return deleteForUpgrade(eventType);
      const { movie, movieFile } = parsed.data;
      const folder = movie?.folderPath ?? posix.dirname(movieFile.path);
      const request = movieRequest(movie, folder, movieFile.path, { quality: movieFile.quality });
      request.mirror = { kind: 'delete', event: eventType, folder, scope: 'files', files: [movieFile.path] };
      return { kind: 'sync', requests: [request] };
    }
    case 'MovieDelete': {
      const parsed = parseWith(radarrMovieDelete, body);
      if (!parsed.ok) return parsed.invalid;
      if (!parsed.data.deletedFiles) return deleteWithoutFiles(eventType);
      const { movie } = parsed.data;
      const request = movieRequest(movie, movie.folderPath, movie.folderPath);
      request.mirror = { kind: 'delete', event: eventType, folder: movie.folderPath, scope: 'folder' };
      return { kind: 'sync', requests: [request] };
    }
    default:
      return notHandled(eventType);
  }
}

/** A movie's request: the folder is what a copy syncs, and what a rename or delete stays inside. */
function movieRequest(
  movie: Movie | null | undefined,
  folder: string,
  filePath: string,
  file: { quality?: string | null | undefined; sizeBytes?: number | null | undefined } = {},
): SyncRequest {
  const title = movie?.title ?? 'Unknown Movie';
  const year = movie?.year ?? undefined;
  const details: MediaDetails = compactDetails({
    title,
    year,
    quality: file.quality ?? undefined,
    sizeBytes: file.sizeBytes ?? undefined,
  });
  return {
    source: 'radarr',
    mediaType: 'movie',
    containerPath: folder,
    filePath,
    title: year === undefined ? title : `${title} (${year})`,
    details,
    isUpgrade: false,
    waitForStableSize: false,
  };
}
