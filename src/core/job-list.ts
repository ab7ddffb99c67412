import type { Job, JobSource, JobStatus } from './types.js';

/** A page of GET /jobs: the filters, the search and the cursor (store/job-list.ts answers it). */
export interface JobQuery {
  limit: number;
  status?: JobStatus;
  source?: JobSource;
  mapping?: string;
  /** A substring of the title, 3 characters or more (the index is made of 3-character pieces). */
  text?: string;
  /** Only jobs with an id below this one (the cursor of the previous page). */
  before?: number;
}

export interface ListedJob {
  job: Job;
  attemptCount: number;
}

/** An outbox row of a job: a notification or a media-server scan, delivered or not. */
export interface JobDelivery {
  id: number;
  /** The target as the outbox names it. */
  target: string;
  status: 'pending' | 'sent' | 'dead';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string;
}
