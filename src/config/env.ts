// The environment, read through one zod schema: every variable docs/configuration.md documents, its default and
// the spellings it accepts. A bad value stops the start with a message that begins with the variable.
import { z } from 'zod';
import { DEFAULTS } from './defaults.js';
import {
  bandwidthLimit,
  cronFields,
  cronProblem,
  httpUrl,
  logFormat,
  logLevel,
  mirrorMode,
  onOff,
  parseOrThrow,
  timeZone,
  wholeNumber,
} from './schema.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The secrets: masked wherever a configuration error could quote them, and each may come from a file
 * instead (NAME_FILE, as Docker secrets give them: see secret-files.ts). A new secret is one line here.
 */
export const SECRET_VARIABLES = [
  'TELEGRAM_BOT_TOKEN',
  'PLEX_TOKEN',
  'SYNC_PASSWORD',
  'SYNC_API_KEY',
  'SYNC_NOTIFY_URLS',
  'JELLYFIN_API_KEY',
  'EMBY_API_KEY',
] as const;

// Surrounding spaces are dropped (env files keep them) and an empty value counts as unset, so that
// `SYNC_PORT=` in an env file means the default.
const unsetWhenBlank = (value: unknown) => {
  const trimmed = typeof value === 'string' ? value.trim() : value;
  return trimmed === '' ? undefined : trimmed;
};
const variable = <T extends z.ZodType>(schema: T) => z.preprocess(unsetWhenBlank, schema);
const text = z.string();

const environmentSchema = z
  .object({
    TELEGRAM_BOT_TOKEN: variable(text.optional()),
    TELEGRAM_CHAT_ID: variable(text.optional()),
    TELEGRAM_API_URL: variable(httpUrl.default(DEFAULTS.TELEGRAM_API_URL)),
    SYNC_NOTIFY_URLS: variable(text.optional()),
    SYNC_NOTIFY_GROUP_SECONDS: variable(wholeNumber(0, 3600).default(DEFAULTS.SYNC_NOTIFY_GROUP_SECONDS)),
    DISCORD_API_URL: variable(httpUrl.optional()),
    SLACK_API_URL: variable(httpUrl.optional()),
    PUSHOVER_API_URL: variable(httpUrl.optional()),
    PLEX_URL: variable(httpUrl.optional()),
    PLEX_TOKEN: variable(text.optional()),
    PLEX_SECTION_MOVIES: variable(text.optional()),
    PLEX_SECTION_MOVIES_4K: variable(text.optional()),
    PLEX_SECTION_TV: variable(text.optional()),
    PLEX_SECTION_TV_4K: variable(text.optional()),
    JELLYFIN_URL: variable(httpUrl.optional()),
    JELLYFIN_API_KEY: variable(text.optional()),
    EMBY_URL: variable(httpUrl.optional()),
    EMBY_API_KEY: variable(text.optional()),
    SYNC_CONFIG: variable(text.optional()),
    SYNC_USERNAME: variable(text.optional()),
    SYNC_PASSWORD: variable(text.optional()),
    SYNC_API_KEY: variable(text.optional()),
    SYNC_HOST: variable(text.default(DEFAULTS.SYNC_HOST)),
    SYNC_PORT: variable(wholeNumber(0, 65535).default(DEFAULTS.SYNC_PORT)),
    SYNC_DB_PATH: variable(text.default(DEFAULTS.SYNC_DB_PATH)),
    SYNC_LOG_PATH: variable(text.default(DEFAULTS.SYNC_LOG_PATH)),
    SYNC_LOG_LEVEL: variable(logLevel.prefault(DEFAULTS.SYNC_LOG_LEVEL)),
    SYNC_LOG_FORMAT: variable(logFormat.prefault(DEFAULTS.SYNC_LOG_FORMAT)),
    SYNC_METRICS_AUTH: variable(onOff.default(DEFAULTS.SYNC_METRICS_AUTH)),
    TZ: variable(timeZone.default(DEFAULTS.TZ)),
    SYNC_DRY_RUN: variable(onOff.default(DEFAULTS.SYNC_DRY_RUN)),
    SYNC_RETRY_INTERVAL_SECONDS: variable(wholeNumber(1, 7 * 86400).default(DEFAULTS.SYNC_RETRY_INTERVAL_SECONDS)),
    SYNC_MAX_RETRIES: variable(wholeNumber(0, 100).default(DEFAULTS.SYNC_MAX_RETRIES)),
    SYNC_SUMMARY_CRON: variable(cronFields.default(DEFAULTS.SYNC_SUMMARY_CRON)),
    SYNC_RSYNC_TIMEOUT_SECONDS: variable(wholeNumber(1, 30 * 86400).default(DEFAULTS.SYNC_RSYNC_TIMEOUT_SECONDS)),
    SYNC_MAX_CONCURRENT: variable(wholeNumber(1, 16).default(DEFAULTS.SYNC_MAX_CONCURRENT)),
    // Unset: no limit, like 0.
    SYNC_RSYNC_BWLIMIT: variable(bandwidthLimit.optional()),
    SYNC_REQUIRE_MOUNTS: variable(onOff.default(DEFAULTS.SYNC_REQUIRE_MOUNTS)),
    SYNC_MOUNT_TIMEOUT_SECONDS: variable(wholeNumber(1, 300).default(DEFAULTS.SYNC_MOUNT_TIMEOUT_SECONDS)),
    SYNC_MOUNT_CHECK_INTERVAL_SECONDS: variable(
      wholeNumber(1, 3600).default(DEFAULTS.SYNC_MOUNT_CHECK_INTERVAL_SECONDS),
    ),
    SYNC_MANUAL_STABLE_SECONDS: variable(wholeNumber(0, 3600).default(DEFAULTS.SYNC_MANUAL_STABLE_SECONDS)),
    SYNC_MIRROR: variable(mirrorMode.default(DEFAULTS.SYNC_MIRROR)),
    SYNC_TRASH_DAYS: variable(wholeNumber(1, 3650).default(DEFAULTS.SYNC_TRASH_DAYS)),
    SYNC_RECONCILE_SETTLE_MINUTES: variable(wholeNumber(0, 1440).default(DEFAULTS.SYNC_RECONCILE_SETTLE_MINUTES)),
    SYNC_RECONCILE_TIMEOUT_SECONDS: variable(wholeNumber(10, 86400).default(DEFAULTS.SYNC_RECONCILE_TIMEOUT_SECONDS)),
    SYNC_RECONCILE_CRON: variable(cronFields.optional()),
    SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES: variable(
      wholeNumber(0, 10080).default(DEFAULTS.SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES),
    ),
    SYNC_RETENTION_DAYS: variable(wholeNumber(0, 36500).default(DEFAULTS.SYNC_RETENTION_DAYS)),
  })
  // Checks across variables; they run once each variable is valid on its own.
  .transform((env, ctx) => {
    if ((env.SYNC_USERNAME === undefined) !== (env.SYNC_PASSWORD === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'SYNC_USERNAME and SYNC_PASSWORD must be set together (HTTP Basic needs both), or neither',
        input: env,
      });
    }
    for (const [url, key] of [
      ['JELLYFIN_URL', 'JELLYFIN_API_KEY'],
      ['EMBY_URL', 'EMBY_API_KEY'],
    ] as const) {
      if ((env[url] === undefined) !== (env[key] === undefined)) {
        ctx.addIssue({ code: 'custom', message: `${url} and ${key} must be set together, or neither`, input: env });
      }
    }
    // The scheduler builds its cron from this expression and zone without checking them again.
    const cron = cronProblem(env.SYNC_SUMMARY_CRON, env.TZ);
    if (cron) ctx.addIssue({ code: 'custom', message: cron, path: ['SYNC_SUMMARY_CRON'], input: env });
    const reconcileCron = env.SYNC_RECONCILE_CRON && cronProblem(env.SYNC_RECONCILE_CRON, env.TZ);
    if (reconcileCron) {
      ctx.addIssue({ code: 'custom', message: reconcileCron, path: ['SYNC_RECONCILE_CRON'], input: env });
    }
    return env;
  });

export type Environment = z.output<typeof environmentSchema>;

/** The environment's settings, or a ConfigError naming each bad variable (the first three). */
export function readEnvironment(env: Env): Environment {
  return parseOrThrow(environmentSchema, env, (path) => (path.length > 0 ? `${String(path[0])} ` : ''));
}
