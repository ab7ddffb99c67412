import type { Mapping } from '../core/types.js';
import { redactor } from '../core/redact.js';
import { type Env, readEnvironment, SECRET_VARIABLES } from './env.js';
import { defaultMappings, loadMappingsFile, type ReadFile } from './mappings-file.js';
import type { LogLevel } from '../core/types.js';
import { ConfigError } from './schema.js';

export interface Config {
  http: { host: string; port: number };
  dbPath: string;
  log: { path: string; level: LogLevel };
  timeZone: string;
  dryRun: boolean;
  mappings: readonly Mapping[];
  /** Where the mappings came from, for the start-up log. */
  mappingsFrom: string;
  telegram: { baseUrl: string; token: string; chatId: string } | null;
  plex: { baseUrl: string; token: string } | null;
  auth: { basic: { username: string; password: string } | null; apiKey: string | null };
  retry: { intervalSeconds: number; maxRetries: number };
  summaryCron: string;
  rsync: { timeoutSeconds: number; maxConcurrent: number };
  mounts: { require: boolean; timeoutSeconds: number; checkIntervalSeconds: number };
  manualStableSeconds: number;
  /** Finished jobs older than this many days are deleted; 0 keeps them all. */
  retentionDays: number;
}

/** The whole configuration, checked; a ConfigError names the first bad variables or keys, secrets masked. */
export function loadConfig(env: Env, readFile: ReadFile): Config {
  try {
    return deepFreeze(buildConfig(env, readFile));
  } catch (error) {
    // A value is quoted in its message; a token pasted into PLEX_URL must not reach the container log.
    if (!(error instanceof ConfigError)) throw error;
    const mask = redactor(SECRET_VARIABLES.map((name) => env[name]?.trim() ?? ''));
    throw new ConfigError(mask(error.message));
  }
}

function buildConfig(env: Env, readFile: ReadFile): Config {
  const e = readEnvironment(env);
  const telegramToken = e.TELEGRAM_BOT_TOKEN;
  const telegramChat = e.TELEGRAM_CHAT_ID;
  const username = e.SYNC_USERNAME;
  const password = e.SYNC_PASSWORD;
  return {
    http: { host: e.SYNC_HOST, port: e.SYNC_PORT },
    dbPath: e.SYNC_DB_PATH,
    log: { path: e.SYNC_LOG_PATH, level: e.SYNC_LOG_LEVEL },
    timeZone: e.TZ,
    dryRun: e.SYNC_DRY_RUN,
    mappings: e.SYNC_CONFIG ? loadMappingsFile(e.SYNC_CONFIG, readFile, e) : defaultMappings(e),
    mappingsFrom: e.SYNC_CONFIG ? `SYNC_CONFIG (${e.SYNC_CONFIG})` : 'the built-in table',
    telegram:
      telegramToken && telegramChat
        ? { baseUrl: e.TELEGRAM_API_URL, token: telegramToken, chatId: telegramChat }
        : null,
    plex: e.PLEX_URL && e.PLEX_TOKEN ? { baseUrl: e.PLEX_URL, token: e.PLEX_TOKEN } : null,
    auth: {
      basic: username !== undefined && password !== undefined ? { username, password } : null,
      apiKey: e.SYNC_API_KEY ?? null,
    },
    retry: { intervalSeconds: e.SYNC_RETRY_INTERVAL_SECONDS, maxRetries: e.SYNC_MAX_RETRIES },
    summaryCron: e.SYNC_SUMMARY_CRON,
    rsync: { timeoutSeconds: e.SYNC_RSYNC_TIMEOUT_SECONDS, maxConcurrent: e.SYNC_MAX_CONCURRENT },
    mounts: {
      require: e.SYNC_REQUIRE_MOUNTS,
      timeoutSeconds: e.SYNC_MOUNT_TIMEOUT_SECONDS,
      checkIntervalSeconds: e.SYNC_MOUNT_CHECK_INTERVAL_SECONDS,
    },
    manualStableSeconds: e.SYNC_MANUAL_STABLE_SECONDS,
    retentionDays: e.SYNC_RETENTION_DAYS,
  };
}

/** The secrets a log line must never show. */
export function secretsOf(config: Config): string[] {
  return [config.telegram?.token, config.plex?.token, config.auth.basic?.password, config.auth.apiKey].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
