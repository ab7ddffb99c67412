/**
 * Files on the shares: trees of test files (deterministic content by size), snapshots of a tree by
 * content hash, and byte comparisons between source and destination.
 *
 *   await makeTree(join(svc.moviesSrc, folder), { 'Movie.mkv': 5_000_000, 'Movie.nfo': '<movie/>' });
 *   expect(await treeOf(svc.moviesDst)).toEqual(await treeOf(svc.moviesSrc));
 */

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Deterministic pseudo-random bytes (different per seed), fast enough for hundreds of MB. */
export function pseudoRandomBytes(size: number, seed: string): Buffer {
  const out = Buffer.allocUnsafe(size);
  let block = createHash('sha256').update(seed).digest();
  let offset = 0;
  // Hash chaining for a 4 KiB pattern, then each 4 KiB block varied by its index: no two blocks equal.
  const pattern = Buffer.allocUnsafe(4096);
  for (let i = 0; i < 4096; i += 32) {
    block = createHash('sha256').update(block).digest();
    block.copy(pattern, i);
  }
  let n = 0;
  while (offset < size) {
    const len = Math.min(4096, size - offset);
    pattern.copy(out, offset, 0, len);
    if (len >= 4) out.writeUInt32LE(n >>> 0, offset);
    n++;
    offset += len;
  }
  return out;
}

/**
 * Creates files under `root`: a number is a size (pseudo-random bytes), a string or Buffer is the
 * content. Parent folders are created. Returns the absolute paths by relative path.
 */
export async function makeTree(
  root: string,
  files: Record<string, number | string | Buffer>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [rel, spec] of Object.entries(files)) {
    const abs = join(root, rel);
    await mkdir(dirname(abs), { recursive: true });
    const content = typeof spec === 'number' ? pseudoRandomBytes(spec, `${rel}:${spec}`) : spec;
    await writeFile(abs, content);
    out[rel] = abs;
  }
  return out;
}

/**
 * Relative path → sha256 of every regular file under `root` (folders listed with "dir"). The
 * destination check's own test file (created and removed within a millisecond, to prove the share is
 * writable) is not content: it is left out, also when the walk catches it half-way.
 */
export async function treeOf(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string, prefix: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.sync-webhook-probe.')) continue;
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const abs = join(dir, entry.name);
      if (entry.isDirectory()) {
        out[`${rel}/`] = 'dir';
        await walk(abs, rel);
      } else if (entry.isFile()) {
        out[rel] = createHash('sha256')
          .update(await readFile(abs))
          .digest('hex');
      } else {
        out[rel] = 'other';
      }
    }
  }
  await walk(root, '');
  return out;
}

/** True when both files exist and hold the same bytes. */
export async function sameBytes(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a), stat(b)]);
  if (sa.size !== sb.size) return false;
  const [ba, bb] = await Promise.all([readFile(a), readFile(b)]);
  return ba.equals(bb);
}

export async function pathExists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
