import { join } from 'node:path';
import type { Job } from '../core/types.js';
import { RotatingFile } from './rotating-file.js';

const MB = 1024 * 1024;

export interface HistoryLog {
  record(job: Job): void;
  close(): void;
}

/**
 * sync_history.log (10 MB × 10): one human line per finished attempt, in the original's layout
 * "2026-01-01 12:00:00 | SUCCESS  | movie    | Movie Title (2024) | 45.2s".
 */
export function createHistoryLog(logDir: string, now: () => Date = () => new Date()): HistoryLog {
  const file = new RotatingFile(join(logDir, 'sync_history.log'), 10 * MB, 10);
  return {
    record(job) {
      file.write(`${historyLine(job, now())}\n`);
    },
    close: () => file.close(),
  };
}

export function historyLine(job: Job, at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())} ${p(at.getHours())}:${p(at.getMinutes())}:${p(at.getSeconds())}`;
  const took = job.durationSeconds ? `${job.durationSeconds.toFixed(1)}s` : 'N/A';
  const title = job.title.replace(/[\r\n]+/g, ' ');
  return `${stamp} | ${job.status.toUpperCase().padEnd(8)} | ${job.mediaType.padEnd(8)} | ${title} | ${took}`;
}
