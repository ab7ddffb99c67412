import type { Db } from './database.js';

const GET = `SELECT seen_at FROM service_heartbeat WHERE id = 1`;
const BEAT = `INSERT INTO service_heartbeat (id, seen_at) VALUES (1, ?)
  ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`;

/** The last moment the service was seen running, kept across restarts (one row). */
export interface HeartbeatStore {
  /** Undefined before the first beat ever. */
  lastSeen(): Date | undefined;
  beat(now: Date): void;
}

export function createHeartbeatStore(db: Db): HeartbeatStore {
  const get = db.prepare<[], string>(GET).pluck();
  const beat = db.prepare<[seenAt: string]>(BEAT);
  return {
    lastSeen() {
      const seenAt = get.get();
      return seenAt === undefined ? undefined : new Date(seenAt);
    },
    beat(now) {
      beat.run(now.toISOString());
    },
  };
}
