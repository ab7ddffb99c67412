import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Sessions, sessionTokenOf } from './sessions.js';

export interface AuthConfig {
  /** HTTP Basic, as Radarr/Sonarr send it from the webhook's Username/Password fields. */
  basic: { username: string; password: string } | null;
  /** X-Api-Key header or ?apikey= query parameter. */
  apiKey: string | null;
  /** False opens GET /metrics to scrapers without credentials (SYNC_METRICS_AUTH=false). */
  metrics: boolean;
}

export const REALM = 'sync-webhook';

/** Answered without credentials: the healthcheck, the ping, and what a logged-out page needs to log in. */
const OPEN_ROUTES = ['GET /health', 'GET /ping', 'GET /session', 'POST /login', 'POST /logout'];
/**
 * The dashboard page itself (routes/page.ts): its HTML, scripts, styles and icon hold no data, and the
 * page must load to show its login form. Everything it reads and the event stream need credentials.
 */
const OPEN_PAGE_PATHS = /^\/(?:assets\/[\w.-]+|favicon\.svg)?$/;

/** Checks credentials in constant time: a request's headers, or what a login form sent. */
export interface Credentials {
  /** Basic, the API key, or a session cookie of a login. */
  request(request: FastifyRequest): boolean;
  /** The Basic username and password, or the API key as the password (any username). */
  login(username: string, password: string): boolean;
}

/**
 * Lets a request in when it carries the configured Basic credentials, the API key, or the cookie of a
 * dashboard login. Everything is guarded but OPEN_ROUTES and the page (OPEN_PAGE_PATHS): GET /health,
 * which Docker's healthcheck calls without credentials (it then answers only its status, see
 * `isAuthenticated`), GET /ping, the login routes, the page's own files, and GET /metrics when the user
 * opened it for a scraper that cannot send credentials. A refused request from a page's script (fetch,
 * EventSource: `Sec-Fetch-Dest: empty`) gets no Basic challenge, so the browser shows the page's login
 * form rather than its own prompt.
 */
export function registerAuth(app: FastifyInstance, auth: AuthConfig, sessions: Sessions): void {
  if (!auth.basic && !auth.apiKey) return;
  const credentials = createCredentials(auth, sessions);
  const openRoutes = new Set(auth.metrics ? OPEN_ROUTES : [...OPEN_ROUTES, 'GET /metrics']);
  app.decorateRequest('authenticated', false);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const ok = credentials.request(request);
    (request as FastifyRequest & { authenticated: boolean }).authenticated = ok;
    const path = request.url.split('?')[0] ?? '';
    if (ok || openRoutes.has(`${request.method} ${path}`)) return;
    if ((request.method === 'GET' || request.method === 'HEAD') && OPEN_PAGE_PATHS.test(path)) return;
    request.log.warn(`Refused ${request.method} ${path} from ${request.ip}: missing or wrong credentials`);
    if (!fromScript(request)) reply.header('WWW-Authenticate', `Basic realm="${REALM}", charset="UTF-8"`);
    return reply.code(401).send({
      error:
        'Authentication required: use the Username/Password of the webhook (HTTP Basic), the X-Api-Key header, ' +
        'or log in (POST /login)',
    });
  });
}

/** True when auth is off, or the request proved who it is. */
export function isAuthenticated(request: FastifyRequest): boolean {
  const flag = (request as FastifyRequest & { authenticated?: boolean }).authenticated;
  return flag === undefined || flag;
}

/** A fetch or EventSource of a page, not a navigation or a client of its own. */
function fromScript(request: FastifyRequest): boolean {
  return request.headers['sec-fetch-dest'] === 'empty' || request.headers['x-requested-with'] !== undefined;
}

export function createCredentials(auth: AuthConfig, sessions: Sessions): Credentials {
  // Radarr/Sonarr encode Basic credentials as ISO-8859-1; compare bytes in the same encoding.
  const expectedBasic = auth.basic
    ? digest(Buffer.from(`${auth.basic.username}:${auth.basic.password}`, 'latin1'))
    : null;
  const expectedKey = auth.apiKey ? digest(Buffer.from(auth.apiKey, 'utf8')) : null;
  const basicMatches = (raw: Buffer) => expectedBasic !== null && same(digest(raw), expectedBasic);
  const keyMatches = (given: string) => expectedKey !== null && same(digest(Buffer.from(given, 'utf8')), expectedKey);
  return {
    request(request) {
      let ok = false;
      const header = request.headers.authorization;
      const encoded = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)?.[1] : undefined;
      if (encoded) ok = basicMatches(Buffer.from(encoded, 'base64')) || ok;
      const headerKey = request.headers['x-api-key'];
      const queryKey = (request.query as Record<string, unknown> | undefined)?.apikey;
      const given = typeof headerKey === 'string' ? headerKey : typeof queryKey === 'string' ? queryKey : null;
      if (given !== null) ok = keyMatches(given) || ok;
      const token = sessionTokenOf(request.headers.cookie);
      if (token !== undefined) ok = sessions.valid(token) || ok;
      return ok;
    },
    login(username, password) {
      // Both compared, whichever matches: the time taken does not tell which one is configured.
      const basic = basicMatches(Buffer.from(`${username}:${password}`, 'latin1'));
      const key = keyMatches(password);
      return basic || key;
    },
  };
}

// Hashing first gives equal-length buffers, so timingSafeEqual never leaks the secret's length.
function digest(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function same(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}

/** What registerAuth accepts, as the OpenAPI description names it. */
export const SECURITY_SCHEMES = {
  basic: {
    type: 'http',
    scheme: 'basic',
    description: 'SYNC_USERNAME and SYNC_PASSWORD: the Username/Password fields of the Radarr/Sonarr webhook',
  },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'SYNC_API_KEY' },
  apiKeyQuery: { type: 'apiKey', in: 'query', name: 'apikey', description: 'SYNC_API_KEY, in the URL' },
} as const;

/** The security of a route anyone may call (GET /ping). */
export const OPEN_TO_ALL: readonly Record<string, readonly string[]>[] = [];

/** The security of a route that answers without credentials, and says more with them (GET /health). */
export const CREDENTIALS_OPTIONAL: readonly Record<string, readonly string[]>[] = [
  {},
  ...Object.keys(SECURITY_SCHEMES).map((name) => ({ [name]: [] })),
];
