import { posix } from 'node:path';
import { z } from 'zod';
import type { SourceResult, SyncRequest } from '../core/types.js';
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

// Season 0 holds the specials, so zero is a real number here.
const episodeNumber = z.number().int().nonnegative().nullish().catch(undefined);

// An upgrade's replaced files must lie in the series folder; a malformed path only narrows that to the
// new file's folder.
const series = z
  .looseObject({ title: displayText, path: optionalPath.catch(undefined) })
  .nullish()
  .catch(undefined);

// A rename or a delete acts on files of the series folder: without it there is nothing to check them against.
const seriesWithPath = z.looseObject({ title: displayText, path: requiredPath });

const episodes = z
  .array(
    z
      .looseObject({ seasonNumber: episodeNumber, episodeNumber, title: displayText })
      // A malformed entry only costs its part of the display title.
      .nullable()
      .catch(null),
  )
  .nullish()
  .catch(undefined);

const episodeFile = z.looseObject({
  path: requiredPath,
  relativePath: z.string().nullish().catch(undefined),
  quality: qualityName,
  size: sizeBytes,
});

const perFileDownload = z.looseObject({
  series,
  episodes,
  episodeFile,
  isUpgrade: z.boolean().nullish().catch(undefined),
  deletedFiles: replacedFiles,
});

const sonarrRename = z.looseObject({ series: seriesWithPath, renamedEpisodeFiles: renamedFiles });

const sonarrFileDelete = z.looseObject({ series, episodes, episodeFile, deleteReason });

const sonarrSeriesDelete = z.looseObject({ series: seriesWithPath, deletedFiles: deletedFilesFlag });

// Import Complete has no isUpgrade: its files were already announced (with the flag) by per-file Downloads.
const importComplete = z.looseObject({
  series,
  episodes,
  episodeFiles: z.array(episodeFile).min(1),
});

type Series = z.output<typeof series>;
type Episode = NonNullable<NonNullable<z.output<typeof episodes>>[number]>;
type EpisodeFile = z.output<typeof episodeFile>;

/** Several episodes in one file: S01E01-E03 is a span, S01E01E03 two single episodes. */
interface EpisodeSpan {
  season: number;
  from: number;
  to: number;
}

export function parseSonarrWebhook(body: unknown): SourceResult {
  const event = readEvent(body);
  if (event.kind === 'mirror') return parseMirrorEvent(event.eventType, event.body);
  if (event.kind !== 'download') return event;

  // Both shapes arrive as eventType "Download"; only the file key tells them apart (fixtures README §5.3).
  if (event.body.episodeFile != null) {
    const parsed = parseWith(perFileDownload, event.body);
    if (!parsed.ok) return parsed.invalid;
    const { data } = parsed;
    const isUpgrade = event.legacyUpgrade || data.isUpgrade === true;
    const request = episodeRequest(data.series, data.episodeFile, presentEpisodes(data.episodes), isUpgrade);
    if (isUpgrade) {
      const newFile = data.episodeFile.path;
      const folder = data.series?.path ?? posix.dirname(newFile);
      const replaced = (data.deletedFiles ?? []).map((file) => file.path);
      request.mirror = { kind: 'upgrade', event: 'Download', folder, newFile, replaced };
    }
    return { kind: 'sync', requests: [request] };
  }

  if (event.body.episodeFiles != null) {
    const parsed = parseWith(importComplete, event.body);
    if (!parsed.ok) return parsed.invalid;
    const { data } = parsed;
    const all = presentEpisodes(data.episodes);
    const requests = data.episodeFiles.map((file) => {
      const spans = episodeSpansIn(file.relativePath || file.path);
      const matched = all.filter((e) => spans.some((span) => covers(span, e)));
      return matched.length > 0
        ? episodeRequest(data.series, file, matched, false)
        : episodeRequest(data.series, file, [], false, spans.map(spanCode).join('-'));
    });
    return { kind: 'sync', requests };
  }

  return invalid('episodeFile.path', 'episodeFile.path is missing (a Download needs episodeFile or episodeFiles)');
}

function parseMirrorEvent(eventType: string, body: Record<string, unknown>): SourceResult {
  switch (eventType) {
    case 'Rename': {
      const parsed = parseWith(sonarrRename, body);
      if (!parsed.ok) return parsed.invalid;
      const { series: show } = parsed.data;
      const renames = parsed.data.renamedEpisodeFiles.map((file) => ({
        from: file.previousPath ?? null,
        to: file.path,
      }));
      const [first] = renames;
      if (!first) return { kind: 'ignored', reason: 'Rename without renamedEpisodeFiles: nothing to mirror' };
      const request = seriesRequest(show, first.from ?? first.to);
      request.mirror = { kind: 'rename', event: 'Rename', folder: show.path, renames };
      return { kind: 'sync', requests: [request] };
    }
    case 'EpisodeFileDelete': {
      const parsed = parseWith(sonarrFileDelete, body);
      if (!parsed.ok) return parsed.invalid;
      if (parsed.data.deleteReason === 'upgrade') return deleteForUpgrade(eventType);
      const { data } = parsed;
      const file = data.episodeFile.path;
      const folder = data.series?.path ?? posix.dirname(file);
      const request = episodeRequest(data.series, data.episodeFile, presentEpisodes(data.episodes), false);
      request.containerPath = folder;
      request.mirror = { kind: 'delete', event: eventType, folder, scope: 'files', files: [file] };
      return { kind: 'sync', requests: [request] };
    }
    case 'SeriesDelete': {
      const parsed = parseWith(sonarrSeriesDelete, body);
      if (!parsed.ok) return parsed.invalid;
      if (!parsed.data.deletedFiles) return deleteWithoutFiles(eventType);
      const { series: show } = parsed.data;
      const request = seriesRequest(show, show.path);
      request.mirror = { kind: 'delete', event: eventType, folder: show.path, scope: 'folder' };
      return { kind: 'sync', requests: [request] };
    }
    default:
      return notHandled(eventType);
  }
}

/** A rename or delete of a whole series: its folder, its title; no episode. */
function seriesRequest(show: { title?: string | null | undefined; path: string }, filePath: string): SyncRequest {
  const title = show.title ?? 'Unknown Series';
  return {
    source: 'sonarr',
    mediaType: 'episode',
    containerPath: show.path,
    filePath,
    title,
    details: { title },
    isUpgrade: false,
    waitForStableSize: false,
  };
}

function presentEpisodes(list: z.output<typeof episodes>): Episode[] {
  return (list ?? []).filter((e): e is Episode => e !== null);
}

function episodeRequest(
  seriesInfo: Series,
  file: EpisodeFile,
  fileEpisodes: readonly Episode[],
  isUpgrade: boolean,
  codeFromName?: string,
): SyncRequest {
  const seriesTitle = seriesInfo?.title ?? 'Unknown Series';
  const codes = fileEpisodes.flatMap((e) =>
    e.seasonNumber == null || e.episodeNumber == null ? [] : [episodeCode(e.seasonNumber, e.episodeNumber)],
  );
  const code = codes.join('-') || codeFromName || undefined;
  const names = fileEpisodes.flatMap((e) => (e.title ? [e.title] : []));
  const more = names.length > 2 ? ` (+${names.length - 2} more)` : '';
  const episodeTitle = names.length > 0 ? names.slice(0, 2).join(' / ') + more : undefined;

  return {
    source: 'sonarr',
    mediaType: 'episode',
    containerPath: file.path,
    filePath: file.path,
    title: `${seriesTitle} - ${code ?? 'Unknown'}${episodeTitle === undefined ? '' : `: ${episodeTitle}`}`,
    details: compactDetails({
      title: seriesTitle,
      episodeCode: code,
      episodeTitle,
      quality: file.quality ?? undefined,
      sizeBytes: file.size ?? undefined,
    }),
    isUpgrade,
    waitForStableSize: false,
  };
}

function episodeCode(season: number, episode: number): string {
  return `S${String(season).padStart(2, '0')}E${String(episode).padStart(2, '0')}`;
}

function spanCode(span: EpisodeSpan): string {
  const first = episodeCode(span.season, span.from);
  return span.from === span.to ? first : `${first}-${episodeCode(span.season, span.to)}`;
}

function covers(span: EpisodeSpan, e: Episode): boolean {
  return (
    e.seasonNumber === span.season &&
    e.episodeNumber != null &&
    e.episodeNumber >= span.from &&
    e.episodeNumber <= span.to
  );
}

// Covers Sonarr's multi-episode styles: S01E01-E02 (scene, prefixed range), S01E01-02 (extend, range),
// S01E01E02 (repeat) and S01E01.S01E02 (duplicate, as two tokens). The lookaheads keep "S01E01-720p" from
// reading as a range up to episode 720.
const EPISODE_TOKEN = /S(\d{1,4})E(\d{1,4})(?!\d)((?:-?E\d{1,4}(?!\d)|-\d{1,4}(?![0-9a-z]))*)/gi;
const TOKEN_TAIL = /(-?)E?(\d+)/gi;

function episodeSpansIn(name: string): EpisodeSpan[] {
  const spans: EpisodeSpan[] = [];
  for (const [, season, first, tail = ''] of name.matchAll(EPISODE_TOKEN)) {
    let last: EpisodeSpan = { season: Number(season), from: Number(first), to: Number(first) };
    spans.push(last);
    for (const [, dash, n] of tail.matchAll(TOKEN_TAIL)) {
      const episode = Number(n);
      if (dash && episode > last.to) {
        last.to = episode;
      } else {
        last = { season: last.season, from: episode, to: episode };
        spans.push(last);
      }
    }
  }
  return spans;
}
