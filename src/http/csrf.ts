import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorResponse } from './api-schemas.js';

// Cross-site request refusal: a web page the user visits must not be able to make this service change
// anything (retry every failed job, send a summary) with the credentials the browser holds for it.
// Browsers name the page that sent a request: `Origin` on every POST, and `Sec-Fetch-Site`. Radarr,
// Sonarr, curl and scripts send neither, so they are let through as before.

const STATE_CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** GET routes that change something anyway (the original API's GET /test and GET /summary/send). */
const STATE_CHANGING_GETS = new Set(['/test', '/summary/send']);

/** The answer of a refused request, as the description shows it on the routes that change state. */
export const CROSS_SITE_REFUSED = errorResponse(
  "Cross-site request refused: another site's page (Origin, Sec-Fetch-Site) asked to change something",
);

/** Registered before authentication and every route: a refused request reaches neither. */
export function registerCrossSiteGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!changesState(request)) return;
    const refusal = crossSiteRefusal(request.headers);
    if (!refusal) return;
    const path = request.url.split('?')[0];
    request.log.warn(`Refused ${request.method} ${path} from ${request.ip}: cross-site request (${refusal})`);
    return reply.code(403).send({
      error:
        `Cross-site request refused (${refusal}): this service changes state only for its own pages ` +
        'and for clients that are not browsers (Radarr, Sonarr, curl)',
    });
  });
}

function changesState(request: FastifyRequest): boolean {
  if (STATE_CHANGING_METHODS.has(request.method)) return true;
  return request.method === 'GET' && STATE_CHANGING_GETS.has(request.url.split('?')[0] ?? '');
}

type Headers = FastifyRequest['headers'];

/**
 * Why the request comes from another site, or null. `Sec-Fetch-Site: cross-site` is the browser's
 * own verdict; an `Origin` must name this service as the request reached it: its Host, or the
 * X-Forwarded-Host a reverse proxy set (a page cannot set that header on a request without the
 * service's consent). `Origin: null` (a sandboxed frame, a file) is foreign.
 */
export function crossSiteRefusal(headers: Headers): string | null {
  if (first(headers['sec-fetch-site']) === 'cross-site') return 'Sec-Fetch-Site: cross-site';
  const origin = first(headers.origin);
  if (origin === undefined) return null;
  const own = [first(headers.host), first(headers['x-forwarded-host'])?.split(',')[0]?.trim()];
  return own.some((host) => host && sameHost(origin, host)) ? null : `Origin ${origin} is not this service`;
}

function sameHost(origin: string, host: string): boolean {
  try {
    const from = new URL(origin);
    if (from.protocol !== 'http:' && from.protocol !== 'https:') return false;
    // The Host header in the origin's scheme, so that a default port compares equal when left out.
    return new URL(`${from.protocol}//${host}`).host === from.host;
  } catch {
    return false;
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
