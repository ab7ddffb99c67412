// Benchmark 4, history scale: p50/p99 of the read endpoints, the daily summary and the retry of the
// last 24 h's failures, with 10k, 100k and 1M jobs in the database (ours and the peer's, same rows).
// For each size: a fresh database; the service starts once to create its schema and stops; the rows
// are inserted straight into SQLite in one transaction (bench/lib/seed.mjs); the service starts again
// (that start is timed too) and wrk -t1 -c1 hammers one endpoint at a time. POST /queue/retry-failed
// comes last: it requeues the few failures of the last 24 h, which then run (and fail) again.
//
// GET /metrics (ours only) is read the same way: a scrape must stay in milliseconds at 1M jobs.
//
//   node bench/history.mjs [--quick] [--no-peer] [--sizes=10000,100000,1000000] [--duration=5]
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  BENCH,
  QUICK,
  http,
  mb,
  num,
  option,
  peerAvailable,
  printHeader,
  ratio,
  rssKb,
  runMain,
  runWrk,
  sleep,
  startOurs,
  startPeer,
  tempDir,
  layout,
} from './lib/common.mjs';
import { FEW_FAILED, seedOurs, seedPeer } from './lib/seed.mjs';

const SIZES = option('sizes', QUICK ? '1000,10000' : '10000,100000,1000000')
  .split(',')
  .map(Number);
const DURATION = Number(option('duration', QUICK ? 1 : 5));
// A third element 'ours' marks what the peer does not have (it would only answer 404).
export const ENDPOINTS = [
  ['GET', '/stats'],
  ['GET', '/jobs?limit=50'],
  ['GET', '/jobs?status=failed'],
  ['GET', '/health'],
  ['GET', '/metrics', 'ours'],
  ['POST', '/summary/send'],
  ['POST', '/queue/retry-failed'],
];

const human = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

/** One endpoint under wrk -t1 -c1; also the size of one answer. */
export async function hammer(svc, method, path, durationS) {
  // One request first, for the answer's size (a swamped peer may not answer at all: that is a result too).
  const one = await http(method, `${svc.url}${path}`, undefined, { timeoutMs: 20_000 }).catch((e) => ({
    text: `(no answer: ${e.message})`,
    status: null,
  }));
  const r = await runWrk({
    url: `${svc.url}${path}`,
    script: join(BENCH, 'lua', 'request.lua'),
    threads: 1,
    connections: 1,
    durationS,
    env: { BENCH_METHOD: method },
  });
  return { ...r, bytes: one.status === null ? null : one.text.length, status: one.status, body: one.text };
}

/** Seeds a fresh database of `kind` with n rows and starts the service on it. */
export async function seededService(kind, dir, n) {
  const start = kind === 'ours' ? startOurs : startPeer;
  const env = { SYNC_DRY_RUN: 'true' };
  const first = await start(dir, { env });
  await first.stop();
  const l = layout(dir);
  const seeded = kind === 'ours' ? await seedOurs(l.dbPath, n, l) : await seedPeer(l.dbPath, n, l);
  const svc = await start(dir, { env });
  return { svc, seeded, dbMb: statSync(l.dbPath).size / 2 ** 20 };
}

async function measureAt(kind, dir, n) {
  const { svc, seeded, dbMb } = await seededService(kind, dir, n);
  await sleep(1000);
  const pid = kind === 'ours' ? svc.pid : svc.workerPid();
  const out = { n, seeded, dbMb, startMs: svc.startMs, rssBefore: rssKb(pid), endpoints: {} };
  for (const [method, path, only] of ENDPOINTS) {
    if (only && only !== kind) continue;
    out.endpoints[`${method} ${path}`] = await hammer(svc, method, path, DURATION);
  }
  out.rssAfter = rssKb(pid);
  // What the retry did, for the record.
  const retry = out.endpoints['POST /queue/retry-failed'];
  out.retryAnswer = retry.body.trim().slice(0, 160);
  await svc.stop();
  rmSync(dir, { recursive: true, force: true });
  return out;
}

async function main() {
  printHeader('4. history scale');
  console.log(
    `== sizes ${SIZES.map(human).join(', ')} rows; ` +
      `each endpoint: wrk -t1 -c1 -d${DURATION}s (one client, back to back); ${FEW_FAILED} failures in the last 24 h`,
  );
  const work = tempDir('history');
  const withPeer = peerAvailable();
  const results = [];
  for (const n of SIZES) {
    const o = await measureAt('ours', join(work, `ours-${n}`), n);
    console.log(
      `== ours, ${human(n)} rows: seeded in ${o.seeded.took.toFixed(1)} s ` +
        `(${o.seeded.failed} failed, ${o.seeded.failed24h} of them in the last 24 h; ` +
        `${o.seeded.today} finished in the last 24 h), db ${o.dbMb.toFixed(0)} MB; ` +
        `start->healthy ${o.startMs.toFixed(0)} ms; RSS ${num(mb(o.rssBefore))} -> ${num(mb(o.rssAfter))} MB`,
    );
    let p = null;
    if (withPeer) {
      p = await measureAt('peer', join(work, `peer-${n}`), n);
      console.log(
        `== peer, ${human(n)} rows: seeded in ${p.seeded.took.toFixed(1)} s, db ${p.dbMb.toFixed(0)} MB; ` +
          `start->healthy ${p.startMs.toFixed(0)} ms; worker RSS ${num(mb(p.rssBefore))} -> ${num(mb(p.rssAfter))} MB`,
      );
    }
    results.push({ n, o, p });
  }

  // One table: endpoint x size, p50/p99 of each side, and the p99 ratio.
  const head = [
    'endpoint',
    'rows',
    'ours p50',
    'ours p99',
    'ours req/s',
    'peer p50',
    'peer p99',
    'peer req/s',
    'p99 ours÷peer',
    'target: p99 < 5 ms at 1M',
  ];
  const rows = [];
  for (const [method, path] of ENDPOINTS) {
    const key = `${method} ${path}`;
    for (const { n, o, p } of results) {
      const a = o.endpoints[key];
      const b = p?.endpoints[key];
      const verdict =
        n >= 1e6 || n === SIZES[SIZES.length - 1]
          ? a.p99 < 5
            ? 'MET'
            : `MISSED (by ${(((a.p99 - 5) / 5) * 100).toFixed(0)}%)`
          : '';
      const bad = a.non2xx ? ` (${a.non2xx} non-2xx!)` : '';
      const peerOk = b && b.requests > 0;
      const peerNote = b && !peerOk ? `; peer: no answer within ${DURATION} s` : '';
      rows.push([
        key,
        human(n),
        num(a.p50, 2),
        num(a.p99, 2),
        num(a.rps, 0),
        peerOk ? num(b.p50, 2) : '-',
        peerOk ? num(b.p99, 2) : '-',
        b ? num(b.rps, 0) : '-',
        peerOk ? ratio(a.p99, b.p99) : '-',
        verdict + bad + peerNote,
      ]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    r
      .map((c, i) =>
        i < 2 ? String(c).padEnd(widths[i]) : i === r.length - 1 ? String(c) : String(c).padStart(widths[i]),
      )
      .join('  ');
  console.log('\n-- latency, ms (wrk, one connection)');
  console.log(line(head));
  let last = '';
  for (const r of rows) {
    if (r[0] !== last && last) console.log('');
    last = r[0];
    console.log(line(r));
  }

  console.log('\n-- answer sizes and what the POSTs did (largest size)');
  const big = results[results.length - 1];
  for (const [method, path] of ENDPOINTS) {
    const key = `${method} ${path}`;
    const a = big.o.endpoints[key];
    const b = big.p?.endpoints[key];
    const peerPart = b ? `; peer ${b.bytes ?? '(no answer)'} bytes (${b.requests} requests)` : '';
    console.log(`${key}: ours ${a.bytes ?? '(no answer)'} bytes (${a.requests} requests)${peerPart}`);
  }
  console.log(`ours POST /queue/retry-failed, first answer: ${big.o.retryAnswer}`);
  if (big.p)
    console.log(
      `peer POST /queue/retry-failed, first answer: ${big.p.retryAnswer} ` +
        '(each call starts a thread per title, with a new attempt row)',
    );
  if (big.p)
    console.log(
      'peer POST /summary/send answers before it runs its query (a thread): ' +
        'its latency does not include the summary query',
    );
  console.log('\n-- start -> first 200 from /health, with the seeded database, ms (one start each)');
  for (const { n, o, p } of results)
    console.log(
      `${human(n).padEnd(5)} rows: ours ${o.startMs.toFixed(0)}${p ? `, peer ${p.startMs.toFixed(0)}` : ''}` +
        `   (target < 1000 ms: ${o.startMs < 1000 ? 'MET' : 'MISSED'})`,
    );
  console.log('\n-- RSS after the reads, MB');
  for (const { n, o, p } of results)
    console.log(
      `${human(n).padEnd(5)} rows: ours ${num(mb(o.rssAfter))}${p ? `, peer worker ${num(mb(p.rssAfter))}` : ''}`,
    );
}

if (process.argv[1]?.endsWith('history.mjs')) runMain(main);
