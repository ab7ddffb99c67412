// Real Radarr/Sonarr payloads (from test/fixtures/arr/examples) with the paths and titles a test needs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES_DIR } from './repo-paths.js';

/** An example payload from test/fixtures/arr/examples, parsed (a fresh copy each call, free to change). */
export async function readFixture(name: string): Promise<any> {
  return JSON.parse(await readFile(join(FIXTURES_DIR, name), 'utf8'));
}

export interface MovieSpec {
  /** Folder name under /movies. */
  folder: string;
  /** File name inside the folder (the imported file). */
  file: string;
  title?: string;
  year?: number;
  isUpgrade?: boolean;
  quality?: string;
  size?: number;
  /** Container root, default /movies. */
  root?: string;
}

/** A Radarr v6 "Download" (On Import / On Upgrade) for `folder/file`. */
export async function radarrDownload(o: MovieSpec): Promise<any> {
  const body = await readFixture(o.isUpgrade ? 'radarr-download-upgrade.json' : 'radarr-download.json');
  const root = o.root ?? '/movies';
  body.movie.title = o.title ?? o.folder.replace(/ \(\d{4}\).*$/, '');
  body.movie.year = o.year ?? 2024;
  body.movie.folderPath = `${root}/${o.folder}`;
  body.movieFile.relativePath = o.file;
  body.movieFile.path = `${root}/${o.folder}/${o.file}`;
  body.movieFile.quality = o.quality ?? 'Bluray-1080p';
  if (o.size !== undefined) body.movieFile.size = o.size;
  body.isUpgrade = o.isUpgrade ?? false;
  // The file the upgrade replaced lies in the same folder, as Radarr sends it (another folder is refused).
  if (o.isUpgrade) body.deletedFiles = [replaced(body.deletedFiles[0], `${root}/${o.folder}`, `old ${o.file}`)];
  return body;
}

/** A `deletedFiles` entry of the fixture, moved to `base/relativePath`. */
function replaced(entry: any, base: string, relativePath: string): any {
  return { ...entry, relativePath, path: `${base}/${relativePath}` };
}

export interface EpisodeSpec {
  /** Series folder name under /tv. */
  seriesFolder: string;
  seriesTitle?: string;
  season: number;
  episode: number;
  episodeTitle?: string;
  /** File name inside "Season NN". */
  file: string;
  isUpgrade?: boolean;
  size?: number;
}

/** A Sonarr v4 per-file "Download" for `seriesFolder/Season NN/file`. */
export async function sonarrDownload(o: EpisodeSpec): Promise<any> {
  const body = await readFixture(o.isUpgrade ? 'sonarr-download-upgrade.json' : 'sonarr-download.json');
  const seasonDir = `Season ${String(o.season).padStart(2, '0')}`;
  body.series.title = o.seriesTitle ?? o.seriesFolder.replace(/ \(\d{4}\).*$/, '');
  body.series.path = `/tv/${o.seriesFolder}`;
  body.episodes = [
    { ...body.episodes[0], seasonNumber: o.season, episodeNumber: o.episode, title: o.episodeTitle ?? 'Pilot' },
  ];
  body.episodeFile.relativePath = `${seasonDir}/${o.file}`;
  body.episodeFile.path = `/tv/${o.seriesFolder}/${seasonDir}/${o.file}`;
  if (o.size !== undefined) body.episodeFile.size = o.size;
  body.isUpgrade = o.isUpgrade ?? false;
  if (o.isUpgrade) {
    body.deletedFiles = [replaced(body.deletedFiles[0], `/tv/${o.seriesFolder}`, `${seasonDir}/old ${o.file}`)];
  }
  return body;
}
