import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface AuthConfig {
  /** HTTP Basic, as Radarr/Sonarr send it from the webhook's Username/Password fields. */
  basic: { username: string; password: string } | null;
  /** X-Api-Key header or ?apikey= query parameter. */
  apiKey: string | null;
  /** False opens GET /metrics to scrapers without credentials (SYNC_METRICS_AUTH=false). */
  metrics: boolean;
}

export const REALM = 'sync-webhook';

/** Answered without credentials (GET only). */
const OPEN_PATHS = ['/health', '/ping'];

/**
 * Lets a request in when it carries the configured Basic credentials or API key. Everything is
 * guarded except GET /health, which Docker's healthcheck calls without credentials (it then
 * answers only its status, see `isAuthenticated`), GET /ping, which says only that it answers, and
 * GET /metrics when the user opened it for a scraper that cannot send credentials.
 */
export function registerAuth(app: FastifyInstance, auth: AuthConfig): void {
  if (!auth.basic && !auth.apiKey) return;
  const check = createChecker(auth);
  const openPaths = new Set(auth.metrics ? OPEN_PATHS : [...OPEN_PATHS, '/metrics']);
  app.decorateRequest('authenticated', false);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const ok = check(request);
    (request as FastifyRequest & { authenticated: boolean }).authenticated = ok;
    if (ok || (request.method === 'GET' && openPaths.has(request.url.split('?')[0] ?? ''))) return;
    request.log.warn(
      `Refused ${request.method} ${request.url.split('?')[0]} from ${request.ip}: missing or wrong credentials`,
    );
    return reply.code(401).header('WWW-Authenticate', `Basic realm="${REALM}", charset="UTF-8"`).send({
      error: 'Authentication required: use the Username/Password of the webhook (HTTP Basic) or the X-Api-Key header',
    });
  });
}

/** True when auth is off, or the request proved who it is. */
export function isAuthenticated(request: FastifyRequest): boolean {
  const flag = (request as FastifyRequest & { authenticated?: boolean }).authenticated;
  return flag === undefined || flag;
}

function createChecker(auth: AuthConfig): (request: FastifyRequest) => boolean {
  // Radarr/Sonarr encode Basic credentials as ISO-8859-1; compare bytes in the same encoding.
  const expectedBasic = auth.basic
    ? digest(Buffer.from(`${auth.basic.username}:${auth.basic.password}`, 'latin1'))
    : null;
  const expectedKey = auth.apiKey ? digest(Buffer.from(auth.apiKey, 'utf8')) : null;
  return (request) => {
    let ok = false;
    if (expectedBasic) {
      const header = request.headers.authorization;
      const encoded = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header)?.[1] : undefined;
      if (encoded) ok = same(digest(Buffer.from(encoded, 'base64')), expectedBasic) || ok;
    }
    if (expectedKey) {
      const headerKey = request.headers['x-api-key'];
      const queryKey = (request.query as Record<string, unknown> | undefined)?.apikey;
      const given = typeof headerKey === 'string' ? headerKey : typeof queryKey === 'string' ? queryKey : null;
      if (given !== null) ok = same(digest(Buffer.from(given, 'utf8')), expectedKey) || ok;
    }
    return ok;
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
