// The dashboard page as the service serves it: GET / and its assets, from the files `npm run build`
// writes (here a small built-like folder, so this tier needs no build), with their content types,
// caching, compression and the headers that keep the page from being framed; auth like every route.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readPageFiles } from '../../src/service/page-files.js';
import { cleanupAll, tempDir } from '../support/cleanup.js';
import { startInProcess } from '../support/in-process.js';

afterAll(cleanupAll);

const HTML = '<!doctype html><title>sync-webhook</title><script type="module" src="./assets/index-AbC123.js"></script>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;

async function builtPage(): Promise<string> {
  const dir = await tempDir('sync-webhook-page-');
  await mkdir(join(dir, 'assets'));
  const files: [string, string][] = [
    ['index.html', HTML],
    ['assets/index-AbC123.js', SCRIPT],
    ['assets/index-Def456.css', 'body{color:red}'],
    ['favicon.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
  ];
  for (const [name, text] of files) {
    await writeFile(join(dir, name), text);
    await writeFile(join(dir, `${name}.gz`), gzipSync(text));
    await writeFile(join(dir, `${name}.br`), brotliCompressSync(text));
  }
  // Never served: a source map and a compressed copy under its own name.
  await writeFile(join(dir, 'assets', 'index-AbC123.js.map'), '{}');
  return dir;
}

async function servicePage(env: Record<string, string> = {}) {
  return startInProcess({ env, adapters: { pageFiles: readPageFiles(await builtPage()) } });
}

describe('the dashboard page', () => {
  it('GET / is the page: HTML, revalidated each time, not framable, a CSP that allows only its own files', async () => {
    const { app } = await servicePage();
    const res = await app.inject({ url: '/', headers: { 'accept-encoding': 'identity' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body).toBe(HTML);
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('sends brotli or gzip as the browser accepts, the same bytes uncompressed', async () => {
    const { app } = await servicePage();
    const url = '/assets/index-AbC123.js';
    const br = await app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(SCRIPT);
    const gzip = await app.inject({ url, headers: { 'accept-encoding': 'gzip, br;q=0' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString()).toBe(SCRIPT);
    const plain = await app.inject({ url, headers: { 'accept-encoding': 'gzip;q=0, *;q=0' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
  });

  it('hashed assets are immutable for a year, with their content type; the icon beside the page too', async () => {
    const { app } = await servicePage();
    const js = await app.inject({ url: '/assets/index-AbC123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await app.inject({ url: '/assets/index-Def456.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await app.inject({ url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
  });

  it('answers 304 to a matching If-None-Match, 200 to an old one', async () => {
    const { app } = await servicePage();
    const first = await app.inject({ url: '/' });
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = await app.inject({ url: '/', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const weak = await app.inject({ url: '/', headers: { 'if-none-match': `"old", W/${etag}` } });
    expect(weak.statusCode).toBe(304);
    expect((await app.inject({ url: '/', headers: { 'if-none-match': '"old"' } })).statusCode).toBe(200);
  });

  it('unknown assets, source maps, compressed copies and paths that climb are 404 JSON', async () => {
    const { app } = await servicePage();
    for (const url of [
      '/assets/nope.js',
      '/assets/index-AbC123.js.map',
      '/assets/index-AbC123.js.br',
      '/assets/../index.html',
      '/assets/%2e%2e/index.html',
      '/index.html.gz',
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toHaveProperty('error');
    }
  });

  it('the JSON API keeps its paths next to the page', async () => {
    const { app } = await servicePage();
    expect((await app.inject({ url: '/jobs' })).json()).toEqual({ jobs: [], next_cursor: null });
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('without a built page GET / says how to build it, and the API still answers', async () => {
    const { app } = await startInProcess({ adapters: { pageFiles: null } });
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatch(/npm run build/);
    expect((await app.inject({ url: '/assets/index-AbC123.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/jobs' })).statusCode).toBe(200);
  });

  it('with auth on, the page files load without credentials (for the login form); its data does not', async () => {
    const { app } = await servicePage({ SYNC_USERNAME: 'admin', SYNC_PASSWORD: 'secret', SYNC_API_KEY: 'key' });
    for (const url of ['/', '/assets/index-AbC123.js', '/assets/index-Def456.css', '/favicon.svg']) {
      expect((await app.inject({ url })).statusCode, url).toBe(200);
    }
    // What the page reads and its stream need credentials; a page's script gets no Basic prompt.
    for (const url of ['/jobs', '/queue', '/health/details', '/events', '/assets/nope.js/../../jobs']) {
      const refused = await app.inject({ url, headers: { 'sec-fetch-dest': 'empty' } });
      expect(refused.statusCode, url).toBe(401);
      expect(refused.headers['www-authenticate'], url).toBeUndefined();
    }
    expect((await app.inject({ url: '/', method: 'POST' })).statusCode).toBe(401);
    const basic = `Basic ${Buffer.from('admin:secret').toString('base64')}`;
    expect((await app.inject({ url: '/jobs', headers: { authorization: basic } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/jobs', headers: { 'x-api-key': 'key' } })).statusCode).toBe(200);
  });
});
