/**
 * The folder a service under test runs in: its database, logs, config file and media shares, the
 * config YAML for its mappings, the test defaults of its environment, and its log files.
 *
 *   <dir>/data/sync_jobs.db   <dir>/logs/   <dir>/sync-webhook.yml
 *   <dir>/src/movies → <dir>/dst/Movies     <dir>/src/tv → <dir>/dst/TV Shows
 */

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface MappingSpec {
  container: string;
  source: string;
  destination: string;
  plex_section?: string | number;
  plex_path?: string;
  /** One for both sides, or per side (the YAML allows both). */
  anchor?: string | { source?: string; destination?: string };
  fstype?: string | { source?: string; destination?: string };
  kind?: 'movie' | 'tv';
}

export interface ServiceLayout {
  dir: string;
  dbPath: string;
  logDir: string;
  configPath: string;
  /** Source and destination roots of the default mappings. */
  moviesSrc: string;
  moviesDst: string;
  tvSrc: string;
  tvDst: string;
}

export function layoutOf(dir: string): ServiceLayout {
  return {
    dir,
    dbPath: join(dir, 'data', 'sync_jobs.db'),
    logDir: join(dir, 'logs'),
    configPath: join(dir, 'sync-webhook.yml'),
    moviesSrc: join(dir, 'src', 'movies'),
    moviesDst: join(dir, 'dst', 'Movies'),
    tvSrc: join(dir, 'src', 'tv'),
    tvDst: join(dir, 'dst', 'TV Shows'),
  };
}

/**
 * Writes SYNC_CONFIG: `configYaml` as given, or else the YAML of `mappings` (default: /movies and
 * /tv to folders under the layout), whose roots are then created, each source holding one file.
 */
export async function writeConfig(
  layout: ServiceLayout,
  o: { mappings?: MappingSpec[]; configYaml?: string; notify?: NotifySpec[]; mediaServers?: MediaServerSpec[] },
): Promise<void> {
  const mappings = o.mappings ?? defaultMappings(layout);
  await writeFile(layout.configPath, o.configYaml ?? yamlFor(mappings, o.notify, o.mediaServers));
  if (o.configYaml) return;
  for (const m of mappings) {
    await mkdir(m.source, { recursive: true });
    await mkdir(m.destination, { recursive: true });
    // A real share is never empty; an empty source root reads as "not mounted" to the service.
    if ((await readdir(m.source)).length === 0) await writeFile(join(m.source, '.share-marker'), 'share\n');
  }
}

/** The environment every test service gets unless the test overrides it: fast retries and checks. */
export function testDefaultEnv(layout: ServiceLayout): Record<string, string> {
  return {
    TZ: 'UTC',
    SYNC_HOST: '127.0.0.1',
    SYNC_DB_PATH: layout.dbPath,
    SYNC_LOG_PATH: layout.logDir,
    SYNC_CONFIG: layout.configPath,
    SYNC_REQUIRE_MOUNTS: 'false',
    SYNC_LOG_LEVEL: 'INFO',
    SYNC_RETRY_INTERVAL_SECONDS: '1',
    SYNC_MANUAL_STABLE_SECONDS: '0',
    SYNC_MOUNT_CHECK_INTERVAL_SECONDS: '1',
    SYNC_MOUNT_TIMEOUT_SECONDS: '5',
    // One message per job, as most tests count them; the season-pack tests set their own window.
    SYNC_NOTIFY_GROUP_SECONDS: '0',
  };
}

/** Reads a log file of the service ('' when it does not exist yet). */
export async function readLog(svc: ServiceLayout, name: 'sync_webhook.log' | 'sync_history.log'): Promise<string> {
  try {
    return await readFile(join(svc.logDir, name), 'utf8');
  } catch {
    return '';
  }
}

function defaultMappings(l: ServiceLayout): MappingSpec[] {
  return [
    { container: '/movies', source: l.moviesSrc, destination: l.moviesDst },
    { container: '/tv', source: l.tvSrc, destination: l.tvDst },
  ];
}

/** One entry of the file's `notify:` block. */
export interface NotifySpec {
  url: string;
  name?: string;
  events?: string[];
  priority?: string;
}

/** One entry of the file's `media_servers:` block. */
export interface MediaServerSpec {
  type: 'plex' | 'jellyfin' | 'emby';
  url: string;
  token?: string;
  api_key?: string;
  name?: string;
  path_map?: { from: string; to: string }[];
  sections?: Record<string, string | number>;
}

function yamlFor(mappings: MappingSpec[], notify?: NotifySpec[], mediaServers?: MediaServerSpec[]): string {
  // JSON is valid YAML, and JSON.stringify quotes every path safely.
  const file = { mappings, ...(notify ? { notify } : {}), ...(mediaServers ? { media_servers: mediaServers } : {}) };
  return `${JSON.stringify(file, null, 2)}\n`;
}
