import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ScheduleRunStore } from '../store/schedule-runs.js';
import { DailyTask } from './scheduler.js';

const log = pino({ level: 'silent' });

function memoryRuns(initial?: string): ScheduleRunStore & { slots: string[] } {
  let last = initial;
  const slots: string[] = [];
  return {
    slots,
    lastSlot: () => last,
    recordRun: (_task, slot) => {
      last = slot;
      slots.push(slot);
    },
  };
}

function task(now: string, runs: ScheduleRunStore, ran: Date[], timeZone = 'Europe/Berlin') {
  return new DailyTask({
    task: 'daily-summary',
    cron: '5 0 * * *',
    timeZone,
    runs,
    clock: { now: () => new Date(now) },
    log,
    run: (slot) => ran.push(slot),
  });
}

describe('DailyTask', () => {
  it('finds the latest slot in the configured time zone', () => {
    const t = task('2026-03-11T08:00:00Z', memoryRuns(), []);
    expect(t.latestSlot(new Date('2026-03-11T08:00:00Z'))).toEqual(new Date('2026-03-10T23:05:00Z'));
    expect(t.latestSlot(new Date('2026-03-10T23:04:59Z'))).toEqual(new Date('2026-03-09T23:05:00Z'));
  });

  it('on a first start records where it is and runs nothing', () => {
    const runs = memoryRuns();
    const ran: Date[] = [];
    const t = task('2026-03-11T08:00:00Z', runs, ran);
    t.start();
    t.stop();
    expect(ran).toEqual([]);
    expect(runs.lastSlot('daily-summary')).toBe('2026-03-10T23:05:00.000Z');
  });

  it('catches up a slot missed while stopped, once', () => {
    const runs = memoryRuns('2026-03-09T23:05:00.000Z');
    const ran: Date[] = [];
    const first = task('2026-03-10T23:06:00Z', runs, ran);
    first.start();
    first.stop();
    const second = task('2026-03-10T23:07:00Z', runs, ran);
    second.start();
    second.stop();
    expect(ran).toEqual([new Date('2026-03-10T23:05:00Z')]);
  });

  it('does not catch up a slot more than 12 hours old', () => {
    const ran: Date[] = [];
    const t = task('2026-03-11T12:00:00Z', memoryRuns('2026-03-09T23:05:00.000Z'), ran);
    t.start();
    t.stop();
    expect(ran).toEqual([]);
  });

  it('runs each slot once when croner ticks, by the clock it is given', () => {
    const runs = memoryRuns();
    const ran: Date[] = [];
    let now = '2026-03-11T08:00:00Z';
    const t = new DailyTask({
      task: 'reconcile',
      cron: '0 4 * * *',
      timeZone: 'UTC',
      runs,
      clock: { now: () => new Date(now) },
      log,
      run: (slot) => ran.push(slot),
    });
    t.start();
    t.stop();
    t.tick();
    now = '2026-03-12T04:00:01Z';
    t.tick();
    t.tick();
    now = '2026-03-13T04:00:00Z';
    t.tick();
    expect(ran).toEqual([new Date('2026-03-12T04:00:00Z'), new Date('2026-03-13T04:00:00Z')]);
  });
});
