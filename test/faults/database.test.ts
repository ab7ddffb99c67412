// A database the service cannot use: corrupt, unwritable, or locked by another process. Each start
// gives one clear message naming SYNC_DB_PATH and exits non-zero within seconds (a Docker restart
// loop then repeats a sentence, not a stack trace), and never touches the user's file.
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, onCleanup, tempDir } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { freePort, startService, type Service } from '../support/launch.js';
import { post } from '../support/http-client.js';
import { pseudoRandomBytes } from '../support/trees.js';
import { REPO_ROOT } from '../support/repo-paths.js';
import { radarrDownload } from '../support/payloads.js';
import { mountProblem, mountTmpfs, rootFsTempDir, skipUnless } from '../support/mounts.js';

afterAll(cleanupAll);

const run = promisify(execFile);
const skipReadOnly = skipUnless(await mountProblem(), 'database on a read-only filesystem (tmpfs mount)');

/** Starts the service on `dbPath` with nothing else set, and waits for it to give up. */
async function startOn(dir: string, dbPath: string): Promise<{ svc: Service; code: number | null; ms: number }> {
  const t0 = performance.now();
  const svc = await startService({
    dir,
    bareEnv: { SYNC_PORT: String(await freePort()), SYNC_DB_PATH: dbPath },
    waitForHealth: false,
  });
  const { code } = await Promise.race([
    svc.exited,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`still running after 15 s:\n${svc.output()}`)), 15_000),
    ),
  ]);
  return { svc, code, ms: performance.now() - t0 };
}

/** The one clear message: exactly one line naming SYNC_DB_PATH and the file, no stack trace. */
function expectOneClearMessage(output: string, dbPath: string, reason: RegExp): string {
  const lines = output.split('\n').filter((l) => l.includes('SYNC_DB_PATH'));
  expect(lines, output).toHaveLength(1);
  const line = lines[0]!;
  expect(line).toContain(dbPath.slice(0, dbPath.lastIndexOf('/')));
  expect(line).toMatch(reason);
  expect(line).toMatch(/ - CRITICAL - /);
  expect(output, 'no stack trace').not.toMatch(/^\s+at /m);
  expect(output).not.toMatch(/failed to start/);
  return line;
}

/** A real database of the service, with one job in it, stopped cleanly. */
async function serviceDatabase(): Promise<{ dir: string; dbPath: string }> {
  const svc = await startService({ env: { SYNC_REQUIRE_MOUNTS: 'true' } });
  const res = await post(
    svc.url,
    '/sync/radarr',
    await radarrDownload({ folder: 'Kept (2020)', file: 'Kept (2020).mkv' }),
  );
  expect(res.status).toBe(202);
  const { code } = await svc.stop();
  expect(code).toBe(0);
  return { dir: svc.dir, dbPath: svc.dbPath };
}

/**
 * Another process holding SQLite's lock: a node child with better-sqlite3 inside a write
 * transaction it never ends (`exclusiveMode`: PRAGMA locking_mode=EXCLUSIVE, so not even a reader
 * gets in). Killed by the cleanup.
 */
async function holdLock(dbPath: string, how: 'BEGIN EXCLUSIVE' | 'BEGIN IMMEDIATE'): Promise<() => void> {
  const script = `
    import Database from 'better-sqlite3';
    const db = new Database(process.argv[1], { timeout: 5000 });
    db.exec(process.argv[2]);
    db.exec('CREATE TABLE IF NOT EXISTS held_by_another_process (x)');
    db.prepare('INSERT INTO held_by_another_process VALUES (1)').run();
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, dbPath, how], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
  const release = () => {
    child.kill('SIGKILL');
  };
  onCleanup(release);
  await waitFor(() => out.includes('locked') || child.exitCode !== null, { what: 'lock holder ready' });
  expect(out.trim(), 'lock holder').toBe('locked');
  return release;
}

describe.concurrent('a database the service cannot use', () => {
  it('corrupt: random bytes where the database should be', async () => {
    const dir = await tempDir();
    const dbPath = join(dir, 'data', 'sync_jobs.db');
    await mkdir(join(dir, 'data'));
    const garbage = pseudoRandomBytes(64 * 1024, 'corrupt');
    await writeFile(dbPath, garbage);
    const { svc, code, ms } = await startOn(dir, dbPath);
    expect(code).not.toBe(0);
    expect(ms).toBeLessThan(10_000);
    expectOneClearMessage(svc.output(), dbPath, /not a database.*move it aside/);
    // The user's file is left as it was: nothing "repaired" it away.
    expect((await readFile(dbPath)).equals(garbage)).toBe(true);
    // The next start (Docker's restart) says the same, and nothing else.
    const again = await startOn(dir, dbPath);
    expect(again.code).not.toBe(0);
    expectOneClearMessage(again.svc.output(), dbPath, /not a database/);
  });

  it('corrupt: a real database cut short', async () => {
    const { dir, dbPath } = await serviceDatabase();
    await truncate(dbPath, 3000);
    const { svc, code, ms } = await startOn(dir, dbPath);
    expect(code).not.toBe(0);
    expect(ms).toBeLessThan(10_000);
    expectOneClearMessage(svc.output(), dbPath, /malformed.*move it aside/);
  });

  it('unwritable: SYNC_DB_PATH under a regular file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a-file'), 'not a folder');
    const dbPath = join(dir, 'a-file', 'sync_jobs.db');
    const { svc, code, ms } = await startOn(dir, dbPath);
    expect(code).not.toBe(0);
    expect(ms).toBeLessThan(10_000);
    expectOneClearMessage(svc.output(), dbPath, /Cannot create the folder of SYNC_DB_PATH/);
  });

  it.skipIf(skipReadOnly)('unwritable: the database on a filesystem mounted read-only (root only)', async () => {
    const { dbPath: original } = await serviceDatabase();
    const dir = await rootFsTempDir();
    const roDir = join(dir, 'ro-data');
    const ro = await mountTmpfs(roDir, '4m');
    try {
      const dbPath = join(roDir, 'sync_jobs.db');
      await copyFile(original, dbPath);
      await run('mount', ['-o', 'remount,ro', roDir]);
      const { svc, code, ms } = await startOn(dir, dbPath);
      expect(code).not.toBe(0);
      expect(ms).toBeLessThan(10_000);
      expectOneClearMessage(svc.output(), dbPath, /writable/);
      // No database yet, on the same read-only filesystem.
      const fresh = await startOn(dir, join(roDir, 'new.db'));
      expect(fresh.code).not.toBe(0);
      expectOneClearMessage(fresh.svc.output(), join(roDir, 'new.db'), /writable/);
    } finally {
      // Concurrent tests share one cleanup list: unmount here rather than at the end of the file.
      await ro.unmount();
    }
  });

  it('locked: another process holds an exclusive transaction (rollback journal)', async () => {
    const dir = await tempDir();
    const dbPath = join(dir, 'data', 'sync_jobs.db');
    await mkdir(join(dir, 'data'));
    await holdLock(dbPath, 'BEGIN EXCLUSIVE');
    const { svc, code, ms } = await startOn(dir, dbPath);
    expect(code).not.toBe(0);
    expect(ms).toBeLessThan(10_000);
    expectOneClearMessage(svc.output(), dbPath, /locked.*Another process holds a lock/);
  });

  const lockedByAnotherProcess =
    "locked: another process holds the write lock of the service's own database (WAL); freed, the jobs are intact";
  it(lockedByAnotherProcess, async () => {
    const { dir, dbPath } = await serviceDatabase();
    const release = await holdLock(dbPath, 'BEGIN IMMEDIATE');
    const { svc, code, ms } = await startOn(dir, dbPath);
    expect(code).not.toBe(0);
    expect(ms).toBeLessThan(10_000);
    expectOneClearMessage(svc.output(), dbPath, /locked.*Another process holds a lock/);

    release();
    const ok = await startService({ dir, bareEnv: { SYNC_PORT: String(await freePort()), SYNC_DB_PATH: dbPath } });
    const jobs = await waitFor(async () => {
      const res = await fetch(`${ok.url}/jobs`);
      return res.ok ? ((await res.json()) as { jobs: { title: string }[] }).jobs : undefined;
    });
    expect(jobs.map((j) => j.title)).toEqual(['Kept (2024)']);
  });
});
