import type { Job } from '../core/types.js';

/** Counters since this process started: the session figures of /stats. */
export class SessionStats {
  moviesSynced = 0;
  episodesSynced = 0;
  failures = 0;
  bytesTransferred = 0;

  constructor(readonly startedAt: Date) {}

  record(job: Job): void {
    if (job.status === 'failed') {
      this.failures++;
      return;
    }
    if (job.status !== 'success') return;
    if (job.mediaType === 'movie') this.moviesSynced++;
    else this.episodesSynced++;
    this.bytesTransferred += job.bytesTransferred ?? 0;
  }
}
