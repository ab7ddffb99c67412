// Webhook bodies for the benchmarks, built from the real Radarr/Sonarr fixtures
// (test/fixtures/arr/examples) with a number in every title and path, so no two are the same.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './common.mjs';

const FIXTURES = join(REPO, 'test', 'fixtures', 'arr', 'examples');
const fixture = (name) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

/** A Radarr "Download" for movie folder /movies/<folder>/<file>. */
export function radarrBody({ title, year = 2024, folder, file, size = 4096 }) {
  const b = fixture('radarr-download.json');
  b.movie.title = title;
  b.movie.year = year;
  b.movie.folderPath = `/movies/${folder}`;
  b.remoteMovie.title = title;
  b.movieFile.relativePath = file;
  b.movieFile.path = `/movies/${folder}/${file}`;
  b.movieFile.size = size;
  b.isUpgrade = false;
  return b;
}

/** A Sonarr per-file "Download" for /tv/<series>/Season NN/<file>. */
export function sonarrBody({ series, season, episode, episodeTitle, file, size = 4096 }) {
  const b = fixture('sonarr-download.json');
  const seasonDir = `Season ${String(season).padStart(2, '0')}`;
  b.series.title = series;
  b.series.path = `/tv/${series}`;
  b.episodes = [{ ...b.episodes[0], seasonNumber: season, episodeNumber: episode, title: episodeTitle }];
  b.episodeFile.relativePath = `${seasonDir}/${file}`;
  b.episodeFile.path = `/tv/${series}/${seasonDir}/${file}`;
  b.episodeFile.size = size;
  b.isUpgrade = false;
  return b;
}

/**
 * Templates for bench/lua/burst.lua: compact JSON with __N__ (request number), __SHOW__, __S__
 * (season), __SS__, __E__ (episode), __EE__ tokens that the Lua script fills in per request.
 * Seasons and episodes are numbers in JSON, hence the string surgery after stringify.
 */
export function writeBurstTemplates(dir) {
  mkdirSync(dir, { recursive: true });
  const radarr = radarrBody({
    title: 'Bench Movie __N__',
    folder: 'Bench Movie __N__ (2024) {tmdb-__N__}',
    file: 'Bench Movie __N__ (2024) {tmdb-__N__} [WEBDL-1080p][EAC3 Atmos 5.1][h264]-NTb.mkv',
  });
  const sonarr = sonarrBody({
    series: 'Bench Show __SHOW__ (2022)',
    season: 900001,
    episode: 900002,
    episodeTitle: 'Episode __N__',
    file: 'Bench Show __SHOW__ (2022) - S__SS__E__EE__ - Episode __N__ [WEBDL-1080p][EAC3 5.1][h264]-NTb.mkv',
  });
  const sonarrText = JSON.stringify(sonarr)
    .replace('"seasonNumber":900001', '"seasonNumber":__S__')
    .replace('"episodeNumber":900002', '"episodeNumber":__E__');
  writeFileSync(join(dir, 'radarr.json'), JSON.stringify(radarr));
  writeFileSync(join(dir, 'sonarr.json'), sonarrText);
  return dir;
}
