// The bounds of a pass, on the real walk (find in a child process) and a real SQLite store; the share
// checks answer as each test says, and a walk "hangs" the way a stat() on a dead NFS mount does.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mapping } from '../../src/core/types.js';
import type { MountProbe } from '../../src/mounts/probe.js';
import { type Db, openDatabase } from '../../src/store/database.js';
import { createJobStore } from '../../src/store/jobs.js';
import { createOutboxStore } from '../../src/store/outbox.js';
import { createReconcileRunStore } from '../../src/store/reconcile-runs.js';
import { createWalSync } from '../../src/store/wal-sync.js';
import { Reconciler } from '../../src/reconcile/reconciler.js';
import { createShareComparer, type ShareComparer } from '../../src/reconcile/share-compare.js';
import { createTreeWalker, type TreeWalker } from '../../src/reconcile/tree-walk.js';

const HANG = ['/bin/sh', '-c', 'sleep 30', 'hung'];

let base: string;
let db: Db;
let mappings: Mapping[];
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'sync-reconciler-'));
  mappings = ['movies', 'tv'].map((name) => ({
    container: `/${name}`,
    source: { path: join(base, 'src', name) },
    destination: { path: join(base, 'dst', name) },
    plexPath: join(base, 'dst', name),
    kind: name === 'tv' ? 'tv' : 'movie',
  }));
  for (const m of mappings) {
    await mkdir(join(m.source.path, 'Item (2020)'), { recursive: true });
    await writeFile(join(m.source.path, 'Item (2020)', 'file.mkv'), 'data');
    await mkdir(m.destination.path, { recursive: true });
    await writeFile(join(m.destination.path, '.marker'), '');
  }
  db = openDatabase(':memory:');
});
afterEach(async () => {
  db.close();
  await rm(base, { recursive: true, force: true });
});

const healthy: Pick<MountProbe, 'checkRoot'> = { checkRoot: async () => ({ ok: true }) };

function reconciler(o: {
  walker: TreeWalker;
  probe?: Pick<MountProbe, 'checkRoot'>;
  comparer?: ShareComparer;
  timeoutMs?: number;
}) {
  const outbox = createOutboxStore(db);
  const clock = { now: () => new Date(Date.now() + 3_600_000) };
  const log = pino({ level: 'silent' });
  return new Reconciler({
    mappings,
    runs: createReconcileRunStore(db),
    walSync: createWalSync(db),
    probe: o.probe ?? healthy,
    comparer: o.comparer ?? createShareComparer(o.walker),
    queue: {
      jobs: createJobStore(db, outbox),
      walSync: createWalSync(db),
      mappings,
      clock,
      log,
      duplicateWindowMs: 86_400_000,
      onQueued: () => undefined,
    },
    outbox,
    routing: { notifiersFor: () => [] },
    onNotified: () => undefined,
    clock,
    log,
    settleMinutes: 10,
    timeoutMs: o.timeoutMs ?? 10_000,
  });
}

const walker = (lowPriority: string[] = [], silenceLimitMs = 10_000) =>
  createTreeWalker({ lowPriority, find: 'find', silenceLimitMs });

async function finished(r: Reconciler, id: number) {
  await r.idle();
  const run = r.get(id);
  if (!run) throw new Error(`pass ${id} not recorded`);
  return run;
}

function started(outcome: ReturnType<Reconciler['start']>): number {
  if (outcome.kind !== 'started') throw new Error(`pass ${outcome.runningId} still running`);
  return outcome.run.id;
}

describe('Reconciler', () => {
  it('stops at SYNC_RECONCILE_TIMEOUT_SECONDS: the mappings not checked in time are said so', async () => {
    const r = reconciler({ walker: walker(HANG), timeoutMs: 300 });
    const run = await finished(r, started(r.start({ startedBy: 'schedule', queue: true })));
    const late = 'not checked: the pass ran out of time (0.3 s, SYNC_RECONCILE_TIMEOUT_SECONDS)';
    expect(run).toMatchObject({ status: 'timed_out', error: late, items: [], queuedAt: null });
    expect(run.results?.map((m) => [m.mapping, m.status, m.problem])).toEqual([
      ['/movies', 'skipped', late],
      ['/tv', 'skipped', late],
    ]);
  });

  it('reports a walk that stops answering as a share that is down', async () => {
    const r = reconciler({ walker: walker(HANG, 200) });
    const run = await finished(r, started(r.start({ startedBy: 'api', queue: false, mappings: ['/tv'] })));
    expect(run.status).toBe('done');
    expect(run.results).toEqual([
      expect.objectContaining({
        mapping: '/tv',
        status: 'skipped',
        problem: `share down: source ${mappings[1]?.source.path} stopped answering (nothing listed for 0.2 s)`,
      }),
    ]);
  });

  it('checks the shares again after the walk: one that went away meanwhile is skipped, not all missing', async () => {
    let calls = 0;
    const probe: Pick<MountProbe, 'checkRoot'> = {
      checkRoot: async (check, role) => {
        calls++;
        return calls > 2 && role === 'destination'
          ? { ok: false, problem: `destination ${check.path} is not mounted` }
          : { ok: true };
      },
    };
    const r = reconciler({ walker: walker(), probe });
    const run = await finished(r, started(r.start({ startedBy: 'api', queue: true, mappings: ['/movies'] })));
    expect(run.results?.[0]).toMatchObject({
      status: 'skipped',
      problem: `share down: destination ${mappings[0]?.destination.path} is not mounted`,
    });
    expect(run.items).toEqual([]);
  });

  it("counts a destination holding only the share check's test file as empty: an unmounted share", async () => {
    const root = mappings[0]?.destination.path ?? '';
    await rm(join(root, '.marker'));
    await writeFile(join(root, '.sync-webhook-probe.a1B2c3'), '');
    const r = reconciler({ walker: walker() });
    const run = await finished(r, started(r.start({ startedBy: 'api', queue: false, mappings: ['/movies'] })));
    expect(run.results?.[0]).toMatchObject({
      status: 'skipped',
      problem: `share down: destination ${root} is empty: an unmounted share looks like this`,
    });
  });

  it('skips only the mapping whose comparer failed (its child process died); the next one is checked', async () => {
    const real = createShareComparer(walker());
    const comparer: ShareComparer = {
      compare: (request, signal) =>
        request.mapping.container === '/movies'
          ? Promise.reject(new Error("the catch-up's child process stopped (killed by SIGKILL)"))
          : real.compare(request, signal),
      close: async () => undefined,
    };
    const r = reconciler({ walker: walker(), comparer });
    const run = await finished(r, started(r.start({ startedBy: 'api', queue: false })));
    expect(run.status).toBe('done');
    expect(run.results?.map((m) => [m.mapping, m.status, m.problem ?? null])).toEqual([
      ['/movies', 'skipped', "the catch-up's child process stopped (killed by SIGKILL)"],
      ['/tv', 'checked', null],
    ]);
    expect(run.items.map((i) => i.containerPath)).toEqual(['/tv/Item (2020)/file.mkv']);
  });

  it('stops a running pass when the service stops, one pass at a time until then', async () => {
    const r = reconciler({ walker: walker(HANG) });
    const id = started(r.start({ startedBy: 'api', queue: false }));
    expect(r.start({ startedBy: 'schedule', queue: true })).toEqual({ kind: 'busy', runningId: id });
    await r.stop();
    expect(r.get(id)).toMatchObject({ status: 'interrupted', error: 'not checked: the service stopped' });
    expect(r.start({ startedBy: 'api', queue: false }).kind).toBe('started');
    await r.stop();
  });

  it('queues a pass that only looked, once, and refuses one that did not finish', async () => {
    const r = reconciler({ walker: walker() });
    const id = started(r.start({ startedBy: 'api', queue: false }));
    await finished(r, id);
    const queued = await r.queue(id);
    expect(queued.kind === 'queued' && queued.run.queued).toEqual({ created: 2, folded: 0 });
    expect(await r.queue(id)).toEqual({ kind: 'refused', problem: `Catch-up pass ${id} was queued already` });
    expect(await r.queue(999)).toEqual({ kind: 'not_found' });
    const stopped = started(r.start({ startedBy: 'api', queue: false }));
    await r.stop();
    expect(await r.queue(stopped)).toEqual({
      kind: 'refused',
      problem: `Catch-up pass ${stopped} did not finish (interrupted): start a new one`,
    });
  });
});
