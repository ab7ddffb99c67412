import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyLine } from './history.js';
import { createLogger, formatJsonLine, formatLine } from './logger.js';
import { RotatingFile } from './rotating-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('logger', () => {
  it('writes the same text line to stdout and sync_webhook.log', () => {
    const out: string[] = [];
    const { log, close } = createLogger({
      level: 'info',
      logDir: dir,
      timeZone: 'UTC',
      secrets: [],
      stdout: { write: (t: string) => out.push(t) },
    });
    log.info({ jobId: 7 }, 'File path: /movies/A (2024)/a.mkv');
    log.debug('hidden at INFO');
    close();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - INFO - File path: \/movies\/A \(2024\)\/a\.mkv jobId=7\n$/,
    );
    expect(readFileSync(join(dir, 'sync_webhook.log'), 'utf8')).toBe(out[0]);
  });

  it('never prints a secret, whichever code path logs it', () => {
    const out: string[] = [];
    const token = '123456:ABC-secret-token';
    const { log, close } = createLogger({
      level: 'info',
      logDir: dir,
      timeZone: 'UTC',
      secrets: [token],
      stdout: { write: (t: string) => out.push(t) },
    });
    log.error({ url: `https://api.telegram.org/bot${token}/sendMessage` }, `failed for bot${token}`);
    close();
    expect(out.join('')).not.toContain(token);
    expect(readFileSync(join(dir, 'sync_webhook.log'), 'utf8')).not.toContain(token);
    expect(out.join('')).toContain('[REDACTED]');
  });

  it('names levels as the README documents and keeps one event on one line', () => {
    expect(formatLine(JSON.stringify({ level: 40, time: 0, msg: 'a\nb' }), 'UTC')).toMatch(/ - WARNING - a\\nb\n$/);
    // A carriage return would overwrite the line on a terminal; an escape sequence would rewrite the screen.
    const line = formatLine(
      JSON.stringify({ level: 30, time: 0, msg: 'File path: /movies/a\rforged\r\nb\u001b[2J\tc' }),
      'UTC',
    );
    expect(line).toMatch(/ - INFO - File path: \/movies\/a\\rforged\\nb\\x1b\[2J\tc\n$/);
    expect(line.slice(0, -1)).not.toMatch(/[\r\n\u001b]/);
  });
});

describe('SYNC_LOG_FORMAT=json', () => {
  const jsonLogger = (secrets: string[] = []) => {
    const out: string[] = [];
    const logger = createLogger({
      level: 'info',
      format: 'json',
      logDir: dir,
      timeZone: 'Europe/Berlin',
      secrets,
      stdout: { write: (t: string) => out.push(t) },
    });
    return { ...logger, out };
  };

  it('writes one JSON object per line, the same on stdout and in sync_webhook.log, with the same fields', () => {
    const { log, close, out } = jsonLogger();
    log.info({ jobId: 7 }, 'File path: /movies/A (2024)/a.mkv');
    log.child({ jobId: 8 }).warn('two\nlines');
    log.debug('hidden at INFO');
    close();
    expect(out).toHaveLength(2);
    expect(readFileSync(join(dir, 'sync_webhook.log'), 'utf8')).toBe(out.join(''));
    for (const line of out) expect(line.slice(0, -1)).not.toContain('\n');
    const [first, second] = out.map((line) => JSON.parse(line));
    expect(Object.keys(first)).toEqual(['time', 'level', 'msg', 'jobId']);
    expect(first).toMatchObject({ level: 'INFO', msg: 'File path: /movies/A (2024)/a.mkv', jobId: 7 });
    expect(new Date(first.time).toISOString()).toBe(first.time);
    expect(Math.abs(Date.parse(first.time) - Date.now())).toBeLessThan(60_000);
    expect(second).toMatchObject({ level: 'WARNING', msg: 'two\nlines', jobId: 8 });
  });

  it('redacts secrets as the text format does, also where JSON escapes them', () => {
    const token = '123456:ABC-secret-token';
    const quoted = 'pass"word\\x';
    const { log, close, out } = jsonLogger([token, quoted]);
    log.error({ url: `https://api.telegram.org/bot${token}/sendMessage` }, `failed for bot${token} with ${quoted}`);
    log.error({ err: new Error(`refused ${quoted}`) }, 'sending failed');
    close();
    const text = out.join('') + readFileSync(join(dir, 'sync_webhook.log'), 'utf8');
    expect(text).not.toContain(token);
    expect(text).not.toContain(JSON.stringify(quoted).slice(1, -1));
    const [first, second] = out.map((line) => JSON.parse(line));
    expect(first).toMatchObject({
      msg: 'failed for bot[REDACTED] with [REDACTED]',
      url: 'https://api.telegram.org/bot[REDACTED]/sendMessage',
    });
    expect(second.err).toMatchObject({ type: 'Error', message: 'refused [REDACTED]' });
  });

  it('names the levels as the text line does', () => {
    expect(JSON.parse(formatJsonLine(JSON.stringify({ level: 50, time: 0, msg: 'x' })))).toEqual({
      time: '1970-01-01T00:00:00.000Z',
      level: 'ERROR',
      msg: 'x',
    });
  });
});

describe('RotatingFile', () => {
  it('rotates at the size limit and keeps the configured number of backups', () => {
    const file = new RotatingFile(join(dir, 'x.log'), 100, 2);
    for (let i = 0; i < 10; i++) file.write(`${String(i).repeat(59)}\n`);
    file.close();
    expect(readdirSync(dir).sort()).toEqual(['x.log', 'x.log.1', 'x.log.2']);
    expect(readFileSync(join(dir, 'x.log'), 'utf8')).toBe(`${'9'.repeat(59)}\n`);
    expect(readFileSync(join(dir, 'x.log.2'), 'utf8')).toBe(`${'7'.repeat(59)}\n`);
  });
});

describe('timestamps in the configured zone, whatever zone the process runs in', () => {
  const line = (iso: string, timeZone: string) =>
    formatLine(JSON.stringify({ level: 30, time: new Date(iso).getTime(), msg: 'tick' }), timeZone);

  it.each([
    ['2026-07-01T12:34:56.007Z', 'UTC', '2026-07-01 12:34:56,007 - INFO - tick\n'],
    ['2026-07-01T12:34:56.007Z', 'Europe/Berlin', '2026-07-01 14:34:56,007 - INFO - tick\n'],
    ['2026-12-31T23:59:59.999Z', 'Europe/Berlin', '2027-01-01 00:59:59,999 - INFO - tick\n'],
    ['2026-12-31T23:59:59.999Z', 'America/New_York', '2026-12-31 18:59:59,999 - INFO - tick\n'],
    // Berlin springs forward at 01:00 UTC on 2026-03-29: 01:59:59,999 CET is followed by 03:00:00,000 CEST.
    ['2026-03-29T00:59:59.999Z', 'Europe/Berlin', '2026-03-29 01:59:59,999 - INFO - tick\n'],
    ['2026-03-29T01:00:00.000Z', 'Europe/Berlin', '2026-03-29 03:00:00,000 - INFO - tick\n'],
    // And falls back at 01:00 UTC on 2026-10-25: 02:30 happens twice.
    ['2026-10-25T00:30:00.000Z', 'Europe/Berlin', '2026-10-25 02:30:00,000 - INFO - tick\n'],
    ['2026-10-25T01:30:00.000Z', 'Europe/Berlin', '2026-10-25 02:30:00,000 - INFO - tick\n'],
    ['2026-03-08T06:59:59.500Z', 'America/New_York', '2026-03-08 01:59:59,500 - INFO - tick\n'],
    ['2026-03-08T07:00:00.500Z', 'America/New_York', '2026-03-08 03:00:00,500 - INFO - tick\n'],
    ['2026-03-08T07:00:00.500Z', 'Asia/Kolkata', '2026-03-08 12:30:00,500 - INFO - tick\n'],
  ])('%s in %s', (iso, timeZone, expected) => {
    expect(line(iso, timeZone)).toBe(expected);
  });

  it('stamps sync_history.log lines the same way, to the second', () => {
    const job = { status: 'success', mediaType: 'movie', title: 'Dune (2021)', durationSeconds: 45.2 } as const;
    const at = new Date('2026-03-29T01:00:00.999Z');
    expect(historyLine(job, at, 'Europe/Berlin')).toBe(
      '2026-03-29 03:00:00 | SUCCESS  | movie    | Dune (2021) | 45.2s',
    );
    expect(historyLine(job, at, 'America/New_York')).toBe(
      '2026-03-28 21:00:00 | SUCCESS  | movie    | Dune (2021) | 45.2s',
    );
  });
});
