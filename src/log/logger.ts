import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { localDateTime } from '../core/day.js';
import type { LogFormat, LogLevel } from '../core/types.js';
import { redactor } from '../core/redact.js';
import { RotatingFile } from './rotating-file.js';

export type { Logger } from 'pino';

const MB = 1024 * 1024;
const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARNING',
  50: 'ERROR',
  60: 'CRITICAL',
};
const OMITTED_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

export interface LoggerOptions {
  level: LogLevel;
  /** 'text' (default): the README's line; 'json': one JSON object per line, for log collectors. */
  format?: LogFormat;
  /** Folder for sync_webhook.log; null logs to stdout only. */
  logDir: string | null;
  /** IANA zone of the timestamps (TZ). */
  timeZone: string;
  /** Strings replaced by [REDACTED] in every line, whatever code path logged them. */
  secrets: readonly string[];
  stdout?: { write(text: string): unknown };
}

/**
 * The root logger: one line per event, the same on stdout and in sync_webhook.log (10 MB × 5). Text
 * lines read as docs/troubleshooting.md documents them (users grep them):
 * "2026-01-01 12:00:00,123 - INFO - File path: /movies/…", with structured fields appended; JSON
 * lines (SYNC_LOG_FORMAT=json) carry the same fields. Both are redacted the same way.
 */
export function createLogger(o: LoggerOptions): { log: Logger; close(): void } {
  const file = o.logDir ? new RotatingFile(join(o.logDir, 'sync_webhook.log'), 10 * MB, 5) : null;
  const stdout = o.stdout ?? process.stdout;
  const redact = redactor(o.secrets);
  const format = o.format === 'json' ? formatJsonLine : (json: string) => formatLine(json, o.timeZone);
  const destination = {
    write(json: string) {
      const line = redact(format(json));
      stdout.write(line);
      file?.write(line);
    },
  };
  const log = pino({ level: o.level, base: undefined, timestamp: pino.stdTimeFunctions.epochTime }, destination);
  return { log, close: () => file?.close() };
}

/** pino's JSON line → "YYYY-MM-DD HH:MM:SS,mmm - LEVEL - message key=value…\n" in `timeZone`. */
export function formatLine(json: string, timeZone: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = new Date(typeof entry.time === 'number' ? entry.time : Date.now());
  const level = LEVEL_NAMES[entry.level as number] ?? String(entry.level);
  const millis = String(time.getUTCMilliseconds()).padStart(3, '0');
  let line = `${localDateTime(time, timeZone)},${millis} - ${level} - ${String(entry.msg ?? '')}`;
  for (const [key, value] of Object.entries(entry)) {
    if (OMITTED_KEYS.has(key)) continue;
    line += ` ${key}=${key === 'err' ? formatError(value) : JSON.stringify(value)}`;
  }
  return `${line.replace(CONTROL_CHARS, escapeControl)}\n`;
}

/**
 * pino's JSON line → one JSON object: "time" (ISO 8601, UTC), "level" and "msg" as the text line
 * names them, then the structured fields. JSON.stringify escapes every control character, so one
 * event stays one line.
 */
export function formatJsonLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return `${JSON.stringify({ time: new Date().toISOString(), level: 'INFO', msg: json.trimEnd() })}\n`;
  }
  const fields: Record<string, unknown> = {
    time: new Date(typeof entry.time === 'number' ? entry.time : Date.now()).toISOString(),
    level: (typeof entry.level === 'number' ? LEVEL_NAMES[entry.level] : undefined) ?? String(entry.level),
    msg: String(entry.msg ?? ''),
  };
  for (const [key, value] of Object.entries(entry)) if (!OMITTED_KEYS.has(key)) fields[key] = value;
  return `${JSON.stringify(fields)}\n`;
}

// One event, one line: a newline or carriage return in a message (a path from a webhook, say) must not
// start a forged line, and a terminal escape must not rewrite the screen of whoever tails the log.
const CONTROL_CHARS = /\r?\n|[\x00-\x08\x0b-\x1f\x7f]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r\n': '\\n', '\r': '\\r' };

function escapeControl(c: string): string {
  return NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

function formatError(value: unknown): string {
  if (value && typeof value === 'object') {
    const e = value as { type?: string; message?: string; stack?: string };
    return JSON.stringify(e.stack ?? `${e.type ?? 'Error'}: ${e.message ?? ''}`);
  }
  return JSON.stringify(value);
}
