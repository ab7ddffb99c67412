import type { Mapping } from '../core/types.js';
import { redactor } from '../core/redact.js';
import { type MediaServerSpec, secretsOfMediaServer } from '../media/registry.js';
import { type FindProgram, type NotifyTarget, type NotifyTargetSpec, parseNotifyTargets } from '../notify/registry.js';
import { TargetUrlError } from '../notify/target-url.js';
import { type Env, readEnvironment, SECRET_VARIABLES } from './env.js';
import { defaultMappings, loadMappingsFile, type ReadFile } from './mappings-file.js';
import { checkMediaServerIds, envMediaServers } from './media-servers.js';
import type { LogFormat, LogLevel, MirrorMode } from '../core/types.js';
import { ConfigError } from './schema.js';
import { withSecretFiles } from './secret-files.js';

export type { FindProgram };

export interface Config {
  http: { host: string; port: number };
  dbPath: string;
  log: { path: string; level: LogLevel; format: LogFormat };
  timeZone: string;
  dryRun: boolean;
  mappings: readonly Mapping[];
  /** Where the mappings came from, for the start-up log. */
  mappingsFrom: string;
  /** Notification targets (SYNC_NOTIFY_URLS, the YAML notify: block, TELEGRAM_BOT_TOKEN/TELEGRAM_CHAT_ID). */
  notify: readonly NotifyTarget[];
  /** How long an episode success waits for the rest of its season pack (SYNC_NOTIFY_GROUP_SECONDS; 0: never). */
  notifyGroupSeconds: number;
  /** Media servers to ask for a scan after a copy (PLEX_*, JELLYFIN_*, EMBY_*, media_servers: in SYNC_CONFIG). */
  mediaServers: readonly MediaServerSpec[];
  auth: {
    basic: { username: string; password: string } | null;
    apiKey: string | null;
    /** False lets GET /metrics answer without credentials (SYNC_METRICS_AUTH=false). */
    metrics: boolean;
  };
  retry: { intervalSeconds: number; maxRetries: number };
  summaryCron: string;
  /** `bandwidthLimitKiB`: rsync's --bwlimit in KiB/s (SYNC_RSYNC_BWLIMIT), null for none. */
  rsync: { timeoutSeconds: number; maxConcurrent: number; bandwidthLimitKiB: number | null };
  mounts: { require: boolean; timeoutSeconds: number; checkIntervalSeconds: number };
  manualStableSeconds: number;
  /** Upgrades, renames and deletes at the destination (SYNC_MIRROR), and how long the trash keeps files. */
  mirror: { mode: MirrorMode; trashDays: number };
  /** The catch-up pass (docs/catch-up.md). */
  reconcile: {
    settleMinutes: number;
    timeoutSeconds: number;
    /** Null: no scheduled pass. */
    cron: string | null;
    /** 0: no pass after a downtime. */
    afterDowntimeMinutes: number;
  };
  /** Finished jobs older than this many days are deleted; 0 keeps them all. */
  retentionDays: number;
}

/**
 * The whole configuration, checked; a ConfigError names the first bad variables or keys, secrets masked.
 * `findProgram` says where a program of the PATH is (system/find-program.ts): a notification URL whose
 * scheme is not built in needs the apprise command. Without it, no program counts as installed.
 */
export function loadConfig(env: Env, readFile: ReadFile, findProgram?: FindProgram): Config {
  let resolved = env;
  try {
    resolved = withSecretFiles(env, SECRET_VARIABLES, readFile);
    return deepFreeze(buildConfig(resolved, readFile, findProgram));
  } catch (error) {
    // A bad notification URL names where it came from and the URL, secrets masked, in its message.
    if (error instanceof TargetUrlError) throw new ConfigError(error.message);
    // A value is quoted in its message; a token pasted into PLEX_URL must not reach the container log.
    if (!(error instanceof ConfigError)) throw error;
    const mask = redactor(SECRET_VARIABLES.map((name) => resolved[name]?.trim() ?? ''));
    throw new ConfigError(mask(error.message));
  }
}

function buildConfig(env: Env, readFile: ReadFile, findProgram: FindProgram | undefined): Config {
  const e = readEnvironment(env);
  const file = e.SYNC_CONFIG ? loadMappingsFile(e.SYNC_CONFIG, readFile, e) : null;
  const notifySpecs = [...notifyUrlSpecs(e.SYNC_NOTIFY_URLS), ...(file?.notify ?? [])];
  if (e.TELEGRAM_BOT_TOKEN && e.TELEGRAM_CHAT_ID) {
    // The variables of old become one tgram:// target (encoded, so a token with a "/" cannot split it).
    notifySpecs.push({
      url: `tgram://${encodeURIComponent(e.TELEGRAM_BOT_TOKEN)}/${encodeURIComponent(e.TELEGRAM_CHAT_ID)}`,
      from: 'TELEGRAM_BOT_TOKEN/TELEGRAM_CHAT_ID',
    });
  }
  // A service's base-URL override, as the environment schema checked it (trailing slashes dropped).
  const checked: Readonly<Record<string, unknown>> = e;
  const notify = parseNotifyTargets(
    notifySpecs,
    (name) => {
      const value = checked[name];
      return typeof value === 'string' ? value : env[name];
    },
    findProgram,
  );
  const configuredMediaServers = [...envMediaServers(e), ...(file?.mediaServers ?? [])];
  checkMediaServerIds(
    configuredMediaServers,
    notify.map((target) => target.id),
  );
  const mediaServers: MediaServerSpec[] = configuredMediaServers.map((server) => server.spec);
  const username = e.SYNC_USERNAME;
  const password = e.SYNC_PASSWORD;
  return {
    http: { host: e.SYNC_HOST, port: e.SYNC_PORT },
    dbPath: e.SYNC_DB_PATH,
    log: { path: e.SYNC_LOG_PATH, level: e.SYNC_LOG_LEVEL, format: e.SYNC_LOG_FORMAT },
    timeZone: e.TZ,
    dryRun: e.SYNC_DRY_RUN,
    mappings: file ? file.mappings : defaultMappings(e),
    mappingsFrom: e.SYNC_CONFIG ? `SYNC_CONFIG (${e.SYNC_CONFIG})` : 'the built-in table',
    notify,
    notifyGroupSeconds: e.SYNC_NOTIFY_GROUP_SECONDS,
    mediaServers,
    auth: {
      basic: username !== undefined && password !== undefined ? { username, password } : null,
      apiKey: e.SYNC_API_KEY ?? null,
      metrics: e.SYNC_METRICS_AUTH,
    },
    retry: { intervalSeconds: e.SYNC_RETRY_INTERVAL_SECONDS, maxRetries: e.SYNC_MAX_RETRIES },
    summaryCron: e.SYNC_SUMMARY_CRON,
    rsync: {
      timeoutSeconds: e.SYNC_RSYNC_TIMEOUT_SECONDS,
      maxConcurrent: e.SYNC_MAX_CONCURRENT,
      bandwidthLimitKiB: e.SYNC_RSYNC_BWLIMIT ?? null,
    },
    mounts: {
      require: e.SYNC_REQUIRE_MOUNTS,
      timeoutSeconds: e.SYNC_MOUNT_TIMEOUT_SECONDS,
      checkIntervalSeconds: e.SYNC_MOUNT_CHECK_INTERVAL_SECONDS,
    },
    manualStableSeconds: e.SYNC_MANUAL_STABLE_SECONDS,
    mirror: { mode: e.SYNC_MIRROR, trashDays: e.SYNC_TRASH_DAYS },
    reconcile: {
      settleMinutes: e.SYNC_RECONCILE_SETTLE_MINUTES,
      timeoutSeconds: e.SYNC_RECONCILE_TIMEOUT_SECONDS,
      cron: e.SYNC_RECONCILE_CRON ?? null,
      afterDowntimeMinutes: e.SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES,
    },
    retentionDays: e.SYNC_RETENTION_DAYS,
  };
}

/**
 * SYNC_NOTIFY_URLS: URLs separated by spaces, newlines or commas. A comma splits only where the next URL
 * begins, so a list inside one URL's query (tgram://…?to=1,2) stays whole.
 */
export function notifyUrlSpecs(value: string | undefined): NotifyTargetSpec[] {
  if (value === undefined) return [];
  const urls = value.split(/\s+|,(?=\s*[a-z][a-z0-9+.-]*:\/\/)/i).filter((url) => url.trim() !== '');
  return urls.map((url, i) => ({ url: url.trim(), from: `SYNC_NOTIFY_URLS (URL ${i + 1} of ${urls.length})` }));
}

/** The secrets a log line must never show. */
export function secretsOf(config: Config): string[] {
  return [
    ...config.notify.flatMap((target) => target.secrets),
    ...config.mediaServers.flatMap(secretsOfMediaServer),
    config.auth.basic?.password,
    config.auth.apiKey,
  ].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
