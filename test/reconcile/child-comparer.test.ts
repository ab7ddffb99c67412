// The catch-up's child process (the built dist/reconcile/compare-child.js, as the service runs it):
// it answers what the same code answers in-process, at the priority it was started with; it is kept
// for the next mapping, ended when idle or asked, and one that dies fails only what it was doing.
// A stand-in for find records the process that ran it (its parent) and its nice value.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mapping } from '../../src/core/types.js';
import { type ChildComparerOptions, createChildComparer } from '../../src/reconcile/child-comparer.js';
import { type CompareRequest, createShareComparer, type ShareComparer } from '../../src/reconcile/share-compare.js';
import { createTreeWalker } from '../../src/reconcile/tree-walk.js';
import { MAIN_JS } from '../support/repo-paths.js';
import { waitFor } from '../support/wait-for.js';

const CHILD_URL = pathToFileURL(join(dirname(MAIN_JS), 'reconcile', 'compare-child.js'));

let base: string;
let mapping: Mapping;
let findLog: string;
let fakeFind: string;
const comparers: ShareComparer[] = [];

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'sync-child-comparer-'));
  mapping = {
    container: '/movies',
    kind: 'movie',
    source: { path: join(base, 'src') },
    destination: { path: join(base, 'dst') },
    plexPath: join(base, 'dst'),
  };
  for (const [path, size] of [
    ['src/Alien (1979)/Alien (1979).mkv', 3000],
    ['src/Heat (1995)/Heat (1995).mkv', 1000],
    ['dst/Heat (1995)/Heat (1995).mkv', 1000],
    ['dst/.share-marker', 6],
  ] as const) {
    await mkdir(dirname(join(base, path)), { recursive: true });
    await writeFile(join(base, path), Buffer.alloc(size));
  }
  findLog = join(base, 'find.log');
  fakeFind = join(base, 'find');
  // Records "PARENT-PID NICE" (its parent, and field 19 of its own /proc stat), then lists as find does.
  const script = [
    '#!/bin/sh',
    'read -r stat < /proc/$$/stat',
    `echo "$PPID $(echo "\${stat##*) }" | cut -d' ' -f17)" >> '${findLog}'`,
    'exec find "$@"',
  ];
  await writeFile(fakeFind, `${script.join('\n')}\n`);
  await chmod(fakeFind, 0o755);
});

afterEach(async () => {
  await Promise.all(comparers.splice(0).map((c) => c.close()));
  // A walk is left running when its child is killed (as one stuck on a hung share must be): end them.
  for (const walk of await walksStarted()) {
    try {
      process.kill(-walk.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  // A root check of a child just ended may still be writing its test file into dst.
  await rm(base, { recursive: true, force: true, maxRetries: 5 });
});

function childComparer(o: Partial<ChildComparerOptions> & { find?: string } = {}): ShareComparer {
  const comparer = createChildComparer({
    childUrl: CHILD_URL,
    nodePath: process.execPath,
    lowPriority: o.lowPriority ?? ['/usr/bin/nice', '-n', '19'],
    walker: { lowPriority: [], find: o.find ?? fakeFind, silenceLimitMs: 5000 },
    lingerMs: o.lingerMs ?? 60_000,
  });
  comparers.push(comparer);
  return comparer;
}

const request = (): CompareRequest => ({
  mapping,
  now: new Date(Date.now() + 3_600_000),
  settleMs: 0,
  timeoutMs: 10_000,
});
const never = () => new AbortController().signal;

/** The finds the stand-in ran so far: the process that ran each, and its nice value. */
async function findsRun(): Promise<{ parent: number; nice: number }[]> {
  if (!existsSync(findLog)) return [];
  return (await readFile(findLog, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => line.split(' ').map(Number))
    .map(([parent = 0, nice = 0]) => ({ parent, nice }));
}

const alive = (pid: number) => pid > 1 && existsSync(`/proc/${pid}`);

/**
 * A find that never answers (a hung share): each walk writes "walk.PID" holding its parent's pid (the
 * child process), whole or not at all, then sleeps.
 */
async function hangingFind(): Promise<string> {
  const path = join(base, 'hanging-find');
  const walks = join(base, 'walks');
  await mkdir(walks, { recursive: true });
  await writeFile(
    path,
    `#!/bin/sh\necho "$PPID" > "${walks}/.$$" && mv "${walks}/.$$" "${walks}/walk.$$"\nexec sleep 30\n`,
  );
  await chmod(path, 0o755);
  return path;
}

/** The hanging finds started so far: their pids and their parents'. */
async function walksStarted(): Promise<{ pid: number; parent: number }[]> {
  const walks = join(base, 'walks');
  if (!existsSync(walks)) return [];
  const names = (await readdir(walks)).filter((name) => name.startsWith('walk.'));
  return Promise.all(
    names.map(async (name) => ({
      pid: Number(name.slice('walk.'.length)),
      parent: Number((await readFile(join(walks, name), 'utf8')).trim()),
    })),
  );
}

describe('createChildComparer', () => {
  it('answers what the same check answers in-process, from a child at the lowest CPU priority', async () => {
    const inChild = await childComparer().compare(request(), never());
    const here = await createShareComparer(
      createTreeWalker({ lowPriority: [], find: 'find', silenceLimitMs: 5000 }),
    ).compare(request(), never());

    expect(inChild.kind).toBe('compared');
    if (inChild.kind !== 'compared' || here.kind !== 'compared') throw new Error('not compared');
    expect(inChild.comparison).toEqual(here.comparison);
    expect(inChild.comparison.items.map((i) => [i.containerPath, i.why, i.bytes])).toEqual([
      ['/movies/Alien (1979)', 'missing', 3000],
    ]);
    expect(inChild.source).toEqual({ entries: 4, warnings: [] });
    const finds = await findsRun();
    expect(finds).toHaveLength(2);
    for (const find of finds) {
      expect(find.parent).not.toBe(process.pid);
      expect(find.nice).toBe(19);
    }
  });

  it('keeps its child for the next mapping, and ends it once idle for lingerMs', async () => {
    const comparer = childComparer({ lingerMs: 1000 });
    await comparer.compare(request(), never());
    await comparer.compare(request(), never());
    const parents = new Set((await findsRun()).map((f) => f.parent));
    expect(parents.size).toBe(1);
    const [child = 0] = parents;
    expect(alive(child)).toBe(true);
    await waitFor(() => !alive(child), { timeoutMs: 5000, what: 'the idle child to end' });

    await comparer.compare(request(), never());
    const again = (await findsRun()).at(-1)?.parent;
    expect(again).not.toBe(child);
  });

  it('stops a walk through the signal: the comparison answers "aborted" at once', async () => {
    const abort = new AbortController();
    const comparing = childComparer({ find: await hangingFind() }).compare(request(), abort.signal);
    await waitFor(async () => (await walksStarted()).length === 2, { timeoutMs: 10_000, what: 'both walks' });
    const aborted = Date.now();
    abort.abort();
    await expect(comparing).resolves.toEqual({ kind: 'aborted' });
    expect(Date.now() - aborted).toBeLessThan(2000);
  });

  it('fails what a child that died was comparing, and starts another for the next mapping', async () => {
    const comparer = childComparer({ find: await hangingFind() });
    const comparing = comparer.compare(request(), never());
    await waitFor(async () => (await walksStarted()).length === 2, { timeoutMs: 10_000, what: 'both walks' });
    const [first] = await walksStarted();
    process.kill(first?.parent ?? Number.NaN, 'SIGKILL');
    await expect(comparing).rejects.toThrow("the catch-up's child process stopped (killed by SIGKILL)");

    void comparer.compare(request(), never()).catch(() => undefined);
    await waitFor(async () => (await walksStarted()).length === 4, { timeoutMs: 10_000, what: 'two more walks' });
    const parents = new Set((await walksStarted()).map((walk) => walk.parent));
    expect(parents.size).toBe(2);
  });

  it('close() ends the child and fails what it was comparing', async () => {
    const comparer = childComparer({ find: await hangingFind() });
    const comparing = comparer.compare(request(), never());
    await waitFor(async () => (await walksStarted()).length === 2, { timeoutMs: 10_000, what: 'both walks' });
    const [walk] = await walksStarted();
    await comparer.close();
    await expect(comparing).rejects.toThrow("the catch-up's child process was ended (the service stops)");
    await waitFor(() => !alive(walk?.parent ?? 0), { timeoutMs: 5000, what: 'the child to end' });
  });

  it('says so when the child cannot start', async () => {
    const comparer = childComparer({ lowPriority: ['/nonexistent/nice'] });
    await expect(comparer.compare(request(), never())).rejects.toThrow(
      /the catch-up's child process (failed: spawn \/nonexistent\/nice ENOENT|stopped)/,
    );
  });
});
