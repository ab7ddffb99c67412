// Where a program of the PATH is, as a shell would find it: the first folder that holds an executable
// file of that name. Read at start, so a missing program is a configuration error, not a failed send.
import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** The absolute path of `name` on `searchPath` (PATH's colon-separated folders), or undefined. */
export function findProgram(name: string, searchPath: string | undefined): string | undefined {
  for (const folder of (searchPath ?? '').split(':')) {
    // An empty or relative entry means the current folder, which the service's may not be the user's.
    if (!isAbsolute(folder)) continue;
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here, or not executable: the next folder.
    }
  }
  return undefined;
}
