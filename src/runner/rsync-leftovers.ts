import { spawn } from 'node:child_process';

/*
 * rsync writes each file to a temporary ".NAME.XXXXXX" beside its final place and renames it when
 * complete; on an error or SIGTERM it removes that file itself. Only a kill nothing survives (SIGKILL
 * of the whole container, a power cut) leaves it behind, and the retry then writes a new one: the old
 * one would stay forever, as large as the part copied. Before a job copies, its own leftovers go:
 * only ".NAME.??????" beside the destination of a file NAME that the job's source holds.
 *
 * Like every other look at a share this runs in a child process with a timeout (a hung NFS mount
 * must not pin the service). Paths travel as positional parameters; quoted parts of a shell pattern
 * match literally, so names with [ ] * ? stay names.
 */
const SCRIPT = `
remove() {
  for f in "$1/.$2".??????; do
    if [ -f "$f" ] && [ ! -L "$f" ]; then rm -f -- "$f" && printf '%s\\n' "$f"; fi
  done
}
if [ -d "$1" ]; then
  [ -d "$2" ] || exit 0
  cd -- "$1" || exit 13
  find . -type f -print | while IFS= read -r rel; do remove "$2/\${rel%/*}" "\${rel##*/}"; done
else
  remove "\${2%/*}" "\${2##*/}"
fi
`;

export interface LeftoverCleanup {
  /** Paths removed. */
  removed: string[];
  /** Set when the cleanup could not finish (timeout, unreadable source); the copy goes ahead anyway. */
  problem?: string;
}

/** Removes rsync temp files a killed copy of `sourceItem` left at `destItem` (the same item at the destination). */
export function removeRsyncLeftovers(
  sourceItem: string,
  destItem: string,
  timeoutMs: number,
): Promise<LeftoverCleanup> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const child = spawn('/bin/sh', ['-c', SCRIPT, 'cleanup', sourceItem, destItem], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group, so the timeout also stops the find and rm the shell waits on.
      detached: true,
    });
    const removed = () => stdout.split('\n').filter((line) => line !== '');
    const done = (result: LeftoverCleanup) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
      done({
        removed: removed(),
        problem: `cleanup of rsync temp files under ${destItem} did not finish within ${timeoutMs / 1000} s`,
      });
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) =>
      done({ removed: [], problem: `cleanup of rsync temp files could not start: ${error.message}` }),
    );
    child.once('close', (code) => {
      const detail = stderr.trim().slice(-300);
      done(
        code === 0
          ? { removed: removed() }
          : {
              removed: removed(),
              problem: `cleanup of rsync temp files under ${destItem} failed (exit ${code})${detail ? `: ${detail}` : ''}`,
            },
      );
    });
  });
}
