// The webhook burst with 20 dashboards open (issue 12): bench/burst.mjs's burst (wrk -t2 -c32 -d10s of
// distinct Radarr/Sonarr Download webhooks, SYNC_DRY_RUN=true) on a fresh service without event streams,
// then on a fresh service with 20 GET /events streams reading along, in alternating pairs. Prints acks/s,
// the acknowledgement's p99 and the CPU per answer of each, and the ratios against the targets: the rate
// with streams >= 95 % of the rate without, its p99 within 10 %. Each stream must have got its snapshot
// and the burst's job messages (a stream that got nothing proves nothing).
//
//   node bench/events-burst.mjs [--quick] [--pairs=2] [--streams=20] [--duration=10]
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { burstOurs } from './burst.mjs';
import { QUICK, num, option, printHeader, runMain, tempDir } from './lib/common.mjs';
import { writeBurstTemplates } from './lib/payloads.mjs';

const PAIRS = Number(option('pairs', QUICK ? 1 : 2));
const STREAMS = Number(option('streams', 20));

/** Opens `count` event streams that read everything; resolves with a function that closes them and counts. */
async function openStreams(url, count) {
  const streams = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const req = httpRequest(`${url}/events`, { headers: { Accept: 'text/event-stream' }, agent: false });
          const stream = { req, bytes: 0, events: {} };
          req.on('response', (res) => {
            if (res.statusCode !== 200) return reject(new Error(`GET /events answered ${res.statusCode}`));
            res.setEncoding('utf8');
            res.on('data', (chunk) => {
              stream.bytes += chunk.length;
              for (const [, name] of chunk.matchAll(/^event: (\w+)$/gm))
                stream.events[name] = (stream.events[name] ?? 0) + 1;
            });
            resolve(stream);
          });
          req.on('error', reject);
          req.end();
        }),
    ),
  );
  return async () => {
    for (const s of streams) s.req.destroy();
    const least = (name) => Math.min(...streams.map((s) => s.events[name] ?? 0));
    return {
      streams: streams.length,
      snapshots: least('snapshot'),
      jobsMessages: least('jobs'),
      nowMessages: least('now'),
      mbPerStream: streams.reduce((sum, s) => sum + s.bytes, 0) / streams.length / 2 ** 20,
    };
  };
}

async function main() {
  printHeader(`webhook burst with ${STREAMS} event streams open`);
  const work = tempDir('events-burst');
  const templates = writeBurstTemplates(join(work, 'templates'));
  const runs = { without: [], with: [] };
  for (let pair = 0; pair < PAIRS; pair++) {
    runs.without.push(await burstOurs(join(work, `without-${pair}`), templates, { drainMaxS: 0 }));
    runs.with.push(
      await burstOurs(join(work, `with-${pair}`), templates, {
        drainMaxS: 0,
        beforeWrk: (svc) => openStreams(svc.url, STREAMS),
      }),
    );
  }
  const rate = (r) => r.ok / r.wrk.durationS;
  const cpu = (r) => (r.cpuDuring * 1000) / r.wrk.requests;
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [['', 'acks/s', 'p99 ms', 'CPU µs/answer']];
  for (let pair = 0; pair < PAIRS; pair++) {
    for (const [label, r] of [
      ['without streams', runs.without[pair]],
      [`with ${STREAMS} streams`, runs.with[pair]],
    ]) {
      rows.push([`pair ${pair + 1}, ${label}`, num(rate(r), 0), num(r.wrk.p99, 2), num(cpu(r), 0)]);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  console.log('\n-- acknowledgements at full speed');
  for (const r of rows)
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  const rateRatio = median(runs.with.map(rate)) / median(runs.without.map(rate));
  const p99Ratio = median(runs.with.map((r) => r.wrk.p99)) / median(runs.without.map((r) => r.wrk.p99));
  console.log('\n-- with streams ÷ without (medians of the pairs)');
  console.log(`acks/s  ${num(rateRatio, 3)}  target >= 0.95  ${rateRatio >= 0.95 ? 'MET' : 'MISSED'}`);
  console.log(`p99     ${num(p99Ratio, 3)}  target <= 1.10  ${p99Ratio <= 1.1 ? 'MET' : 'MISSED'}\n`);
  for (const [pair, r] of runs.with.entries()) {
    const e = r.extra;
    console.log(
      `pair ${pair + 1}: each of ${e.streams} streams got ${e.snapshots} snapshot, ` +
        `at least ${e.jobsMessages} jobs and ` +
        `${e.nowMessages} now messages, ${num(e.mbPerStream, 2)} MB on average; ` +
        `${r.ok} webhooks acknowledged, lost ${r.missing}`,
    );
    if (e.snapshots < 1 || e.jobsMessages < 1) throw new Error('a stream got no snapshot or no job message');
  }
}

if (process.argv[1]?.endsWith('events-burst.mjs')) runMain(main);
