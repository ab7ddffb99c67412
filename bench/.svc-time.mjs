import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startOurs, layout, http, tempDir, runMain } from './lib/common.mjs';
runMain(async () => {
  const dir = join(tempDir('svc-time'), 'ours');
  const first = await startOurs(dir); await first.stop();
  const l = layout(dir);
  copyFileSync('/tmp/dash/fts1m.db', l.dbPath);
  const svc = await startOurs(dir);
  for (const p of ['/jobs?limit=50', '/jobs?source=sonarr', '/jobs?source=manual', '/jobs?mapping=%2Fmovies', '/jobs?q=episode', '/history']) {
    const ts = [];
    for (let i = 0; i < 15; i++) { const r = await http('GET', svc.url + p); ts.push(r.tDone - r.tSent); }
    ts.sort((a, b) => a - b);
    console.log(p.padEnd(30), 'median', ts[7].toFixed(2), 'min', ts[0].toFixed(2));
  }
  await svc.stop();
});
