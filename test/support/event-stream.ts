/**
 * A client of GET /events (server-sent events) over real HTTP, reading the stream as a browser's
 * EventSource would: each message with its id, event name, parsed JSON data and when it arrived.
 *
 *   const stream = await openEventStream(url, { headers: { Cookie: '…' } });
 *   const snapshot = await stream.next('snapshot');
 *   const jobs = await stream.next('jobs', (data) => data.jobs.some((j) => j.id === 3));
 */

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { onCleanup } from './cleanup.js';
import { waitFor } from './wait-for.js';

export interface StreamMessage {
  id: string | undefined;
  event: string;
  data: any;
  /** performance.now() when its last byte arrived. */
  at: number;
}

export interface EventStream {
  status: number;
  headers: IncomingMessage['headers'];
  /** Every message so far, in order. */
  messages: StreamMessage[];
  /** The `retry:` values the stream sent. */
  retries: number[];
  /** Comment lines (heartbeats) so far. */
  comments: number;
  /** Resolves with the first message (after `after`, an index into `messages`) of that event that matches. */
  next(
    event: string,
    match?: (data: any) => boolean,
    o?: { after?: number; timeoutMs?: number },
  ): Promise<StreamMessage>;
  /** Resolves once the server ended the stream. */
  ended(): Promise<void>;
  close(): void;
}

export function openEventStream(baseUrl: string, o: { headers?: Record<string, string> } = {}): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL('/events', baseUrl), {
      headers: { Accept: 'text/event-stream', ...o.headers },
      agent: false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let buffer = '';
      let done = false;
      const stream: EventStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        messages: [],
        retries: [],
        comments: 0,
        next(event, match = () => true, { after = 0, timeoutMs = 10_000 } = {}) {
          return waitFor(() => stream.messages.slice(after).find((m) => m.event === event && match(m.data)), {
            timeoutMs,
            what: `event stream message "${event}"`,
          });
        },
        ended: () => waitFor(() => done, { what: 'the end of the event stream' }).then(() => undefined),
        close: () => req.destroy(),
      };
      onCleanup(() => stream.close());
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          parseBlock(stream, buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      });
      res.on('end', () => {
        done = true;
      });
      res.on('error', () => {
        done = true;
      });
      res.on('close', () => {
        done = true;
      });
      resolve(stream);
    });
    req.end();
  });
}

function parseBlock(stream: EventStream, block: string): void {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) stream.comments++;
    else if (line.startsWith('retry: ')) stream.retries.push(Number(line.slice(7)));
    else if (line.startsWith('id: ')) id = line.slice(4);
    else if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  if (data.length > 0) stream.messages.push({ id, event, data: JSON.parse(data.join('\n')), at: performance.now() });
}
