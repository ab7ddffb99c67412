import { coerceError } from '../core/errors.js';
import type { Logger } from '../log/logger.js';
import type { TitleIndex } from '../store/title-index.js';

export interface TitleIndexerDeps {
  index: Pick<TitleIndex, 'indexNext' | 'pending'>;
  log: Logger;
  /** Titles are indexed once no webhook has brought a job for this long. */
  quietMs: number;
  /** Titles per transaction. */
  chunk: number;
  /** The pause between two transactions of one catch-up. */
  pauseMs: number;
}

/**
 * Keeps the title search index (store/title-index.ts) up with the jobs, in the quiet moments between
 * webhooks: a burst of them is answered first, its titles indexed once it pauses, a few hundred per
 * short transaction. Until then a search finds them by LIKE.
 */
export class TitleIndexer {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly deps: TitleIndexerDeps) {}

  start(): void {
    this.running = true;
    this.schedule(this.deps.quietMs);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** New jobs were committed: index them once the webhooks pause. */
  jobsQueued(): void {
    this.schedule(this.deps.quietMs);
  }

  /** One transaction's worth; true when more titles wait. Tests call it directly. */
  indexChunk(): boolean {
    const added = this.deps.index.indexNext(this.deps.chunk);
    return added === this.deps.chunk && this.deps.index.pending();
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), ms);
    this.timer.unref();
  }

  private run(): void {
    try {
      if (this.indexChunk()) this.schedule(this.deps.pauseMs);
    } catch (error) {
      // The index only speeds up searches (LIKE finds the rest meanwhile): try again later.
      this.deps.log.error(`Title search index could not be updated: ${coerceError(error).message}`);
      this.schedule(this.deps.quietMs * 10);
    }
  }
}
