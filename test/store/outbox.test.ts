import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/database.js';
import { createOutboxStore, type OutboxStore } from '../../src/store/outbox.js';
import { createScheduleRunStore } from '../../src/store/schedule-runs.js';

let dir: string;
let db: Db;
let outbox: OutboxStore;
const now = new Date('2026-03-10T10:00:00.000Z');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-outbox-'));
  db = openDatabase(join(dir, 'jobs.db'));
  outbox = createOutboxStore(db);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('outbox', () => {
  it('hands out only the oldest pending row of a target, so order is kept', () => {
    outbox.add(
      [
        { target: 'telegram', payload: { n: 1 } },
        { target: 'plex', payload: { n: 2 } },
        { target: 'telegram', payload: { n: 3 } },
      ],
      null,
      now,
    );
    expect(outbox.head('telegram')?.payload).toEqual({ n: 1 });
    outbox.reschedule(1, new Date(now.getTime() + 30_000), 'HTTP 500');
    // Still the head while it waits: a later message may not overtake it.
    expect(outbox.head('telegram')).toMatchObject({ id: 1, attempts: 1, nextAttemptAt: '2026-03-10T10:00:30.000Z' });
    outbox.markSent(1, now);
    expect(outbox.head('telegram')?.payload).toEqual({ n: 3 });
    expect(outbox.pendingTargets().sort()).toEqual(['plex', 'telegram']);
    expect(outbox.pendingCount()).toBe(2);
  });

  it('a dead row leaves the queue and keeps its error', () => {
    outbox.add([{ target: 'telegram', payload: {} }], null, now);
    outbox.markDead(1, 'chat not found');
    expect(outbox.head('telegram')).toBeUndefined();
    expect(db.prepare('SELECT status, last_error FROM outbox WHERE id = 1').get()).toEqual({
      status: 'dead',
      last_error: 'chat not found',
    });
  });

  it('marking a row sent twice changes nothing the second time', () => {
    outbox.add([{ target: 'telegram', payload: {} }], null, now);
    outbox.markSent(1, now);
    outbox.markSent(1, new Date(now.getTime() + 1000));
    expect(db.prepare('SELECT attempts, sent_at FROM outbox WHERE id = 1').get()).toEqual({
      attempts: 1,
      sent_at: now.toISOString(),
    });
  });
});

describe('schedule runs', () => {
  it('remembers the last slot per task across reopen', () => {
    const runs = createScheduleRunStore(db);
    expect(runs.lastSlot('daily-summary')).toBeUndefined();
    runs.recordRun('daily-summary', '2026-03-10T00:05:00.000Z', now);
    runs.recordRun('daily-summary', '2026-03-11T00:05:00.000Z', now);
    db.close();
    db = openDatabase(join(dir, 'jobs.db'));
    expect(createScheduleRunStore(db).lastSlot('daily-summary')).toBe('2026-03-11T00:05:00.000Z');
  });
});
