import type { JobProgress } from '../core/types.js';
import type { RsyncProgress } from './rsync-progress.js';

/** The latest progress line of every running rsync, by job id; in memory only, gone when the copy ends. */
export class ProgressBoard {
  private readonly byJob = new Map<number, JobProgress>();

  set(jobId: number, progress: RsyncProgress, at: Date): void {
    this.byJob.set(jobId, { ...progress, updatedAt: at.toISOString() });
  }

  clear(jobId: number): void {
    this.byJob.delete(jobId);
  }

  get(jobId: number): JobProgress | undefined {
    return this.byJob.get(jobId);
  }
}
