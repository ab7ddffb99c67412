// The destination's file operations of mirroring, run for real (scripts/destination-files.sh in a child
// process) on temp trees: what each action does, and every refusal its rules make.
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDestinationFiles, DestinationFilesError } from './destination-files.js';

const T = '.sync-webhook-trash';
const P = '.sync-webhook-partial';
let dir: string;
let root: string;
let outside: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'destination-files-')));
  root = join(dir, 'Movies');
  outside = join(dir, 'outside');
  await files(outside, { 'secret.mkv': 'outside' });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const destination = createDestinationFiles({ timeoutMs: 5_000 });

async function files(at: string, spec: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(spec)) {
    await mkdir(dirname(join(at, path)), { recursive: true });
    await writeFile(join(at, path), content);
  }
}

/** Every file, link and folder under `at`, relative, sorted; links are not followed. */
function treeOf(at: string): string[] {
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const path = join(folder, entry.name);
      return entry.isDirectory() ? [path, ...walk(path)] : [path];
    });
  return walk(at)
    .map((path) => relative(at, path))
    .sort();
}

describe('list', () => {
  it('lists files and folders, at every depth or one, without the partial and trash folders', async () => {
    await files(root, {
      'M/a.mkv': 'a',
      'M/Extras/b.mkv': 'b',
      [`M/${P}/a.mkv`]: 'part',
      [`M/${T}/x.mkv`]: 'trash',
      'M/line\nbreak.srt': 'odd name',
    });
    await symlink(join(outside, 'secret.mkv'), join(root, 'M', 'link.mkv'));
    const all = await destination.list(root, join(root, 'M'), 'all');
    expect(all.files.sort()).toEqual(
      ['M/Extras/b.mkv', 'M/a.mkv', 'M/line\nbreak.srt'].map((p) => join(root, p)).sort(),
    );
    expect(all.folders).toEqual([join(root, 'M', 'Extras')]);
    const flat = await destination.list(root, join(root, 'M'), 1);
    expect(flat.files.sort()).toEqual(['M/a.mkv', 'M/line\nbreak.srt'].map((p) => join(root, p)).sort());
  });

  it('a missing folder lists nothing', async () => {
    await mkdir(root);
    expect(await destination.list(root, join(root, 'Gone'), 'all')).toEqual({ files: [], folders: [] });
  });

  it.each([
    ['a link out of the root', async () => symlink(outside, join(root, 'M')), 'M'],
    ['a link to a folder inside the root', async () => symlink(join(root, 'Real'), join(root, 'M')), 'M'],
    ['the root itself', async () => undefined, ''],
  ])('refuses %s', async (_label, make, name) => {
    await files(root, { 'Real/a.mkv': 'a' });
    await make();
    const error = await destination.list(root, join(root, name), 'all').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DestinationFilesError);
    expect(error).toMatchObject({ kind: 'refused' });
  });
});

describe('remove', () => {
  it('deletes regular files; reports the missing ones', async () => {
    await files(root, { 'M/a.mkv': 'a', 'M/b.srt': 'b', 'M/c.nfo': 'c' });
    const outcomes = await destination.remove(
      root,
      [join(root, 'M/a.mkv'), join(root, 'M/b.srt'), join(root, 'M/x')],
      null,
    );
    expect(outcomes).toEqual([
      { path: join(root, 'M/a.mkv'), action: 'deleted' },
      { path: join(root, 'M/b.srt'), action: 'deleted' },
      { path: join(root, 'M/x'), action: 'absent' },
    ]);
    expect(treeOf(root)).toEqual(['M', 'M/c.nfo']);
  });

  it("moves files into the trash's day at their path below the root, never over an earlier one", async () => {
    await files(root, { 'M/a.mkv': 'first', [`${T}/2026-03-10/M/a.mkv`]: 'trashed before' });
    const [outcome] = await destination.remove(root, [join(root, 'M/a.mkv')], '2026-03-10');
    expect(outcome).toEqual({
      path: join(root, 'M/a.mkv'),
      action: 'trashed',
      to: join(root, T, '2026-03-10/M/a.mkv.1'),
    });
    expect(await readFile(join(root, T, '2026-03-10/M/a.mkv.1'), 'utf8')).toBe('first');
    expect(await readFile(join(root, T, '2026-03-10/M/a.mkv'), 'utf8')).toBe('trashed before');
    expect(treeOf(root)).toEqual([
      T,
      `${T}/2026-03-10`,
      `${T}/2026-03-10/M`,
      `${T}/2026-03-10/M/a.mkv`,
      `${T}/2026-03-10/M/a.mkv.1`,
      'M',
    ]);
  });

  it('keeps links, folders, files reached through a link, and what lies in the partial or trash folder', async () => {
    await files(root, { 'M/Sub/a.mkv': 'a', [`M/${P}/a.mkv`]: 'part', [`${T}/2026-01-01/M/z.mkv`]: 'z' });
    await symlink(join(outside, 'secret.mkv'), join(root, 'M', 'link.mkv'));
    await symlink(outside, join(root, 'M', 'Out'));
    const before = treeOf(dir);
    const outcomes = await destination.remove(
      root,
      [
        join(root, 'M/link.mkv'),
        join(root, 'M/Sub'),
        join(root, 'M/Out/secret.mkv'),
        join(root, `M/${P}/a.mkv`),
        join(root, `${T}/2026-01-01/M/z.mkv`),
      ],
      '2026-03-10',
    );
    expect(outcomes).toEqual([
      { path: join(root, 'M/link.mkv'), action: 'kept', reason: 'a link, not a file' },
      { path: join(root, 'M/Sub'), action: 'kept', reason: 'not a regular file' },
      { path: join(root, 'M/Out/secret.mkv'), action: 'kept', reason: `its folder leads out of ${root}` },
      { path: join(root, `M/${P}/a.mkv`), action: 'kept', reason: `inside the ${P} or ${T} folder` },
      { path: join(root, `${T}/2026-01-01/M/z.mkv`), action: 'kept', reason: `inside the ${P} or ${T} folder` },
    ]);
    // Only the (empty) trash folder of the day may have been made.
    expect(treeOf(dir).filter((p) => !before.includes(p))).toEqual([]);
  });

  it('refuses to move anything when the trash folder is a link', async () => {
    await files(root, { 'M/a.mkv': 'a' });
    await symlink(outside, join(root, T));
    const error = await destination.remove(root, [join(root, 'M/a.mkv')], '2026-03-10').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'refused' });
    expect(treeOf(root)).toEqual(['M', 'M/a.mkv', T].sort());
    expect(treeOf(outside)).toEqual(['secret.mkv']);
  });

  it("keeps a file when the trash's day folder leads out of the root", async () => {
    await files(root, { 'M/a.mkv': 'a' });
    await mkdir(join(root, T));
    await symlink(outside, join(root, T, '2026-03-10'));
    const outcomes = await destination.remove(root, [join(root, 'M/a.mkv')], '2026-03-10');
    expect(outcomes).toEqual([
      { path: join(root, 'M/a.mkv'), action: 'kept', reason: `the trash folder leads out of ${root}/${T}` },
    ]);
    expect(treeOf(outside)).toEqual(['secret.mkv']);
  });
});

describe('rename', () => {
  it('renames into a new folder when the new name is free', async () => {
    await files(root, { 'S/Season 1/e1.mkv': 'e1' });
    expect(await destination.rename(root, join(root, 'S/Season 1/e1.mkv'), join(root, 'S/Season 01/E1.mkv'))).toEqual({
      path: join(root, 'S/Season 1/e1.mkv'),
      action: 'renamed',
      to: join(root, 'S/Season 01/E1.mkv'),
    });
    expect(treeOf(root)).toEqual(['S', 'S/Season 01', 'S/Season 01/E1.mkv', 'S/Season 1']);
  });

  it.each([
    ['the new name exists', { 'S/a.mkv': 'a', 'S/b.mkv': 'b' }, 'S/a.mkv', 'S/b.mkv', 'the new name already exists'],
    [
      'the new name is in the trash',
      { 'S/a.mkv': 'a' },
      'S/a.mkv',
      `${T}/x/a.mkv`,
      'the new name is in a service folder',
    ],
    [
      'the new name is in a partial folder',
      { 'S/a.mkv': 'a' },
      'S/a.mkv',
      `S/${P}/a.mkv`,
      'the new name is in a service folder',
    ],
  ])('keeps the file when %s', async (_label, spec, from, to, reason) => {
    await files(root, spec);
    const before = treeOf(root);
    expect(await destination.rename(root, join(root, from), join(root, to))).toEqual({
      path: join(root, from),
      action: 'kept',
      reason,
    });
    expect(treeOf(root)).toEqual(before);
  });

  it('reports a previous file that is not there', async () => {
    await mkdir(root);
    expect(await destination.rename(root, join(root, 'a.mkv'), join(root, 'b.mkv'))).toEqual({
      path: join(root, 'a.mkv'),
      action: 'absent',
    });
  });

  it('never creates folders through a link out of the root', async () => {
    await files(root, { 'S/a.mkv': 'a' });
    await symlink(outside, join(root, 'S', 'Out'));
    const outcome = await destination.rename(root, join(root, 'S/a.mkv'), join(root, 'S/Out/New/a.mkv'));
    expect(outcome).toEqual({
      path: join(root, 'S/a.mkv'),
      action: 'kept',
      reason: `the new folder leads out of ${root}`,
    });
    expect(treeOf(outside)).toEqual(['secret.mkv']);
  });
});

describe('prune', () => {
  it('removes the empty folders given, deepest first; never one that holds anything, a link, the root', async () => {
    await files(root, { 'S/Season 01/e.mkv': 'e', 'S/Empty/Deeper/.keep': 'x' });
    await rm(join(root, 'S/Empty/Deeper/.keep'));
    await mkdir(join(root, 'Lone'));
    await symlink(join(root, 'Lone'), join(root, 'S', 'Link'));
    const removed = await destination.prune(root, [
      join(root, 'S/Empty/Deeper'),
      join(root, 'S/Empty'),
      join(root, 'S/Season 01'),
      join(root, 'S/Link'),
      join(root, 'S'),
      root,
    ]);
    expect(removed).toEqual([join(root, 'S/Empty/Deeper'), join(root, 'S/Empty')]);
    expect(treeOf(root)).toEqual(['Lone', 'S', 'S/Link', 'S/Season 01', 'S/Season 01/e.mkv']);
  });
});

describe('cleanTrash', () => {
  it('removes the days up to the last one given, and nothing else', async () => {
    await files(root, {
      [`${T}/2026-01-01/M/a.mkv`]: 'a',
      [`${T}/2026-01-02/M/b.mkv`]: 'b',
      [`${T}/2026-01-03/M/c.mkv`]: 'c',
      [`${T}/notes.txt`]: 'not a day',
    });
    await symlink(outside, join(root, T, '2025-12-31'));
    const removed = await destination.cleanTrash(root, '2026-01-02');
    expect(removed.sort()).toEqual([join(root, T, '2026-01-01'), join(root, T, '2026-01-02')]);
    expect(treeOf(join(root, T))).toEqual([
      '2025-12-31',
      '2026-01-03',
      '2026-01-03/M',
      '2026-01-03/M/c.mkv',
      'notes.txt',
    ]);
    expect(treeOf(outside)).toEqual(['secret.mkv']);
  });

  it('removes the trash folder once empty; a root without one is fine', async () => {
    await files(root, { [`${T}/2026-01-01/a.mkv`]: 'a' });
    await destination.cleanTrash(root, '2026-01-01');
    expect(treeOf(root)).toEqual([]);
    expect(await destination.cleanTrash(root, '2026-01-01')).toEqual([]);
  });
});

describe('a share that does not answer', () => {
  it('gives up at the timeout with a timeout error', async () => {
    const pidFile = join(dir, 'stuck.pid');
    const shell = join(dir, 'hanging-sh');
    // The setsid'd sleep stands in for an rm stuck on a dead NFS server: out of reach of the kill.
    await writeFile(shell, `#!/bin/sh\nsetsid sleep 30 & echo $! >> '${pidFile}'; wait\n`);
    await chmod(shell, 0o755);
    const hanging = createDestinationFiles({ timeoutMs: 300, shell });
    try {
      const error = await hanging.remove(root, [join(root, 'a.mkv')], null).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DestinationFilesError);
      expect(error).toMatchObject({ kind: 'timeout', message: expect.stringContaining('did not answer within 0.3 s') });
    } finally {
      for (const pid of (await readFile(pidFile, 'utf8')).trim().split('\n')) process.kill(Number(pid), 'SIGKILL');
    }
  });
});
