// Benchmark 1, webhook burst: distinct Radarr/Sonarr Download webhooks posted over loopback at full
// speed by wrk (bench/lua/burst.lua), SYNC_DRY_RUN=true, against our service and then the Flask peer.
// Prints requests/s and p50/p99/max of the acknowledgement, checks that every 2xx became exactly one
// job row, and how long the queue takes to drain afterwards. A second run on a fresh service sends the
// same webhooks at the target rate (5,000/s, paced) and prints the latency at that rate: at full speed
// the latency only says how many connections wait in line (32 connections / N per second).
//
//   node bench/burst.mjs [--quick] [--no-peer] [--duration=10] [--connections=32] [--threads=2] [--rate=5000]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BENCH,
  QUICK,
  mb,
  option,
  openSqlite,
  over,
  peerAvailable,
  printHeader,
  rssKb,
  cpuMs,
  runMain,
  runWrk,
  sleep,
  startOurs,
  startPeer,
  table,
  tempDir,
  threadCount,
  childrenOf,
  under,
  wallMs,
} from './lib/common.mjs';
import { writeBurstTemplates } from './lib/payloads.mjs';

const DURATION = Number(option('duration', QUICK ? 3 : 10));
const CONNECTIONS = Number(option('connections', 32));
const THREADS = Number(option('threads', 2));
/** Longest wait for the queue to drain after the burst; past it the drain rate is extrapolated. */
const DRAIN_MAX_S = Number(option('drain-max', QUICK ? 20 : 300));
/** The paced run's rate, requests per second over all connections: the target. */
const RATE = Number(option('rate', 5000));

/** Reads the per-thread "<status> <job_id>" files burst.lua wrote. */
function readAcks(prefix, dir) {
  const acks = [];
  for (const f of readdirSync(dir).filter((n) => n.startsWith(`${prefix}.`))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line) continue;
      const [status, id] = line.split(' ');
      acks.push({ status: Number(status), id: id === '-' ? null : Number(id) });
    }
  }
  return acks;
}

/**
 * `beforeWrk(svc)` runs once the service is up, before the burst (bench/events-burst.mjs opens its event
 * streams there); what it resolves with is called after the burst and its result returned as `extra`.
 */
export async function burstOurs(
  dir,
  templates,
  { env = {}, nodeArgs = [], rate, drainMaxS = DRAIN_MAX_S, beforeWrk } = {},
) {
  const svc = await startOurs(dir, { env: { SYNC_DRY_RUN: 'true', ...env }, nodeArgs });
  await sleep(1000);
  const afterWrk = beforeWrk ? await beforeWrk(svc) : undefined;
  const rssBefore = rssKb(svc.pid);
  const acksPrefix = join(dir, 'acks');
  const t0 = wallMs();
  const cpuBefore = cpuMs(svc.pid);
  const wrk = await runWrk({
    url: svc.url,
    script: join(BENCH, 'lua', 'burst.lua'),
    threads: THREADS,
    connections: CONNECTIONS,
    durationS: DURATION,
    env: {
      BENCH_TEMPLATES: templates,
      BENCH_ACKS: acksPrefix,
      ...(rate ? { BENCH_RATE: String(rate), BENCH_THREADS: String(THREADS) } : {}),
    },
  });
  const wrkEnd = wallMs();
  const rssAfter = rssKb(svc.pid);
  const cpuDuring = cpuMs(svc.pid) - cpuBefore;
  const extra = afterWrk ? await afterWrk() : undefined;

  // Drain: wait until nothing is queued or running (bounded), reading the trigger-kept counters.
  const db = await openSqlite(svc.layout.dbPath);
  const pending = () => {
    const c = Object.fromEntries(
      db
        .prepare('SELECT status, count FROM job_status_counts')
        .all()
        .map((r) => [r.status, r.count]),
    );
    return { left: (c.queued ?? 0) + (c.in_progress ?? 0), ...c };
  };
  const atEnd = pending();
  let drainS = null;
  let left = atEnd.left;
  const drainStart = wallMs();
  while (wallMs() - drainStart < drainMaxS * 1000) {
    left = pending().left;
    if (left === 0) {
      drainS = (wallMs() - wrkEnd) / 1000;
      break;
    }
    await sleep(250);
  }
  const waitedS = (wallMs() - wrkEnd) / 1000;
  const rssDrained = rssKb(svc.pid);

  // Every 2xx answer's job_id must be one row; no row twice; no two rows for one payload.
  const acks = readAcks('acks', dir);
  const ok = acks.filter((a) => a.status >= 200 && a.status < 300);
  const ackIds = ok.map((a) => a.id).filter((id) => id !== null);
  const distinctAckIds = new Set(ackIds);
  const byStatus = {};
  for (const a of acks) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
  const rows = db.prepare('SELECT id FROM jobs').pluck().all();
  const rowIds = new Set(rows);
  const missing = [...distinctAckIds].filter((id) => !rowIds.has(id));
  const unacked = rows.filter((id) => !distinctAckIds.has(id)).length;
  const dupKeys = db
    .prepare('SELECT COUNT(*) FROM (SELECT dedupe_key FROM jobs GROUP BY dedupe_key HAVING COUNT(*) > 1)')
    .pluck()
    .get();
  const rowStatus = db
    .prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status')
    .all()
    .map((r) => `${r.status}=${r.n}`)
    .join(' ');
  db.close();
  await svc.stop();

  return {
    extra,
    cpuDuring,
    wrk,
    rssBefore,
    rssAfter,
    rssDrained,
    atEnd,
    drainS,
    waitedS,
    left,
    durationS: wrk.durationS,
    wrkToDrainStart: (drainStart - wrkEnd) / 1000,
    acks: acks.length,
    ok: ok.length,
    byStatus,
    ackIds: ackIds.length,
    distinctAckIds: distinctAckIds.size,
    rows: rows.length,
    missing: missing.length,
    unacked,
    dupKeys,
    rowStatus,
    drainRate: (atEnd.left - left) / waitedS,
    t0,
  };
}

export async function burstPeer(dir, templates) {
  const svc = await startPeer(dir, { env: { SYNC_DRY_RUN: 'true' } });
  await sleep(2000);
  const worker = svc.workerPid();
  const idleThreads = threadCount(worker);
  const rssBefore = rssKb(worker);
  let peakThreads = 0;
  let peakRsync = 0;
  const mon = setInterval(() => {
    peakThreads = Math.max(peakThreads, threadCount(worker));
    peakRsync = Math.max(peakRsync, childrenOf(worker).length);
  }, 200);
  const wrk = await runWrk({
    url: svc.url,
    script: join(BENCH, 'lua', 'burst.lua'),
    threads: THREADS,
    connections: CONNECTIONS,
    durationS: DURATION,
    env: { BENCH_TEMPLATES: templates },
  });
  clearInterval(mon);
  const wrkEnd = wallMs();
  const rssAfter = rssKb(worker);
  // Drained: no rsync child and the thread count back near idle, three looks in a row (as its bench.sh).
  let quiet = 0;
  let drainS = null;
  while (wallMs() - wrkEnd < DRAIN_MAX_S * 1000) {
    if (childrenOf(worker).length === 0 && threadCount(worker) <= idleThreads + 4) quiet++;
    else quiet = 0;
    if (quiet >= 3) {
      drainS = (wallMs() - wrkEnd) / 1000;
      break;
    }
    await sleep(500);
  }
  const rssDrained = rssKb(worker);
  await svc.stop();
  const db = await openSqlite(svc.layout.dbPath);
  const rows = db.prepare('SELECT COUNT(*) FROM sync_jobs').pluck().get();
  const rowStatus = db
    .prepare('SELECT status, COUNT(*) AS n FROM sync_jobs GROUP BY status')
    .all()
    .map((r) => `${r.status}=${r.n}`)
    .join(' ');
  db.close();
  const log = readFileSync(join(svc.layout.logDir, 'sync_webhook.log'), 'utf8');
  const startLost = (log.match(/Could not record job start/g) ?? []).length;
  const endLost = (log.match(/Could not record job \d+ as/g) ?? []).length;
  return {
    wrk,
    rssBefore,
    rssAfter,
    rssDrained,
    drainS,
    rows,
    rowStatus,
    startLost,
    endLost,
    peakThreads,
    peakRsync,
    ok: wrk.requests - wrk.non2xx,
  };
}

async function main() {
  printHeader('1. webhook burst');
  console.log(
    `== wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s, distinct Radarr/Sonarr Download payloads ` +
      '(alternating, fixtures with a number in every title and path), ' +
      'SYNC_DRY_RUN=true, sources missing (jobs fail fast)',
  );
  const work = tempDir('burst');
  const templates = writeBurstTemplates(join(work, 'templates'));
  const o = await burstOurs(join(work, 'ours'), templates);
  const peer = peerAvailable() ? await burstPeer(join(work, 'peer'), templates) : null;
  const paced = await burstOurs(join(work, 'ours-paced'), templates, { rate: RATE, drainMaxS: 0 });

  table(
    `acknowledgements at full speed (${CONNECTIONS} connections, ` +
      'each sending its next webhook as soon as the last is answered)',
    [
      [
        'acks/s (2xx per second)',
        o.ok / o.wrk.durationS,
        peer ? peer.ok / peer.wrk.durationS : null,
        { text: '>= 5,000/s', ok: (v) => v >= 5000, by: under(5000) },
        0,
      ],
      ['latency p50, ms', o.wrk.p50, peer?.wrk.p50, undefined, 2],
      ['latency p90, ms', o.wrk.p90, peer?.wrk.p90, undefined, 2],
      ['latency p99, ms', o.wrk.p99, peer?.wrk.p99, undefined, 2],
      ['latency p99.9, ms', o.wrk.p999, peer?.wrk.p999, undefined, 2],
      ['latency max, ms', o.wrk.max, peer?.wrk.max, undefined, 2],
      ['CPU per answer, µs (service process)', (o.cpuDuring * 1000) / o.wrk.requests, null, undefined, 0],
      ['requests answered', o.wrk.requests, peer?.wrk.requests, undefined, 0],
      ['non-2xx answers', o.wrk.non2xx, peer?.wrk.non2xx, undefined, 0],
      ['socket errors', o.wrk.socketErrors, peer?.wrk.socketErrors, undefined, 0],
    ],
  );

  console.log(
    `\n== paced: a fresh service, the same webhooks sent at ${RATE.toLocaleString('en')}/s ` +
      `(wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s, each thread on a fixed schedule); ` +
      'the peer is not paced (it answers ~150/s)',
  );
  table(`acknowledgement latency at ${RATE.toLocaleString('en')}/s`, [
    [
      'acks/s achieved',
      paced.ok / paced.wrk.durationS,
      null,
      { text: `>= ${RATE.toLocaleString('en')}/s`, ok: (v) => v >= RATE * 0.98, by: under(RATE) },
      0,
    ],
    ['latency p50, ms', paced.wrk.p50, null, undefined, 2],
    ['latency p90, ms', paced.wrk.p90, null, undefined, 2],
    ['latency p99, ms', paced.wrk.p99, null, { text: '< 10 ms', ok: (v) => v < 10, by: over(10) }, 2],
    ['latency p99.9, ms', paced.wrk.p999, null, undefined, 2],
    ['latency max, ms', paced.wrk.max, null, undefined, 2],
    ['non-2xx answers', paced.wrk.non2xx, null, undefined, 0],
  ]);

  const lost = o.missing + paced.missing;
  const dup = o.ackIds - o.distinctAckIds + o.dupKeys + paced.ackIds - paced.distinctAckIds + paced.dupKeys;
  table('durability: every 2xx is exactly one job row (both runs)', [
    ['2xx answers', o.ok + paced.ok, peer?.ok, undefined, 0],
    ['job rows in SQLite', o.rows + paced.rows, peer?.rows, undefined, 0],
    [
      '2xx without a row (lost)',
      lost,
      peer ? Math.max(0, peer.ok - peer.rows) : null,
      { text: '0', ok: (v) => v === 0 },
      0,
    ],
    ['duplicated (same job_id twice, or one payload in two rows)', dup, null, { text: '0', ok: (v) => v === 0 }, 0],
  ]);
  console.log(
    `ours: answers by status ${JSON.stringify(o.byStatus)}; ` +
      `${o.distinctAckIds} distinct job_ids in ${o.ackIds} 2xx bodies; ` +
      `${o.unacked} rows committed whose answer wrk never read ` +
      `(in flight when wrk stopped; at most ${CONNECTIONS} connections); rows by status: ${o.rowStatus}`,
  );
  if (peer) {
    console.log(
      'peer: answers its 200 before the row exists (a background thread writes it); ' +
        `rows by status: ${peer.rowStatus}; ` +
        `'database is locked': job start not recorded ${peer.startLost}, job end not recorded ${peer.endLost}; ` +
        `peak worker threads ${peer.peakThreads}, peak concurrent rsync ${peer.peakRsync}`,
    );
  }

  const drainText = (d) => (d.drainS !== null ? d.drainS : null);
  table('queue drain after the burst (dry run, sources missing: each job probes its shares, then fails)', [
    ['drained after, s', drainText(o), peer ? drainText(peer) : null, undefined, 1],
  ]);
  if (o.drainS === null) {
    console.log(
      `ours: not drained after ${o.waitedS.toFixed(0)} s: ${o.left} of ${o.rows} jobs still queued; ` +
        `${o.drainRate.toFixed(0)} jobs/s after the burst ⇒ ` +
        `about ${(o.waitedS + o.left / o.drainRate).toFixed(0)} s after wrk stopped for all (SYNC_MAX_CONCURRENT=1)`,
    );
  } else {
    console.log(
      `ours: ${o.rows} jobs done ${o.drainS.toFixed(1)} s after wrk stopped ` +
        `(${(o.rows / (o.durationS + o.drainS)).toFixed(0)} jobs/s from the first webhook)`,
    );
  }
  if (peer && peer.drainS === null) console.log(`peer: not drained within ${DRAIN_MAX_S} s`);

  table(
    'memory (RSS, MB)',
    [
      ['before the burst', mb(o.rssBefore), mb(peer?.rssBefore), undefined, 1],
      [
        'right after the burst',
        mb(o.rssAfter),
        mb(peer?.rssAfter),
        { text: '< 150 MB', ok: (v) => v < 150, by: over(150) },
        1,
      ],
      ['after the drain (or its time limit)', mb(o.rssDrained), mb(peer?.rssDrained), undefined, 1],
    ],
    { unitNote: 'peer: the gunicorn worker' },
  );
}

if (process.argv[1]?.endsWith('burst.mjs')) runMain(main);
