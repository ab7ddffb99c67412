import type { Db } from './database.js';

const GET = `SELECT last_slot FROM schedule_runs WHERE task = ?`;
const RECORD = `INSERT INTO schedule_runs (task, last_slot, finished_at) VALUES (?, ?, ?)
  ON CONFLICT (task) DO UPDATE SET last_slot = excluded.last_slot, finished_at = excluded.finished_at`;

/** Remembers the last slot each scheduled task ran for, so a restart neither skips nor repeats it. */
export interface ScheduleRunStore {
  lastSlot(task: string): string | undefined;
  recordRun(task: string, slot: string, finishedAt: Date): void;
}

export function createScheduleRunStore(db: Db): ScheduleRunStore {
  const get = db.prepare<[task: string], string>(GET).pluck();
  const record = db.prepare<[task: string, slot: string, finishedAt: string]>(RECORD);
  return {
    lastSlot: (task) => get.get(task),
    recordRun: (task, slot, finishedAt) => {
      record.run(task, slot, finishedAt.toISOString());
    },
  };
}
