// The running service's JSON API, as the commands after `doctor` call it: the URL from --url, SYNC_URL
// or SYNC_HOST/SYNC_PORT, the credentials the service itself reads (SYNC_API_KEY, SYNC_USERNAME and
// SYNC_PASSWORD, see http/auth.ts), and errors that name the setting to fix. No secret is ever part
// of a message: a URL is shown without its user, password and query.
import type { Env } from '../config/env.js';
import type { Config } from '../config/load.js';
import { describeFetchFailure } from '../core/fetch-failure.js';
import { TIMING } from '../core/timing.js';
import { ServiceFailureError, ServiceUnreachableError, UsageError } from './exit-codes.js';

export interface ServiceClient {
  /** The service's base URL as messages show it (no credentials, no query). */
  shownUrl: string;
  /** GET or POST `path`; resolves with the answer's JSON object, rejects with the failure it answered. */
  call(method: 'GET' | 'POST', path: string, body?: Record<string, unknown>): Promise<ServiceAnswer>;
}

export interface ServiceAnswer {
  status: number;
  body: Record<string, unknown>;
}

type Credentials = { header: Record<string, string>; from: string } | null;

export function createServiceClient(
  urlOption: string | undefined,
  env: Env,
  config: Pick<Config, 'http' | 'auth'>,
  o: { fetch: typeof fetch; version: string },
): ServiceClient {
  const { base, from } = serviceUrl(urlOption, env, config.http);
  const credentials = credentialsOf(base, config.auth);
  base.username = '';
  base.password = '';
  base.search = '';
  base.hash = '';
  // A service behind a reverse proxy under a path prefix: requests go below it.
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const shownUrl = base.href.replace(/\/$/, '');
  const timeoutMs = TIMING.cliRequestTimeoutMs;

  return {
    shownUrl,
    async call(method, path, body) {
      const url = new URL(path.replace(/^\/+/, ''), base);
      let res: Response;
      let text: string;
      try {
        res = await o.fetch(url, {
          method,
          headers: {
            Accept: 'application/json',
            'User-Agent': `sync-webhook-cli/${o.version}`,
            ...credentials?.header,
            ...(body ? { 'Content-Type': 'application/json' } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await res.text();
      } catch (error) {
        const where = from === '--url' || from === 'SYNC_URL' ? `check ${from}` : `set SYNC_URL (or --url)`;
        throw new ServiceUnreachableError(
          `cannot reach the service at ${shownUrl} (from ${from}): ${describeFetchFailure(error, timeoutMs)}. ` +
            `Is it running? If it listens elsewhere, ${where}.`,
        );
      }
      const answer = parseObject(text);
      if (res.status === 401) throw new ServiceFailureError(refusedCredentials(credentials));
      if (!answer) {
        throw new ServiceFailureError(
          `${method} ${url.pathname} answered HTTP ${res.status} without sync-webhook's JSON: ` +
            `is ${shownUrl} (from ${from}) the sync-webhook service?`,
        );
      }
      if (res.status >= 400) {
        const error = typeof answer.error === 'string' ? answer.error : `HTTP ${res.status}`;
        throw new ServiceFailureError(`the service answered ${res.status}: ${error}`);
      }
      return { status: res.status, body: answer };
    },
  };
}

function serviceUrl(urlOption: string | undefined, env: Env, http: Config['http']): { base: URL; from: string } {
  const fromEnv = env.SYNC_URL?.trim();
  if (urlOption !== undefined || fromEnv) {
    const from = urlOption !== undefined ? '--url' : 'SYNC_URL';
    const raw = urlOption ?? fromEnv ?? '';
    // The value is not quoted: it may carry a password.
    const url = URL.canParse(raw) ? new URL(raw) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new UsageError(`${from} must be the service's http(s) URL, such as http://127.0.0.1:5000`);
    }
    return { base: url, from };
  }
  if (http.port === 0) {
    throw new UsageError('SYNC_PORT is 0 (any free port): set SYNC_URL (or --url) to the URL the service listens on');
  }
  return { base: new URL(`http://${connectHost(http.host)}:${http.port}`), from: 'SYNC_HOST/SYNC_PORT' };
}

/** The address to connect to for the one the service listens on: "every interface" means this machine. */
function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The URL's own user and password first, then SYNC_API_KEY, then SYNC_USERNAME/SYNC_PASSWORD. */
function credentialsOf(url: URL, auth: Config['auth']): Credentials {
  if (url.username || url.password) {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    return { header: { Authorization: basic(pair) }, from: "the URL's user and password" };
  }
  if (auth.apiKey) return { header: { 'X-Api-Key': auth.apiKey }, from: 'SYNC_API_KEY' };
  if (auth.basic) {
    return {
      header: { Authorization: basic(`${auth.basic.username}:${auth.basic.password}`) },
      from: 'SYNC_USERNAME/SYNC_PASSWORD',
    };
  }
  return null;
}

// The service compares Basic credentials as ISO-8859-1 bytes, as Radarr and Sonarr send them.
function basic(pair: string): string {
  return `Basic ${Buffer.from(pair, 'latin1').toString('base64')}`;
}

function refusedCredentials(credentials: Credentials): string {
  return credentials
    ? `the service refused the credentials from ${credentials.from}: set them to the values the service runs with`
    : 'the service requires credentials: set SYNC_API_KEY (or SYNC_USERNAME and SYNC_PASSWORD) ' +
        'to the values the service runs with';
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : undefined;
  } catch {
    return undefined;
  }
}
