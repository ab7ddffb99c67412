import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Mapping, MountCheck } from '../core/types.js';
import { DEFAULT_MAPPINGS, DEFAULTS } from './defaults.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

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
}

/** A configuration problem; the message names the variable or key and the bad value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;
type ReadFile = (path: string) => string;

export function loadConfig(env: Env, readFile: ReadFile): Config {
  const read = new EnvReader(env);
  const telegramToken = read.optionalString('TELEGRAM_BOT_TOKEN');
  const telegramChat = read.optionalString('TELEGRAM_CHAT_ID');
  const plexUrl = read.optionalString('PLEX_URL');
  const plexToken = read.optionalString('PLEX_TOKEN');
  const configPath = read.optionalString('SYNC_CONFIG');
  const username = read.optionalString('SYNC_USERNAME');
  const password = read.optionalString('SYNC_PASSWORD');
  if ((username === undefined) !== (password === undefined)) {
    throw new ConfigError('SYNC_USERNAME and SYNC_PASSWORD must be set together (HTTP Basic needs both), or neither');
  }

  const mappings = configPath ? loadMappingsFile(configPath, readFile, env) : defaultMappings(env);

  const config: Config = {
    http: {
      host: read.string('SYNC_HOST', DEFAULTS.SYNC_HOST),
      port: read.integer('SYNC_PORT', DEFAULTS.SYNC_PORT, 0, 65535),
    },
    dbPath: read.string('SYNC_DB_PATH', DEFAULTS.SYNC_DB_PATH),
    log: {
      path: read.string('SYNC_LOG_PATH', DEFAULTS.SYNC_LOG_PATH),
      level: read.logLevel('SYNC_LOG_LEVEL', DEFAULTS.SYNC_LOG_LEVEL),
    },
    timeZone: read.timeZone('TZ', DEFAULTS.TZ),
    dryRun: read.boolean('SYNC_DRY_RUN', DEFAULTS.SYNC_DRY_RUN),
    mappings,
    mappingsFrom: configPath ? `SYNC_CONFIG (${configPath})` : 'the built-in table',
    telegram:
      telegramToken && telegramChat
        ? {
            baseUrl: read.url('TELEGRAM_API_URL', DEFAULTS.TELEGRAM_API_URL),
            token: telegramToken,
            chatId: telegramChat,
          }
        : null,
    plex: plexUrl && plexToken ? { baseUrl: read.url('PLEX_URL', plexUrl), token: plexToken } : null,
    auth: {
      basic: username !== undefined && password !== undefined ? { username, password } : null,
      apiKey: read.optionalString('SYNC_API_KEY') ?? null,
    },
    retry: {
      intervalSeconds: read.integer('SYNC_RETRY_INTERVAL_SECONDS', DEFAULTS.SYNC_RETRY_INTERVAL_SECONDS, 1, 7 * 86400),
      maxRetries: read.integer('SYNC_MAX_RETRIES', DEFAULTS.SYNC_MAX_RETRIES, 0, 100),
    },
    summaryCron: read.cron('SYNC_SUMMARY_CRON', DEFAULTS.SYNC_SUMMARY_CRON),
    rsync: {
      timeoutSeconds: read.integer('SYNC_RSYNC_TIMEOUT_SECONDS', DEFAULTS.SYNC_RSYNC_TIMEOUT_SECONDS, 1, 30 * 86400),
      maxConcurrent: read.integer('SYNC_MAX_CONCURRENT', DEFAULTS.SYNC_MAX_CONCURRENT, 1, 16),
    },
    mounts: {
      require: read.boolean('SYNC_REQUIRE_MOUNTS', DEFAULTS.SYNC_REQUIRE_MOUNTS),
      timeoutSeconds: read.integer('SYNC_MOUNT_TIMEOUT_SECONDS', DEFAULTS.SYNC_MOUNT_TIMEOUT_SECONDS, 1, 300),
      checkIntervalSeconds: read.integer(
        'SYNC_MOUNT_CHECK_INTERVAL_SECONDS',
        DEFAULTS.SYNC_MOUNT_CHECK_INTERVAL_SECONDS,
        1,
        3600,
      ),
    },
    manualStableSeconds: read.integer('SYNC_MANUAL_STABLE_SECONDS', DEFAULTS.SYNC_MANUAL_STABLE_SECONDS, 0, 3600),
  };
  return deepFreeze(config);
}

/** The secrets a log line must never show. */
export function secretsOf(config: Config): string[] {
  return [config.telegram?.token, config.plex?.token, config.auth.basic?.password, config.auth.apiKey].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}

class EnvReader {
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value)) throw new ConfigError(`${name} must be a whole number, got ${JSON.stringify(value)}`);
    const n = Number(value);
    if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(this.raw(name))}`);
  }

  logLevel(name: string, fallback: string): LogLevel {
    const value = (this.raw(name) ?? fallback).toUpperCase();
    const levels: Record<string, LogLevel> = {
      DEBUG: 'debug',
      INFO: 'info',
      WARNING: 'warn',
      WARN: 'warn',
      ERROR: 'error',
      CRITICAL: 'error',
    };
    const level = levels[value];
    if (!level)
      throw new ConfigError(`${name} must be DEBUG, INFO, WARNING or ERROR, got ${JSON.stringify(this.raw(name))}`);
    return level;
  }

  timeZone(name: string, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: value });
    } catch {
      throw new ConfigError(
        `${name} must be an IANA time zone such as Europe/Berlin or UTC, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  }

  url(name: string, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
    }
    return value.replace(/\/+$/, '');
  }

  cron(name: string, fallback: string): string {
    const value = this.raw(name) ?? fallback;
    const fields = value.split(/\s+/);
    if (fields.length < 5 || fields.length > 6) {
      throw new ConfigError(
        `${name} must be a cron expression with 5 fields (minute hour day month weekday), got ${JSON.stringify(value)}`,
      );
    }
    return value;
  }
}

function defaultMappings(env: Env): Mapping[] {
  return DEFAULT_MAPPINGS.map((m) => ({
    container: m.container,
    source: { path: m.source },
    destination: { path: m.destination },
    plexSection: env[m.plexSectionEnv]?.trim() || undefined,
    plexPath: m.destination,
  }));
}

const absolutePath = z
  .string()
  .min(1)
  .refine((p) => p.startsWith('/'), 'must be an absolute path (start with /)')
  .refine((p) => !/[\0\n\r]/.test(p), 'must not contain NUL or line breaks')
  .refine((p) => !p.split('/').some((seg) => seg === '..' || seg === '.'), 'must not contain . or .. segments')
  .transform((p) => p.replace(/\/+$/, '') || '/');

const relativeFile = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a path relative to the root, without ..');

const perSide = <T extends z.ZodType>(inner: T) =>
  z.union([inner, z.strictObject({ source: inner.optional(), destination: inner.optional() })]);

const mappingSchema = z.strictObject({
  container: absolutePath,
  source: absolutePath,
  destination: absolutePath,
  plex_section: z.union([z.string().min(1), z.number().int().nonnegative()]).optional(),
  plex_path: absolutePath.optional(),
  anchor: perSide(relativeFile).optional(),
  fstype: perSide(z.string().regex(/^[a-z0-9._-]+$/i, 'must be a filesystem type such as nfs4')).optional(),
});

const fileSchema = z.strictObject({
  mappings: z.array(mappingSchema).min(1, 'must list at least one mapping'),
});

function loadMappingsFile(path: string, readFile: ReadFile, env: Env): Mapping[] {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError(`SYNC_CONFIG: cannot read ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`SYNC_CONFIG: ${path} is not valid YAML: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    // An unknown key usually explains the missing one (a typo), so it is named first.
    const issues = [...parsed.error.issues].sort(
      (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
    );
    const described = issues
      .slice(0, 3)
      .map((issue) => `key ${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`);
    throw new ConfigError(`SYNC_CONFIG: ${path}: ${described.join('; ')}`);
  }
  const seen = new Set<string>();
  return parsed.data.mappings.map((m, i) => {
    if (seen.has(m.container)) {
      throw new ConfigError(`SYNC_CONFIG: ${path}: key mappings.${i}.container: ${m.container} is mapped twice`);
    }
    seen.add(m.container);
    const fallbackSection = DEFAULT_MAPPINGS.find((d) => d.container === m.container)?.plexSectionEnv;
    return {
      container: m.container,
      source: side(m.source, pick(m.anchor, 'source'), pick(m.fstype, 'source')),
      destination: side(m.destination, pick(m.anchor, 'destination'), pick(m.fstype, 'destination')),
      plexSection:
        m.plex_section !== undefined
          ? String(m.plex_section)
          : fallbackSection
            ? env[fallbackSection]?.trim() || undefined
            : undefined,
      plexPath: m.plex_path ?? m.destination,
    };
  });
}

function pick(value: string | { source?: string; destination?: string } | undefined, role: 'source' | 'destination') {
  return typeof value === 'string' ? value : value?.[role];
}

function side(path: string, anchor: string | undefined, fstype: string | undefined): MountCheck {
  return { path, ...(anchor ? { anchor } : {}), ...(fstype ? { fstype } : {}) };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
