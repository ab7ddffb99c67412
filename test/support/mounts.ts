/**
 * Real mounts for the fault tests: tmpfs shares that can be unmounted under the service, small
 * filesystems that fill up, bind mounts that come and go like an NFS share, and a FUSE filesystem
 * that stops answering (hang-fs.py). Root only; Debian CI runs as root.
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
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { it } from 'vitest';
import { onCleanup, waitFor } from './start-service.js';

const run = promisify(execFile);

/** The Python interpreter Debian's python3-fusepy installs for (not a pyenv or venv one). */
export const SYSTEM_PYTHON = '/usr/bin/python3';
export const HANG_FS_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'hang-fs.py');

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
export function mountOf(path: string): MountLine | undefined {
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

let fuseProblemResult: Promise<string | null> | undefined;

/** Why the hanging FUSE filesystem cannot run here (no /dev/fuse, no python3-fusepy), or null. */
export function fuseProblem(): Promise<string | null> {
  fuseProblemResult ??= (async () => {
    const mounts = await mountProblem();
    if (mounts) return mounts;
    if (!existsSync('/dev/fuse')) return '/dev/fuse is missing';
    if (!existsSync(SYSTEM_PYTHON)) return `${SYSTEM_PYTHON} is missing (apt-get install python3-fusepy)`;
    try {
      await run(SYSTEM_PYTHON, ['-c', 'import fusepy']);
    } catch {
      return `python3-fusepy is not installed (apt-get install python3-fusepy)`;
    }
    return null;
  })();
  return fuseProblemResult;
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

async function unmountIfMounted(path: string): Promise<void> {
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

// ---------------------------------------------------------------------------------------------
// A FUSE mount that hangs on demand
// ---------------------------------------------------------------------------------------------

export interface HangingMount extends Mount {
  /** From now on every request to the filesystem blocks (as a share whose server is gone). */
  hang(): Promise<void>;
  /** Requests are answered again (the blocked ones too). */
  resume(): Promise<void>;
  process: ChildProcess;
}

/**
 * Mounts a read-only FUSE view of `backing` on `path` (test/support/hang-fs.py, python3-fusepy).
 * The cleanup kills the filesystem process first (the kernel then fails every blocked request, so
 * nothing stays stuck), then unmounts.
 */
export async function mountHangingFs(backing: string, path: string): Promise<HangingMount> {
  await mkdir(path, { recursive: true });
  const flag = join(dirname(path), `.${path.split('/').at(-1)}.hang`);
  const child = spawn(SYSTEM_PYTHON, [HANG_FS_SCRIPT, backing, path, flag], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (output += s));
  let exited = false;
  const gone = new Promise<void>((r) =>
    child.once('close', () => {
      exited = true;
      r();
    }),
  );

  const cleanup = async () => {
    await rm(flag, { force: true });
    if (!exited) child.kill('SIGKILL');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    await unmountIfMounted(path);
  };
  onCleanup(cleanup);
  try {
    await waitFor(() => output.includes('ready') || exited, { timeoutMs: 10_000, what: 'FUSE mount ready' });
  } catch (error) {
    throw new Error(`${(error as Error).message}; hang-fs said: ${output}`);
  }
  if (exited || !output.includes('ready')) throw new Error(`hang-fs did not mount ${path}: ${output}`);
  return {
    path,
    process: child,
    hang: () => writeFile(flag, 'hang\n'),
    resume: () => rm(flag, { force: true }),
    unmount: cleanup,
  };
}

/**
 * Threads of `pid` waiting inside a FUSE request (their kernel wait channel is FUSE's): a thread of
 * the service there would be a libuv worker pinned by a hung mount.
 */
export function threadsBlockedInFuse(pid: number): { tid: number; wchan: string }[] {
  const out: { tid: number; wchan: string }[] = [];
  let tids: string[];
  try {
    tids = readdirSafe(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const wchan = readFileSync(`/proc/${pid}/task/${tid}/wchan`, 'utf8');
      if (/fuse|request_wait_answer/.test(wchan)) out.push({ tid: Number(tid), wchan });
    } catch {
      // thread gone
    }
  }
  return out;
}

function readdirSafe(path: string): string[] {
  return readdirSync(path).filter((n) => /^\d+$/.test(n));
}
