import { readFileSync } from 'node:fs';

export interface ProcessTable {
  /** The command line of a live process, or undefined when there is none with that pid. */
  commandLine(pid: number): string[] | undefined;
  /** Signals a process group; false when it no longer exists. */
  signalGroup(pgid: number, signal: NodeJS.Signals): boolean;
}

export const linuxProcessTable: ProcessTable = {
  commandLine(pid) {
    try {
      const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return raw ? raw.replace(/\0$/, '').split('\0') : undefined;
    } catch {
      return undefined;
    }
  },
  signalGroup(pgid, signal) {
    try {
      process.kill(-pgid, signal);
      return true;
    } catch {
      return false;
    }
  },
};

/**
 * rsync runs in its own process group so a timeout can stop it whole; the same makes it outlive a
 * service killed with SIGKILL. At start, such an rsync of an interrupted job is still copying: stop it
 * (on SIGTERM rsync moves what it wrote into the partial folder, where the retry resumes from it) before
 * the job runs again. The pid is only trusted
 * when that process is still an rsync of the job's source, never a reused pid of something else.
 */
export async function stopOrphanedRsync(
  job: { rsyncPid: number | null; sourcePath: string },
  table: ProcessTable,
  waitMs = 5000,
): Promise<'none' | 'stopped' | 'killed'> {
  const pid = job.rsyncPid;
  if (!pid || !isRsyncOf(table.commandLine(pid), job.sourcePath)) return 'none';
  table.signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (!isRsyncOf(table.commandLine(pid), job.sourcePath)) return 'stopped';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  table.signalGroup(pid, 'SIGKILL');
  return 'killed';
}

function isRsyncOf(commandLine: string[] | undefined, sourcePath: string): boolean {
  const program = commandLine?.[0]?.split('/').at(-1);
  return program === 'rsync' && commandLine?.includes(sourcePath) === true;
}
