/**
 * The import rules of docs/architecture.md, checked over every module of src/ (tests excepted).
 * `import type` counts as an import: a module that needs the outbox or the job store declares the
 * interface it uses, and createService passes the store in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

/** Which parts of src/ each part may import. Parts not named here (and main.ts) import anything. */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  config: ['core', 'notify', 'media'],
  system: ['core'],
  log: ['core', 'system'],
  sources: ['core'],
  paths: ['core'],
  mounts: ['core', 'log', 'system'],
  store: ['core', 'system'],
  media: ['core', 'log'],
  notify: ['core', 'log', 'media'],
  intake: ['core', 'log', 'paths', 'store'],
  runner: ['core', 'log', 'paths', 'mounts', 'store', 'notify', 'system'],
  schedules: ['core', 'log', 'notify', 'store'],
  reports: ['core', 'log', 'mounts', 'notify', 'store'],
  reconcile: ['core', 'log', 'paths', 'mounts', 'notify', 'store', 'system'],
  http: ['core', 'log', 'sources', 'paths', 'intake', 'reports', 'reconcile'],
  cli: ['core', 'config', 'system', 'mounts', 'store', 'runner', 'media'],
};

/**
 * Of notify/, the runner, the schedules and the catch-up take the pure event builders only, never a
 * sender; the configuration reads notification URLs and media-server settings through the registries
 * alone; of reconcile/, the HTTP layer takes the pass's answer shapes and the interface it drives.
 */
const ONLY_FILES: Record<string, Record<string, readonly string[]>> = {
  config: {
    notify: ['notify/registry.ts', 'notify/target-url.ts'],
    media: ['media/registry.ts'],
  },
  runner: { notify: ['notify/events.ts', 'notify/format.ts'] },
  schedules: { notify: ['notify/events.ts', 'notify/format.ts'] },
  reports: { notify: ['notify/format.ts'] },
  reconcile: { notify: ['notify/events.ts', 'notify/format.ts'] },
  http: { reconcile: ['reconcile/reconciler.ts'] },
  // The CLI reads jobs through the service's API; of the store it only inspects the file (doctor).
  cli: {
    store: ['store/inspect-database.ts'],
    media: ['media/registry.ts'],
    mounts: ['mounts/probe.ts'],
    runner: ['runner/rsync.ts', 'runner/rsync-version.ts'],
  },
};

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

interface Violation {
  file: string;
  imports: string;
}

/** The src/-relative files a module's text imports (packages and node: modules are not our concern). */
function importsOf(file: string, text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2];
    if (!spec?.startsWith('.')) continue;
    found.push(relative(SRC, resolve(SRC, dirname(file), spec)).replace(/\.js$/, '.ts'));
  }
  return found;
}

function violations(file: string, text: string): Violation[] {
  const part = file.split('/')[0] ?? '';
  const allowed = ALLOWED[part];
  if (!allowed || !file.includes('/')) return [];
  return importsOf(file, text)
    .filter((target) => {
      const targetPart = target.split('/')[0] ?? '';
      if (targetPart === part) return false;
      if (!allowed.includes(targetPart)) return true;
      const only = ONLY_FILES[part]?.[targetPart];
      return only !== undefined && !only.includes(target);
    })
    .map((imports) => ({ file, imports }));
}

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [relative(SRC, path)] : [];
  });
}

describe('import rules (docs/architecture.md)', () => {
  it('hold for every module of src/', () => {
    const found = sourceFiles().flatMap((file) => violations(file, readFileSync(join(SRC, file), 'utf8')));
    expect(found).toEqual([]);
  });

  it('every part of src/ has a rule, so a new folder cannot slip past them', () => {
    const parts = new Set(sourceFiles().flatMap((file) => (file.includes('/') ? [file.split('/')[0]] : [])));
    expect([...parts].filter((part) => part && !(part in ALLOWED) && part !== 'service')).toEqual([]);
  });

  it.each([
    ['notify/dispatcher.ts', "import type { OutboxStore } from '../store/outbox.js';", 'store/outbox.ts'],
    ['http/routes/jobs.ts', "import { Runner } from '../../runner/runner.js';", 'runner/runner.ts'],
    ['http/app.ts', "import type { JobStore } from '../store/jobs.js';", 'store/jobs.ts'],
    ['runner/sync-job.ts', "import { createTelegramNotifier } from '../notify/telegram.js';", 'notify/telegram.ts'],
    ['media/plex.ts', "export { x } from '../store/jobs.js';", 'store/jobs.ts'],
    ['core/types.ts', "const m = await import('../config/load.js');", 'config/load.ts'],
    ['cli/service-commands.ts', "import { createJobStore } from '../store/jobs.js';", 'store/jobs.ts'],
  ])('catches %s importing %s', (file, line, target) => {
    expect(violations(file, `${line}\n`)).toEqual([{ file, imports: target }]);
  });

  it('lets a module import its own part, packages and node: modules', () => {
    const text = "import { x } from './outbox.js';\nimport Fastify from 'fastify';\nimport { a } from 'node:fs';\n";
    expect(violations('store/jobs.ts', text)).toEqual([]);
  });
});
