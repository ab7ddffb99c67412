import { join } from 'node:path';
import { localDateTime } from '../core/day.js';
import type { Job } from '../core/types.js';
import { RotatingFile } from './rotating-file.js';

const MB = 1024 * 1024;

export interface HistoryLog {
  record(job: Job): void;
  close(): void;
}

/**
 * sync_history.log (10 MB × 10): one human line per finished attempt, in the layout
 * docs/troubleshooting.md documents:
 * "2026-01-01 12:00:00 | SUCCESS  | movie    | Movie Title (2024) | 45.2s".
 */
export function createHistoryLog(logDir: string, timeZone: string, now: () => Date = () => new Date()): HistoryLog {
  const file = new RotatingFile(join(logDir, 'sync_history.log'), 10 * MB, 10);
  return {
    record(job) {
      file.write(`${historyLine(job, now(), timeZone)}\n`);
    },
    close: () => file.close(),
  };
}

/** One line of sync_history.log, stamped `at` in `timeZone`. */
export function historyLine(
  job: Pick<Job, 'status' | 'mediaType' | 'title' | 'durationSeconds'>,
  at: Date,
  timeZone: string,
): string {
  const took = job.durationSeconds ? `${job.durationSeconds.toFixed(1)}s` : 'N/A';
  const title = job.title.replace(/[\r\n]+/g, ' ');
  const stamp = localDateTime(at, timeZone);
  return `${stamp} | ${job.status.toUpperCase().padEnd(8)} | ${job.mediaType.padEnd(8)} | ${title} | ${took}`;
}
