import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findProgram } from './find-program.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'find-program-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('findProgram', () => {
  it('takes the first folder of the PATH with an executable file of that name', async () => {
    const [first, second, third] = ['a', 'b', 'c'].map((name) => join(dir, name));
    for (const folder of [first, second, third]) await mkdir(folder!);
    await writeFile(join(first!, 'tool'), 'not executable');
    await mkdir(join(second!, 'tool')); // a folder, executable but no program
    await writeFile(join(third!, 'tool'), '#!/bin/sh\n');
    await chmod(join(third!, 'tool'), 0o755);

    expect(findProgram('tool', `${first}:${second}:${third}`)).toBe(join(third!, 'tool'));
    expect(findProgram('tool', `${first}:${second}`)).toBeUndefined();
  });

  it('skips empty and relative entries, and finds nothing without a PATH', () => {
    expect(findProgram('sh', '::relative/bin')).toBeUndefined();
    expect(findProgram('sh', undefined)).toBeUndefined();
    expect(findProgram('sh', '/nonexistent:/bin')).toBe('/bin/sh');
  });
});
