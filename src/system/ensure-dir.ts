import { errnoCode } from '../core/errors.js';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * mkdir -p for the service's own local folders (database, logs). Node's recursive mkdirSync never
 * returns for a path under /proc (it retries forever); creating one level at a time fails with an
 * error instead, which start-up turns into a message naming the variable.
 */
export function ensureDir(path: string): void {
  try {
    if (statSync(path).isDirectory()) return;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
    const parent = dirname(path);
    if (parent !== path) ensureDir(parent);
    mkdirSync(path);
    return;
  }
  throw Object.assign(new Error(`${path} exists and is not a directory`), { code: 'ENOTDIR' });
}
