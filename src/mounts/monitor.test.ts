import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Mapping } from '../core/types.js';
import { MountMonitor } from './monitor.js';
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
  });
  return { monitor, lines, pending };
}

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
