// The environment, read through one zod schema: every variable docs/configuration.md documents, its default and
// the spellings it accepts. A bad value stops the start with a message that begins with the variable.
import { z } from 'zod';
import { DEFAULTS } from './defaults.js';
import {
  bandwidthLimit,
  cronFields,
  cronProblem,
  httpUrl,
  logLevel,
  mirrorMode,
  onOff,
  parseOrThrow,
  timeZone,
  wholeNumber,
} from './schema.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Variables whose values are masked wherever a configuration error could quote them. */
export const SECRET_VARIABLES = ['TELEGRAM_BOT_TOKEN', 'PLEX_TOKEN', 'SYNC_PASSWORD', 'SYNC_API_KEY'] as const;

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
    PLEX_URL: variable(httpUrl.optional()),
    PLEX_TOKEN: variable(text.optional()),
    PLEX_SECTION_MOVIES: variable(text.optional()),
    PLEX_SECTION_MOVIES_4K: variable(text.optional()),
    PLEX_SECTION_TV: variable(text.optional()),
    PLEX_SECTION_TV_4K: variable(text.optional()),
    SYNC_CONFIG: variable(text.optional()),
    SYNC_USERNAME: variable(text.optional()),
    SYNC_PASSWORD: variable(text.optional()),
    SYNC_API_KEY: variable(text.optional()),
    SYNC_HOST: variable(text.default(DEFAULTS.SYNC_HOST)),
    SYNC_PORT: variable(wholeNumber(0, 65535).default(DEFAULTS.SYNC_PORT)),
    SYNC_DB_PATH: variable(text.default(DEFAULTS.SYNC_DB_PATH)),
    SYNC_LOG_PATH: variable(text.default(DEFAULTS.SYNC_LOG_PATH)),
    SYNC_LOG_LEVEL: variable(logLevel.prefault(DEFAULTS.SYNC_LOG_LEVEL)),
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
    // The scheduler builds its cron from this expression and zone without checking them again.
    const cron = cronProblem(env.SYNC_SUMMARY_CRON, env.TZ);
    if (cron) ctx.addIssue({ code: 'custom', message: cron, path: ['SYNC_SUMMARY_CRON'], input: env });
    return env;
  });

export type Environment = z.output<typeof environmentSchema>;

/** The environment's settings, or a ConfigError naming each bad variable (the first three). */
export function readEnvironment(env: Env): Environment {
  return parseOrThrow(environmentSchema, env, (path) => (path.length > 0 ? `${String(path[0])} ` : ''));
}
