// Copies what the compiled code reads at run time next to it, so dist/ is self-contained: the SQL
// migrations of the store and the shell scripts the share checks run. Makes the `sync-webhook`
// command (package.json "bin") executable, as a PATH link in the image needs it to be.
// Each folder is replaced, not merged: a migration renamed or removed in src/ must not stay in dist/,
// where the store would run it (every numbered file above the database's version runs).
import { chmodSync, cpSync, mkdirSync, rmSync } from 'node:fs';

for (const folder of ['store/migrations', 'mounts/scripts']) {
  rmSync(`dist/${folder}`, { recursive: true, force: true });
  mkdirSync(`dist/${folder}`, { recursive: true });
  cpSync(`src/${folder}`, `dist/${folder}`, { recursive: true });
}

chmodSync('dist/cli.js', 0o755);
