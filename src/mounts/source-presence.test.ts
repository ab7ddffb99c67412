// Whether files still exist at the source, asked of a real child process on temp trees: "absent" only
// when verified under a folder inside the root, and never through a link out of it.
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMountProbe } from './probe.js';

let dir: string;
let root: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'source-presence-')));
  root = join(dir, 'movies');
  for (const path of ['movies/M/a.mkv', 'movies/M/odd [name] * ?.srt', 'outside/M/a.mkv']) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), 'x');
  }
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const probe = createMountProbe({ timeoutMs: 5_000, requireMounts: false });

describe('sourcePresence', () => {
  it('tells present from absent, for files, odd names, missing folders and links', async () => {
    await symlink(join(dir, 'nowhere'), join(root, 'M', 'dangling.mkv'));
    await writeFile(join(root, 'plain-file'), 'x');
    const paths = {
      present: join(root, 'M', 'a.mkv'),
      oddName: join(root, 'M', 'odd [name] * ?.srt'),
      danglingLink: join(root, 'M', 'dangling.mkv'),
      absent: join(root, 'M', 'b.mkv'),
      inMissingFolder: join(root, 'Gone', 'Season 01', 'e.mkv'),
      belowAFile: join(root, 'plain-file', 'x.mkv'),
    };
    const answer = await probe.sourcePresence(Object.values(paths), root);
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(Object.fromEntries(Object.entries(paths).map(([name, path]) => [name, answer.of.get(path)]))).toEqual({
      present: 'present',
      oddName: 'present',
      danglingLink: 'present',
      absent: 'absent',
      inMissingFolder: 'absent',
      belowAFile: 'absent',
    });
  });

  it('says nothing of a path whose folder leads out of the root through a link', async () => {
    await symlink(join(dir, 'outside', 'M'), join(root, 'Linked'));
    const paths = [join(root, 'Linked', 'missing.mkv'), join(root, 'Linked', 'a.mkv')];
    const answer = await probe.sourcePresence(paths, root);
    expect(answer).toEqual({
      ok: true,
      of: new Map([
        [paths[0], 'outside'],
        // Present is safe to say: it only ever keeps a file.
        [paths[1], 'present'],
      ]),
    });
  });

  it('a root that is gone is not a place where files are absent', async () => {
    await rm(root, { recursive: true });
    const answer = await probe.sourcePresence([join(root, 'M', 'a.mkv')], root);
    expect(answer).toMatchObject({ ok: false, timedOut: false });
  });

  it('answers for more paths than one child takes', async () => {
    const paths = Array.from({ length: 450 }, (_, i) => join(root, 'M', `file ${i}.mkv`));
    const answer = await probe.sourcePresence(paths, root);
    expect(answer.ok && [...answer.of.values()].every((p) => p === 'absent') && answer.of.size).toBe(450);
  });

  it('gives up at the mount timeout when the share does not answer', async () => {
    const pidFile = join(dir, 'stuck.pid');
    const probeCommand = join(dir, 'hanging-sh');
    // The setsid'd sleep stands in for a stat stuck on a dead NFS server: out of reach of the kill.
    await writeFile(probeCommand, `#!/bin/sh\nsetsid sleep 30 & echo $! >> '${pidFile}'; wait\n`);
    await chmod(probeCommand, 0o755);
    const hanging = createMountProbe({ timeoutMs: 300, requireMounts: false, probeCommand });
    try {
      expect(await hanging.sourcePresence([join(root, 'M', 'a.mkv')], root)).toEqual({
        ok: false,
        problem: `the source ${root} did not answer within 0.3 s (hung mount?)`,
        timedOut: true,
      });
    } finally {
      for (const pid of (await readFile(pidFile, 'utf8')).trim().split('\n')) process.kill(Number(pid), 'SIGKILL');
    }
  });
});
