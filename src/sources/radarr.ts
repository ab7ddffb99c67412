import { posix } from 'node:path';
import { z } from 'zod';
import type { SourceResult, SyncRequest } from '../core/types.js';
import {
  compactDetails,
  displayText,
  invalid,
  optionalPath,
  parseWith,
  qualityName,
  readEvent,
  sizeBytes,
} from './common.js';

const radarrDownload = z.looseObject({
  movie: z
    .looseObject({
      title: displayText,
      // Year 0 is what Radarr sends for an unknown year.
      year: z.number().int().positive().nullish().catch(undefined),
      folderPath: optionalPath,
    })
    .nullish(),
  movieFile: z
    .looseObject({
      path: optionalPath,
      quality: qualityName,
      size: sizeBytes,
    })
    .nullish(),
  isUpgrade: z.boolean().nullish().catch(undefined),
});

export function parseRadarrWebhook(body: unknown): SourceResult {
  const event = readEvent(body);
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

  const title = movie?.title ?? 'Unknown Movie';
  const year = movie?.year ?? undefined;
  const request: SyncRequest = {
    source: 'radarr',
    mediaType: 'movie',
    containerPath: folder,
    filePath: filePath ?? folder,
    title: year === undefined ? title : `${title} (${year})`,
    details: compactDetails({
      title,
      year,
      quality: movieFile?.quality ?? undefined,
      sizeBytes: movieFile?.size ?? undefined,
    }),
    isUpgrade: event.legacyUpgrade || parsed.data.isUpgrade === true,
    waitForStableSize: false,
  };
  return { kind: 'sync', requests: [request] };
}
