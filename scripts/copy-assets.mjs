// Copies what the compiled code reads at run time next to it, so dist/ is self-contained: the SQL
// migrations of the store and the shell scripts the share checks run.
import { cpSync, mkdirSync } from 'node:fs';

for (const folder of ['store/migrations', 'mounts/scripts']) {
  mkdirSync(`dist/${folder}`, { recursive: true });
  cpSync(`src/${folder}`, `dist/${folder}`, { recursive: true });
}
