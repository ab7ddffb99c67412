/**
 * Requests to the service, sent the way Radarr/Sonarr send them: over real HTTP on 127.0.0.1 to a
 * service started as a process (its URL), or through `inject` to one built in-process (its app).
 *
 *   const res = await post(svc.url, '/sync/radarr', payload);   // Radarr-like headers
 *   const jobs = await getJson<{ jobs: JobJson[] }>(svc.app, '/jobs');
 *   const raw = await request(svc.url, '/jobs', { headers: { Authorization: 'Basic …' } });
 */

import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { checkAnswer } from './api-description.js';

/** A running service's base URL, or an in-process service's Fastify app. */
export type Target = string | Pick<FastifyInstance, 'inject'>;

/**
 * An answer of the service. The body defaults to `any` because tests read the answer fields they
 * assert on directly; pass a type (e.g. `JobJson` from jobs-api.ts) where one helps.
 */
export interface HttpResponse<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: T;
}

export interface RequestOptions {
  method?: string;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * One HTTP/1.1 request with node:http (no keep-alive agent), so headers such as
 * `Connection: close` go out exactly as Radarr/Sonarr send them. Every answer is checked against the
 * service's OpenAPI description (api-description.ts): one it does not describe fails the test.
 */
export async function request<T = any>(target: Target, path: string, o: RequestOptions = {}): Promise<HttpResponse<T>> {
  const res = typeof target === 'string' ? await send<T>(target, path, o) : await inject<T>(target, path, o);
  await checkAnswer(o.method ?? (o.body === undefined ? 'GET' : 'POST'), path, res);
  return res;
}

function send<T>(target: string, path: string, o: RequestOptions): Promise<HttpResponse<T>> {
  const url = new URL(path, target);
  let payload: Buffer | undefined;
  if (o.body !== undefined) {
    payload = Buffer.isBuffer(o.body)
      ? o.body
      : Buffer.from(typeof o.body === 'string' ? o.body : JSON.stringify(o.body), 'utf8');
  }
  const headers: Record<string, string> = { ...o.headers };
  if (payload && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
    headers['Content-Length'] = String(payload.length);
  }
  return new Promise((resolveRes, reject) => {
    const req = httpRequest(
      url,
      { method: o.method ?? (payload ? 'POST' : 'GET'), headers, agent: false, timeout: o.timeoutMs ?? 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolveRes({ status: res.statusCode ?? 0, headers: res.headers, text, body: parseJson(text) as T });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${o.method ?? 'GET'} ${url.href} timed out`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

async function inject<T>(
  app: Pick<FastifyInstance, 'inject'>,
  path: string,
  o: RequestOptions,
): Promise<HttpResponse<T>> {
  const payload =
    o.body === undefined || Buffer.isBuffer(o.body) || typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const res = await app.inject({
    method: (o.method ?? (payload === undefined ? 'GET' : 'POST')) as 'GET',
    url: path,
    headers: o.headers,
    ...(payload === undefined ? {} : { payload }),
  });
  const headers = Object.fromEntries(
    Object.entries(res.headers).map(([name, value]) => [name, typeof value === 'number' ? String(value) : value]),
  );
  return { status: res.statusCode, headers, text: res.body, body: parseJson(res.body) as T };
}

/** The body as JSON, or undefined when it is empty or not JSON. */
function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The headers Radarr v6 sends with every webhook (fixtures/arr/headers.md). */
export function arrHeaders(app: 'Radarr' | 'Sonarr' = 'Radarr'): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    Connection: 'close',
    'Accept-Encoding': 'gzip, br',
    'User-Agent': app === 'Radarr' ? 'Radarr/6.0.3.10276 (alpine 3.22.1)' : 'Sonarr/4.0.19.2979 (alpine 3.22.1)',
  };
}

/** POST a JSON body (object, or raw string) with Radarr-like headers unless overridden. */
export function post<T = any>(
  target: Target,
  path: string,
  body: unknown,
  headers?: Record<string, string>,
): Promise<HttpResponse<T>> {
  const app = path.includes('sonarr') ? 'Sonarr' : 'Radarr';
  return request<T>(target, path, { method: 'POST', body, headers: { ...arrHeaders(app), ...headers } });
}

/** GET with `Accept: application/json`. */
export function getJson<T = any>(target: Target, path: string): Promise<HttpResponse<T>> {
  return request<T>(target, path, { method: 'GET', headers: { Accept: 'application/json' } });
}
