// A bad setting stops the real process before it opens anything: exit code 2 and one line on stderr that
// names the variable and the value, no stack trace, and no database or log folder left behind.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, tempDir } from '../support/cleanup.js';
import { freePort, startService } from '../support/launch.js';

afterAll(cleanupAll);

describe.concurrent('a configuration error', () => {
  it.each([
    ['SYNC_SUMMARY_CRON', '61 0 * * *'],
    ['SYNC_SUMMARY_CRON', 'every night'],
    ['TZ', 'Europe/Atlantis'],
    ['SYNC_RSYNC_BWLIMIT', '50 MB/s'],
    ['SYNC_LOG_FORMAT', 'xml'],
  ])('%s=%s exits 2 naming it, before the database is created', async (name, value) => {
    const dir = await tempDir();
    const dbPath = join(dir, 'data', 'sync_jobs.db');
    const svc = await startService({
      dir,
      bareEnv: {
        SYNC_PORT: String(await freePort()),
        SYNC_DB_PATH: dbPath,
        SYNC_LOG_PATH: join(dir, 'logs'),
        SYNC_REQUIRE_MOUNTS: 'false',
        [name]: value,
      },
      waitForHealth: false,
    });
    const { code } = await Promise.race([
      svc.exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`still running after 15 s:\n${svc.output()}`)), 15_000),
      ),
    ]);
    expect(code, svc.output()).toBe(2);
    expect(svc.stdout()).toBe('');
    const lines = svc.stderr().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`sync-webhook: configuration error: ${name} must be `);
    expect(lines[0]).toContain(JSON.stringify(value));
    expect(existsSync(dbPath)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  /** Starts the real process with `env`, expecting it to stop at once; its exit code and stderr lines. */
  async function refusedStart(dir: string, env: Record<string, string>) {
    const svc = await startService({
      dir,
      bareEnv: { SYNC_PORT: String(await freePort()), SYNC_LOG_PATH: join(dir, 'logs'), ...env },
      waitForHealth: false,
    });
    const { code } = await Promise.race([
      svc.exited,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`still running after 15 s:\n${svc.output()}`)), 15_000),
      ),
    ]);
    return { code, stdout: svc.stdout(), lines: svc.stderr().split('\n').filter(Boolean) };
  }

  it('a secret set both inline and as NAME_FILE exits 2 naming both, quoting neither value', async () => {
    const dir = await tempDir();
    const secrets = join(dir, 'secrets');
    await mkdir(secrets);
    await writeFile(join(secrets, 'api_key'), 'key-from-the-file\n');
    const out = await refusedStart(dir, {
      SYNC_API_KEY: 'key-set-inline',
      SYNC_API_KEY_FILE: join(secrets, 'api_key'),
    });
    expect(out.code).toBe(2);
    expect(out.lines).toEqual([
      'sync-webhook: configuration error: SYNC_API_KEY and SYNC_API_KEY_FILE are both set: ' +
        'keep one (SYNC_API_KEY_FILE reads it from a file)',
    ]);
    expect(out.stdout).toBe('');
  });

  it('a NAME_FILE that cannot be read exits 2 naming the variable and the path, never the content', async () => {
    const dir = await tempDir();
    const missing = join(dir, 'no-such-secret');
    const absent = await refusedStart(dir, { PLEX_TOKEN_FILE: missing });
    expect(absent.code).toBe(2);
    expect(absent.lines).toEqual([
      `sync-webhook: configuration error: PLEX_TOKEN_FILE: cannot read ${missing}: ENOENT: no such file or directory`,
    ]);
    // A folder where the file should be: read fails with EISDIR; the folder's content is never shown.
    const folder = join(dir, 'a-folder');
    await mkdir(folder);
    await writeFile(join(folder, 'inside.txt'), 'never-shown');
    const notAFile = await refusedStart(dir, { TELEGRAM_BOT_TOKEN_FILE: folder });
    expect(notAFile.code).toBe(2);
    expect(notAFile.lines).toHaveLength(1);
    expect(notAFile.lines[0]).toMatch(
      new RegExp(`^sync-webhook: configuration error: TELEGRAM_BOT_TOKEN_FILE: cannot read ${folder}: EISDIR`),
    );
    expect(notAFile.lines[0]).not.toContain('never-shown');
  });
});

describe('a notification URL of a scheme that is not built in', () => {
  it('without the apprise command exits 2 naming the URL, secrets masked, and the built-in schemes', async () => {
    const dir = await tempDir();
    const url = 'xml://hook-user:hook-pass@notify.example.org:8080/path-secret?token=query-secret';
    const svc = await startService({
      dir,
      bareEnv: {
        // Node is started by its absolute path; a PATH without the apprise command is all that changes.
        PATH: dir,
        SYNC_PORT: String(await freePort()),
        SYNC_DB_PATH: join(dir, 'data', 'sync_jobs.db'),
        SYNC_LOG_PATH: join(dir, 'logs'),
        SYNC_NOTIFY_URLS: url,
      },
      waitForHealth: false,
    });
    const { code } = await svc.exited;
    expect(code, svc.output()).toBe(2);
    const [message = '', ...more] = svc.stderr().split('; built-in schemes: ');
    expect(message).toBe(
      'sync-webhook: configuration error: SYNC_NOTIFY_URLS (URL 1 of 1) ' +
        '(xml://[REDACTED]@notify.example.org:8080/[REDACTED]?token=[REDACTED]): scheme xml:// is not built in, ' +
        'and the apprise command that sends to every other service is not installed (Debian: apt-get install apprise)',
    );
    expect(more.join('')).toMatch(/^tgram(, [a-z]+)*\n$/);
    for (const secret of ['hook-user', 'hook-pass', 'path-secret', 'query-secret']) {
      expect(svc.output()).not.toContain(secret);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
