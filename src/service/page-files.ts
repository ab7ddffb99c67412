import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { PageFile, PageFiles } from '../http/routes/page.js';

/** dist/web, from src/service as from dist/service (and in the image): where `npm run build` puts the page. */
export const PAGE_DIR = new URL('../../dist/web/', import.meta.url).pathname;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Reads the built dashboard into memory once (a few files, under 200 KB compressed), with the .gz and
 * .br copies scripts/compress-web.mjs wrote, so a request costs no disk read and no compression.
 * Null when the page was not built (index.html missing): the API still runs, and GET / says why.
 */
export function readPageFiles(dir: string = PAGE_DIR): PageFiles | null {
  if (!existsSync(join(dir, 'index.html'))) return null;
  const files = new Map<string, PageFile>();
  for (const path of listFiles(dir)) {
    const contentType = CONTENT_TYPES[extname(path)];
    // Compressed copies, source maps and anything of an unknown type are not served.
    if (!contentType) continue;
    const body = readFileSync(path);
    const urlPath = `/${relative(dir, path).split(sep).join('/')}`;
    files.set(urlPath, {
      body,
      gzip: readIfExists(`${path}.gz`),
      brotli: readIfExists(`${path}.br`),
      contentType,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      immutable: urlPath.startsWith('/assets/'),
    });
  }
  return files;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(path);
    return entry.isFile() ? [path] : [];
  });
}

function readIfExists(path: string): Buffer | null {
  return existsSync(path) ? readFileSync(path) : null;
}
