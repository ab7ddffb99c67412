// After `vite build`: writes a .gz and a .br copy beside each text file of dist/web (the service
// sends the one the browser accepts, without compressing per request), then checks the first load
// against its budget: index.html and every script and stylesheet it loads, as the browser receives
// them (brotli). Prints the figures; exits 1 above the budget. `npm run build` runs it.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const FIRST_LOAD_BUDGET_BYTES = 200 * 1024;
const COMPRESSIBLE = /\.(html|js|css|svg|json|txt|webmanifest)$/;

export function compressDir(dir) {
  for (const name of readdirSync(dir, { recursive: true })) {
    const path = join(dir, String(name));
    if (!statSync(path).isFile() || !COMPRESSIBLE.test(path)) continue;
    const body = readFileSync(path);
    writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
    writeFileSync(
      `${path}.br`,
      brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
      }),
    );
  }
}

/** The files of the first load: index.html, and the scripts, styles and icon it names. */
export function firstLoad(dir) {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const linked = [...html.matchAll(/(?:src|href)="\.?\/?([^"]+)"/g)].map((m) => m[1]);
  return ['index.html', ...new Set(linked)].map((file) => {
    const path = join(dir, file);
    const brotli = readFileSync(`${path}.br`).length;
    return { file, bytes: statSync(path).size, brotli, gzip: readFileSync(`${path}.gz`).length };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? 'dist/web';
  compressDir(dir);
  const files = firstLoad(dir);
  for (const f of files) console.log(`${f.file}: ${f.bytes} B, ${f.gzip} B gzip, ${f.brotli} B brotli`);
  const total = files.reduce((sum, f) => sum + f.brotli, 0);
  const gzip = files.reduce((sum, f) => sum + f.gzip, 0);
  const verdict = total <= FIRST_LOAD_BUDGET_BYTES ? 'within' : 'OVER';
  console.log(
    `dashboard first load: ${total} B brotli (${gzip} B gzip), ${verdict} the ${FIRST_LOAD_BUDGET_BYTES} B budget`,
  );
  if (total > FIRST_LOAD_BUDGET_BYTES) process.exit(1);
}
