// Season pack: one job (one rsync) per episode file, as the service does, or one rsync of the whole
// season folder? Sonarr sends one Download webhook per file of a pack; this posts all of them at
// once to our service (real copy) and times the first POST to the last job's finished_at, then
// copies the same season with bare rsync: (a) one rsync of the season folder, (b) one rsync per
// episode, one after the other, with the service's own argv. Rounds are interleaved; every copy
// starts from an empty destination after `sync`.
//
//   node bench/season-pack.mjs [--quick] [--episodes=20] [--episode-mib=50] [--rounds=3]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runBare } from './copy.mjs';
import {
  QUICK,
  http,
  mainJs,
  option,
  printHeader,
  runMain,
  sleep,
  startOurs,
  summary,
  sync,
  table,
  tempDir,
  wallMs,
} from './lib/common.mjs';
import { sonarrBody } from './lib/payloads.mjs';

const EPISODES = Number(option('episodes', QUICK ? 5 : 20));
const EPISODE_MIB = Number(option('episode-mib', QUICK ? 8 : 50));
const ROUNDS = Number(option('rounds', QUICK ? 1 : 3));
const SEASON = 'Season 01';

function bytesUnder(root) {
  let bytes = 0;
  for (const e of readdirSync(root, { withFileTypes: true, recursive: true }))
    if (e.isFile()) bytes += statSync(join(e.parentPath ?? e.path, e.name)).size;
  return bytes;
}

async function main() {
  printHeader('season pack: one rsync per episode (the service) or one per season folder');
  const { buildRsyncArgs } = await import(pathToFileURL(join(dirname(mainJs()), 'runner', 'rsync-args.js')).href);
  const work = tempDir('season');
  const svc = await startOurs(join(work, 'ours'), { env: { SYNC_DRY_RUN: 'false' } });
  const files = Array.from({ length: EPISODES }, (_, i) => `Pack Show - S01E${String(i + 1).padStart(2, '0')}.mkv`);
  const expected = EPISODES * EPISODE_MIB * 2 ** 20;
  console.log(
    `== ${EPISODES} episodes × ${EPISODE_MIB} MiB, ` + `${ROUNDS} round(s) + 1 warm-up, real copies on this disk`,
  );

  const times = { service: [], season: [], perFile: [] };
  for (let round = 0; round <= ROUNDS; round++) {
    // A new show name every round: the service would answer a repeated file "duplicate".
    const show = `Pack Show ${round}`;
    const src = join(svc.layout.tvSrc, show, SEASON);
    mkdirSync(src, { recursive: true });
    for (const f of files)
      spawnSync('sh', ['-c', `head -c ${EPISODE_MIB * 2 ** 20} /dev/urandom > "$1"`, 'sh', join(src, f)]);
    const dst = svc.layout.tvDst;
    const clear = async () => {
      for (const e of readdirSync(dst)) rmSync(join(dst, e), { recursive: true, force: true });
      sync();
      await sleep(200);
    };
    const order = ['service', 'season', 'perFile'];
    for (let r = 0; r < round % 3; r++) order.push(order.shift());
    for (const side of order) {
      await clear();
      const t0 = wallMs();
      if (side === 'service') {
        const answers = await Promise.all(
          files.map((file, i) =>
            http(
              'POST',
              `${svc.url}/sync/sonarr`,
              sonarrBody({ series: show, season: 1, episode: i + 1, episodeTitle: `Episode ${i + 1}`, file }),
            ),
          ),
        );
        const ids = answers.map((a) => {
          if (a.status !== 202) throw new Error(`webhook answered ${a.status}: ${a.text}`);
          return a.json.job_id;
        });
        let last = 0;
        for (const id of ids) {
          for (;;) {
            const j = (await http('GET', `${svc.url}/jobs/${id}`)).json;
            if (j.status === 'failed') throw new Error(`job ${id} failed: ${j.error}`);
            if (j.status === 'success') {
              last = Math.max(last, Date.parse(j.finished_at));
              break;
            }
            await sleep(20);
          }
        }
        if (round > 0) times.service.push(last - t0);
      } else if (side === 'season') {
        await runBare(
          buildRsyncArgs({
            source: src,
            destDir: join(dst, show),
            dryRun: false,
            isUpgrade: false,
            createDestDir: true,
          }),
        );
        if (round > 0) times.season.push(wallMs() - t0);
      } else {
        for (const f of files) {
          await runBare(
            buildRsyncArgs({
              source: join(src, f),
              destDir: join(dst, show, SEASON),
              dryRun: false,
              isUpgrade: false,
              createDestDir: true,
            }),
          );
        }
        if (round > 0) times.perFile.push(wallMs() - t0);
      }
      const got = bytesUnder(dst);
      if (got !== expected) throw new Error(`${side}: ${got} bytes at the destination, expected ${expected}`);
    }
    rmSync(join(svc.layout.tvSrc, show), { recursive: true, force: true });
  }
  await svc.stop();

  const s = summary(times.service);
  const season = summary(times.season);
  const perFile = summary(times.perFile);
  table(`wall time, ms (median of ${s.n})`, [
    [`service: ${EPISODES} webhooks at once -> last job done (one rsync per episode)`, s.median, null, undefined, 0],
    ['bare: one rsync of the season folder', season.median, null, undefined, 0],
    [`bare: ${EPISODES} rsyncs, one per episode, one after the other`, perFile.median, null, undefined, 0],
    ['service ÷ one rsync of the season folder', s.median / season.median, null, undefined, 3],
    [
      'per-episode cost over one season rsync, ms per episode',
      (s.median - season.median) / EPISODES,
      null,
      undefined,
      1,
    ],
  ]);
}

if (process.argv[1]?.endsWith('season-pack.mjs')) runMain(main);
