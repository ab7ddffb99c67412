/**
 * A real HTTP server on 127.0.0.1 (random port) that records every request and answers with
 * whatever the test says. Tests point real clients at it (Telegram, Plex, …) instead of mocking
 * fetch, so URLs, headers, bodies, timeouts and refused connections are exercised for real.
 *
 *   const server = await startFakeServer();              // answers 200 {"ok":true} by default
 *   server.respondWith({ status: 429, body: { ok: false, parameters: { retry_after: 5 } } });
 *   server.respondWith((req) => (req.path.endsWith('/sendMessage') ? { status: 200 } : { status: 404 }));
 *   server.respondWith({ hang: true });                   // never answers: for client timeouts
 *   server.respondWith({ destroy: true });                // drops the connection: for resets
 *   await server.waitForRequests(2);                      // await a condition, never sleep
 *   server.requests[0].json()                             // parsed body
 *   await server.close();                                 // also cuts hanging connections
 *
 * A handler that throws answers 500 with the error message, so a broken test handler is visible.
 */

import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onCleanup } from './cleanup.js';

export interface RecordedRequest {
  method: string;
  /** Path and query exactly as received (still percent-encoded). */
  url: string;
  /** Path without the query, still percent-encoded. */
  path: string;
  /** Decoded query parameters. */
  query: URLSearchParams;
  /** Lower-cased names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  /** Body as UTF-8 text ("" when none). */
  body: string;
  /** The body parsed as JSON; throws if it is not JSON. */
  json<T = unknown>(): T;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else is sent as JSON with content-type application/json. */
  body?: unknown;
}

/** A reply, or: never answer (`hang`), or close the socket without answering (`destroy`). */
export type FakeAction = FakeReply | { hang: true } | { destroy: true };

export type FakeHandler = (req: RecordedRequest) => FakeAction | Promise<FakeAction>;

export interface FakeServer {
  /** "http://127.0.0.1:<port>", no trailing slash. */
  url: string;
  port: number;
  /** Every request in arrival order, recorded before the handler runs (so hanging ones count). */
  requests: RecordedRequest[];
  /** Replaces the handler; a plain action answers every request the same way. */
  respondWith(handlerOrAction: FakeHandler | FakeAction): void;
  /** Resolves once at least `count` requests arrived; rejects after `timeoutMs` (default 5 s). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Forgets recorded requests. */
  reset(): void;
  /** Stops listening and cuts open connections, including hanging ones. Safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_ACTION: FakeReply = { status: 200, body: { ok: true } };

export async function startFakeServer(handlerOrAction?: FakeHandler | FakeAction): Promise<FakeServer> {
  let handler = toHandler(handlerOrAction ?? DEFAULT_ACTION);
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const parsed = new URL(url, 'http://fake.invalid');
      const body = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        url,
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: req.headers,
        body,
        json: <T>() => JSON.parse(body) as T,
      };
      requests.push(recorded);
      for (const w of [...waiters]) w();
      void answer(recorded, res);
    });
  });

  async function answer(recorded: RecordedRequest, res: ServerResponse): Promise<void> {
    let action: FakeAction;
    try {
      action = await handler(recorded);
    } catch (err) {
      action = { status: 500, body: `fake server handler threw: ${(err as Error).message}` };
    }
    if ('hang' in action) return;
    if ('destroy' in action) {
      res.socket?.destroy();
      return;
    }
    const headers: Record<string, string> = { ...action.headers };
    let payload = '';
    if (typeof action.body === 'string') {
      payload = action.body;
    } else if (action.body !== undefined) {
      payload = JSON.stringify(action.body);
      headers['content-type'] ??= 'application/json';
    }
    res.writeHead(action.status ?? 200, headers);
    res.end(payload);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    respondWith(next) {
      handler = toHandler(next);
    },
    waitForRequests(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (requests.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(requests.slice());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake server: expected ${count} request(s) within ${timeoutMs} ms, got ${requests.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    reset() {
      requests.length = 0;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** A fake Telegram that accepts every message, closed by the test cleanup (cleanup.ts). */
export async function startAcceptingTelegram(): Promise<FakeServer> {
  const telegram = await startFakeServer({ status: 200, body: { ok: true, result: {} } });
  onCleanup(() => telegram.close());
  return telegram;
}

/**
 * The texts a fake Telegram received about jobs: every message but the share down/back ones, which any
 * outage longer than a check interval sends.
 */
export function jobMessageTexts(telegram: FakeServer): string[] {
  return telegram.requests
    .map((r) => r.json<{ text: string }>().text)
    .filter((text) => !/^<b>Share (Down|Back)<\/b>/.test(text));
}

function toHandler(h: FakeHandler | FakeAction): FakeHandler {
  return typeof h === 'function' ? h : () => h;
}
