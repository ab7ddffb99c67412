import type { OutboxItem } from '../core/notify-event.js';
import type { Db } from './database.js';
import type { OutboxStore } from './outbox.js';

const STANDING = `SELECT down_since FROM share_notices WHERE path = ?`;
const MARK_DOWN = `INSERT INTO share_notices (path, down_since) VALUES (?, ?)
  ON CONFLICT (path) DO UPDATE SET down_since = excluded.down_since`;
const CLEAR = `DELETE FROM share_notices WHERE path = ?`;

/** Which share roots were told down and not told back, across restarts (mounts/monitor.ts ShareNotices). */
export interface ShareNoticeStore {
  /** When the root was first seen down, if its down message stands. */
  standingDown(path: string): string | undefined;
  /** The down message's outbox rows, and that it stands: one transaction. */
  recordDown(path: string, downSince: string, items: readonly OutboxItem[], now: Date): void;
  /** The back message's outbox rows, and that no down message stands: one transaction. */
  recordBack(path: string, items: readonly OutboxItem[], now: Date): void;
}

export function createShareNoticeStore(db: Db, outbox: Pick<OutboxStore, 'add'>): ShareNoticeStore {
  const standing = db.prepare<[path: string], string>(STANDING).pluck();
  const markDown = db.prepare<[path: string, downSince: string]>(MARK_DOWN);
  const clear = db.prepare<[path: string]>(CLEAR);
  const recordDown = db.transaction((path: string, downSince: string, items: readonly OutboxItem[], now: Date) => {
    outbox.add(items, null, now);
    markDown.run(path, downSince);
  });
  const recordBack = db.transaction((path: string, items: readonly OutboxItem[], now: Date) => {
    outbox.add(items, null, now);
    clear.run(path);
  });
  return {
    standingDown: (path) => standing.get(path),
    recordDown: (path, downSince, items, now) => recordDown(path, downSince, items, now),
    recordBack: (path, items, now) => recordBack(path, items, now),
  };
}
