// Hung mount: a share that stops answering, made real with FUSE (test/support/hang-fs.py, Debian's
// python3-fusepy): once hung, every request to it blocks in the kernel, as on an NFS mount whose
// server went away. The service notices within its check's timeout, says so on /health, answers
// every endpoint in its normal time, and keeps copying on the other mapping: no libuv thread (and no
// other thread of the service) is left waiting on the dead mount. Root and /dev/fuse only.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll, cleanupEachTest, onCleanup } from '../support/cleanup.js';
import { waitFor } from '../support/wait-for.js';
import { startService, type Service } from '../support/launch.js';
import { getJson, post, request } from '../support/http-client.js';
import { getJob, waitForJob } from '../support/jobs-api.js';
import { makeTree, sameBytes } from '../support/trees.js';
import { commandLineOf, descendantsOf } from '../support/processes.js';
import { radarrDownload } from '../support/payloads.js';
import { rootFsTempDir, skipUnless } from '../support/mounts.js';
import { fuseProblem, mountHangingFs, threadsBlockedInFuse } from '../support/hang-fs.js';

afterAll(cleanupAll);
cleanupEachTest();

const skip = skipUnless(await fuseProblem(), 'hung mount (FUSE: /dev/fuse, root, python3-fusepy)');
const TIMEOUT_S = 1;

/** Milliseconds one request takes, and its status. */
async function timed(
  svc: Service,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  const res = await request(svc.url, path, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'Content-Type': 'application/json', Connection: 'close' } }),
    timeoutMs: 5000,
  });
  return { ms: performance.now() - t0, status: res.status };
}

describe.skipIf(skip)('a source share that stops answering', () => {
  const detectedInTime =
    'is detected within the timeout, /health and every endpoint answer at once, ' +
    'and the other mapping keeps syncing';
  it(detectedInTime, async () => {
    const dir = await rootFsTempDir();
    const backing = join(dir, 'nas-disk');
    const hungSrc = join(dir, 'mnt', 'nas-movies'); // the FUSE mount
    const hungDst = join(dir, 'dst', 'Movies NAS');
    const src = join(dir, 'src', 'movies');
    const dst = join(dir, 'dst', 'Movies');
    await makeTree(backing, {
      'Stalker (1979)/Stalker (1979).mkv': 200_000,
      'Solaris (1972)/Solaris (1972).mkv': 150_000,
    });
    await mkdir(hungDst, { recursive: true });
    const fuse = await mountHangingFs(backing, hungSrc);

    const svc = await startService({
      dir,
      mappings: [
        { container: '/nas', source: hungSrc, destination: hungDst },
        { container: '/movies', source: src, destination: dst },
      ],
      env: {
        SYNC_REQUIRE_MOUNTS: 'false',
        SYNC_MOUNT_TIMEOUT_SECONDS: String(TIMEOUT_S),
        SYNC_MOUNT_CHECK_INTERVAL_SECONDS: '1',
        SYNC_MAX_RETRIES: '0',
      },
    });
    // Cleanup runs newest first: answer the blocked requests before the service is stopped, so a
    // service that (wrongly) waits on the mount itself can still exit.
    onCleanup(() => fuse.resume());

    // While it answers, the share syncs like any other (the FUSE filesystem works).
    const before = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ root: '/nas', folder: 'Stalker (1979)', file: 'Stalker (1979).mkv' }),
    );
    expect(before.status, before.text).toBe(202);
    const stalker = await waitForJob(svc, before.body.job_id, (j) => j.status === 'success' || j.status === 'failed');
    expect(stalker.status, stalker.error ?? '').toBe('success');
    expect(
      await sameBytes(
        join(backing, 'Stalker (1979)/Stalker (1979).mkv'),
        join(hungDst, 'Stalker (1979)/Stalker (1979).mkv'),
      ),
    ).toBe(true);

    // The server goes away: every request to the mount now blocks.
    await fuse.hang();
    const hungAt = performance.now();
    const degraded = await waitFor(
      async () => {
        const h = (await getJson(svc.url, '/health')).body;
        return h.nfs_down_since?.[hungSrc] ? h : undefined;
      },
      { timeoutMs: 10_000, what: 'hung mount reported' },
    );
    // One check interval (1 s) plus the check's own timeout, and a little slack.
    expect(performance.now() - hungAt).toBeLessThan(1000 + TIMEOUT_S * 1000 + 2000);
    expect(degraded.status).toBe('degraded');
    expect(degraded.nfs_issues.join('\n')).toMatch(
      new RegExp(`source ${hungSrc} (did not answer within ${TIMEOUT_S} s|still not answering)`),
    );
    expect(Object.keys(degraded.nfs_down_since)).toEqual([hungSrc]);

    // The hang is real: the service's probes (child processes, never the service itself) are caught in
    // it. Every look at the mount from now on is recorded.
    const blockedProbes = new Set<number>();
    const serviceThreadsBlocked: { tid: number; wchan: string }[] = [];
    const sampler = setInterval(() => {
      for (const pid of descendantsOf(svc.pid)) if (threadsBlockedInFuse(pid).length > 0) blockedProbes.add(pid);
      serviceThreadsBlocked.push(...threadsBlockedInFuse(svc.pid));
    }, 20);
    onCleanup(() => clearInterval(sampler));
    await waitFor(() => blockedProbes.size > 0, { timeoutMs: 5000, what: 'a probe blocked in the hung FUSE mount' });

    // A job on the hung share waits; it uses no retry.
    const hungJob = await post(
      svc.url,
      '/sync/radarr',
      await radarrDownload({ root: '/nas', folder: 'Solaris (1972)', file: 'Solaris (1972).mkv' }),
    );
    expect(hungJob.status).toBe(202);
    const waiting = await waitForJob(
      svc,
      hungJob.body.job_id,
      (j) => j.error !== null || j.status !== 'queued',
      10_000,
    );
    expect(waiting.status, waiting.error ?? '').toBe('queued');
    expect(waiting.retry_count).toBe(0);
    expect(waiting.error).toContain(hungSrc);

    // Every endpoint answers in its normal time while the mount hangs.
    const samples: { path: string; ms: number; status: number }[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [method, path, body, status] of [
        ['GET', '/health', undefined, 200],
        ['GET', '/stats', undefined, 200],
        ['GET', '/jobs', undefined, 200],
        ['GET', `/jobs/${hungJob.body.job_id}`, undefined, 200],
        ['POST', `/jobs/${hungJob.body.job_id}/retry`, undefined, 409],
        ['POST', '/queue/retry-failed', undefined, 202],
        ['GET', '/summary/send', undefined, 200],
        ['GET', '/test', undefined, 503],
        ['POST', '/sync/manual', { path: `/nas/Hung Manual ${round}`, type: 'movie' }, 202],
        [
          'POST',
          '/sync/radarr',
          await radarrDownload({ root: '/nas', folder: `Hung Radarr ${round} (2000)`, file: 'x.mkv' }),
          202,
        ],
        ['GET', '/no-such-route', undefined, 404],
      ] as const) {
        const r = await timed(svc, method, path, body);
        expect(r.status, `${method} ${path}`).toBe(status);
        samples.push({ path: `${method} ${path}`, ...r });
      }
    }
    const health = samples
      .filter((s) => s.path === 'GET /health')
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    expect(health[0], `/health took ${health.map(Math.round).join(', ')} ms`).toBeLessThan(100);
    for (const s of samples)
      expect(s.ms, `${s.path} took ${Math.round(s.ms)} ms while the mount hangs`).toBeLessThan((TIMEOUT_S * 1000) / 2);

    // Later file work still runs: six movies on the other mapping copy one after another while the
    // hung share is checked (and times out) every second; and no thread of the service waits on FUSE.
    const names = ['A', 'B', 'C', 'D', 'E', 'F'].map((l) => `Other ${l} (2001)`);
    for (const n of names) await makeTree(join(src, n), { [`${n}.mkv`]: 80_000 });
    const ids: number[] = [];
    for (const n of names) {
      const res = await post(svc.url, '/sync/radarr', await radarrDownload({ folder: n, file: `${n}.mkv` }));
      expect(res.status).toBe(202);
      ids.push(res.body.job_id);
    }
    for (const id of ids) {
      const done = await waitForJob(svc, id, (j) => j.status === 'success' || j.status === 'failed', 20_000);
      expect(done.status, done.error ?? '').toBe('success');
      expect(threadsBlockedInFuse(svc.pid), 'threads of the service waiting on the hung mount').toEqual([]);
    }
    for (const n of names) expect(await sameBytes(join(src, n, `${n}.mkv`), join(dst, n, `${n}.mkv`))).toBe(true);
    // A process caught in a hung mount cannot even be killed (it waits in the kernel, state D), so the
    // service starts no second probe of that path: it answers "still not answering" from memory.
    // After more checks than libuv's pool has threads (4, one check a second), none of them was made
    // in-process (the sampler saw no thread of the service in FUSE), and file work still runs.
    await waitFor(() => performance.now() - hungAt > 6 * 1000, { timeoutMs: 20_000, intervalMs: 100 });
    const late = 'Other Late (2002)';
    await makeTree(join(src, late), { [`${late}.mkv`]: 80_000 });
    const lateRes = await post(svc.url, '/sync/radarr', await radarrDownload({ folder: late, file: `${late}.mkv` }));
    const lateJob = await waitForJob(
      svc,
      lateRes.body.job_id,
      (j) => j.status === 'success' || j.status === 'failed',
      10_000,
    );
    expect(lateJob.status, lateJob.error ?? '').toBe('success');
    expect((await timed(svc, 'GET', '/health')).ms).toBeLessThan((TIMEOUT_S * 1000) / 2);
    clearInterval(sampler);
    expect(serviceThreadsBlocked, 'threads of the service itself seen waiting on the hung mount').toEqual([]);
    // The hung share is still being checked, and still reported, all along.
    const stillHung = (await getJson(svc.url, '/health')).body;
    expect(stillHung.nfs_down_since[hungSrc]).toBe(degraded.nfs_down_since[hungSrc]);
    // No pile of stuck probes: one per path looked at (the root, and the waiting job's item at most).
    const stuck = descendantsOf(svc.pid).filter((pid) => threadsBlockedInFuse(pid).length > 0);
    expect(stuck.length, stuck.map(commandLineOf).join('\n')).toBeLessThanOrEqual(2);
    expect(blockedProbes.size).toBeLessThanOrEqual(2);
    expect((await getJob(svc, hungJob.body.job_id)).status).toBe('queued');

    // The server is back: the waiting job runs, /health is healthy again.
    await fuse.resume();
    const solaris = await waitForJob(
      svc,
      hungJob.body.job_id,
      (j) => j.status === 'success' || j.status === 'failed',
      15_000,
    );
    expect(solaris.status, solaris.error ?? '').toBe('success');
    expect(solaris.retry_count).toBe(0);
    expect(
      await sameBytes(
        join(backing, 'Solaris (1972)/Solaris (1972).mkv'),
        join(hungDst, 'Solaris (1972)/Solaris (1972).mkv'),
      ),
    ).toBe(true);
    await waitFor(async () => (await getJson(svc.url, '/health')).body.nfs_down_since[hungSrc] === undefined, {
      what: 'mount healthy again',
    });
  }, 60_000);
});
