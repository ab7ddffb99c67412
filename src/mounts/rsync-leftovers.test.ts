import { chmod, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeRsyncLeftovers } from './rsync-leftovers.js';

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'leftovers-')));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Creates each file (with a short content) and the folders above it. */
async function files(root: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), 'x');
  }
}

/** Every file, link and folder under `root`, relative, sorted. */
function treeOf(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((path) => relative(root, join(root, path)))
    .sort();
}

describe('removeRsyncLeftovers', () => {
  it('removes the temp file of a file the source holds, and no name merely like it', async () => {
    const source = join(dir, 'src', 'Show', 'e01.mkv');
    await files(dir, ['src/Show/e01.mkv']);
    const others = [
      'e01.mkv',
      'e01.mkv.Ab12cd',
      '.e01.mkv.Ab12c',
      '.e01.mkv.Ab12cde',
      '.e01.mkvX.Ab12cd',
      '.e02.mkv.Ab12cd',
    ];
    await files(join(dir, 'dst', 'Show'), ['.e01.mkv.Ab12cd', ...others]);

    const cleanup = await removeRsyncLeftovers(source, join(dir, 'dst', 'Show', 'e01.mkv'), 5_000);

    expect(cleanup).toEqual({ removed: [join(dir, 'dst', 'Show', '.e01.mkv.Ab12cd')] });
    expect(treeOf(join(dir, 'dst', 'Show'))).toEqual([...others].sort());
  });

  it("removes the temp files of a folder's files at every depth, and nothing outside the item's folder", async () => {
    await files(join(dir, 'src'), ['Movie (2024)/movie.mkv', 'Movie (2024)/Subs/en.srt']);
    await files(join(dir, 'dst'), [
      'Movie (2024)/.movie.mkv.A1b2C3',
      'Movie (2024)/Subs/.en.srt.D4e5F6',
      // Not the temp file of anything the source holds.
      'Movie (2024)/.poster.jpg.G7h8I9',
      // Beside the item, or in another item: not this job's.
      '.movie.mkv.J1k2L3',
      'Other (2023)/.movie.mkv.M4n5O6',
    ]);
    await mkdir(join(dir, 'dst', 'Movie (2024)', '.movie.mkv.FOLDER'));
    await symlink(join(dir, 'src', 'Movie (2024)', 'movie.mkv'), join(dir, 'dst', 'Movie (2024)', '.movie.mkv.LINK12'));

    const cleanup = await removeRsyncLeftovers(
      join(dir, 'src', 'Movie (2024)'),
      join(dir, 'dst', 'Movie (2024)'),
      5_000,
    );

    expect(cleanup.problem).toBeUndefined();
    // As the script prints them: the destination item, then each file's path as find gives it.
    expect(cleanup.removed.sort()).toEqual([
      `${dir}/dst/Movie (2024)/./.movie.mkv.A1b2C3`,
      `${dir}/dst/Movie (2024)/./Subs/.en.srt.D4e5F6`,
    ]);
    expect(treeOf(join(dir, 'dst'))).toEqual([
      '.movie.mkv.J1k2L3',
      'Movie (2024)',
      'Movie (2024)/.movie.mkv.FOLDER',
      'Movie (2024)/.movie.mkv.LINK12',
      'Movie (2024)/.poster.jpg.G7h8I9',
      'Movie (2024)/Subs',
      'Other (2023)',
      'Other (2023)/.movie.mkv.M4n5O6',
    ]);
    // The source is left as it was.
    expect(treeOf(join(dir, 'src'))).toEqual([
      'Movie (2024)',
      'Movie (2024)/Subs',
      'Movie (2024)/Subs/en.srt',
      'Movie (2024)/movie.mkv',
    ]);
  });

  it('takes [ ] * ? and quotes in names as names, not as patterns', async () => {
    const name = `-"Film" [x] *?.mkv`;
    await files(join(dir, 'src'), [name]);
    // What the name would match as a pattern.
    const lookalike = '.-"Film" x anything.mkv.Ab12cd';
    await files(join(dir, 'dst'), [`.${name}.Ab12cd`, lookalike]);

    const cleanup = await removeRsyncLeftovers(join(dir, 'src', name), join(dir, 'dst', name), 5_000);

    expect(cleanup).toEqual({ removed: [join(dir, 'dst', `.${name}.Ab12cd`)] });
    expect(treeOf(join(dir, 'dst'))).toEqual([lookalike]);
  });

  it('has nothing to do when the item is not at the destination yet', async () => {
    await files(join(dir, 'src'), ['Movie/movie.mkv', 'e01.mkv']);
    await mkdir(join(dir, 'dst'));

    expect(await removeRsyncLeftovers(join(dir, 'src', 'Movie'), join(dir, 'dst', 'Movie'), 5_000)).toEqual({
      removed: [],
    });
    expect(await removeRsyncLeftovers(join(dir, 'src', 'e01.mkv'), join(dir, 'dst', 'e01.mkv'), 5_000)).toEqual({
      removed: [],
    });
  });

  it('gives up at the timeout when the share hangs, and says so', async () => {
    const pidFile = join(dir, 'stuck.pid');
    const shell = join(dir, 'hanging-sh');
    // The setsid'd sleep stands in for a find stuck on a dead NFS server: out of reach of the kill.
    await writeFile(shell, `#!/bin/sh\nsetsid sleep 30 & echo $! > '${pidFile}'; wait\n`);
    await chmod(shell, 0o755);
    await files(join(dir, 'src'), ['e01.mkv']);
    const started = performance.now();
    try {
      const cleanup = await removeRsyncLeftovers(join(dir, 'src', 'e01.mkv'), join(dir, 'dst', 'e01.mkv'), 300, shell);

      expect(cleanup).toEqual({
        removed: [],
        problem: `cleanup of rsync temp files under ${join(dir, 'dst', 'e01.mkv')} did not finish within 0.3 s`,
      });
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      process.kill(Number(await readFile(pidFile, 'utf8')), 'SIGKILL');
    }
  });

  it('says so when the shell cannot be started', async () => {
    const cleanup = await removeRsyncLeftovers(join(dir, 'a'), join(dir, 'b'), 5_000, join(dir, 'no-shell'));

    expect(cleanup).toEqual({
      removed: [],
      problem: expect.stringMatching(/^cleanup of rsync temp files could not start: spawn .*no-shell ENOENT$/),
    });
  });
});
