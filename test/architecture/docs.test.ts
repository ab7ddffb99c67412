/**
 * The user docs stay short where they must, whole, and true to the code: the README fits on a few
 * screens, every relative link (and its #heading) leads somewhere, no doc names a path outside the
 * repository, every variable a doc names exists, and docs/configuration.md lists every variable and YAML
 * key the configuration reads.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const README_MAX_LINES = 250;

/**
 * Docs the README links to that other branches are writing. A link to one of them may lead nowhere until
 * they are merged; once a file exists, remove it here (the last test says so), and empty the list.
 */
const PENDING_DOCS: string[] = [];

/** Where this project is developed, beside the repository: never a user's path (../ past the root is caught too). */
const FOREIGN_ROOTS = ['/work/'];

/** README.md, docs/*.md and the benchmark figures: what a user reads. */
function userDocs(): string[] {
  const docs = readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs, 'bench/RESULTS.md'];
}

function read(file: string): string {
  return readFileSync(join(repoRoot, file), 'utf8');
}

function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** The text without fenced code blocks and inline code: what Markdown renders as prose, links and headings. */
function prose(text: string): string {
  return text.replace(/^ *(```|~~~)[^\n]*\n[\s\S]*?^ *\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The targets of the inline links `[text](target)` and images of a Markdown text. */
function linkTargets(text: string): string[] {
  const targets: string[] = [];
  for (const [, raw = ''] of prose(text).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    targets.push(raw);
  }
  return targets;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a Markdown file's headings make, with GitHub's -1, -2 … for repeated headings. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading = ''] of prose(text.replace(/`/g, '')).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** `file: target (why)` for each relative link of `file` that leads nowhere. */
function brokenLinks(file: string): string[] {
  const text = read(file);
  const broken: string[] = [];
  for (const target of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [pathPart = '', anchor] = target.split('#', 2);
    const resolved =
      pathPart === '' ? join(repoRoot, file) : resolve(dirname(join(repoRoot, file)), decodeURI(pathPart));
    const inRepo = relative(repoRoot, resolved);
    if (inRepo.startsWith('..')) {
      broken.push(`${file}: ${target} (outside the repository)`);
      continue;
    }
    if (!existsSync(resolved)) {
      if (!PENDING_DOCS.includes(inRepo)) broken.push(`${file}: ${target} (no such file)`);
      continue;
    }
    if (anchor && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) {
      broken.push(`${file}: ${target} (no such heading in ${inRepo})`);
    }
  }
  return broken;
}

/** `file:line: text` for each mention of a path outside the repository: a foreign root, or ../ past the root. */
function outsidePaths(file: string): string[] {
  const found: string[] = [];
  const depth = file.split('/').length - 1;
  const pastRoot = new RegExp(`(?:^|[^\\w.])(?:\\.\\./){${depth + 1},}`);
  for (const [i, line] of read(file).split('\n').entries()) {
    if (FOREIGN_ROOTS.some((root) => line.includes(root)) || pastRoot.test(line)) {
      found.push(`${file}:${i + 1}: ${line.trim()}`);
    }
  }
  return found;
}

const VARIABLE = /\b(?:SYNC|TELEGRAM|PLEX|DISCORD|SLACK|PUSHOVER)_[A-Z0-9_]*[A-Z0-9]\b/g;
/** As VARIABLE, and `PLEX_SECTION_*` for a family of them. */
const DOC_VARIABLE = /\b(?:SYNC|TELEGRAM|PLEX|DISCORD|SLACK|PUSHOVER)_[A-Z0-9_]*[A-Z0-9](?:_\*)?/g;

/** How code appends the suffix of a variable read from a file: `${name}_FILE` or '_FILE'. */
const FILE_SUFFIX = /(?:\}|['"`])_FILE\b/;

/** What the git-tracked files but the docs say: the variable names a doc may use. */
function codeVocabulary(): { names: Set<string>; readsFiles: boolean } {
  const text = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && !file.endsWith('.md') && !file.startsWith('test/fixtures/'))
    .filter((file) => existsSync(join(repoRoot, file)))
    .map((file) => readFileSync(join(repoRoot, file), 'utf8'))
    .join('\n');
  return { names: new Set(text.match(VARIABLE) ?? []), readsFiles: FILE_SUFFIX.test(text) };
}

/** Known to the code; NAME_FILE too when NAME is and the code reads some NAME_FILE (a secret as Docker gives it). */
function isKnown(name: string, code: ReturnType<typeof codeVocabulary>): boolean {
  if (name.endsWith('_*')) return [...code.names].some((known) => known.startsWith(name.slice(0, -1)));
  if (code.names.has(name)) return true;
  return code.readsFiles && name.endsWith('_FILE') && code.names.has(name.slice(0, -'_FILE'.length));
}

describe('user docs', () => {
  it(`keeps the README at most ${README_MAX_LINES} lines`, () => {
    expect(lineCount(read('README.md'))).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('has no relative link to a missing file or heading', () => {
    expect(userDocs().length).toBeGreaterThan(5);
    expect(userDocs().flatMap(brokenLinks)).toEqual([]);
  });

  it('names no path outside the repository', () => {
    expect(userDocs().flatMap(outsidePaths)).toEqual([]);
  });

  it('names only variables that the code or the image knows', () => {
    const code = codeVocabulary();
    expect(code.names.size).toBeGreaterThanOrEqual(29);
    const unknown = userDocs().flatMap((file) =>
      [...new Set(read(file).match(DOC_VARIABLE) ?? [])]
        .filter((name) => !isKnown(name, code))
        .map((name) => `${file}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('lists every environment variable and YAML key of src/config in docs/configuration.md', () => {
    const reference = read('docs/configuration.md');
    const variables = [...read('src/config/env.ts').matchAll(/^\s+([A-Z][A-Z0-9_]*): variable\(/gm)].map((m) => m[1]);
    const keys = [
      ...read('src/config/mappings-file.ts').matchAll(/^\s+([a-z][a-z_]*): (?:z\.|absolutePath|perSide)/gm),
    ].map((m) => m[1]);
    // A refactor of either file that the patterns no longer read must fail here, not pass with nothing to check.
    expect(variables.length).toBeGreaterThanOrEqual(29);
    expect(keys).toEqual(expect.arrayContaining(['mappings', 'container', 'source', 'destination', 'anchor']));
    const missing = [...variables, ...keys].filter((name) => !reference.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('waits only for pending docs that are still missing', () => {
    const arrived = PENDING_DOCS.filter((file) => existsSync(join(repoRoot, file)));
    expect(arrived, 'these docs exist now: remove them from PENDING_DOCS in this test').toEqual([]);
  });
});
