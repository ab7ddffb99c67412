/**
 * Real mounts for the fault tests: tmpfs shares that can be unmounted under the service, small
 * filesystems that fill up, and bind mounts that come and go like an NFS share (a FUSE filesystem
 * that stops answering is in hang-fs.ts). Root only; Debian CI runs as root.
 *
 *   const problem = await mountProblem();              // null when tmpfs mounts work here
 *   const skip = skipUnless(problem, 'tmpfs mounts');   // skip locally, fail under CI
 *   describe.skipIf(skip)('...', () => { ... });
 *   const base = await rootFsTempDir();                 // a temp dir on the root filesystem
 *   const share = await mountTmpfs(join(base, 'share'), '1m');
 *   await share.unmount();                              // the mount point is an empty folder again
 *
 * Every mount is undone by the test cleanup (cleanupEachTest / cleanupAll), lazily if busy, before
 * the temp dir that holds it is removed.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { it } from 'vitest';
import { onCleanup } from './cleanup.js';

const run = promisify(execFile);

/**
 * Under CI a missing requirement fails the file (the fault tests must run there); elsewhere the
 * tests are skipped with the reason printed. Returns true when the tests must be skipped.
 * Call at the top level of a test file.
 */
export function skipUnless(problem: string | null, what: string): boolean {
  if (problem === null) return false;
  const message = `${what}: cannot run here: ${problem}`;
  if (process.env.CI) {
    it(`${what} (required under CI)`, () => {
      throw new Error(message);
    });
  } else {
    console.warn(`SKIPPED ${message}`);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Mount table
// ---------------------------------------------------------------------------------------------

interface MountLine {
  id: number;
  mountPoint: string;
  fstype: string;
}

function mountTable(): MountLine[] {
  const out: MountLine[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (sep === -1) continue;
    out.push({ id: Number(f[0]), mountPoint: unescapeMountField(f[4]!), fstype: f[sep + 1]! });
  }
  return out;
}

function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The mount a path lives on (longest mount point above it; the last one listed wins). */
function mountOf(path: string): MountLine | undefined {
  const target = resolve(path);
  let best: MountLine | undefined;
  for (const m of mountTable()) {
    const p = m.mountPoint.replace(/\/+$/, '');
    if (p === '' || target === p || target.startsWith(`${p}/`)) {
      if (!best || p.length >= best.mountPoint.replace(/\/+$/, '').length) best = m;
    }
  }
  return best;
}

/** True when `path` itself is a mount point. */
export function isMountPoint(path: string): boolean {
  const target = resolve(path);
  return mountTable().some((m) => m.mountPoint === target);
}

/** True when `path` sits on the filesystem that holds "/" (what SYNC_REQUIRE_MOUNTS calls "not mounted"). */
export function onRootFilesystem(path: string): boolean {
  return mountOf(path)?.id === mountOf('/')?.id;
}

// ---------------------------------------------------------------------------------------------
// Requirements
// ---------------------------------------------------------------------------------------------

let tmpfsProblem: Promise<string | null> | undefined;

/** Why tmpfs/bind mounts cannot be used here, or null when they can (tried for real, once). */
export function mountProblem(): Promise<string | null> {
  tmpfsProblem ??= (async () => {
    // Lets a developer run the suite without touching the mount table (and shows what CI would say).
    if (process.env.SYNC_WEBHOOK_TEST_NO_MOUNTS) return 'mounts turned off by SYNC_WEBHOOK_TEST_NO_MOUNTS';
    if (process.getuid?.() !== 0) return 'needs root (mount -t tmpfs)';
    let dir: string;
    try {
      dir = await rootFsBase();
    } catch (error) {
      return (error as Error).message;
    }
    const probe = await mkdtemp(join(dir, 'sync-webhook-mount-probe-'));
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
      await run('umount', [probe]);
      return null;
    } catch (error) {
      return `mount -t tmpfs failed: ${(error as Error).message.trim()}`;
    } finally {
      await rm(probe, { recursive: true, force: true });
    }
  })();
  return tmpfsProblem;
}

/**
 * A folder on the root filesystem to make temp dirs in: an empty folder there is what an unmounted
 * share looks like. os.tmpdir() unless it is a mount of its own (tmpfs /tmp), then /var/tmp.
 */
async function rootFsBase(): Promise<string> {
  for (const candidate of [tmpdir(), '/var/tmp']) {
    if (existsSync(candidate) && onRootFilesystem(candidate)) return candidate;
  }
  throw new Error(`neither ${tmpdir()} nor /var/tmp is on the root filesystem, so an unmounted share cannot be shown`);
}

/** A fresh temp dir on the root filesystem, removed by the cleanup (after the mounts inside it). */
export async function rootFsTempDir(prefix = 'sync-webhook-fault-'): Promise<string> {
  const dir = await mkdtemp(join(await rootFsBase(), prefix));
  onCleanup(async () => {
    // Never recurse into something still mounted: the mount cleanups registered later ran first.
    for (const m of mountTable()) {
      if (m.mountPoint.startsWith(`${dir}/`)) await run('umount', ['-l', m.mountPoint]).catch(() => undefined);
    }
    if (!process.env.KEEP_TEST_TMP) await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Mounts
// ---------------------------------------------------------------------------------------------

export interface Mount {
  path: string;
  /** Unmounts (lazily: a process inside does not stop it). Safe to call twice. */
  unmount(): Promise<void>;
}

/** Unmounts `path` (lazily) until it is no mount point any more. */
export async function unmountIfMounted(path: string): Promise<void> {
  while (isMountPoint(path)) {
    // -l: detach now even if a probe of the service is inside; the kernel frees it when it leaves.
    await run('umount', ['-l', path]);
  }
}

function tracked(path: string): Mount {
  const unmount = () => unmountIfMounted(path);
  onCleanup(unmount);
  return { path, unmount };
}

/** Mounts a fresh tmpfs of `size` (e.g. "1m", "64m") on `path` (created if needed). */
export async function mountTmpfs(path: string, size = '64m'): Promise<Mount> {
  await mkdir(path, { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', path]);
  return tracked(path);
}

/** Bind-mounts folder `from` on `path`: a share whose content survives being unmounted and mounted again. */
export async function bindMount(from: string, path: string): Promise<Mount> {
  await mkdir(path, { recursive: true });
  await run('mount', ['--bind', from, path]);
  return tracked(path);
}
