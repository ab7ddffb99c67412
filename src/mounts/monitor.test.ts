import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Mapping } from '../core/types.js';
import { MountMonitor, type ShareChange } from './monitor.js';
import type { ProbeResult } from './probe.js';

const MAPPING: Mapping = {
  container: '/movies',
  source: { path: '/mnt/source/Movies' },
  destination: { path: '/mnt/dest/Movies' },
  plexPath: '/mnt/dest/Movies',
};

/** A monitor whose probes answer only when the test says so; what it logs, and how often it probed. */
function setup() {
  const lines: string[] = [];
  const pending: { settle: (answer: ProbeResult | Error) => void }[] = [];
  const monitor = new MountMonitor({
    mappings: [MAPPING],
    probe: {
      checkRoot: () =>
        new Promise<ProbeResult>((resolve, reject) => {
          pending.push({ settle: (answer) => (answer instanceof Error ? reject(answer) : resolve(answer)) });
        }),
      inspectSource: () => Promise.reject(new Error('not used by the monitor')),
      sourcePresence: () => Promise.reject(new Error('not used by the monitor')),
    },
    clock: { now: () => new Date('2026-12-01T00:00:00Z') },
    log: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }),
    intervalMs: 1,
    onRecovered: () => undefined,
    notices: { standingDown: () => undefined, changed: () => undefined },
  });
  return { monitor, lines, pending };
}

const SOURCE = '/mnt/source/Movies';
const DEST = '/mnt/dest/Movies';

/**
 * A monitor checked by hand (checkAll), every 30 s of a clock the test moves; the destination answers
 * as `down` says; the share messages it raises, and what an earlier run left standing.
 */
function withMessages(o: { standing?: Record<string, string>; failTelling?: boolean } = {}) {
  let now = new Date('2026-12-01T00:00:00.000Z');
  const down: Record<string, string | null> = {};
  const told: ShareChange[] = [];
  const lines: string[] = [];
  let failTelling = o.failTelling ?? false;
  const monitor = new MountMonitor({
    mappings: [MAPPING],
    probe: {
      checkRoot: async (check) => {
        const problem = down[check.path];
        return problem ? { ok: false, problem } : { ok: true };
      },
      inspectSource: () => Promise.reject(new Error('not used by the monitor')),
      sourcePresence: () => Promise.reject(new Error('not used by the monitor')),
    },
    clock: { now: () => now },
    log: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }),
    intervalMs: 30_000,
    onRecovered: () => undefined,
    notices: {
      standingDown: (path) => o.standing?.[path],
      changed: (change) => {
        if (failTelling) throw new Error('database is locked');
        told.push(change);
      },
    },
  });
  const check = async (afterMs: number) => {
    now = new Date(now.getTime() + afterMs);
    await monitor.checkAll();
  };
  const summary = () =>
    told.map((c) => `${c.kind} ${c.path} since ${c.downSince.slice(11, 19)} at ${c.at.toISOString().slice(11, 19)}`);
  return { monitor, down, told, lines, check, summary, heal: () => (failTelling = false) };
}

describe('MountMonitor share messages', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says nothing of a blip shorter than a check interval', async () => {
    const m = withMessages();
    await m.check(0);
    m.down[DEST] = 'destination /mnt/dest/Movies is not mounted';
    await m.check(30_000);
    m.monitor.reportProblem(DEST, 'destination /mnt/dest/Movies is not mounted'); // a job saw it too
    delete m.down[DEST];
    await m.check(29_000);
    expect(m.told).toEqual([]);
    m.monitor.stop();
  });

  it('reports a share down once, however long it stays down, and back with when it went down', async () => {
    const m = withMessages();
    await m.check(0);
    m.down[DEST] = 'destination /mnt/dest/Movies is not mounted';
    await m.check(30_000);
    await m.check(30_000);
    m.monitor.reportProblem(DEST, 'destination /mnt/dest/Movies is not mounted');
    await m.check(30_000);
    await m.check(3600_000);
    expect(m.summary()).toEqual([`down ${DEST} since 00:00:30 at 00:01:00`]);
    expect(m.told[0]).toMatchObject({ role: 'destination', problem: 'destination /mnt/dest/Movies is not mounted' });
    delete m.down[DEST];
    await m.check(30_000);
    await m.check(30_000);
    expect(m.summary()).toEqual([`down ${DEST} since 00:00:30 at 00:01:00`, `up ${DEST} since 00:00:30 at 01:02:00`]);
    // The next outage is a change of its own.
    m.down[DEST] = 'destination /mnt/dest/Movies is not mounted';
    await m.check(30_000);
    await m.check(30_000);
    expect(m.summary()).toHaveLength(3);
    expect(m.summary()[2]).toBe(`down ${DEST} since 01:03:00 at 01:03:30`);
    m.monitor.stop();
  });

  it('after a restart, a down message an earlier run sent still stands: back is told with its time', async () => {
    const stillDown = withMessages({ standing: { [DEST]: '2026-11-30T22:00:00.000Z' } });
    stillDown.down[DEST] = 'destination /mnt/dest/Movies is not mounted';
    await stillDown.check(0);
    await stillDown.check(30_000);
    await stillDown.check(30_000);
    expect(stillDown.told).toEqual([]);
    delete stillDown.down[DEST];
    await stillDown.check(30_000);
    expect(stillDown.summary()).toEqual([`up ${DEST} since 22:00:00 at 00:01:30`]);
    stillDown.monitor.stop();

    // Back while the service was stopped: said at the first check.
    const cameBack = withMessages({ standing: { [SOURCE]: '2026-11-30T23:00:00.000Z' } });
    await cameBack.check(0);
    expect(cameBack.summary()).toEqual([`up ${SOURCE} since 23:00:00 at 00:00:00`]);
    expect(cameBack.told[0]?.role).toBe('source');
    cameBack.monitor.stop();
  });

  it('a message that cannot be queued is logged and told at the next check', async () => {
    const m = withMessages({ failTelling: true });
    m.down[DEST] = 'destination /mnt/dest/Movies is not mounted';
    await m.check(0);
    await m.check(30_000);
    expect(m.lines.join('')).toContain(`Cannot queue the message that share ${DEST} is down`);
    expect(m.lines.join('')).toContain('database is locked');
    m.heal();
    await m.check(30_000);
    expect(m.summary()).toEqual([`down ${DEST} since 00:00:00 at 00:01:00`]);
    m.monitor.stop();
  });
});

describe('MountMonitor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs a root that is down, and checks again after the interval', async () => {
    const { monitor, lines, pending } = setup();
    monitor.start();
    const [source, destination] = pending.splice(0);
    source?.settle({ ok: false, problem: 'source /mnt/source/Movies is gone' });
    destination?.settle({ ok: true });
    await vi.advanceTimersByTimeAsync(1);
    expect(monitor.ready).toBe(true);
    expect(monitor.problemOf('/mnt/source/Movies')).toBe('source /mnt/source/Movies is gone');
    expect(lines.join('')).toContain('NFS mount issue: source /mnt/source/Movies is gone');
    expect(pending).toHaveLength(2);
    monitor.stop();
  });

  it('stopped while a round runs: that round logs nothing, changes no state and schedules no other', async () => {
    const { monitor, lines, pending } = setup();
    monitor.start();
    expect(pending).toHaveLength(2);
    monitor.stop();
    pending[0]?.settle({ ok: false, problem: 'source /mnt/source/Movies is gone' });
    pending[1]?.settle(new Error('probe killed at shutdown'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(lines).toEqual([]);
    expect(monitor.ready).toBe(false);
    expect(monitor.problemOf('/mnt/source/Movies')).toBeNull();
    expect(pending).toHaveLength(2);
  });
});
