import type { ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.js';
import type { JobJson } from './job-json.js';

// GET /events: server-sent events to the dashboard. Each stream starts with a `snapshot` (the Now panel
// and the health panel; the page reloads its job list), then gets what changed, at most once per window
// of the change feed (live/change-feed.ts). A message is built once per window and written to every
// stream, so a webhook's commit costs the same with 0 or 20 pages open.

/** What the change feed hands over once per window. */
export interface StreamChanges {
  jobIds: number[];
  manyJobs: boolean;
  deletedIds: number[];
  progress: boolean;
  health: boolean;
}

export interface EventStreamDeps {
  feed: { subscribe(listener: (changes: StreamChanges) => void): () => void };
  /** The Now panel, as GET /queue answers it. */
  now: () => unknown;
  /** The health panel, as GET /health/details answers it. */
  health: () => unknown;
  /** The jobs of these ids, as GET /jobs lists them, newest first. */
  jobs: (ids: readonly number[]) => JobJson[];
  /** A comment line this often keeps proxies from closing a quiet stream. */
  heartbeatMs: number;
  /** How long the browser waits before it reconnects a dropped stream. */
  retryMs: number;
  /** Streams open at once; one more is answered 503. */
  maxStreams: number;
  log: Logger;
}

interface Stream {
  res: ServerResponse;
  /** Its client fell behind: skipped until its buffer drains, then brought up to date with a snapshot. */
  blocked: boolean;
}

/**
 * What a stream may hold unsent before its client counts as fallen behind (a page in a background tab,
 * a dead connection). A message of 100 jobs is ~70 kB: the socket's own high-water mark (16 kB) would
 * call every client slow.
 */
const MAX_UNSENT_BYTES = 1024 * 1024;

export class EventStreams {
  private readonly streams = new Set<Stream>();
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private sequence = 0;

  constructor(private readonly deps: EventStreamDeps) {}

  get size(): number {
    return this.streams.size;
  }

  get full(): boolean {
    return this.streams.size >= this.deps.maxStreams;
  }

  /** Takes over a response: headers, the reconnect delay, the snapshot; then the changes until it closes. */
  open(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx would otherwise hold the messages back in its buffer.
      'X-Accel-Buffering': 'no',
    });
    let snapshot: string;
    try {
      snapshot = this.snapshot();
    } catch (error) {
      // Nothing to start from (the database failed): the browser tries again after retryMs.
      this.deps.log.error({ err: error }, 'Event stream: the snapshot could not be read');
      res.end(`retry: ${this.deps.retryMs}\n\n`);
      return;
    }
    const stream: Stream = { res, blocked: false };
    this.streams.add(stream);
    res.on('close', () => this.remove(stream));
    this.write(stream, `retry: ${this.deps.retryMs}\n\n${snapshot}`);
    if (this.streams.size === 1) this.begin();
  }

  /** Ends every stream (the service stops). */
  closeAll(): void {
    for (const stream of this.streams) stream.res.end();
    this.streams.clear();
    this.end();
  }

  private begin(): void {
    this.unsubscribe = this.deps.feed.subscribe((changes) => this.broadcast(changes));
    this.heartbeat = setInterval(() => this.writeAll(Buffer.from(': keep-alive\n\n')), this.deps.heartbeatMs);
    this.heartbeat.unref();
  }

  private end(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.heartbeat);
  }

  private remove(stream: Stream): void {
    if (!this.streams.delete(stream)) return;
    if (this.streams.size === 0) this.end();
  }

  private snapshot(): string {
    return this.message('snapshot', { now: this.deps.now(), health: this.deps.health() });
  }

  private broadcast(changes: StreamChanges): void {
    if (this.streams.size === 0) return;
    try {
      const parts: string[] = [];
      const jobsChanged = changes.jobIds.length > 0 || changes.manyJobs || changes.deletedIds.length > 0;
      if (jobsChanged) {
        const jobs = this.deps.jobs(changes.jobIds);
        parts.push(this.message('jobs', { jobs, deleted: changes.deletedIds, truncated: changes.manyJobs }));
      }
      if (jobsChanged || changes.progress) parts.push(this.message('now', this.deps.now()));
      if (changes.health) parts.push(this.message('health', this.deps.health()));
      if (parts.length > 0) this.writeAll(Buffer.from(parts.join('')));
    } catch (error) {
      // The pages keep their state; the next change or a reconnect brings them up to date.
      this.deps.log.error({ err: error }, 'Event stream: the changes could not be read');
    }
  }

  private message(event: string, data: unknown): string {
    this.sequence++;
    // JSON.stringify escapes line breaks, so the data is one line as the format needs.
    return `id: ${this.sequence}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  private writeAll(chunk: Buffer): void {
    for (const stream of this.streams) if (!stream.blocked) this.write(stream, chunk);
  }

  private write(stream: Stream, chunk: Buffer | string): void {
    stream.res.write(chunk);
    if (stream.res.writableLength <= MAX_UNSENT_BYTES) return;
    stream.blocked = true;
    stream.res.once('drain', () => {
      stream.blocked = false;
      if (!this.streams.has(stream)) return;
      try {
        this.write(stream, this.snapshot());
      } catch (error) {
        this.deps.log.error({ err: error }, 'Event stream: the snapshot could not be read');
        stream.res.end();
      }
    });
  }
}
