/**
 * "Lines at most 120 characters", over every git-tracked source file. Biome formats code to 120
 * columns but cannot wrap string literals, template strings or comments: this catches those.
 * Split a long string with `+` (its value unchanged), move a long expression into a named const,
 * or wrap the comment.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const MAX = 120;
const PATTERNS = ['src/*.ts', 'test/*.ts', 'bench/*.mjs', 'bench/*.lua', 'scripts/*', 'src/*.sh', '.ci/*', 'docker/*'];
const SKIPPED = ['test/fixtures/', 'bench/results/'];

function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--', ...PATTERNS], { cwd: repoRoot, encoding: 'utf8' });
  return out
    .split('\0')
    .filter((file) => file !== '' && !SKIPPED.some((prefix) => file.startsWith(prefix)))
    .filter((file) => existsSync(join(repoRoot, file)));
}

/** `file:line (length)` for each line over MAX characters (code points, so an emoji counts as one). */
function longLines(file: string): string[] {
  const found: string[] = [];
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
  for (const [i, raw] of lines.entries()) {
    const length = [...raw.replace(/\r$/, '')].length;
    if (length > MAX) found.push(`${file}:${i + 1} (${length})`);
  }
  return found;
}

describe('line length', () => {
  it(`keeps every line of the tracked sources at most ${MAX} characters`, () => {
    const files = trackedFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap(longLines)).toEqual([]);
  });
});
