// What the environment (env.ts) and the mappings file (mappings-file.ts) are both read with: zod
// schemas whose messages say what was expected and what came ("must be …, got …"), and one way to turn
// their issues into a ConfigError that names the variable or key in front of each message.
import type { LogFormat, LogLevel, MirrorMode } from '../core/types.js';
import { Cron } from 'croner';
import { z } from 'zod';
import { coerceError } from '../core/errors.js';

/** A configuration problem; the message names the variable or key and the bad value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Issues named per message; more than this many would bury the first one, usually the cause. */
const SHOWN_ISSUES = 3;

/**
 * `input` parsed by `schema`, or a ConfigError: `prefix`, then the first issues, each after the name
 * `nameOf` gives its path.
 */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  input: unknown,
  nameOf: (path: readonly PropertyKey[]) => string,
  prefix = '',
): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  // An unknown key usually explains the missing one (a typo), so it is named first.
  const issues = [...parsed.error.issues].sort(
    (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
  );
  const described = issues.slice(0, SHOWN_ISSUES).map((issue) => `${nameOf(issue.path)}${issue.message}`);
  throw new ConfigError(`${prefix}${described.join('; ')}`);
}

const got = (input: unknown): string => `got ${JSON.stringify(input)}`;

/** A string that `read` turns into a value, or `problem` when it returns undefined. */
function spelled<T>(read: (value: string) => T | undefined, problem: string) {
  return z.string().transform((value, ctx): T => {
    const result = read(value);
    if (result !== undefined) return result;
    ctx.addIssue({ code: 'custom', message: `${problem}, ${got(value)}`, input: value });
    return z.NEVER;
  });
}

export function wholeNumber(min: number, max: number) {
  const range = { error: (issue: { input?: unknown }) => `must be between ${min} and ${max}, got ${issue.input}` };
  return z
    .string()
    .regex(/^-?\d+$/, { error: (issue) => `must be a whole number, ${got(issue.input)}` })
    .transform(Number)
    .pipe(z.number().min(min, range).max(max, range));
}

const BOOLEAN_WORDS = new Map([
  ['true', true],
  ['1', true],
  ['yes', true],
  ['on', true],
  ['false', false],
  ['0', false],
  ['no', false],
  ['off', false],
]);

/** true/false, 1/0, yes/no, on/off, in any case. */
export const onOff = spelled((value) => BOOLEAN_WORDS.get(value.toLowerCase()), 'must be true or false');

// The level names users already set (Python's logging names), in any case; pino has no WARNING or CRITICAL.
const LOG_LEVELS = new Map<string, LogLevel>([
  ['DEBUG', 'debug'],
  ['INFO', 'info'],
  ['WARNING', 'warn'],
  ['WARN', 'warn'],
  ['ERROR', 'error'],
  ['CRITICAL', 'error'],
]);

const MIRROR_MODES = new Map<string, MirrorMode>([
  ['off', 'off'],
  ['trash', 'trash'],
  ['delete', 'delete'],
]);

/** SYNC_MIRROR: off, trash or delete, in any case. */
export const mirrorMode = spelled((value) => MIRROR_MODES.get(value.toLowerCase()), 'must be off, trash or delete');

export const logLevel = spelled(
  (value) => LOG_LEVELS.get(value.toUpperCase()),
  'must be DEBUG, INFO, WARNING or ERROR',
);

const LOG_FORMATS = new Map<string, LogFormat>([
  ['text', 'text'],
  ['json', 'json'],
]);

export const logFormat = spelled((value) => LOG_FORMATS.get(value.toLowerCase()), 'must be text or json');

export const timeZone = spelled((value) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return value;
  } catch {
    return undefined;
  }
}, 'must be an IANA time zone such as Europe/Berlin or UTC');

/** An http(s) URL, without trailing slashes (paths are appended to it). */
export const httpUrl = spelled((value) => {
  if (!URL.canParse(value)) return undefined;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:' ? value.replace(/\/+$/, '') : undefined;
}, 'must be an http(s) URL');

/** Five fields (croner also takes a leading seconds field); whether croner accepts them needs the zone. */
export const cronFields = spelled((value) => {
  const fields = value.split(/\s+/).length;
  return fields === 5 || fields === 6 ? value : undefined;
}, 'must be a cron expression with 5 fields (minute hour day month weekday)');

/** Why croner refuses `expression` in `zone`, or undefined when it will run it. */
export function cronProblem(expression: string, zone: string): string | undefined {
  let next: Date | null;
  try {
    const cron = new Cron(expression, { timezone: zone, paused: true });
    next = cron.nextRun();
    cron.stop();
  } catch (error) {
    const reason = coerceError(error).message;
    return `must be a valid cron expression (minute hour day month weekday), ${got(expression)}: ${reason}`;
  }
  return next ? undefined : `must be a cron expression that fires, ${got(expression)}: it names no date that exists`;
}

/** Powers of 1024 (or of 1000 with a trailing "B") per unit letter, as rsync reads sizes. */
const RATE_UNIT_POWERS = new Map([
  ['k', 1],
  ['m', 2],
  ['g', 3],
  ['t', 4],
]);
/** 1 TiB/s: far above any network, and small enough for rsync's int. */
const MAX_RATE_KIB = 1024 ** 3;

/**
 * rsync's --bwlimit rate as rsync itself reads it: a number, maybe with decimals, with an optional unit
 * K, M, G or T in any case (KiB/s, MiB/s, …; "MB" counts in powers of 1000, "MiB" of 1024); no unit means
 * KiB/s. Read into whole KiB/s, rounded as rsync rounds it, so that rsync is only ever handed a plain
 * number it cannot refuse (a refused option is exit 1, a failure for good). 0 means no limit: null.
 */
export const bandwidthLimit = spelled((value): number | null | undefined => {
  const match = /^(\d+(?:\.\d+)?)(?:([kmgt])(b|ib)?)?$/i.exec(value);
  if (!match?.[1]) return undefined;
  const power = RATE_UNIT_POWERS.get(match[2]?.toLowerCase() ?? 'k') ?? 1;
  const base = match[3]?.toLowerCase() === 'b' ? 1000 : 1024;
  const bytesPerSecond = Number(match[1]) * base ** power;
  if (bytesPerSecond === 0) return null;
  const kib = Math.floor((bytesPerSecond + 512) / 1024);
  return kib >= 1 && kib <= MAX_RATE_KIB ? kib : undefined;
}, 'must be a rate from 1K to 1T per second such as 50M, 800K or 1.5G (K/M/G/T: KiB/MiB/GiB/TiB), or 0 for none');
