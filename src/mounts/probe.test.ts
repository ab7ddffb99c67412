import {
  appendFile,
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  realpath,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isMounted, parseMountinfo } from './mountinfo.js';
import { createMountProbe } from './probe.js';

let dir: string;
beforeEach(async () => {
  // Physical path: mountinfo lists mount points without symlinks.
  dir = await realpath(await mkdtemp(join(tmpdir(), 'probe-')));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const plain = () => createMountProbe({ timeoutMs: 5_000, requireMounts: false });

/** A mount table with "/" on disk and `point` mounted as `fstype`. */
const table = (point: string, fstype: string) => async () =>
  [
    '20 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
    `30 20 0:50 /volume1/media ${point.replaceAll(' ', '\\040')} ` +
      `rw,relatime shared:1 - ${fstype} nas:/volume1/media rw`,
  ].join('\n');

async function folderWith(name: string, files: Record<string, string> = { 'movie.mkv': 'x' }): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(join(path, file), content);
  return path;
}

describe('checkRoot', () => {
  it('accepts a readable, non-empty source and a writable destination, leaving nothing behind', async () => {
    const source = await folderWith('src');
    const destination = await folderWith('dst', {});
    const probe = plain();

    expect(await probe.checkRoot({ path: source }, 'source')).toEqual({ ok: true });
    expect(await probe.checkRoot({ path: destination }, 'destination')).toEqual({ ok: true });
    expect(await readdir(destination)).toEqual([]);
  });

  it('reports an empty source as the unmounted share it probably is', async () => {
    const source = await folderWith('src', {});
    expect(await plain().checkRoot({ path: source }, 'source')).toEqual({
      ok: false,
      problem: `source ${source} is empty: an unmounted share looks like this`,
      state: 'empty',
    });
  });

  it('reports a missing root and a root that is a file', async () => {
    const file = join(dir, 'file');
    await writeFile(file, 'x');
    const probe = plain();

    expect(await probe.checkRoot({ path: join(dir, 'nope') }, 'destination')).toEqual({
      ok: false,
      problem: `destination ${join(dir, 'nope')} does not exist`,
      state: 'missing',
    });
    expect(await probe.checkRoot({ path: file }, 'source')).toEqual({
      ok: false,
      problem: `source ${file} is not a directory`,
      state: 'not_a_directory',
    });
  });

  it('reports a destination it cannot create a file in', async () => {
    // chmod 555 does not stop root; procfs refuses new files to everyone.
    expect(await plain().checkRoot({ path: '/proc/self' }, 'destination')).toEqual({
      ok: false,
      problem: 'destination /proc/self is not writable',
      state: 'not_writable',
    });
  });

  it('reports a missing anchor, and accepts a present one', async () => {
    const destination = await folderWith('dst', { '.sync-anchor': '' });
    const probe = plain();

    expect(await probe.checkRoot({ path: destination, anchor: '.sync-anchor' }, 'destination')).toEqual({ ok: true });
    expect(await probe.checkRoot({ path: destination, anchor: 'other-anchor' }, 'destination')).toEqual({
      ok: false,
      problem: `anchor file other-anchor missing under ${destination}: the share is probably not mounted`,
      state: 'anchor_missing',
    });
  });

  it('handles quotes, spaces, a leading dash and globs in the path and the anchor', async () => {
    const source = await folderWith(`-Films "4K" $(id) [*]`, { '-anchor *': '' });
    expect(await plain().checkRoot({ path: source, anchor: '-anchor *' }, 'source')).toEqual({ ok: true });
  });

  it.skipIf(isMounted(tmpdir(), parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'))))(
    'reports a folder of the root filesystem as not mounted when mounts are required',
    async () => {
      const destination = await folderWith('dst', {});
      const probe = createMountProbe({ timeoutMs: 5_000, requireMounts: true });
      expect(await probe.checkRoot({ path: destination }, 'destination')).toEqual({
        ok: false,
        problem:
          `destination ${destination} is not mounted ` +
          '(it is on the root filesystem; ' +
          'its nearest mount point is /)',
        state: 'not_mounted',
      });
    },
  );

  it('never writes its test file into the mount point of a destination that is not mounted', async () => {
    const destination = await folderWith('dst', {});
    const { statSync } = await import('node:fs');
    const before = statSync(destination).mtimeMs;
    const probe = createMountProbe({
      timeoutMs: 5_000,
      requireMounts: true,
      readMountinfo: table('/elsewhere', 'nfs4'),
    });
    expect(await probe.checkRoot({ path: destination }, 'destination')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('is not mounted'),
    });
    // A file created and removed would have changed the folder's mtime.
    expect(statSync(destination).mtimeMs).toBe(before);
    const mounted = createMountProbe({
      timeoutMs: 5_000,
      requireMounts: true,
      readMountinfo: table(destination, 'nfs4'),
    });
    expect(await mounted.checkRoot({ path: destination }, 'destination')).toEqual({ ok: true });
    expect(await readdir(destination)).toEqual([]);
  });

  it('ranks "not mounted" above a missing anchor', async () => {
    const destination = await folderWith('dst', {});
    const probe = createMountProbe({
      timeoutMs: 5_000,
      requireMounts: true,
      readMountinfo: table('/elsewhere', 'nfs4'),
    });
    expect(await probe.checkRoot({ path: destination, anchor: '.sync-anchor' }, 'destination')).toMatchObject({
      ok: false,
      problem: expect.stringContaining('is not mounted'),
    });
  });

  it('accepts a mounted root of the right type, also through a symlink', async () => {
    const share = await folderWith('share');
    const link = join(dir, 'link to share');
    await symlink(share, link);
    const probe = createMountProbe({ timeoutMs: 5_000, requireMounts: true, readMountinfo: table(share, 'nfs4') });

    expect(await probe.checkRoot({ path: share, fstype: 'nfs4' }, 'source')).toEqual({ ok: true });
    expect(await probe.checkRoot({ path: link, fstype: 'nfs4' }, 'source')).toEqual({ ok: true });
  });

  it('reports the wrong filesystem type, even when mounts are not required', async () => {
    const destination = await folderWith('dst', {});
    for (const requireMounts of [true, false]) {
      const probe = createMountProbe({ timeoutMs: 5_000, requireMounts, readMountinfo: table(destination, 'tmpfs') });
      expect(await probe.checkRoot({ path: destination, fstype: 'nfs4' }, 'destination')).toEqual({
        ok: false,
        problem: `destination ${destination} is on tmpfs, expected nfs4`,
        state: 'wrong_filesystem',
      });
    }
  });

  it('says so when the mount table cannot be read', async () => {
    const source = await folderWith('src');
    const probe = createMountProbe({
      timeoutMs: 5_000,
      requireMounts: true,
      readMountinfo: () => Promise.reject(new Error('ENOENT: /proc is not mounted')),
    });
    expect(await probe.checkRoot({ path: source }, 'source')).toEqual({
      ok: false,
      problem:
        `cannot tell whether source ${source} is mounted: ` +
        'reading the mount table failed: ENOENT: /proc is not mounted',
      state: 'error',
    });
  });
});

describe('inspectSource', () => {
  it('gives kind and apparent size of a file', async () => {
    const file = join(dir, `-Movie "x" (2024).mkv`);
    await writeFile(file, Buffer.alloc(123_457));
    expect(await plain().inspectSource(file)).toEqual({ ok: true, kind: 'file', bytes: 123_457 });
  });

  it('gives a recursive size of a folder that grows with its content', async () => {
    const folder = await folderWith('Movie (2024)', { 'movie.mkv': 'a'.repeat(10_000) });
    await mkdir(join(folder, 'Subs'));
    await writeFile(join(folder, 'Subs', 'en.srt'), 'b'.repeat(500));
    const probe = plain();

    const before = await probe.inspectSource(folder);
    expect(before).toMatchObject({ ok: true, kind: 'dir' });
    const bytesBefore = (before as { bytes: number }).bytes;
    expect(bytesBefore).toBeGreaterThanOrEqual(10_500);

    await appendFile(join(folder, 'movie.mkv'), 'c'.repeat(777));
    expect(await probe.inspectSource(folder)).toEqual({ ok: true, kind: 'dir', bytes: bytesBefore + 777 });
  });

  it('tells a missing source from other problems', async () => {
    const probe = plain();
    const empty = await folderWith('empty', {});

    expect(await probe.inspectSource(join(dir, 'gone.mkv'))).toEqual({
      ok: false,
      missing: true,
      problem: `source ${join(dir, 'gone.mkv')} does not exist`,
      reason: 'source_missing',
    });
    expect(await probe.inspectSource(empty)).toEqual({
      ok: false,
      missing: false,
      problem: `source ${empty} is an empty directory`,
      reason: 'source_empty',
    });
    expect(await probe.inspectSource('/dev/null')).toEqual({
      ok: false,
      missing: false,
      problem: 'source /dev/null is neither a file nor a directory',
      reason: 'source_unreadable',
    });
  });
});

describe('inspectSource without measuring', () => {
  it('checks presence but skips the walk for the size when the caller needs none', async () => {
    const folder = await folderWith('Unmeasured (2024)', { 'movie.mkv': 'a'.repeat(5000) });
    expect(await plain().inspectSource(folder, undefined, { measureSize: false })).toEqual({
      ok: true,
      kind: 'dir',
      bytes: 0,
    });
    expect(await plain().inspectSource(join(dir, 'nope'), undefined, { measureSize: false })).toMatchObject({
      ok: false,
      missing: true,
    });
  });
});

describe('inspectSource inside a mapping root', () => {
  it('accepts an item inside the root, even through a link that stays inside', async () => {
    const root = await folderWith('root', {});
    await folderWith('root/Movie (2024)');
    await symlink(join(root, 'Movie (2024)'), join(root, 'Alias'));
    expect(await plain().inspectSource(join(root, 'Movie (2024)'), root)).toMatchObject({ ok: true, kind: 'dir' });
    expect(await plain().inspectSource(join(root, 'Alias'), root)).toMatchObject({ ok: true, kind: 'dir' });
  });

  it('refuses an item that a symlink leads out of the root', async () => {
    const root = await folderWith('root2', { 'keep.mkv': 'x' });
    const outside = await folderWith('outside', { 'secret.txt': 'do not copy' });
    await symlink(outside, join(root, 'Escape (2024)'));
    const result = await plain().inspectSource(join(root, 'Escape (2024)'), root);
    expect(result).toEqual({
      ok: false,
      missing: false,
      outsideRoot: true,
      problem:
        `source ${join(root, 'Escape (2024)')} resolves to ${outside}, ` +
        `outside its mapping root ${root}: a symlink points out of the share`,
      reason: 'link_outside_root',
    });
  });

  it('refuses a folder holding a symlink that points out of the root, and accepts links that stay inside', async () => {
    const root = await folderWith('root3', {});
    const movie = await folderWith('root3/Movie (2024)', { 'movie.mkv': 'x' });
    const outside = await folderWith('outside3', { 'secret.txt': 'do not copy' });
    await mkdir(join(movie, 'extras'));
    await symlink('../movie.mkv', join(movie, 'extras', 'trailer.mkv'));
    expect(await plain().inspectSource(movie, root)).toMatchObject({ ok: true, kind: 'dir' });

    await symlink(outside, join(movie, 'extras', 'more'));
    expect(await plain().inspectSource(movie, root)).toEqual({
      ok: false,
      missing: false,
      outsideRoot: true,
      problem:
        `source ${movie} holds a symlink that points out of its mapping root ${root} ` +
        `(${join(movie, 'extras', 'more')} -> ${outside}): refused rather than copied`,
      reason: 'link_outside_root',
    });
    // Without a root to stay in, nothing is refused.
    expect(await plain().inspectSource(movie)).toMatchObject({ ok: true });
  });

  const followsLinksOut =
    'follows a linked file and a linked parent folder of a file out of the root, ' +
    'and names only the first bad link of a folder';
  it(followsLinksOut, async () => {
    const root = await folderWith('root4', {});
    const outside = await folderWith('outside4', { 'secret.mkv': 'x', 'other.mkv': 'y' });
    await folderWith('root4/Show/Season 01', { 'e01.mkv': 'z' });
    await symlink(join(outside, 'secret.mkv'), join(root, 'Show', 'Season 01', 'e02.mkv'));
    await symlink(outside, join(root, 'Show', 'Season 02'));
    expect(await plain().inspectSource(join(root, 'Show', 'Season 01', 'e01.mkv'), root)).toMatchObject({
      ok: true,
      kind: 'file',
    });
    expect(await plain().inspectSource(join(root, 'Show', 'Season 01', 'e02.mkv'), root)).toMatchObject({
      ok: false,
      outsideRoot: true,
      problem: expect.stringContaining(`resolves to ${join(outside, 'secret.mkv')}, outside its mapping root`),
    });
    expect(await plain().inspectSource(join(root, 'Show', 'Season 02', 'other.mkv'), root)).toMatchObject({
      ok: false,
      outsideRoot: true,
      problem: expect.stringContaining(`resolves to ${join(outside, 'other.mkv')}, outside its mapping root`),
    });
    await symlink(join(outside, 'other.mkv'), join(root, 'Show', 'Season 01', 'e03.mkv'));
    const folder = await plain().inspectSource(join(root, 'Show'), root);
    expect(folder).toMatchObject({ ok: false, outsideRoot: true });
    // One "LINK -> TARGET", however many links lead out.
    expect((folder as { problem: string }).problem).toMatch(/\(\/[^()]+ -> \/[^()]+\): refused rather than copied$/);
  });

  it('does not take a sibling folder with a longer name for the root', async () => {
    const root = await folderWith('lib', { 'a.mkv': 'x' });
    const sibling = await folderWith('lib-other', { 'b.mkv': 'y' });
    await symlink(sibling, join(root, 'B'));
    expect(await plain().inspectSource(join(root, 'B'), root)).toMatchObject({ ok: false, outsideRoot: true });
  });
});

describe('a probe that hangs', () => {
  const TIMEOUT_MS = 300;
  let flag: string;
  let pidFile: string;
  let probeCommand: string;

  beforeEach(async () => {
    flag = join(dir, 'hang');
    pidFile = join(dir, 'stuck.pids');
    probeCommand = join(dir, 'probe-sh');
    // Stands in for a shell whose stat() sits on a dead NFS server: the setsid'd sleep is out of
    // reach of the group kill and keeps the pipes open, like a process in uninterruptible sleep.
    await writeFile(
      probeCommand,
      `#!/bin/sh\nif [ -e '${flag}' ]; then setsid sleep 30 & echo $! >> '${pidFile}'; wait; fi\nexec /bin/sh "$@"\n`,
    );
    await chmod(probeCommand, 0o755);
    await writeFile(flag, '');
  });

  afterEach(async () => {
    await killStuck();
  });

  async function stuckPids(): Promise<number[]> {
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map(Number);
  }

  async function killStuck(): Promise<void> {
    for (const pid of await stuckPids()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
    const started = performance.now();
    const value = await work;
    return { value, ms: performance.now() - started };
  }

  it('gives up at the timeout, then answers at once without starting another probe, and recovers', async () => {
    const root = await folderWith('share');
    const probe = createMountProbe({ timeoutMs: TIMEOUT_MS, requireMounts: false, probeCommand });
    const startedAt = Date.now();

    const first = await timed(probe.checkRoot({ path: root }, 'source'));
    expect(first.value).toEqual({
      ok: false,
      problem: `source ${root} did not answer within 0.3 s (hung mount?)`,
      state: 'hung',
    });
    expect(first.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(first.ms).toBeLessThan(TIMEOUT_MS + 100);

    const second = await timed(probe.checkRoot({ path: root }, 'source'));
    expect(second.ms).toBeLessThan(50);
    const problem = (second.value as { problem: string }).problem;
    expect(problem).toMatch(new RegExp(`^source ${root} still not answering \\(probe hanging since (.+)\\)$`));
    const since = Date.parse(/since (.+)\)$/.exec(problem)![1]!);
    expect(Math.abs(since - startedAt)).toBeLessThan(100);
    expect(await stuckPids()).toHaveLength(1);

    // The stuck process finally dies (the server came back): the next check probes for real.
    await rm(flag);
    await killStuck();
    await expect
      .poll(() => probe.checkRoot({ path: root }, 'source'), { timeout: 2_000, interval: 20 })
      .toEqual({ ok: true });
  });

  it('lets a concurrent check of the same root wait for the running probe instead of starting a second', async () => {
    const root = await folderWith('share');
    const probe = createMountProbe({ timeoutMs: TIMEOUT_MS, requireMounts: false, probeCommand });

    const [a, b] = await Promise.all([
      timed(probe.checkRoot({ path: root }, 'destination')),
      timed(probe.checkRoot({ path: root }, 'destination')),
    ]);

    expect(a.value).toMatchObject({ ok: false, problem: expect.stringContaining('did not answer within 0.3 s') });
    expect(b.value).toMatchObject({ ok: false, problem: expect.stringContaining('still not answering') });
    expect(b.ms).toBeLessThan(TIMEOUT_MS + 100);
    expect(await stuckPids()).toHaveLength(1);
  });

  it('times out inspectSource too, without calling the source missing', async () => {
    const file = join(dir, 'movie.mkv');
    await writeFile(file, 'x');
    const probe = createMountProbe({ timeoutMs: TIMEOUT_MS, requireMounts: false, probeCommand });

    const result = await timed(probe.inspectSource(file));

    expect(result.value).toEqual({
      ok: false,
      missing: false,
      problem: `source ${file} did not answer within 0.3 s (hung mount?)`,
      reason: 'mount_down',
    });
    expect(result.ms).toBeLessThan(TIMEOUT_MS + 100);
  });
});
