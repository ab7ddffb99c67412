import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTreeWalker, findArgs, type WalkResult } from './tree-walk.js';

const LOW_PRIORITY = ['/usr/bin/ionice', '-c2', '-n7', '-t', '/usr/bin/nice', '-n', '19'];

let root: string;
let outside: string;
beforeEach(async () => {
  const base = await mkdtemp(join(tmpdir(), 'sync-tree-walk-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(join(root, 'Movie (2024)', 'Subs'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(join(root, 'Movie (2024)', 'Movie.mkv'), Buffer.alloc(1234));
  await writeFile(join(root, 'Movie (2024)', 'Subs', 'Movie.en.srt'), 'subs');
  await writeFile(join(outside, 'secret.mkv'), 'secret');
});
afterEach(async () => {
  await rm(join(root, '..'), { recursive: true, force: true });
});

const walk = (o: { silenceLimitMs?: number; lowPriority?: string[]; find?: string; signal?: AbortSignal } = {}) =>
  createTreeWalker({
    lowPriority: o.lowPriority ?? LOW_PRIORITY,
    find: o.find ?? 'find',
    silenceLimitMs: o.silenceLimitMs ?? 5000,
  }).walk(root, { signal: o.signal ?? new AbortController().signal, timeoutMs: 10_000 });

function listed(result: WalkResult) {
  if (result.kind !== 'listed') throw new Error(`walk ${result.kind}: ${JSON.stringify(result)}`);
  return result.entries;
}

describe('createTreeWalker', () => {
  it('lists every entry below the root with its type, size and ctime, at low priority', async () => {
    const entries = listed(await walk());
    const file = join(root, 'Movie (2024)', 'Movie.mkv');
    const { ctimeMs } = await stat(file);
    expect([...entries.keys()].sort()).toEqual([
      'Movie (2024)',
      'Movie (2024)/Movie.mkv',
      'Movie (2024)/Subs',
      'Movie (2024)/Subs/Movie.en.srt',
    ]);
    expect(entries.get('Movie (2024)/Movie.mkv')).toEqual({ type: 'file', size: 1234, ctimeMs: Math.round(ctimeMs) });
    expect(entries.get('Movie (2024)/Subs')?.type).toBe('dir');
  });

  it("runs find in the caller's session, so that its low priority holds where the kernel has autogroups", async () => {
    // A find that notes its process group, session and autogroup (as in run-child.test.ts), then is the real find.
    const noted = join(root, '..', 'find-ran-in');
    const wrapper = join(root, '..', 'find');
    const where = (pid: string) =>
      `$(sed 's/.*) //' /proc/${pid}/stat | cut -d" " -f3,4) $(cut -d" " -f1 /proc/${pid}/autogroup 2>/dev/null)`;
    await writeFile(wrapper, `#!/bin/sh\necho "${where('$$')}" > '${noted}'\nexec find "$@"\n`, { mode: 0o755 });

    expect(listed(await walk({ find: wrapper })).size).toBe(4);
    const ours = execFileSync('/bin/sh', ['-c', `echo "${where(String(process.pid))}"`], { encoding: 'utf8' });
    expect(await readFile(noted, 'utf8')).toBe(ours);
  });

  it("skips rsync's excluded names and what lies below them", async () => {
    for (const rel of [
      '#recycle/Old/old.mkv',
      '@eaDir/x/thumb.jpg',
      'Movie (2024)/.DS_Store',
      'Movie (2024)/M.mkv.partial~',
      // rsync's folder of a cut copy's part (resume): excluded as a folder only.
      'Movie (2024)/.sync-webhook-partial/Movie.mkv',
    ]) {
      await mkdir(join(root, rel, '..'), { recursive: true });
      await writeFile(join(root, rel), 'x');
    }
    const names = [...listed(await walk()).keys()];
    expect(names.filter((n) => /recycle|eaDir|DS_Store|partial/.test(n))).toEqual([]);
    expect(findArgs('/r', ['.part/']).slice(4, 11)).toEqual(['(', '(', '-type', 'd', '-name', '.part', ')']);
    expect(findArgs('/r', ['#recycle', '*.partial~']).slice(0, 12)).toEqual([
      '-H',
      '/r',
      '-mindepth',
      '1',
      '(',
      '-name',
      '#recycle',
      '-o',
      '-name',
      '*.partial~',
      ')',
      '-prune',
    ]);
  });

  it('lists a link as a link with its target and never walks through it', async () => {
    await symlink(outside, join(root, 'Escape'));
    await symlink(join(outside, 'secret.mkv'), join(root, 'Movie (2024)', 'extra.mkv'));
    const entries = listed(await walk());
    expect(entries.get('Escape')).toMatchObject({ type: 'link', linkTarget: outside });
    expect(entries.get('Movie (2024)/extra.mkv')).toMatchObject({
      type: 'link',
      linkTarget: join(outside, 'secret.mkv'),
    });
    expect([...entries.keys()].some((n) => n.includes('secret'))).toBe(false);
  });

  it('follows the root itself when it is a link (a share mounted elsewhere)', async () => {
    const alias = join(root, '..', 'alias');
    await symlink(root, alias);
    const result = await createTreeWalker({ lowPriority: [], find: 'find', silenceLimitMs: 5000 }).walk(alias, {
      signal: new AbortController().signal,
      timeoutMs: 10_000,
    });
    expect(listed(result).has('Movie (2024)/Movie.mkv')).toBe(true);
  });

  it('keeps names with tabs, newlines and non-ASCII intact', async () => {
    const odd = 'Odd\tName\nWith Ümlaut (2020)';
    await mkdir(join(root, odd));
    await writeFile(join(root, odd, 'a.mkv'), 'abc');
    expect(listed(await walk()).get(`${odd}/a.mkv`)).toMatchObject({ type: 'file', size: 3 });
  });

  it('lists a folder it may not enter as unreadable, without failing', async () => {
    await mkdir(join(root, 'Locked'), { mode: 0o000 });
    await chmod(join(root, '..'), 0o755);
    // Root may enter any folder: as root, the walk runs as nobody (util-linux's setpriv).
    const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const entries = listed(await walk({ lowPriority: asNobody }));
    expect(entries.get('Locked')?.type).toBe('unreadable');
    expect(entries.get('Movie (2024)/Movie.mkv')?.type).toBe('file');
  });

  it('stops a walk that prints nothing for the silence limit: a share that stopped answering', async () => {
    // A "find" that hangs the way a stat() on a dead NFS mount does.
    const result = await walk({ lowPriority: ['/bin/sh', '-c', 'sleep 30', 'hung'], silenceLimitMs: 200 });
    expect(result).toEqual({ kind: 'stalled', problem: `${root} stopped answering (nothing listed for 0.2 s)` });
  });

  it('answers aborted when the pass stops it, and failed when find cannot start', async () => {
    const abort = new AbortController();
    const pending = walk({ lowPriority: ['/bin/sh', '-c', 'sleep 30', 'hung'], signal: abort.signal });
    abort.abort('stop');
    expect(await pending).toEqual({ kind: 'aborted' });
    const missing = await walk({ lowPriority: [], find: '/nonexistent/find' });
    expect(missing).toMatchObject({
      kind: 'failed',
      problem: expect.stringMatching(/^\/nonexistent\/find could not start/),
    });
  });

  it('fails a walk of a root that is gone', async () => {
    await rm(root, { recursive: true, force: true });
    expect(await walk()).toMatchObject({
      kind: 'failed',
      problem: expect.stringMatching(/^listing .* failed \(exit 1\)/),
    });
  });
});
