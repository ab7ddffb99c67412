import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDir } from './ensure-dir.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-dir-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureDir', () => {
  it('creates every missing level and accepts an existing folder', () => {
    ensureDir(join(dir, 'a', 'b', 'c'));
    expect(existsSync(join(dir, 'a', 'b', 'c'))).toBe(true);
    ensureDir(join(dir, 'a', 'b', 'c'));
  });

  it('fails on a file in the way', () => {
    writeFileSync(join(dir, 'f'), '');
    expect(() => ensureDir(join(dir, 'f'))).toThrow(/not a directory/);
    expect(() => ensureDir(join(dir, 'f', 'sub'))).toThrow();
  });

  it('fails at once under /proc, where recursive mkdir never returns', () => {
    expect(() => ensureDir('/proc/sync-webhook-test/logs')).toThrow();
  });
});
