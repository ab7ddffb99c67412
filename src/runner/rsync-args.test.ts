import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../core/errors.js';
import { buildRsyncArgs } from './rsync-args.js';
import { classifyRsyncExit, parseRsyncStats } from './rsync-output.js';
import { runRsync } from './rsync.js';

const defaults = { dryRun: false, isUpgrade: false, createDestDir: false, resume: false, bandwidthLimitKiB: null };
const EXCLUDES = [
  '--exclude=#recycle',
  '--exclude=@eaDir',
  '--exclude=.DS_Store',
  '--exclude=*.partial~',
  '--exclude=.sync-webhook-partial/',
  '--exclude=.sync-webhook-trash/',
];

describe('buildRsyncArgs', () => {
  it('builds the plain new-import command', () => {
    expect(buildRsyncArgs({ ...defaults, source: '/src/Movie (2024)', destDir: '/dst/Movies' })).toEqual([
      '-avh',
      '--no-human-readable',
      '--stats',
      '--info=progress2',
      '--ignore-existing',
      '--partial-dir=.sync-webhook-partial',
      '--whole-file',
      ...EXCLUDES,
      '--',
      '/src/Movie (2024)',
      '/dst/Movies/',
    ]);
  });

  it('drops --ignore-existing for upgrades and adds --mkpath and --dry-run on request', () => {
    expect(
      buildRsyncArgs({
        source: '/s/e.mkv',
        destDir: '/d/Show/Season 01',
        dryRun: true,
        isUpgrade: true,
        createDestDir: true,
        resume: false,
        bandwidthLimitKiB: null,
      }),
    ).toEqual([
      '-avh',
      '--no-human-readable',
      '--stats',
      '--info=progress2',
      '--partial-dir=.sync-webhook-partial',
      '--whole-file',
      ...EXCLUDES,
      '--mkpath',
      '--dry-run',
      '--',
      '/s/e.mkv',
      '/d/Show/Season 01/',
    ]);
  });

  it('resumes with the delta pass only when a partial file exists, and passes the bandwidth limit in KiB/s', () => {
    const resumed = buildRsyncArgs({ ...defaults, source: '/s/e.mkv', destDir: '/d', resume: true });
    expect(resumed).toContain('--no-whole-file');
    expect(resumed).toContain('--block-size=131072');
    expect(resumed).not.toContain('--whole-file');
    const limited = buildRsyncArgs({ ...defaults, source: '/s/e.mkv', destDir: '/d', bandwidthLimitKiB: 51_200 });
    expect(limited.filter((a) => a.startsWith('--bwlimit'))).toEqual(['--bwlimit=51200K']);
    expect(buildRsyncArgs({ ...defaults, source: '/s/e.mkv', destDir: '/d' }).join(' ')).not.toContain('bwlimit');
  });

  // rsync refuses --append/--append-verify beside --partial-dir with exit 1, which gives a job up for
  // good; --inplace (or plain --partial) would show a partial file under its final name.
  it.each(allCombinations())('never asks for appending or writing in place: %j', (combination) => {
    const args = buildRsyncArgs({ ...defaults, ...combination, source: '/s/e.mkv', destDir: '/d' });
    expect(args.filter((a) => /^--(append|inplace|partial$)/.test(a))).toEqual([]);
    expect(args.filter((a) => a.startsWith('--partial-dir='))).toEqual(['--partial-dir=.sync-webhook-partial']);
    expect(args.filter((a) => /^--(no-)?whole-file$/.test(a))).toEqual([
      combination.resume ? '--no-whole-file' : '--whole-file',
    ]);
  });

  it('gives the source no trailing slash and the destination exactly one', () => {
    const args = buildRsyncArgs({ ...defaults, source: '/src/Movie//', destDir: '/dst///' });
    expect(args.slice(-2)).toEqual(['/src/Movie', '/dst/']);
  });

  it.each([
    ['', '/dst'],
    ['relative/Movie', '/dst'],
    ['/src/Movie', ''],
    ['/src/Movie', '/'],
    ['/src/Movie', 'dst'],
  ])('refuses source %j / destination %j', (source, destDir) => {
    expect(() => buildRsyncArgs({ ...defaults, source, destDir })).toThrow(PermanentError);
  });
});

/** Every mix of the job's switches, with and without a bandwidth limit. */
function allCombinations() {
  const combinations = [];
  for (let bits = 0; bits < 32; bits++) {
    combinations.push({
      dryRun: (bits & 1) !== 0,
      isUpgrade: (bits & 2) !== 0,
      createDestDir: (bits & 4) !== 0,
      resume: (bits & 8) !== 0,
      bandwidthLimitKiB: (bits & 16) !== 0 ? 1 : null,
    });
  }
  return combinations;
}

describe('buildRsyncArgs with the real rsync', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rsync-args-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = (args: string[]) => runRsync(args, { timeoutMs: 20_000 });

  it('copies a folder as a folder into destDir, leaving out NAS clutter', async () => {
    const movie = join(dir, 'src', 'Movie (2024)');
    await mkdir(join(movie, '@eaDir'), { recursive: true });
    await writeFile(join(movie, 'Movie.mkv'), 'video');
    await writeFile(join(movie, '.DS_Store'), 'x');
    await writeFile(join(movie, 'Movie.mkv.partial~'), 'half');
    await writeFile(join(movie, '@eaDir', 'thumb.jpg'), 'x');
    await mkdir(join(dir, 'dst'));

    const result = await run(buildRsyncArgs({ ...defaults, source: `${movie}/`, destDir: join(dir, 'dst') }));

    expect(classifyRsyncExit(result)).toEqual({ kind: 'success' });
    expect(await readdir(join(dir, 'dst'))).toEqual(['Movie (2024)']);
    expect(await readdir(join(dir, 'dst', 'Movie (2024)'))).toEqual(['Movie.mkv']);
  });

  it('--mkpath creates missing Series/Season folders for a file source; without it rsync fails', async () => {
    const episode = join(dir, 'Show - S01E01.mkv');
    await writeFile(episode, 'episode');
    const season = join(dir, 'dst', 'Show', 'Season 01');

    const without = await run(buildRsyncArgs({ ...defaults, source: episode, destDir: season }));
    expect(without.exitCode).toBe(11);
    expect(existsSync(join(dir, 'dst'))).toBe(false);

    const withMkpath = await run(
      buildRsyncArgs({ ...defaults, source: episode, destDir: season, createDestDir: true }),
    );
    expect(withMkpath.exitCode).toBe(0);
    expect(await readFile(join(season, 'Show - S01E01.mkv'), 'utf8')).toBe('episode');
  });

  it('--dry-run creates nothing, not even the --mkpath folders, but still reports stats', async () => {
    const episode = join(dir, 'e.mkv');
    await writeFile(episode, Buffer.alloc(4321));
    const season = join(dir, 'dst', 'Show', 'Season 01');

    const result = await run(
      buildRsyncArgs({ ...defaults, source: episode, destDir: season, createDestDir: true, dryRun: true }),
    );

    expect(result.exitCode).toBe(0);
    expect(existsSync(join(dir, 'dst'))).toBe(false);
    expect(parseRsyncStats(result.stdout).totalSize).toBe(4321);
  });

  it('copes with a leading dash, spaces, quotes, brackets and unicode in both paths', async () => {
    const name = `-Amélie "L'été" [2001] {x} $(id) ;|&`;
    const source = join(dir, 'src', name);
    const dest = join(dir, `-dst ünïcødé "q" [1]`);
    await mkdir(source, { recursive: true });
    await writeFile(join(source, '-file *.mkv'), 'data');

    const result = await run(buildRsyncArgs({ ...defaults, source, destDir: dest, createDestDir: true }));

    expect(classifyRsyncExit(result)).toEqual({ kind: 'success' });
    expect(await readFile(join(dest, name, '-file *.mkv'), 'utf8')).toBe('data');
  });

  it('--no-human-readable after -h gives exact digits in --stats', async () => {
    const source = join(dir, 'big.bin');
    await writeFile(source, Buffer.alloc(1_234_567, 7));
    await mkdir(join(dir, 'dst'));

    const result = await run(buildRsyncArgs({ ...defaults, source, destDir: join(dir, 'dst') }));

    expect(result.stdout).toMatch(/^Total transferred file size: 1234567 bytes$/m);
    expect(result.stdout).toMatch(/^Total file size: 1234567 bytes$/m);
    expect(parseRsyncStats(result.stdout)).toEqual({
      bytesTransferred: 1_234_567,
      filesTransferred: 1,
      totalSize: 1_234_567,
      literalBytes: 1_234_567,
      matchedBytes: 0,
    });
  });

  it('accepts every mix of switches the service can ask for (no exit 1 by accident)', async () => {
    const source = join(dir, 'e.mkv');
    await writeFile(source, 'episode');
    for (const [i, combination] of allCombinations().entries()) {
      const destDir = join(dir, `dst-${i}`, 'Season 01');
      if (!combination.createDestDir) await mkdir(destDir, { recursive: true });
      const result = await run(buildRsyncArgs({ ...combination, source, destDir }));
      expect(result.exitCode, `${JSON.stringify(combination)}: ${result.stderr}`).toBe(0);
    }
  });

  it('a cut copy keeps its part in the partial folder, and the resumed copy writes only the rest', async () => {
    const size = 24 * 1024 * 1024;
    const source = join(dir, 'src', 'movie.mkv');
    await mkdir(join(dir, 'src'));
    await writeFile(source, randomBytes(size));
    const dst = join(dir, 'dst');
    await mkdir(dst);

    // 8 MiB/s and a 1.5 s limit: the copy is stopped (SIGTERM) about halfway.
    const cut = await runRsync(buildRsyncArgs({ ...defaults, source, destDir: dst, bandwidthLimitKiB: 8192 }), {
      timeoutMs: 1500,
    });
    expect(cut.timedOut).toBe(true);
    expect(await readdir(dst)).toEqual(['.sync-webhook-partial']);
    const partial = join(dst, '.sync-webhook-partial', 'movie.mkv');
    const kept = (await stat(partial)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(size);
    const original = await readFile(source);
    expect((await readFile(partial)).equals(original.subarray(0, kept))).toBe(true);

    const resumed = await run(buildRsyncArgs({ ...defaults, source, destDir: dst, resume: true }));
    expect(classifyRsyncExit(resumed)).toEqual({ kind: 'success' });
    const stats = parseRsyncStats(resumed.stdout);
    expect(stats.matchedBytes).toBeGreaterThanOrEqual(kept - 256 * 1024);
    expect(stats.literalBytes).toBeLessThanOrEqual(size - kept + 256 * 1024);
    expect((await readFile(join(dst, 'movie.mkv'))).equals(original)).toBe(true);
    // rsync removes the partial file it used, and the folder once empty.
    expect(await readdir(dst)).toEqual(['movie.mkv']);
  });

  it('never copies a partial folder the source holds', async () => {
    const movie = join(dir, 'src', 'Movie (2024)');
    await mkdir(join(movie, '.sync-webhook-partial'), { recursive: true });
    await writeFile(join(movie, 'Movie.mkv'), 'video');
    await writeFile(join(movie, '.sync-webhook-partial', 'Movie.mkv'), 'vid');
    await mkdir(join(dir, 'dst'));

    const result = await run(buildRsyncArgs({ ...defaults, source: movie, destDir: join(dir, 'dst') }));

    expect(classifyRsyncExit(result)).toEqual({ kind: 'success' });
    expect(await readdir(join(dir, 'dst', 'Movie (2024)'))).toEqual(['Movie.mkv']);
  });

  it('keeps an existing destination file unless the import is an upgrade', async () => {
    const source = join(dir, 'e.mkv');
    await writeFile(source, 'new version');
    await mkdir(join(dir, 'dst'));
    await writeFile(join(dir, 'dst', 'e.mkv'), 'old');

    const kept = await run(buildRsyncArgs({ ...defaults, source, destDir: join(dir, 'dst') }));
    expect(parseRsyncStats(kept.stdout).filesTransferred).toBe(0);
    expect(await readFile(join(dir, 'dst', 'e.mkv'), 'utf8')).toBe('old');

    await run(buildRsyncArgs({ ...defaults, source, destDir: join(dir, 'dst'), isUpgrade: true }));
    expect(await readFile(join(dir, 'dst', 'e.mkv'), 'utf8')).toBe('new version');
  });
});
