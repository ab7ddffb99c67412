// GET /metrics as createMetrics writes it: the database figures read at each scrape from a real job store
// and outbox (a temp SQLite file with the real migrations), the shares from a real mount monitor whose
// checks answer as the test says, and the counters and the histogram as the runner and dispatcher feed them.
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempStore, type TempStore } from '../../test/store/fixture.js';
import type { OutboxItem } from '../core/notify-event.js';
import type { Job, Mapping, NewJob } from '../core/types.js';
import { MountMonitor } from '../mounts/monitor.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';

const SOURCE = '/mnt/src/movies';
const DEST = '/mnt/dst/Movies';
const MOVIES: Mapping = { container: '/movies', source: { path: SOURCE }, destination: { path: DEST }, plexPath: DEST };
const now = new Date('2026-03-10T10:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const TELEGRAM = 'tgram://123456789/-1001234567890';
const PLEX = 'plex://10.0.0.50:32400';
const BUCKETS = ['1', '5', '15', '30', '60', '120', '300', '600', '1800', '3600', '7200', '14400', '+Inf'];

let store: TempStore;
let clock: Date;
/** The problem each root's check answers; absent: healthy. */
let down: Record<string, string>;
let monitor: MountMonitor;
let nextKey: number;

beforeEach(() => {
  store = openTempStore();
  clock = now;
  down = {};
  nextKey = 0;
  monitor = new MountMonitor({
    mappings: [MOVIES],
    probe: {
      checkRoot: async (check) => {
        const problem = down[check.path];
        return problem === undefined ? { ok: true } : { ok: false, problem };
      },
      inspectSource: () => Promise.reject(new Error('not used by the monitor')),
      sourcePresence: () => Promise.reject(new Error('not used by the monitor')),
    },
    clock: { now: () => clock },
    log: pino({ level: 'silent' }),
    intervalMs: 30_000,
    onRecovered: () => undefined,
    notices: { standingDown: () => undefined, changed: () => undefined },
  });
});

afterEach(() => {
  monitor.stop();
  store.close();
});

function metrics(): ServiceMetrics {
  return createMetrics({
    jobReports: store.reports,
    outbox: store.outbox,
    mounts: monitor,
    clock: { now: () => clock },
    version: '3.0.0-test',
  });
}

/** The service's samples of a scrape (not the process's), `name{labels}` → value, as written. */
async function samplesOf(m: ServiceMetrics): Promise<Record<string, number>> {
  const { text } = await m.scrape();
  const samples: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('sync_webhook_')) continue;
    const space = line.lastIndexOf(' ');
    samples[line.slice(0, space)] = Number(line.slice(space + 1));
  }
  return samples;
}

/** Only the samples of the series whose name starts with `prefix`. */
function only(samples: Record<string, number>, prefix: string): Record<string, number> {
  return Object.fromEntries(Object.entries(samples).filter(([key]) => key.startsWith(prefix)));
}

const EMPTY_DATABASE = {
  'sync_webhook_info{version="3.0.0-test"}': 1,
  'sync_webhook_jobs{status="queued"}': 0,
  'sync_webhook_jobs{status="in_progress"}': 0,
  'sync_webhook_jobs{status="success"}': 0,
  'sync_webhook_jobs{status="failed"}': 0,
  sync_webhook_queue_depth: 0,
  sync_webhook_queue_oldest_age_seconds: 0,
};

function newJob(over: Partial<NewJob> = {}): NewJob {
  nextKey += 1;
  return {
    source: 'radarr',
    mediaType: 'movie',
    title: `Movie ${nextKey}`,
    containerPath: `/movies/Movie ${nextKey}`,
    sourcePath: `${SOURCE}/Movie ${nextKey}`,
    destPath: DEST,
    mapping: '/movies',
    details: { title: `Movie ${nextKey}` },
    isUpgrade: false,
    waitForStableSize: false,
    dedupeKey: `${SOURCE}/Movie ${nextKey}/movie.mkv`,
    ...over,
  };
}

function queue(queuedAt: Date, over: Partial<NewJob> = {}): number {
  const [id] = store.jobs.enqueue([newJob(over)], queuedAt, 60_000).ids;
  if (id === undefined) throw new Error('nothing was queued');
  return id;
}

/** A job queued, claimed and recorded with `status`; the job as the store returns it (what the runner passes on). */
function finish(status: 'success' | 'failed', o: { job?: Partial<NewJob>; bytes?: number | null } = {}): Job {
  const id = queue(at(-60 * 60_000), o.job);
  expect(store.jobs.claimNext(at(-30 * 60_000))?.id).toBe(id);
  const finishedAt = at(-20 * 60_000);
  return status === 'success'
    ? store.jobs.markSuccess(id, { bytes: o.bytes === undefined ? 100 : o.bytes, finishedAt, durationSeconds: 2 }, [])
    : store.jobs.markFailed(id, { error: 'rsync exit 23', finishedAt, durationSeconds: 2, retryAt: null }, []);
}

const scan = (path: string): OutboxItem['payload'] => ({
  type: 'scan',
  scan: { mapping: '/movies', path, mediaType: 'movie', change: 'created' },
});

describe('a scrape', () => {
  it('of an empty database before the first share check: the version, zero jobs, nothing else', async () => {
    const scrape = await metrics().scrape();
    expect(scrape.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await samplesOf(metrics())).toEqual(EMPTY_DATABASE);
    // Every family is described, even before it has a sample.
    expect(scrape.text.split('\n').filter((line) => line.startsWith('# TYPE sync_webhook_'))).toEqual([
      '# TYPE sync_webhook_info gauge',
      '# TYPE sync_webhook_jobs gauge',
      '# TYPE sync_webhook_queue_depth gauge',
      '# TYPE sync_webhook_queue_oldest_age_seconds gauge',
      '# TYPE sync_webhook_mount_up gauge',
      '# TYPE sync_webhook_outbox_pending gauge',
      '# TYPE sync_webhook_jobs_finished_total counter',
      '# TYPE sync_webhook_copied_bytes_total counter',
      '# TYPE sync_webhook_rsync_duration_seconds histogram',
      '# TYPE sync_webhook_delivery_failures_total counter',
      '# TYPE sync_webhook_deliveries_given_up_total counter',
    ]);
    // The process's own figures follow, under their usual names.
    expect(scrape.text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(scrape.text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it('reads the jobs, the queue, the shares and the outbox from the store as they are now', async () => {
    finish('success');
    finish('failed');
    const running = queue(at(-200_000));
    queue(at(-90_500));
    queue(at(-10_000));
    expect(store.jobs.claimNext(now)?.id).toBe(running);
    store.outbox.add(
      [
        { target: TELEGRAM, payload: scan(`${DEST}/A (2024)`) },
        { target: PLEX, payload: scan(`${DEST}/A (2024)`) },
      ],
      null,
      now,
    );
    store.outbox.add([{ target: TELEGRAM, payload: scan(`${DEST}/B (2024)`) }], null, now);
    down[DEST] = `destination ${DEST} does not exist`;
    await monitor.checkAll();

    expect(await samplesOf(metrics())).toEqual({
      'sync_webhook_info{version="3.0.0-test"}': 1,
      'sync_webhook_jobs{status="queued"}': 2,
      'sync_webhook_jobs{status="in_progress"}': 1,
      'sync_webhook_jobs{status="success"}': 1,
      'sync_webhook_jobs{status="failed"}': 1,
      sync_webhook_queue_depth: 2,
      // The queued job with the lowest id: the one running does not count.
      sync_webhook_queue_oldest_age_seconds: 90.5,
      [`sync_webhook_mount_up{root="${SOURCE}",role="source"}`]: 1,
      [`sync_webhook_mount_up{root="${DEST}",role="destination"}`]: 0,
      [`sync_webhook_outbox_pending{target="${PLEX}"}`]: 1,
      [`sync_webhook_outbox_pending{target="${TELEGRAM}"}`]: 2,
    });
  });

  it('each scrape reads again: a delivered target and a recovered share change the next one', async () => {
    const m = metrics();
    store.outbox.add([{ target: TELEGRAM, payload: scan(`${DEST}/A (2024)`) }], null, now);
    store.outbox.add([{ target: PLEX, payload: scan(`${DEST}/A (2024)`) }], null, now);
    down[SOURCE] = `source ${SOURCE} is not a mount point`;
    await monitor.checkAll();
    expect(only(await samplesOf(m), 'sync_webhook_outbox_pending')).toEqual({
      [`sync_webhook_outbox_pending{target="${PLEX}"}`]: 1,
      [`sync_webhook_outbox_pending{target="${TELEGRAM}"}`]: 1,
    });
    expect(
      only(await samplesOf(m), 'sync_webhook_mount_up')[`sync_webhook_mount_up{root="${SOURCE}",role="source"}`],
    ).toBe(0);

    const row = store.outbox.head(TELEGRAM);
    if (!row) throw new Error('the Telegram row is not pending');
    store.outbox.markSent([row.id], now);
    delete down[SOURCE];
    await monitor.checkAll();
    const samples = await samplesOf(m);
    // A target with nothing left is gone, not 0.
    expect(only(samples, 'sync_webhook_outbox_pending')).toEqual({
      [`sync_webhook_outbox_pending{target="${PLEX}"}`]: 1,
    });
    expect(only(samples, 'sync_webhook_mount_up')).toEqual({
      [`sync_webhook_mount_up{root="${SOURCE}",role="source"}`]: 1,
      [`sync_webhook_mount_up{root="${DEST}",role="destination"}`]: 1,
    });
  });

  it('the oldest queued age is 0 when the queue is empty, and never below 0 when the clock went back', async () => {
    const m = metrics();
    finish('success');
    expect((await samplesOf(m)).sync_webhook_queue_oldest_age_seconds).toBe(0);
    queue(now);
    clock = at(-5000);
    expect((await samplesOf(m)).sync_webhook_queue_oldest_age_seconds).toBe(0);
    clock = at(1);
    expect((await samplesOf(m)).sync_webhook_queue_oldest_age_seconds).toBe(0.001);
  });
});

describe('what the runner and the dispatcher count', () => {
  it('finished attempts by outcome, source and mapping, and the bytes of the successful ones', async () => {
    const m = metrics();
    m.jobFinished(finish('success', { bytes: 1_000 }));
    m.jobFinished(finish('success', { bytes: 24 }));
    // A dry run copies nothing: no byte count.
    m.jobFinished(finish('success', { job: { source: 'sonarr', mapping: '/tv', mediaType: 'episode' }, bytes: null }));
    // A failed attempt counts as an attempt; it copied nothing of its own source and mapping.
    m.jobFinished(finish('failed', { job: { source: 'manual' } }));
    // Only outcomes count: a job handed over in another state adds nothing.
    const claimed = queue(now, { source: 'reconcile' });
    const running = store.jobs.claimNext(now);
    expect(running?.id).toBe(claimed);
    if (running) m.jobFinished(running);

    const samples = await samplesOf(m);
    expect(only(samples, 'sync_webhook_jobs_finished_total')).toEqual({
      'sync_webhook_jobs_finished_total{status="success",source="radarr",mapping="/movies"}': 2,
      'sync_webhook_jobs_finished_total{status="success",source="sonarr",mapping="/tv"}': 1,
      'sync_webhook_jobs_finished_total{status="failed",source="manual",mapping="/movies"}': 1,
    });
    expect(only(samples, 'sync_webhook_copied_bytes_total')).toEqual({
      'sync_webhook_copied_bytes_total{source="radarr",mapping="/movies"}': 1024,
      'sync_webhook_copied_bytes_total{source="sonarr",mapping="/tv"}': 0,
    });
  });

  it('each rsync run by outcome into buckets from 1 s to 4 h; an aborted or unstarted run is not a run', async () => {
    const m = metrics();
    m.rsyncFinished({ durationMs: 0, exitCode: 0, timedOut: false, aborted: false });
    m.rsyncFinished({ durationMs: 1000, exitCode: 0, timedOut: false, aborted: false });
    m.rsyncFinished({ durationMs: 5000, exitCode: 23, timedOut: false, aborted: false });
    m.rsyncFinished({ durationMs: 5001, exitCode: 24, timedOut: false, aborted: false });
    // Killed at the time limit: a timeout, whatever the exit code says.
    m.rsyncFinished({ durationMs: 14_400_001, exitCode: null, timedOut: true, aborted: false });
    m.rsyncFinished({ durationMs: 3000, exitCode: 20, timedOut: false, aborted: true });
    m.rsyncFinished({
      durationMs: 1,
      exitCode: null,
      timedOut: false,
      aborted: false,
      spawnError: new Error('ENOENT'),
    });

    const histogram = (outcome: string, counts: number[], sum: number) => ({
      ...Object.fromEntries(
        BUCKETS.map((le, i) => [
          `sync_webhook_rsync_duration_seconds_bucket{le="${le}",outcome="${outcome}"}`,
          counts[i],
        ]),
      ),
      [`sync_webhook_rsync_duration_seconds_sum{outcome="${outcome}"}`]: sum,
      [`sync_webhook_rsync_duration_seconds_count{outcome="${outcome}"}`]: counts[counts.length - 1],
    });
    expect(only(await samplesOf(m), 'sync_webhook_rsync_duration_seconds')).toEqual({
      ...histogram('success', [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2], 1),
      ...histogram('failed', [0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2], 5 + 5.001),
      ...histogram('timeout', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 14400.001),
    });
  });

  it('failed deliveries per target, and those given up', async () => {
    const m = metrics();
    m.deliveryFailed(TELEGRAM, false);
    m.deliveryFailed(TELEGRAM, false);
    m.deliveryFailed(PLEX, true);
    const samples = await samplesOf(m);
    expect(only(samples, 'sync_webhook_deliver')).toEqual({
      [`sync_webhook_delivery_failures_total{target="${TELEGRAM}"}`]: 2,
      [`sync_webhook_delivery_failures_total{target="${PLEX}"}`]: 1,
      [`sync_webhook_deliveries_given_up_total{target="${PLEX}"}`]: 1,
    });
  });

  it('two services in one process keep their own counters', async () => {
    const first = metrics();
    const second = metrics();
    first.deliveryFailed(TELEGRAM, true);
    first.rsyncFinished({ durationMs: 2000, exitCode: 0, timedOut: false, aborted: false });
    expect(await samplesOf(second)).toEqual(EMPTY_DATABASE);
    expect(only(await samplesOf(first), 'sync_webhook_deliver')).toEqual({
      [`sync_webhook_delivery_failures_total{target="${TELEGRAM}"}`]: 1,
      [`sync_webhook_deliveries_given_up_total{target="${TELEGRAM}"}`]: 1,
    });
  });
});
