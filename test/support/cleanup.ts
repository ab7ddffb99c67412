/**
 * What a test started is undone when it ends, pass or fail: services, fake servers, mounts, open
 * databases, temp dirs. Each helper that starts something registers its undo with `onCleanup`;
 * a test file calls `afterAll(cleanupAll)`, and `cleanupEachTest()` when its tests start their own.
 * Undos run newest first, so a mount inside a temp dir is gone before the dir is removed.
 */

import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

type Cleanup = () => unknown | Promise<unknown>;
const cleanups: Cleanup[] = [];
const liveChildren = new Set<ChildProcess>();

/** Registers something to undo in `cleanupAll()` / `cleanupEachTest()`, newest first. */
export function onCleanup(fn: Cleanup): void {
  cleanups.push(fn);
}

/** Stops every service, closes every fake server and removes every temp dir registered so far. */
export async function cleanupAll(): Promise<void> {
  const errors: unknown[] = [];
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw errors[0];
}

/**
 * Undoes what each test of the enclosing describe (or file) registered, when that test ends, pass or
 * fail; what a beforeAll registered stays for the next test (cleanupAll in afterAll ends it).
 */
export function cleanupEachTest(): void {
  let mark = 0;
  beforeEach(() => {
    mark = cleanups.length;
  });
  afterEach(async () => {
    const errors: unknown[] = [];
    while (cleanups.length > mark) {
      try {
        await cleanups.pop()!();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  });
}

/** A child process to SIGKILL if the test worker exits (crash, timeout) while it still runs. */
export function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('close', () => liveChildren.delete(child));
}

// Last resort: the worker exits (crash, timeout) while a child still runs.
process.once('exit', () => {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A fresh temp dir, removed by cleanupAll() unless KEEP_TEST_TMP is set. */
export async function tempDir(prefix = 'sync-webhook-it-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onCleanup(async () => {
    if (!process.env.KEEP_TEST_TMP) await rm(dir, { recursive: true, force: true });
  });
  return dir;
}
