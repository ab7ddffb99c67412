import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { HeartbeatStore } from '../store/heartbeat.js';
import { afterDowntime, Heartbeat } from './heartbeat.js';

const MINUTE = 60_000;
const seen = new Date('2026-05-01T03:00:00Z');
const minutesLater = (minutes: number) => new Date(seen.getTime() + minutes * MINUTE);

describe('afterDowntime', () => {
  it.each([
    [undefined, 40, 30, { catchUp: false, reason: 'no earlier run recorded' }],
    [seen, 30, 30, { catchUp: false, reason: 'down 30 min, not more than 30 min' }],
    [seen, 30.01, 30, { catchUp: true, downMinutes: 30 }],
    [seen, 125, 30, { catchUp: true, downMinutes: 125 }],
    [seen, 500, 0, { catchUp: false, reason: 'off (SYNC_RECONCILE_AFTER_DOWNTIME_MINUTES=0)' }],
    // A clock set back since the last beat is no downtime.
    [seen, -5, 30, { catchUp: false, reason: 'down -5 min, not more than 30 min' }],
  ])('last seen %s, %s min later, threshold %s min', (lastSeen, minutes, threshold, verdict) => {
    expect(afterDowntime(lastSeen, minutesLater(minutes), threshold)).toEqual(verdict);
  });
});

describe('Heartbeat', () => {
  it('answers the previous beat, beats at start and at stop, and survives a store that refuses', () => {
    const beats: Date[] = [];
    let now = minutesLater(0);
    let refuse = false;
    const store: HeartbeatStore = {
      lastSeen: () => new Date('2026-04-30T00:00:00Z'),
      beat: (at) => {
        if (refuse) throw new Error('SQLITE_BUSY');
        beats.push(at);
      },
    };
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line).msg) });
    const heartbeat = new Heartbeat({ store, clock: { now: () => now }, log, intervalMs: MINUTE });
    expect(heartbeat.start()).toEqual(new Date('2026-04-30T00:00:00Z'));
    now = minutesLater(7);
    refuse = true;
    heartbeat.stop();
    refuse = false;
    heartbeat.stop();
    expect(beats).toEqual([minutesLater(0)]);
    expect(lines).toEqual(['Could not record that the service is running: SQLITE_BUSY']);
  });
});
