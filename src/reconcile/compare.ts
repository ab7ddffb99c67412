// What a mapping's destination lacks, from the listings of both roots. Pure: the walks (tree-walk.ts)
// and the clock come in as values, so the rules are tested as tables.
import { posix } from 'node:path';
import { isInside } from '../core/paths.js';
import type { ReconcileItem, ReconcileSkip } from '../core/reconcile.js';
import type { Mapping, MappingKind } from '../core/types.js';
import { checkContainerPath } from '../paths/translate.js';
import type { TreeEntry } from './tree-walk.js';

export interface CompareInput {
  mapping: Mapping;
  /** Listings relative to the mapping's source and destination roots. */
  source: ReadonlyMap<string, TreeEntry>;
  destination: ReadonlyMap<string, TreeEntry>;
  now: Date;
  /** Anything changed more recently than this is left for a later pass (it is probably being imported). */
  settleMs: number;
}

export interface Comparison {
  items: ReconcileItem[];
  skipped: ReconcileSkip[];
}

/** The mapping's kind as a pass treats it: without one, every file is its own item. */
export function passKind(mapping: Mapping): MappingKind | 'files' {
  return mapping.kind ?? 'files';
}

/**
 * A movie mapping yields movie folders (the folders directly under the root), a TV mapping and one
 * without `kind` yield files below a folder. Files directly in a root are share furniture (anchors,
 * markers), never items. Links are never followed, and an item holding a link out of the mapping is
 * skipped, as its job would refuse it.
 */
export function compareTrees(input: CompareInput): Comparison {
  const steps = compareInSteps(input);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Entries looked at between two pauses of compareInSteps: a millisecond or two of work. */
const ENTRIES_PER_STEP = 2000;

/**
 * compareTrees in steps: it pauses (yields) every ENTRIES_PER_STEP entries, so that the service can
 * answer webhooks between two steps of a large library.
 */
export function* compareInSteps(input: CompareInput): Generator<void, Comparison> {
  const out: Comparison = { items: [], skipped: [] };
  const context = new Context(input, out);
  if (passKind(input.mapping) === 'movie') yield* compareMovieFolders(context);
  else yield* compareFiles(context);
  const byPath = (a: { containerPath: string }, b: { containerPath: string }) =>
    a.containerPath < b.containerPath ? -1 : a.containerPath > b.containerPath ? 1 : 0;
  out.items.sort(byPath);
  out.skipped.sort(byPath);
  return out;
}

interface MovieFolder {
  newestCtimeMs: number;
  files: { path: string; size: number }[];
  linkOut?: string;
  /** A folder inside it that could not be read at the source. */
  unreadable?: string;
}

function* compareMovieFolders(c: Context): Generator<void> {
  const folders = new Map<string, MovieFolder>();
  for (const [path, entry] of c.input.source) {
    if (c.stepDone()) yield;
    const slash = path.indexOf('/');
    const top = slash === -1 ? path : path.slice(0, slash);
    if (slash === -1 && entry.type !== 'dir' && entry.type !== 'unreadable') continue;
    let folder = folders.get(top);
    if (!folder) {
      folder = { newestCtimeMs: 0, files: [] };
      folders.set(top, folder);
    }
    folder.newestCtimeMs = Math.max(folder.newestCtimeMs, entry.ctimeMs);
    if (entry.type === 'file') folder.files.push({ path, size: entry.size });
    if (entry.type === 'link') folder.linkOut ??= c.linkOut(path, entry);
    if (entry.type === 'unreadable') folder.unreadable ??= path;
  }
  for (const [top, folder] of folders) {
    if (c.stepDone(folder.files.length)) yield;
    if (folder.unreadable) {
      c.skip(top, 'unreadable', `${c.containerPath(folder.unreadable)} could not be read at the source`);
      continue;
    }
    if (folder.files.length === 0 || !c.checkName(top) || !c.settled(top, folder.newestCtimeMs)) continue;
    if (folder.linkOut) {
      c.skip(top, 'link_out_of_mapping', `holds a link that leads out of the mapping: ${folder.linkOut}`);
      continue;
    }
    compareMovieFolder(c, top, folder);
  }
}

function compareMovieFolder(c: Context, top: string, folder: MovieFolder): void {
  const total = folder.files.reduce((sum, f) => sum + f.size, 0);
  if (c.input.destination.get(top)?.type !== 'dir') {
    if (c.unreadableAtDestination(top)) return;
    c.item(top, 'folder', 'missing', total, `not at the destination (${count(folder.files.length, 'file')})`);
    return;
  }
  let missing = 0;
  let differing = 0;
  let bytes = 0;
  for (const file of folder.files) {
    const there = c.input.destination.get(file.path);
    if (there?.type === 'file' && there.size === file.size) continue;
    if (!there && c.unreadableAtDestination(file.path, top)) return;
    if (there?.type === 'file') differing++;
    else missing++;
    bytes += file.size;
  }
  const of = `of ${folder.files.length}`;
  if (differing > 0) {
    const alsoMissing = missing > 0 ? `, ${missing} missing` : '';
    c.item(
      top,
      'folder',
      'size_differs',
      bytes,
      `${differing} ${of} files differ in size at the destination${alsoMissing}`,
    );
  } else if (missing > 0) {
    c.item(top, 'folder', 'incomplete', bytes, `${missing} ${of} files missing at the destination`);
  }
}

function* compareFiles(c: Context): Generator<void> {
  for (const [path, entry] of c.input.source) {
    if (c.stepDone()) yield;
    if (entry.type === 'unreadable') {
      c.skip(path, 'unreadable', 'could not be read at the source');
      continue;
    }
    if (!path.includes('/')) continue;
    if (entry.type === 'link') {
      const out = c.linkOut(path, entry);
      if (out) c.skip(path, 'link_out_of_mapping', `a link that leads out of the mapping: ${out}`);
      continue;
    }
    if (entry.type !== 'file' || !c.checkName(path) || !c.settled(path, entry.ctimeMs)) continue;
    const there = c.input.destination.get(path);
    if (there?.type === 'file') {
      if (there.size !== entry.size) {
        c.item(path, 'file', 'size_differs', entry.size, `${there.size} bytes at the destination, ${entry.size} here`);
      }
      continue;
    }
    if (!there && c.unreadableAtDestination(path)) continue;
    c.item(path, 'file', 'missing', entry.size, 'not at the destination');
  }
}

/** The rules both kinds share, bound to one mapping's listings and results. */
class Context {
  private readonly sourceRoot: string;
  private sinceStep = 0;

  constructor(
    readonly input: CompareInput,
    private readonly out: Comparison,
  ) {
    this.sourceRoot = input.mapping.source.path;
  }

  /** Counts `entries` looked at; true when a step is full (and starts the next). */
  stepDone(entries = 1): boolean {
    this.sinceStep += entries;
    if (this.sinceStep < ENTRIES_PER_STEP) return false;
    this.sinceStep = 0;
    return true;
  }

  containerPath(path: string): string {
    return `${this.input.mapping.container}/${path}`;
  }

  item(path: string, shape: ReconcileItem['shape'], why: ReconcileItem['why'], bytes: number, detail: string) {
    this.out.items.push({
      mapping: this.input.mapping.container,
      containerPath: this.containerPath(path),
      mediaType: passKind(this.input.mapping) === 'movie' ? 'movie' : 'episode',
      shape,
      bytes,
      why,
      detail,
    });
  }

  skip(path: string, reason: ReconcileSkip['reason'], detail: string): void {
    this.out.skipped.push({
      mapping: this.input.mapping.container,
      containerPath: this.containerPath(path),
      reason,
      detail,
    });
  }

  /** False (and skipped) when no job could carry the name: not UTF-8, a control character, too long. */
  checkName(path: string): boolean {
    const containerPath = this.containerPath(path);
    const problem = path.includes('\uFFFD') ? 'the name is not valid UTF-8' : checkContainerPath(containerPath);
    if (problem === null) return true;
    this.skip(path, 'unsafe_name', problem);
    return false;
  }

  /** False (and skipped) when it changed within the settle time. */
  settled(path: string, ctimeMs: number): boolean {
    const age = this.input.now.getTime() - ctimeMs;
    if (age >= this.input.settleMs) return true;
    const minutes = Math.max(0, Math.floor(age / 60_000));
    const settle = Math.round(this.input.settleMs / 60_000);
    this.skip(path, 'settling', `changed ${minutes} min ago; left for a pass after ${settle} min`);
    return false;
  }

  /** "LINK -> TARGET" when a link leads out of the source root; links are compared by name only. */
  linkOut(path: string, entry: TreeEntry): string | undefined {
    const target = entry.linkTarget ?? '';
    const resolved = posix.resolve(this.sourceRoot, posix.dirname(path), target);
    return isInside(resolved, this.sourceRoot) ? undefined : `${path} -> ${target}`;
  }

  /**
   * True (and skipped) when a folder on the way to `path` could not be read at the destination:
   * the file may well be there. `item` names the skipped item (default: `path`).
   */
  unreadableAtDestination(path: string, item = path): boolean {
    for (let slash = path.indexOf('/'); ; slash = path.indexOf('/', slash + 1)) {
      const folder = slash === -1 ? path : path.slice(0, slash);
      if (this.input.destination.get(folder)?.type === 'unreadable') {
        this.skip(item, 'unreadable', `${this.containerPath(folder)} could not be read at the destination`);
        return true;
      }
      if (slash === -1) return false;
    }
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
