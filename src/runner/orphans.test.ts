import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linuxProcessTable, stopOrphanedRsync } from './orphans.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-orphan-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const alive = (pid: number) => linuxProcessTable.commandLine(pid) !== undefined;

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('stopOrphanedRsync', () => {
  it('stops an rsync of the job left running in its own group, and rsync removes its temporary file', async () => {
    const source = join(dir, 'src', 'Movie (2024)');
    const dest = join(dir, 'dst');
    mkdirSync(source, { recursive: true });
    mkdirSync(dest);
    writeFileSync(join(source, 'movie.mkv'), Buffer.alloc(4 * 1024 * 1024, 1));
    const child = spawn('rsync', ['-a', '--bwlimit=256', '--', source, `${dest}/`], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    const pid = child.pid!;
    const tempFileThere = () => {
      try {
        return readdirSync(join(dest, 'Movie (2024)')).some((name) => name.startsWith('.movie.mkv.'));
      } catch {
        return false;
      }
    };
    await until(tempFileThere);

    expect(await stopOrphanedRsync({ rsyncPid: pid, sourcePath: source }, linuxProcessTable)).toBe('stopped');
    await until(() => !alive(pid));
    expect(readdirSync(join(dest, 'Movie (2024)'))).toEqual([]);
  });

  it('leaves alone a process that merely reuses the pid', async () => {
    const sleeper = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      expect(await stopOrphanedRsync({ rsyncPid: sleeper.pid!, sourcePath: '/src/x' }, linuxProcessTable)).toBe('none');
      expect(alive(sleeper.pid!)).toBe(true);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('does nothing without a pid or for a gone process', async () => {
    expect(await stopOrphanedRsync({ rsyncPid: null, sourcePath: '/x' }, linuxProcessTable)).toBe('none');
    expect(await stopOrphanedRsync({ rsyncPid: 2 ** 22 + 7, sourcePath: '/x' }, linuxProcessTable)).toBe('none');
  });
});
