// Where our service's time goes during a webhook burst: runs the service under `node --cpu-prof`,
// posts the burst benchmark's wrk load at it, stops it (the profile is written at exit) and prints
// the heaviest functions by self time and by total (inclusive) time, plus a few buckets (SQLite,
// logging, child processes, HTTP, JSON, GC). Not part of the figures: profiling slows the service.
//
//   node bench/profile-burst.mjs [--quick] [--duration=10] [--keep]   (the .cpuprofile opens in Chrome DevTools)
import { readdirSync, readFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { BENCH, QUICK, option, printHeader, runMain, runWrk, sleep, startOurs, tempDir } from './lib/common.mjs';
import { writeBurstTemplates } from './lib/payloads.mjs';

const DURATION = Number(option('duration', QUICK ? 3 : 10));

/** Self and inclusive time per function of a .cpuprofile, in ms. */
export function analyse(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (n) => {
    const f = n.callFrame;
    const file = f.url
      ? f.url.replace(/^file:\/\/.*?\/(node_modules|dist(-[^/]+)?|bench\/\.work\/dist-[^/]+)\//, '$1/')
      : '';
    return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : '(native)'}`;
  };
  const self = new Map();
  const total = new Map();
  const stacks = [];
  let all = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    all += dt;
    let n = byId.get(id);
    self.set(keyOf(n), (self.get(keyOf(n)) ?? 0) + dt);
    const seen = new Set();
    const stack = [];
    while (n) {
      const k = keyOf(n);
      stack.push(k);
      if (!seen.has(k)) {
        seen.add(k);
        total.set(k, (total.get(k) ?? 0) + dt);
      }
      n = byId.get(parent.get(n.id));
    }
    stacks.push([stack, dt]);
  });
  return { self, total, stacks, all };
}

const BUCKETS = [
  ['idle (event loop waiting)', (s) => s[0].startsWith('(idle)')],
  ['garbage collection', (s) => s[0].startsWith('(garbage collector)')],
  [
    'SQLite (better-sqlite3 run/get/all, transactions)',
    (s) => s.some((k) => /better-sqlite3|^(run|get|all|pluck) \(native\)/.test(k)),
  ],
  [
    'log lines (pino, formatLine, writeSync)',
    (s) => s.some((k) => /pino|formatLine|RotatingFile|log\/logger|writeSync/.test(k)),
  ],
  ['child processes (spawn: mount probes, rsync)', (s) => s.some((k) => /^spawn |child_process|ChildProcess/.test(k))],
  [
    'JSON parse / stringify',
    (s) => s.some((k) => /^(parse|stringify) \(native\)|secure-json-parse|fast-json-stringify|serialize/.test(k)),
  ],
  [
    'HTTP (fastify, node:http, sockets)',
    (s) => s.some((k) => /fastify|node:_http|node:net|light-my-request|find-my-way/.test(k)),
  ],
];

export function printProfile(profile, top = 25) {
  const { self, total, stacks, all } = analyse(profile);
  const busy = stacks.filter(([s]) => !s[0].startsWith('(idle)')).reduce((a, [, dt]) => a + dt, 0);
  console.log(
    `\n-- profile: ${all.toFixed(0)} ms sampled, ` +
      `${busy.toFixed(0)} ms busy (${((busy / all) * 100).toFixed(0)}% of the main thread)`,
  );
  console.log('\n-- buckets (a sample counts in the first bucket whose test its stack matches; % of busy time)');
  const counted = new Map();
  for (const [stack, dt] of stacks) {
    const b = BUCKETS.find(([, test]) => test(stack));
    const name = b ? b[0] : 'other JavaScript and native work';
    counted.set(name, (counted.get(name) ?? 0) + dt);
  }
  for (const [name, ms] of [...counted].sort((a, b) => b[1] - a[1])) {
    const pct =
      name.startsWith('(idle') || name.startsWith('idle') ? '' : ` ${((ms / busy) * 100).toFixed(1).padStart(5)}%`;
    console.log(`${ms.toFixed(0).padStart(7)} ms${pct}  ${name}`);
  }
  console.log(`\n-- top ${top} by self time`);
  for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${ms.toFixed(0).padStart(7)} ms ${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${k}`);
  console.log(`\n-- top ${top} by total time (self + callees), our code and the libraries (no runtime frames)`);
  for (const [k, ms] of [...total]
    .filter(([k]) => /dist|node_modules/.test(k) && !/^\(anonymous\) dist.*main\.js/.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    console.log(`${ms.toFixed(0).padStart(7)} ms ${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${k}`);
}

async function main() {
  printHeader('profile of our service during a webhook burst (node --cpu-prof)');
  const work = tempDir('profile');
  const templates = writeBurstTemplates(join(work, 'templates'));
  const profDir = join(work, 'prof');
  const svc = await startOurs(join(work, 'ours'), {
    env: { SYNC_DRY_RUN: 'true' },
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=500'],
  });
  await sleep(1000);
  const wrk = await runWrk({
    url: svc.url,
    script: join(BENCH, 'lua', 'burst.lua'),
    threads: 2,
    connections: 32,
    durationS: DURATION,
    env: { BENCH_TEMPLATES: templates },
  });
  console.log(
    `== wrk -t2 -c32 -d${DURATION}s under the profiler: ` +
      `${wrk.rps.toFixed(0)} req/s, p50 ${wrk.p50} ms, p99 ${wrk.p99} ms (slowed by the profiler)`,
  );
  await svc.stop();
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no .cpuprofile written');
  const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8'));
  printProfile(profile);
  const keep = join(BENCH, '.work', 'profiles');
  mkdirSync(keep, { recursive: true });
  copyFileSync(join(profDir, file), join(keep, basename(file)));
  console.log(
    `\n(profile kept in bench/.work/profiles/${basename(file)}; ` +
      'the burst and the queue drain both ran, as in production)',
  );
}

if (process.argv[1]?.endsWith('profile-burst.mjs')) runMain(main);
