// Builds the dashboard page (web/) into dist/web, which the service serves at /.
// `npm run build` runs it; `npx vite --config web/vite.config.ts` serves the page with reloads while
// you edit, with its API calls sent on to a service running on SYNC_DEV_API (default 127.0.0.1:5000).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const api = process.env.SYNC_DEV_API ?? 'http://127.0.0.1:5000';
const apiPaths = ['/jobs', '/queue', '/health', '/stats', '/history', '/events', '/browse', '/sync', '/test'];

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset URLs: the page also works behind a reverse proxy that serves it under a sub-path.
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The service serves assets/ as immutable; nothing is inlined as data: URLs.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries([...apiPaths, '/summary'].map((path) => [path, { target: api }])),
  },
});
