import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRsyncArgs } from './rsync-args.js';
import { classifyRsyncExit, parseRsyncStats } from './rsync-output.js';
import { checkRsyncAvailable, runRsync } from './rsync.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rsync-run-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const copyArgs = (source: string, destDir: string, extra: string[] = []) => [
  ...extra,
  ...buildRsyncArgs({
    source,
    destDir,
    dryRun: false,
    isUpgrade: false,
    createDestDir: true,
    resume: false,
    bandwidthLimitKiB: null,
  }),
];

describe('runRsync', () => {
  it('copies a folder byte for byte and reports the bytes it moved', async () => {
    const movie = join(dir, 'src', 'Movie (2024)');
    await mkdir(join(movie, 'Subs'), { recursive: true });
    const files: Record<string, Buffer> = {
      'Movie.mkv': Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 256)),
      'Subs/en.srt': Buffer.from('1\n00:00:01,000 --> 00:00:02,000\nHello\n'),
      'poster.jpg': Buffer.alloc(12_345, 1),
    };
    for (const [name, content] of Object.entries(files)) await writeFile(join(movie, name), content);
    let spawnedPid: number | undefined;

    const run = await runRsync(copyArgs(movie, join(dir, 'dst')), {
      timeoutMs: 20_000,
      onSpawn: (pid) => (spawnedPid = pid),
    });

    expect(classifyRsyncExit(run)).toEqual({ kind: 'success' });
    expect(run).toMatchObject({ exitCode: 0, signal: null, timedOut: false, aborted: false });
    expect(spawnedPid).toBeGreaterThan(0);
    for (const [name, content] of Object.entries(files)) {
      expect((await readFile(join(dir, 'dst', 'Movie (2024)', name))).equals(content)).toBe(true);
    }
    const total = Object.values(files).reduce((sum, content) => sum + content.length, 0);
    expect(parseRsyncStats(run.stdout)).toEqual({
      bytesTransferred: total,
      filesTransferred: 3,
      totalSize: total,
      literalBytes: total,
      matchedBytes: 0,
    });
  });

  it('keeps only the tail of a long file list, with the stats intact', async () => {
    const source = join(dir, 'many');
    await mkdir(source);
    const longName = 'x'.repeat(100);
    await Promise.all(Array.from({ length: 1200 }, (_, i) => writeFile(join(source, `${longName}-${i}.nfo`), 'n')));

    const run = await runRsync(copyArgs(source, join(dir, 'dst')), { timeoutMs: 20_000 });

    expect(run.exitCode).toBe(0);
    expect(Buffer.byteLength(run.stdout)).toBeLessThanOrEqual(64 * 1024);
    expect(run.stdout.length).toBeGreaterThan(60 * 1024);
    // Cut at a line start: the first line is a whole file name.
    expect(run.stdout.split('\n')[0]).toMatch(new RegExp(`^many/${longName}-\\d+\\.nfo$`));
    expect(parseRsyncStats(run.stdout).filesTransferred).toBe(1200);
  });

  it('reports progress while it copies, and keeps progress lines out of the output', async () => {
    await mkdir(join(dir, 'src', 'Big (2024)'), { recursive: true });
    await writeFile(join(dir, 'src', 'Big (2024)', 'big.mkv'), Buffer.alloc(8 * 1024 * 1024, 7));
    const seen: { bytes: number; percent: number }[] = [];
    // --bwlimit stretches the copy over about a second, so rsync prints several progress lines.
    const run = await runRsync(copyArgs(join(dir, 'src', 'Big (2024)'), join(dir, 'dst'), ['--bwlimit=8m']), {
      timeoutMs: 30_000,
      onProgress: (p) => seen.push(p),
    });
    expect(run.exitCode).toBe(0);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toMatchObject({ bytes: 8 * 1024 * 1024, percent: 100 });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.bytes).toBeGreaterThanOrEqual(seen[i - 1]!.bytes);
    expect(run.stdout).not.toContain('\r');
    expect(run.stdout).toContain('Big (2024)/big.mkv\n');
    expect(parseRsyncStats(run.stdout).bytesTransferred).toBe(8 * 1024 * 1024);
  });

  it('exits 23 for a missing source, which is transient and names the path', async () => {
    const run = await runRsync(copyArgs(join(dir, 'gone'), join(dir, 'dst')), { timeoutMs: 20_000 });

    expect(run.exitCode).toBe(23);
    const outcome = classifyRsyncExit(run);
    expect(outcome.kind).toBe('transient');
    expect(outcome).toMatchObject({
      reason: expect.stringMatching(/^rsync exit 23 \(partial transfer due to error\): .*gone.*No such file/),
    });
  });

  it('exits 1 for a bad option, which is permanent', async () => {
    const run = await runRsync(['--no-such-option', '--', dir, `${dir}/x/`], { timeoutMs: 20_000 });

    expect(run.exitCode).toBe(1);
    expect(classifyRsyncExit(run)).toMatchObject({
      kind: 'permanent',
      reason: expect.stringContaining('--no-such-option'),
    });
  });

  // That the stop reaches every process of the group is tested once, in src/system/run-child.test.ts.
  it('kills a copy that outlives its timeout', async () => {
    const source = join(dir, 'big.bin');
    await writeFile(source, Buffer.alloc(1024 * 1024));

    const run = await runRsync(copyArgs(source, join(dir, 'dst'), ['--bwlimit=1']), { timeoutMs: 300 });

    expect(run.timedOut).toBe(true);
    expect(run.durationMs).toBeGreaterThanOrEqual(290);
    expect(run.durationMs).toBeLessThan(3000);
    expect(classifyRsyncExit({ ...run, timeoutSeconds: 0.3 })).toEqual({
      kind: 'transient',
      reason: 'rsync timed out after 0.3 s',
    });
    // --mkpath made the folder, but the file never completed under its own name.
    expect(await readdir(join(dir, 'dst'))).not.toContain('big.bin');
  });

  it('gives rsync 5 s after SIGTERM, then follows up with SIGKILL', async () => {
    const stubborn = join(dir, 'stubborn');
    // The ignored TERM is inherited by sleep, so the whole group ignores it.
    await writeFile(stubborn, `#!/bin/sh\ntrap '' TERM\nsleep 30\n`);
    await chmod(stubborn, 0o755);

    const run = await runRsync([], { binary: stubborn, timeoutMs: 200 });

    expect(run).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGKILL' });
    expect(run.durationMs).toBeGreaterThanOrEqual(5_000);
    expect(run.durationMs).toBeLessThan(7_000);
  });

  it('stops on abort (service shutdown)', async () => {
    const source = join(dir, 'big.bin');
    await writeFile(source, Buffer.alloc(1024 * 1024));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);

    const run = await runRsync(copyArgs(source, join(dir, 'dst'), ['--bwlimit=1']), {
      timeoutMs: 60_000,
      signal: controller.signal,
    });

    expect(run).toMatchObject({ aborted: true, timedOut: false });
    expect(run.durationMs).toBeLessThan(3000);
    expect(classifyRsyncExit(run)).toEqual({ kind: 'transient', reason: 'rsync stopped: service shutting down' });
  });

  it('reports a missing binary as a permanent failure instead of rejecting', async () => {
    const run = await runRsync(['--version'], { binary: join(dir, 'no-rsync-here'), timeoutMs: 5_000 });

    expect(run.spawnError).toMatchObject({ code: 'ENOENT' });
    expect(run.exitCode).toBeNull();
    expect(classifyRsyncExit(run)).toEqual({
      kind: 'permanent',
      reason: 'rsync not found: install it (Debian/Ubuntu: apt-get install rsync)',
    });
  });
});

describe('checkRsyncAvailable', () => {
  it('gives the version line', async () => {
    expect(await checkRsyncAvailable()).toMatch(/^rsync\s+version \d+\.\d+\.\d+/);
  });

  it('says how to install rsync when it is missing', async () => {
    await expect(checkRsyncAvailable(join(dir, 'nope'))).rejects.toThrow(
      /apt-get install rsync.*apk add rsync.*Docker image/,
    );
  });

  it('rejects a binary that is not rsync', async () => {
    await expect(checkRsyncAvailable('/bin/false')).rejects.toThrow(/is it really rsync/);
  });
});
