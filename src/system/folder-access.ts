// Whether this process can create files in a folder of its own (the database's, the logs'), for
// `sync-webhook doctor`. Local folders only: a share is looked at by mounts/ in a child process.
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';

export interface FolderAccess {
  /** The folder itself when it exists, else its nearest existing parent (where it would be created). */
  existing: string;
  exists: boolean;
  /** This process may create files in `existing`. */
  writable: boolean;
}

export function folderAccess(folder: string): FolderAccess {
  let existing = folder;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  let writable = true;
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    writable = false;
  }
  return { existing, exists: existing === folder, writable };
}
