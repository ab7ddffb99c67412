/**
 * A FUSE mount that stops answering on demand, like a share whose server is gone: a read-only view
 * of a folder served by hang-fs.py (python3-fusepy), for the fault tests. Root only.
 *
 *   const skip = skipUnless(await fuseProblem(), 'hung mount');
 *   const share = await mountHangingFs(backing, join(base, 'share'));
 *   await share.hang();      // every request to the filesystem blocks from now on
 *   await share.resume();    // and is answered again
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { onCleanup } from './cleanup.js';
import { mountProblem, unmountIfMounted, type Mount } from './mounts.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

/** The Python interpreter Debian's python3-fusepy installs for (not a pyenv or venv one). */
const SYSTEM_PYTHON = '/usr/bin/python3';
const HANG_FS_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'hang-fs.py');

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
    tids = readdirSync(`/proc/${pid}/task`).filter((n) => /^\d+$/.test(n));
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
