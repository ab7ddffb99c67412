import { chmod, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPartialCopies } from './partial-copies.js';

const P = '.sync-webhook-partial';
let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'partial-copies-')));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const partials = createPartialCopies({ timeoutMs: 5_000 });

/** Creates each file (content: the given text, default "x") and the folders above it. */
async function files(root: string, spec: string[] | Record<string, string>): Promise<void> {
  const entries = Array.isArray(spec) ? spec.map((path) => [path, 'x'] as const) : Object.entries(spec);
  for (const [path, content] of entries) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** Every file, link and folder under `root`, relative, sorted. */
function treeOf(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((path) => relative(root, join(root, path)))
    .sort();
}

describe('prepare', () => {
  it("moves a killed copy's temp file into the partial folder, and no name merely like it", async () => {
    await files(dir, ['src/Show/e01.mkv']);
    const others = ['e01.mkv.Ab12cd', '.e01.mkv.Ab12c', '.e01.mkv.Ab12cde', '.e01.mkvX.Ab12cd', '.e02.mkv.Ab12cd'];
    await files(join(dir, 'dst', 'Show'), {
      '.e01.mkv.Ab12cd': 'half',
      ...Object.fromEntries(others.map((o) => [o, 'x'])),
    });

    const prepared = await partials.prepare(join(dir, 'src', 'Show', 'e01.mkv'), join(dir, 'dst', 'Show', 'e01.mkv'));

    const part = join(dir, 'dst', 'Show', P, 'e01.mkv');
    expect(prepared).toEqual({ kept: [part], removed: [], partialBytes: 4 });
    expect(await readFile(part, 'utf8')).toBe('half');
    expect(treeOf(join(dir, 'dst', 'Show'))).toEqual([...others, P, `${P}/e01.mkv`].sort());
  });

  it('keeps the longer of a temp file and the partial file already there', async () => {
    await files(dir, ['src/a.mkv', 'src/b.mkv']);
    await files(join(dir, 'dst'), {
      '.a.mkv.Aaaaaa': 'longer temp',
      [`${P}/a.mkv`]: 'short',
      '.b.mkv.Bbbbbb': 'short',
      [`${P}/b.mkv`]: 'longer part',
    });

    const a = await partials.prepare(join(dir, 'src', 'a.mkv'), join(dir, 'dst', 'a.mkv'));
    const b = await partials.prepare(join(dir, 'src', 'b.mkv'), join(dir, 'dst', 'b.mkv'));

    expect(a).toEqual({ kept: [join(dir, 'dst', P, 'a.mkv')], removed: [], partialBytes: 11 });
    expect(b).toEqual({ kept: [], removed: [join(dir, 'dst', '.b.mkv.Bbbbbb')], partialBytes: 11 });
    expect(await readFile(join(dir, 'dst', P, 'a.mkv'), 'utf8')).toBe('longer temp');
    expect(await readFile(join(dir, 'dst', P, 'b.mkv'), 'utf8')).toBe('longer part');
    expect(treeOf(join(dir, 'dst'))).toEqual([P, `${P}/a.mkv`, `${P}/b.mkv`]);
  });

  it("gathers a folder's parts at every depth, and touches nothing outside the item or behind a link", async () => {
    await files(join(dir, 'src'), ['Movie (2024)/movie.mkv', 'Movie (2024)/Subs/en.srt', 'Movie (2024)/Extras/x.mkv']);
    await files(join(dir, 'dst'), {
      'Movie (2024)/.movie.mkv.A1b2C3': 'movie part',
      'Movie (2024)/Subs/.en.srt.D4e5F6': 'sub',
      // Not the temp file of anything the source holds.
      'Movie (2024)/.poster.jpg.G7h8I9': 'x',
      // Beside the item, or in another item: not this job's.
      '.movie.mkv.J1k2L3': 'x',
      'Other (2023)/.movie.mkv.M4n5O6': 'x',
      // Where a link at the destination leads the item's Extras folder.
      'Elsewhere/.x.mkv.P7q8R9': 'x',
    });
    await symlink(join(dir, 'dst', 'Elsewhere'), join(dir, 'dst', 'Movie (2024)', 'Extras'));
    await mkdir(join(dir, 'dst', 'Movie (2024)', '.movie.mkv.FOLDER'));

    const prepared = await partials.prepare(join(dir, 'src', 'Movie (2024)'), join(dir, 'dst', 'Movie (2024)'));

    expect(prepared.problem).toBeUndefined();
    expect(prepared.kept.sort()).toEqual([
      `${dir}/dst/Movie (2024)/${P}/movie.mkv`,
      `${dir}/dst/Movie (2024)/Subs/${P}/en.srt`,
    ]);
    expect(prepared.partialBytes).toBe('movie part'.length + 'sub'.length);
    expect(treeOf(join(dir, 'dst'))).toEqual(
      [
        '.movie.mkv.J1k2L3',
        'Elsewhere',
        'Elsewhere/.x.mkv.P7q8R9',
        'Movie (2024)',
        `Movie (2024)/${P}`,
        `Movie (2024)/${P}/movie.mkv`,
        'Movie (2024)/.movie.mkv.FOLDER',
        'Movie (2024)/.poster.jpg.G7h8I9',
        'Movie (2024)/Extras',
        // The file behind the link, still where it was.
        'Movie (2024)/Extras/.x.mkv.P7q8R9',
        'Movie (2024)/Subs',
        `Movie (2024)/Subs/${P}`,
        `Movie (2024)/Subs/${P}/en.srt`,
        'Other (2023)',
        'Other (2023)/.movie.mkv.M4n5O6',
      ].sort(),
    );
    // The source is left as it was.
    expect(treeOf(join(dir, 'src'))).toEqual([
      'Movie (2024)',
      'Movie (2024)/Extras',
      'Movie (2024)/Extras/x.mkv',
      'Movie (2024)/Subs',
      'Movie (2024)/Subs/en.srt',
      'Movie (2024)/movie.mkv',
    ]);
  });

  it('never writes through a partial folder that is a link: the temp file goes instead', async () => {
    await files(dir, ['src/e01.mkv']);
    await files(join(dir, 'dst'), { '.e01.mkv.Ab12cd': 'half' });
    await mkdir(join(dir, 'outside'));
    await symlink(join(dir, 'outside'), join(dir, 'dst', P));

    const prepared = await partials.prepare(join(dir, 'src', 'e01.mkv'), join(dir, 'dst', 'e01.mkv'));

    expect(prepared).toEqual({ kept: [], removed: [join(dir, 'dst', '.e01.mkv.Ab12cd')], partialBytes: 0 });
    expect(treeOf(join(dir, 'outside'))).toEqual([]);
  });

  it('takes [ ] * ? and quotes in names as names, not as patterns', async () => {
    const name = `-"Film" [x] *?.mkv`;
    await files(join(dir, 'src'), [name]);
    // What the name would match as a pattern.
    const lookalike = '.-"Film" x anything.mkv.Ab12cd';
    await files(join(dir, 'dst'), [`.${name}.Ab12cd`, lookalike]);

    const prepared = await partials.prepare(join(dir, 'src', name), join(dir, 'dst', name));

    expect(prepared).toEqual({ kept: [join(dir, 'dst', P, name)], removed: [], partialBytes: 1 });
    expect(treeOf(join(dir, 'dst'))).toEqual([P, `${P}/${name}`, lookalike].sort());
  });

  it('has nothing to do when the item is not at the destination yet', async () => {
    await files(join(dir, 'src'), ['Movie/movie.mkv', 'e01.mkv']);
    await mkdir(join(dir, 'dst'));
    const nothing = { kept: [], removed: [], partialBytes: 0 };

    expect(await partials.prepare(join(dir, 'src', 'Movie'), join(dir, 'dst', 'Movie'))).toEqual(nothing);
    expect(await partials.prepare(join(dir, 'src', 'e01.mkv'), join(dir, 'dst', 'e01.mkv'))).toEqual(nothing);
    expect(treeOf(join(dir, 'dst'))).toEqual([]);
  });
});

describe('measure', () => {
  it("sums a folder item's partial files at every depth, or one file item's, from the destination alone", async () => {
    await files(join(dir, 'dst'), {
      [`Movie/${P}/movie.mkv`]: '1234567',
      [`Movie/Subs/${P}/en.srt`]: '123',
      'Movie/movie.nfo': 'not partial',
      [`Season 01/${P}/e01.mkv`]: '12345',
      [`Season 01/${P}/e02.mkv`]: 'another episode',
    });

    expect(await partials.measure(join(dir, 'dst', 'Movie'))).toBe(10);
    expect(await partials.measure(join(dir, 'dst', 'Season 01', 'e01.mkv'))).toBe(5);
    expect(await partials.measure(join(dir, 'dst', 'Season 01', 'e03.mkv'))).toBe(0);
    expect(await partials.measure(join(dir, 'dst', 'Nothing Yet'))).toBe(0);
  });
});

describe('remove', () => {
  it("removes a file item's temp files and partial file, and the folder only once empty", async () => {
    await files(dir, ['src/e01.mkv', 'src/e02.mkv']);
    await files(join(dir, 'dst'), ['.e01.mkv.Ab12cd', `${P}/e01.mkv`, `${P}/e02.mkv`, 'e03.mkv']);

    const first = await partials.remove(join(dir, 'src', 'e01.mkv'), join(dir, 'dst', 'e01.mkv'));
    expect(first).toEqual({ removed: [join(dir, 'dst', '.e01.mkv.Ab12cd'), join(dir, 'dst', P, 'e01.mkv')] });
    // Another episode's part stays, and so does the folder holding it.
    expect(treeOf(join(dir, 'dst'))).toEqual([P, `${P}/e02.mkv`, 'e03.mkv']);

    const second = await partials.remove(join(dir, 'src', 'e02.mkv'), join(dir, 'dst', 'e02.mkv'));
    expect(second).toEqual({ removed: [join(dir, 'dst', P, 'e02.mkv')] });
    expect(treeOf(join(dir, 'dst'))).toEqual(['e03.mkv']);
  });

  it("empties a folder item's partial folders even when the source is gone, and removes nothing else", async () => {
    await files(join(dir, 'dst'), [
      'Movie/movie.nfo',
      `Movie/${P}/movie.mkv`,
      `Movie/Subs/${P}/en.srt`,
      `Movie/Subs/${P}/not ours/keep.txt`,
      'Other/.movie.mkv.Ab12cd',
      `Other/${P}/movie.mkv`,
    ]);

    const removal = await partials.remove(join(dir, 'src', 'Movie'), join(dir, 'dst', 'Movie'));

    expect(removal.problem).toBeUndefined();
    expect(removal.removed.sort()).toEqual([
      join(dir, 'dst', 'Movie', P, 'movie.mkv'),
      join(dir, 'dst', 'Movie', 'Subs', P, 'en.srt'),
    ]);
    // Only rmdir: a folder rsync did not make keeps the partial folder that holds it.
    expect(treeOf(join(dir, 'dst'))).toEqual([
      'Movie',
      'Movie/Subs',
      `Movie/Subs/${P}`,
      `Movie/Subs/${P}/not ours`,
      `Movie/Subs/${P}/not ours/keep.txt`,
      'Movie/movie.nfo',
      'Other',
      'Other/.movie.mkv.Ab12cd',
      `Other/${P}`,
      `Other/${P}/movie.mkv`,
    ]);
  });
});

describe('a share that does not answer', () => {
  it('gives up at the timeout and says so; the measure is unknown', async () => {
    const pidFile = join(dir, 'stuck.pid');
    const shell = join(dir, 'hanging-sh');
    // The setsid'd sleep stands in for a find stuck on a dead NFS server: out of reach of the kill.
    await writeFile(shell, `#!/bin/sh\nsetsid sleep 30 & echo $! >> '${pidFile}'; wait\n`);
    await chmod(shell, 0o755);
    const hanging = createPartialCopies({ timeoutMs: 300, shell });
    const started = performance.now();
    try {
      const item = join(dir, 'dst', 'e01.mkv');
      expect(await hanging.prepare(join(dir, 'src', 'e01.mkv'), item)).toEqual({
        kept: [],
        removed: [],
        partialBytes: 0,
        problem: `the partial copies of ${item} did not answer within 0.3 s (hung mount?)`,
      });
      expect(performance.now() - started).toBeLessThan(1_000);
      // The same item again: the stuck look is still there, so no second one starts.
      expect(await hanging.measure(item)).toBeNull();
      expect((await hanging.remove(join(dir, 'src', 'e01.mkv'), item)).problem).toMatch(
        /^the partial copies of .* still not answering \(probe hanging since /,
      );
    } finally {
      for (const pid of (await readFile(pidFile, 'utf8')).trim().split('\n')) process.kill(Number(pid), 'SIGKILL');
    }
  });

  it('says so when the shell cannot be started', async () => {
    const missing = createPartialCopies({ timeoutMs: 5_000, shell: join(dir, 'no-shell') });
    const removal = await missing.remove(join(dir, 'a'), join(dir, 'b'));

    expect(removal).toEqual({
      removed: [],
      problem: expect.stringMatching(/^the partial copies of .*\/b could not be checked: starting .*no-shell failed/),
    });
  });
});
