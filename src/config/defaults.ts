// Every default of the service in one place. The four mappings are the table in docs/configuration.md.

export const DEFAULT_MAPPINGS = [
  {
    container: '/movies',
    source: '/mnt/synology/rs-movies',
    destination: '/mnt/unraid/media/Movies',
    plexSectionEnv: 'PLEX_SECTION_MOVIES',
  },
  {
    container: '/movies-4k',
    source: '/mnt/synology/rs-4kmedia/4kmovies',
    destination: '/mnt/unraid/media/4K Movies',
    plexSectionEnv: 'PLEX_SECTION_MOVIES_4K',
  },
  {
    container: '/tv',
    source: '/mnt/synology/rs-tv',
    destination: '/mnt/unraid/media/TV Shows',
    plexSectionEnv: 'PLEX_SECTION_TV',
  },
  {
    container: '/tv-4k',
    source: '/mnt/synology/rs-4kmedia/4ktv',
    destination: '/mnt/unraid/media/4K TV Shows',
    plexSectionEnv: 'PLEX_SECTION_TV_4K',
  },
] as const;

export const DEFAULTS = {
  SYNC_HOST: '0.0.0.0',
  SYNC_PORT: 5000,
  SYNC_DRY_RUN: false,
  SYNC_LOG_LEVEL: 'INFO',
  SYNC_LOG_PATH: './logs',
  SYNC_DB_PATH: './data/sync_jobs.db',
  TZ: 'UTC',
  TELEGRAM_API_URL: 'https://api.telegram.org',
  SYNC_RETRY_INTERVAL_SECONDS: 900,
  SYNC_MAX_RETRIES: 3,
  SYNC_SUMMARY_CRON: '5 0 * * *',
  SYNC_RSYNC_TIMEOUT_SECONDS: 14400,
  SYNC_REQUIRE_MOUNTS: true,
  SYNC_MAX_CONCURRENT: 1,
  SYNC_MOUNT_TIMEOUT_SECONDS: 5,
  SYNC_MOUNT_CHECK_INTERVAL_SECONDS: 30,
  SYNC_MANUAL_STABLE_SECONDS: 2,
  SYNC_MIRROR: 'off',
  SYNC_TRASH_DAYS: 30,
} as const;
