/** Where the suite finds the repository, the built service and the Radarr/Sonarr example payloads. */

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built service; SYNC_WEBHOOK_MAIN_JS points the suite at another build (to prove a test fails without a fix). */
export const MAIN_JS = process.env.SYNC_WEBHOOK_MAIN_JS ?? join(REPO_ROOT, 'dist', 'main.js');
/** The `sync-webhook` command of that build. */
export const CLI_JS = join(dirname(MAIN_JS), 'cli.js');
export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures', 'arr', 'examples');
