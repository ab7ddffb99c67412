import { describe, expect, it } from 'vitest';
import { NotReadyError } from '../core/errors.js';
import type { Mapping, MountCheck } from '../core/types.js';
import { createMountGate } from './gate.js';
import type { ProbeResult } from './probe.js';
import { RootHealthCache } from './root-health-cache.js';

const MOUNTS = [
  '20 1 254:0 / / rw - ext4 /dev/vda rw',
  '30 20 0:50 /media /mnt/source rw - nfs4 nas:/media rw',
  '31 20 0:51 /media /mnt/dest rw - nfs4 nas2:/media rw',
].join('\n');

const MAPPING: Mapping = {
  container: '/movies',
  source: { path: '/mnt/source/Movies' },
  destination: { path: '/mnt/dest/Movies' },
  plexPath: '/mnt/dest/Movies',
};

function setup(answers: Record<string, ProbeResult> = {}, known: Record<string, string> = {}) {
  const probed: string[] = [];
  const reported: [string, string][] = [];
  const clock = { t: 0 };
  const gate = createMountGate({
    monitor: {
      problemOf: (path) => known[path] ?? null,
      reportProblem: (path, problem) => reported.push([path, problem]),
    },
    probe: {
      checkRoot: async (check: MountCheck) => {
        probed.push(check.path);
        return answers[check.path] ?? { ok: true };
      },
    },
    rootHealth: new RootHealthCache({ freshMs: 2000, readMountinfo: () => MOUNTS, now: () => clock.t }),
    recheckMs: 30_000,
  });
  return { gate, probed, reported, clock };
}

async function notReady(promise: Promise<void>): Promise<NotReadyError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof NotReadyError)) throw new Error(`expected a NotReadyError, got ${String(error)}`);
  return error;
}

describe('mount gate', () => {
  it('probes both roots of a healthy mapping, then reuses the answer while it is fresh', async () => {
    const { gate, probed, clock } = setup();
    await gate.ensureReady(MAPPING);
    expect(probed).toEqual(['/mnt/source/Movies', '/mnt/dest/Movies']);
    clock.t = 1500;
    await gate.ensureReady(MAPPING);
    expect(probed).toHaveLength(2);
    clock.t = 2500;
    await gate.ensureReady(MAPPING);
    expect(probed).toHaveLength(4);
  });

  it('makes the whole mapping wait, and reports the problem, when a probe fails', async () => {
    const { gate, reported } = setup({ '/mnt/dest/Movies': { ok: false, problem: '/mnt/dest/Movies is not mounted' } });
    const error = await notReady(gate.ensureReady(MAPPING));
    expect(error.message).toBe('Waiting for mount: /mnt/dest/Movies is not mounted');
    expect(error.scope).toBe('mapping');
    expect(error.retryAfterMs).toBe(30_000);
    expect(reported).toEqual([['/mnt/dest/Movies', '/mnt/dest/Movies is not mounted']]);
  });

  it('does not probe a root the background check knows to be down', async () => {
    const { gate, probed, reported } = setup({}, { '/mnt/source/Movies': 'source share hung' });
    const error = await notReady(gate.ensureReady(MAPPING));
    expect(error.message).toBe('Waiting for mount: source share hung');
    expect(probed).toEqual([]);
    expect(reported).toEqual([]);
  });

  it('forgets a healthy answer once a probe fails, so the next job probes again', async () => {
    const answers: Record<string, ProbeResult> = {};
    const { gate, probed, clock } = setup(answers);
    await gate.ensureReady(MAPPING);
    clock.t = 2500;
    answers['/mnt/source/Movies'] = { ok: false, problem: 'empty' };
    await notReady(gate.ensureReady(MAPPING));
    delete answers['/mnt/source/Movies'];
    clock.t = 2600;
    await gate.ensureReady(MAPPING);
    expect(probed.filter((p) => p === '/mnt/source/Movies')).toHaveLength(3);
    // The destination's healthy answer from 2500 is still fresh at 2600.
    expect(probed.filter((p) => p === '/mnt/dest/Movies')).toHaveLength(2);
  });

  it('looks for an anchor before every job, however fresh the last probe', async () => {
    const anchored: Mapping = { ...MAPPING, source: { path: '/mnt/source/Movies', anchor: '.mounted' } };
    const { gate, probed } = setup();
    await gate.ensureReady(anchored);
    await gate.ensureReady(anchored);
    expect(probed.filter((p) => p === '/mnt/source/Movies')).toHaveLength(2);
    expect(probed.filter((p) => p === '/mnt/dest/Movies')).toHaveLength(1);
  });
});
