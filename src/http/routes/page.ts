import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { errorResponse, type JsonSchema } from '../api-schemas.js';
import { OPEN_TO_ALL } from '../auth.js';

/** One built file of the dashboard (dist/web), with the compressed copies `npm run build` wrote beside it. */
export interface PageFile {
  body: Buffer;
  gzip: Buffer | null;
  brotli: Buffer | null;
  contentType: string;
  /** A strong validator of the body, quoted as the header wants it. */
  etag: string;
  /** Files under assets/ carry a content hash in their name: they never change, so browsers keep them a year. */
  immutable: boolean;
}

/** The dashboard's files by URL path (`/index.html`, `/assets/index-3f2a.js`); null when it was not built. */
export type PageFiles = ReadonlyMap<string, PageFile>;

export interface PageRouteDeps {
  pageFiles: PageFiles | null;
}

// The page runs only its own script and talks only to this origin; it may not be framed (its buttons retry
// and queue jobs), and its links leak nothing to other sites. uPlot and Preact style through the CSSOM,
// which style-src does not govern, so no 'unsafe-inline' is needed.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** The files beside index.html, each at its own path (web/public). */
const ROOT_FILES = ['/favicon.svg'];

const notModified: JsonSchema = {
  description: "Not modified: the browser's copy (If-None-Match) is current",
  content: {},
};
const file = (description: string, types: readonly string[]): JsonSchema => ({
  description,
  content: Object.fromEntries(types.map((type) => [type, { schema: { type: 'string' } }])),
});
const pageSchema = (summary: string, ok: JsonSchema, missing: Record<number, JsonSchema>): FastifySchema => ({
  summary,
  description: 'Open to all: the page must load to show its login form; it holds no data.',
  tags: ['dashboard page'],
  security: OPEN_TO_ALL,
  response: { 200: ok, 304: notModified, ...missing },
});
const notBuilt = errorResponse('The dashboard is not built (npm run build writes dist/web); the JSON API works');

/** GET / serves the dashboard page, GET /assets/<file> its scripts and styles; the JSON API keeps its paths. */
export function registerPageRoutes(app: FastifyInstance, deps: PageRouteDeps): void {
  const files = deps.pageFiles;
  app.get(
    '/',
    { schema: pageSchema('The dashboard page', file('The page', ['text/html']), { 503: notBuilt }) },
    async (request, reply) => {
      const page = files?.get('/index.html');
      if (!page) return reply.code(503).send({ error: notBuilt.description });
      return sendFile(request, reply, page);
    },
  );
  for (const path of ROOT_FILES) {
    app.get(
      path,
      {
        schema: pageSchema(`The page's ${path.slice(1)}`, file('The file', ['image/svg+xml']), {
          404: errorResponse('Not found: the dashboard is not built'),
        }),
      },
      async (request, reply) => {
        const found = files?.get(path);
        if (!found) return reply.code(404).send({ error: `Not found: GET ${path}` });
        return sendFile(request, reply, found);
      },
    );
  }
  app.get<{ Params: { '*': string } }>(
    '/assets/*',
    {
      schema: pageSchema(
        "The page's scripts, styles and images, by their hashed names",
        file('The file; cached for a year, its name changes with its content', [
          'text/javascript',
          'text/css',
          'image/svg+xml',
          'image/png',
          'image/x-icon',
          'application/manifest+json',
          'text/plain',
        ]),
        { 404: errorResponse('No such file (source maps and compressed copies are not served)') },
      ),
    },
    async (request, reply) => {
      const found = files?.get(`/assets/${request.params['*']}`);
      if (!found) return reply.code(404).send({ error: `Not found: GET ${request.url.split('?')[0]}` });
      return sendFile(request, reply, found);
    },
  );
}

function sendFile(request: FastifyRequest, reply: FastifyReply, file: PageFile): FastifyReply {
  reply
    .header('content-type', file.contentType)
    .header('etag', file.etag)
    .header('vary', 'Accept-Encoding')
    .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .headers(PAGE_HEADERS);
  if (etagMatches(request.headers['if-none-match'], file.etag)) return reply.code(304).send();
  const encoding = pickEncoding(request.headers['accept-encoding'], file);
  if (encoding === 'br' && file.brotli) return reply.header('content-encoding', 'br').send(file.brotli);
  if (encoding === 'gzip' && file.gzip) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}

/** Brotli when the browser takes it, then gzip, else the plain body (RFC 9110 §12.5.3, q=0 refuses). */
export function pickEncoding(
  header: string | undefined,
  file: Pick<PageFile, 'gzip' | 'brotli'>,
): 'br' | 'gzip' | 'identity' {
  const accepted = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const weight = (name: string) => accepted.get(name) ?? accepted.get('*') ?? 0;
  if (file.brotli && weight('br') > 0) return 'br';
  if (file.gzip && weight('gzip') > 0) return 'gzip';
  return 'identity';
}
