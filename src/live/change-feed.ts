// What changed since the event stream last looked: the ids of the jobs that changed, whether a
// running copy's progress or a share's health moved. A publisher's call only notes the change (a set
// insert, one timer per window), whatever the number of open streams; once per window the one
// subscriber (http/event-streams.ts) reads what changed and writes it to every stream.

export interface Changes {
  /** Jobs created or changed, newest first (the newest MAX_NOTED_JOBS). */
  jobIds: number[];
  /** More jobs changed than were noted, or some changed without their ids being known. */
  manyJobs: boolean;
  /** Jobs the retention deleted. */
  deletedIds: number[];
  progress: boolean;
  health: boolean;
}

/** Beyond this many changed jobs in one window the stream says "many" and the page reloads its list. */
export const MAX_NOTED_JOBS = 100;

export interface ChangeFeedOptions {
  /** Changes are handed on at most once per window. */
  windowMs: number;
}

export class ChangeFeed {
  private listener: ((changes: Changes) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private jobs = new Set<number>();
  private manyJobs = false;
  private deleted: number[] = [];
  private progress = false;
  private health = false;

  constructor(private readonly o: ChangeFeedOptions) {}

  /** The one reader of the feed; while there is none, changes are not even noted. */
  subscribe(listener: (changes: Changes) => void): () => void {
    this.listener = listener;
    return () => {
      if (this.listener !== listener) return;
      this.listener = undefined;
      clearTimeout(this.timer);
      this.timer = undefined;
      this.reset();
    };
  }

  jobsChanged(ids: Iterable<number>): void {
    if (!this.listener) return;
    for (const id of ids) this.jobs.add(id);
    // Trimmed now and then rather than at every id: a burst adds thousands in a window.
    if (this.jobs.size > 2 * MAX_NOTED_JOBS) this.jobs = new Set(this.newest());
    this.schedule();
  }

  /** Jobs changed whose ids the caller does not have (a whole mapping's queue waits). */
  manyJobsChanged(): void {
    if (!this.listener) return;
    this.manyJobs = true;
    this.schedule();
  }

  jobsDeleted(ids: readonly number[]): void {
    if (!this.listener) return;
    if (this.deleted.length + ids.length > MAX_NOTED_JOBS) this.manyJobs = true;
    else this.deleted.push(...ids);
    this.schedule();
  }

  progressChanged(): void {
    if (!this.listener) return;
    this.progress = true;
    this.schedule();
  }

  healthChanged(): void {
    if (!this.listener) return;
    this.health = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.o.windowMs);
    this.timer.unref();
  }

  private flush(): void {
    this.timer = undefined;
    const changes: Changes = {
      jobIds: this.newest(),
      manyJobs: this.manyJobs,
      deletedIds: this.deleted,
      progress: this.progress,
      health: this.health,
    };
    this.reset();
    this.listener?.(changes);
  }

  /** The newest MAX_NOTED_JOBS ids noted, newest first; notes that there were more. */
  private newest(): number[] {
    const ids = [...this.jobs].sort((a, b) => b - a);
    if (ids.length <= MAX_NOTED_JOBS) return ids;
    this.manyJobs = true;
    return ids.slice(0, MAX_NOTED_JOBS);
  }

  private reset(): void {
    this.jobs = new Set();
    this.manyJobs = false;
    this.deleted = [];
    this.progress = false;
    this.health = false;
  }
}
