// `sync-webhook doctor` on a share that stops answering (FUSE, test/support/hang-fs.py): its look at
// the share runs in a child process with SYNC_MOUNT_TIMEOUT_SECONDS, so doctor reports the hang and
// exits, its report complete, however long the child stays stuck in the kernel. Root and /dev/fuse only.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, onCleanup, trackChild } from '../support/cleanup.js';
import { fuseProblem, mountHangingFs } from '../support/hang-fs.js';
import { rootFsTempDir, skipUnless } from '../support/mounts.js';
import { CLI_JS } from '../support/repo-paths.js';
import { layoutOf, testDefaultEnv, writeConfig } from '../support/service-layout.js';
import { makeTree } from '../support/trees.js';

afterAll(cleanupAll);

const skip = skipUnless(await fuseProblem(), 'doctor on a hung mount (FUSE: /dev/fuse, root, python3-fusepy)');
const TIMEOUT_S = 1;

describe.skipIf(skip)('doctor on a hung share', () => {
  it('reports "did not answer" within the mount timeout and exits 1', async () => {
    const dir = await rootFsTempDir();
    const layout = layoutOf(dir);
    const backing = join(dir, 'nas-disk');
    const hungSrc = join(dir, 'mnt', 'nas-movies');
    await makeTree(backing, { 'Stalker (1979)/Stalker (1979).mkv': 1000 });
    await mkdir(layout.moviesDst, { recursive: true });
    const fuse = await mountHangingFs(backing, hungSrc);
    // Newest first: the blocked requests are answered before the mount is undone.
    onCleanup(() => fuse.resume());
    await writeConfig(layout, { mappings: [{ container: '/movies', source: hungSrc, destination: layout.moviesDst }] });
    await fuse.hang();

    const env = {
      ...testDefaultEnv(layout),
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      SYNC_MOUNT_TIMEOUT_SECONDS: String(TIMEOUT_S),
    };
    const started = performance.now();
    const child = spawn(CLI_JS, ['doctor'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    const seconds = (performance.now() - started) / 1000;

    expect(code).toBe(1);
    // The timeout, and the start of Node and rsync --version around it.
    expect(seconds).toBeLessThan(TIMEOUT_S + 4);
    expect(stdout).toMatch(
      new RegExp(
        `\\n  problem  /movies source +source ${hungSrc} did not answer within ${TIMEOUT_S} s \\(hung mount\\?\\)\\n`,
      ),
    );
    expect(stdout).toMatch(
      /fix: the share at \S+ hangs: check its server and the network \(SYNC_MOUNT_TIMEOUT_SECONDS is 1\)/,
    );
    expect(stdout).toMatch(/\n {2}ok {7}\/movies destination /);
    expect(stdout).toMatch(/\n1 problem: fix it, then run "sync-webhook doctor" again\.\n$/);
  });
});
