import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, formatLine } from './logger.js';
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
      secrets: [token],
      stdout: { write: (t: string) => out.push(t) },
    });
    log.error({ url: `https://api.telegram.org/bot${token}/sendMessage` }, `failed for bot${token}`);
    close();
    expect(out.join('')).not.toContain(token);
    expect(readFileSync(join(dir, 'sync_webhook.log'), 'utf8')).not.toContain(token);
    expect(out.join('')).toContain('[REDACTED]');
  });

  it('names levels as the original did and keeps one event on one line', () => {
    expect(formatLine(JSON.stringify({ level: 40, time: 0, msg: 'a\nb' }))).toMatch(/ - WARNING - a\\nb\n$/);
    // A carriage return would overwrite the line on a terminal; an escape sequence would rewrite the screen.
    const line = formatLine(
      JSON.stringify({ level: 30, time: 0, msg: 'File path: /movies/a\rforged\r\nb\u001b[2J\tc' }),
    );
    expect(line).toMatch(/ - INFO - File path: \/movies\/a\\rforged\\nb\\x1b\[2J\tc\n$/);
    expect(line.slice(0, -1)).not.toMatch(/[\r\n\u001b]/);
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
