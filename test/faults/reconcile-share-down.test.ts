// A catch-up pass over real mounts under the real process: a destination share unmounted under the
// service (its mount point is then an empty folder on the root filesystem) and a source share that
// stops answering (FUSE) make the pass skip that mapping and say why, never report it all missing.
// Root only (tmpfs, FUSE).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest, onCleanup } from '../support/cleanup.js';
import { fuseProblem, mountHangingFs } from '../support/hang-fs.js';
import { getJson, request } from '../support/http-client.js';
import { startService, type Service } from '../support/launch.js';
import { mountProblem, mountTmpfs, rootFsTempDir, skipUnless } from '../support/mounts.js';
import { makeTree } from '../support/trees.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);
cleanupEachTest();

const skipMounts = skipUnless(await mountProblem(), 'catch-up over an unmounted share (tmpfs mounts)');
const skipFuse = skipUnless(await fuseProblem(), 'catch-up over a hung share (FUSE)');

const ENV = {
  SYNC_REQUIRE_MOUNTS: 'true',
  // Files written by the test are minutes old to nobody: no settle time here.
  SYNC_RECONCILE_SETTLE_MINUTES: '0',
  SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES: '0',
  SYNC_MOUNT_TIMEOUT_SECONDS: '1',
};

async function pass(svc: Service, body: unknown = {}): Promise<any> {
  const res = await request(svc.url, '/reconcile', {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json' },
  });
  expect(res.status, res.text).toBe(202);
  return waitFor(
    async () => {
      const run = (await getJson(svc.url, `/reconcile/${res.body.reconcile_id}`)).body;
      return run.status === 'running' ? undefined : run;
    },
    { timeoutMs: 20_000, what: 'the catch-up pass' },
  );
}

describe.skipIf(skipMounts)('a destination share unmounted under the service', () => {
  it('is skipped as down, where its empty mount point would have made every movie missing', async () => {
    const dir = await rootFsTempDir();
    const src = join(dir, 'nas', 'movies');
    const dst = join(dir, 'mnt', 'Movies');
    await mountTmpfs(src, '4m');
    const share = await mountTmpfs(dst, '4m');
    await makeTree(src, { 'One (2001)/One.mkv': 1000, 'Two (2002)/Two.mkv': 2000, 'Three (2003)/Three.mkv': 3000 });
    await makeTree(dst, { 'One (2001)/One.mkv': 1000, 'Two (2002)/Two.mkv': 2000 });
    const svc = await startService({
      dir,
      mappings: [{ container: '/movies', source: src, destination: dst }],
      env: ENV,
    });

    const mounted = await pass(svc);
    expect(mounted.items.map((i: any) => [i.container_path, i.why])).toEqual([['/movies/Three (2003)', 'missing']]);

    await share.unmount();
    const unmounted = await pass(svc, { queue: true });
    expect(unmounted.items).toEqual([]);
    expect(unmounted.results).toEqual([
      expect.objectContaining({
        mapping: '/movies',
        status: 'skipped',
        problem: expect.stringMatching(new RegExp(`^share down: destination ${dst} is not mounted`)),
      }),
    ]);
    expect((await getJson(svc.url, '/jobs')).body.jobs).toEqual([]);
    await svc.waitForLog(/Catch-up skipped \/movies: share down: destination .* is not mounted/);
  });
});

describe.skipIf(skipFuse)('a source share that stops answering', () => {
  it('is skipped as down within the mount timeout, and the service keeps answering', async () => {
    const dir = await rootFsTempDir();
    const backing = join(dir, 'nas-disk');
    const src = join(dir, 'mnt', 'nas-movies');
    const dst = join(dir, 'dst', 'Movies');
    await makeTree(backing, { 'Stalker (1979)/Stalker.mkv': 2000 });
    await mkdir(dst, { recursive: true });
    await makeTree(dst, { '.share': '' });
    const fuse = await mountHangingFs(backing, src);
    const svc = await startService({
      dir,
      mappings: [{ container: '/nas', source: src, destination: dst, kind: 'movie' }],
      env: { ...ENV, SYNC_REQUIRE_MOUNTS: 'false' },
    });
    onCleanup(() => fuse.resume());

    expect((await pass(svc)).items.map((i: any) => i.container_path)).toEqual(['/nas/Stalker (1979)']);

    await fuse.hang();
    const started = performance.now();
    const hung = await pass(svc, { queue: true });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(hung.items).toEqual([]);
    expect(hung.results[0]).toMatchObject({
      mapping: '/nas',
      status: 'skipped',
      problem: expect.stringMatching(
        new RegExp(`^share down: source ${src} (did not answer within 1 s|still not answering)`),
      ),
    });
    expect((await getJson(svc.url, '/ping')).status).toBe(200);
  });
});
