// /health and /stats from a real job store (a temp SQLite file with the real migrations) and a real mount
// monitor whose share checks answer as the test says (a share's state is the point here).
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempStore, type TempStore } from '../../test/store/fixture.js';
import type { Job, Mapping, NewJob } from '../core/types.js';
import { MountMonitor } from '../mounts/monitor.js';
import { healthReport, type ReportDeps, statsReport, type TargetHealth } from './health-and-stats.js';
import { SessionStats } from './session-stats.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const SOURCE = '/mnt/src/movies';
const DEST = '/mnt/dst/Movies';
const MOVIES: Mapping = {
  container: '/movies',
  source: { path: SOURCE },
  destination: { path: DEST },
  plexPath: DEST,
};
const TV: Mapping = {
  container: '/tv',
  source: { path: '/mnt/src/tv' },
  // The same destination share as the movies: checked and reported once.
  destination: { path: DEST },
  plexPath: DEST,
};
const startedAt = new Date('2026-03-09T08:00:00.000Z');
/** 06:00 in New York (EDT, UTC-4, since 8 March): "today" there began at 04:00 UTC. */
const now = new Date('2026-03-10T10:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms);

let store: TempStore;
let clock: Date;
/** The problem each root's check answers; absent: healthy. */
let down: Record<string, string>;
let session: SessionStats;
let nextKey: number;

beforeEach(() => {
  store = openTempStore();
  clock = now;
  down = {};
  session = new SessionStats(startedAt);
  nextKey = 0;
});

const monitors: MountMonitor[] = [];

afterEach(() => {
  for (const monitor of monitors.splice(0)) monitor.stop();
  store.close();
});

function monitorOf(mappings: Mapping[]): MountMonitor {
  const monitor = new MountMonitor({
    mappings,
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
  monitors.push(monitor);
  return monitor;
}

/** One round of checks at `when`, by hand (each round restarts the monitor's timer: stopped after the test). */
async function checkAt(monitor: MountMonitor, when: Date): Promise<void> {
  clock = when;
  await monitor.checkAll();
  clock = now;
}

function deps(over: Partial<ReportDeps> = {}): ReportDeps {
  return {
    jobReports: store.reports,
    mounts: monitorOf([MOVIES]),
    session,
    clock: { now: () => clock },
    timeZone: 'America/New_York',
    dryRun: false,
    notifications: true,
    version: '3.0.0-test',
    targets: () => ({ notifications: [], mediaServers: [] }),
    ...over,
  };
}

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

/** A job queued at `queuedAt` (not yet run); its id. */
function queue(queuedAt: Date, over: Partial<NewJob> = {}): number {
  const [id] = store.jobs.enqueue([newJob(over)], queuedAt, DAY).ids;
  if (id === undefined) throw new Error('nothing was queued');
  return id;
}

/** A job queued, run and recorded with `status` at `finishedAt`; the job as the store returns it. */
function finish(
  status: 'success' | 'failed',
  finishedAt: Date,
  o: { job?: Partial<NewJob>; bytes?: number } = {},
): Job {
  const id = queue(new Date(finishedAt.getTime() - 60_000), o.job);
  expect(store.jobs.claimNext(finishedAt)?.id).toBe(id);
  return status === 'success'
    ? store.jobs.markSuccess(id, { bytes: o.bytes ?? 100, finishedAt, durationSeconds: 2 }, [])
    : store.jobs.markFailed(id, { error: 'rsync exit 23', finishedAt, durationSeconds: 2, retryAt: null }, []);
}

describe('healthReport', () => {
  it('an empty database before the first share check: healthy, shares "checking", every count 0', () => {
    expect(healthReport(deps())).toEqual({
      status: 'healthy',
      timestamp: '2026-03-10T10:00:00.000Z',
      dry_run: false,
      notifications: true,
      nfs_status: 'checking',
      nfs_issues: [],
      nfs_down_since: {},
      jobs_24h: { success: 0, failed: 0, queued: 0, in_progress: 0 },
      uptime_since: '2026-03-09T08:00:00.000Z',
      version: '3.0.0-test',
      notification_targets: [],
      media_servers: [],
    });
  });

  it('every share answering: healthy and "ok"; the flags and the targets as given', async () => {
    const mounts = monitorOf([MOVIES, TV]);
    await checkAt(mounts, now);
    const telegram: TargetHealth = {
      id: 'tgram://123456789/-1001234567890',
      last_success: '2026-03-10T09:59:00.000Z',
      last_failure: null,
      last_error: null,
    };
    const plex = { id: 'plex://10.0.0.50:32400', last_success: null, last_failure: null, last_error: null };
    const report = healthReport(
      deps({
        mounts,
        dryRun: true,
        notifications: false,
        targets: () => ({ notifications: [telegram], mediaServers: [{ ...plex, problems: ['no section 9'] }] }),
      }),
    );
    expect(report).toMatchObject({
      status: 'healthy',
      dry_run: true,
      notifications: false,
      nfs_status: 'ok',
      nfs_issues: [],
      nfs_down_since: {},
      notification_targets: [telegram],
      media_servers: [{ ...plex, problems: ['no section 9'] }],
    });
  });

  it('a share down: degraded, "error", its problem and when it was first seen down', async () => {
    const mounts = monitorOf([MOVIES, TV]);
    down[DEST] = `destination ${DEST} does not exist`;
    await checkAt(mounts, at(-5 * 60_000));
    down[SOURCE] = `source ${SOURCE} is not a mount point`;
    await checkAt(mounts, at(-60_000));
    expect(healthReport(deps({ mounts }))).toMatchObject({
      status: 'degraded',
      nfs_status: 'error',
      // In the order of the mappings' roots, the shared destination once.
      nfs_issues: [`source ${SOURCE} is not a mount point`, `destination ${DEST} does not exist`],
      nfs_down_since: { [SOURCE]: '2026-03-10T09:59:00.000Z', [DEST]: '2026-03-10T09:55:00.000Z' },
    });

    delete down[SOURCE];
    delete down[DEST];
    await checkAt(mounts, now);
    expect(healthReport(deps({ mounts }))).toMatchObject({
      status: 'healthy',
      nfs_status: 'ok',
      nfs_issues: [],
      nfs_down_since: {},
    });
  });

  it('a problem a job reported before the first round answered: degraded while the shares are "checking"', () => {
    const mounts = monitorOf([MOVIES]);
    mounts.reportProblem(SOURCE, `source ${SOURCE} is not a mount point`);
    expect(healthReport(deps({ mounts }))).toMatchObject({
      status: 'degraded',
      nfs_status: 'checking',
      nfs_issues: [`source ${SOURCE} is not a mount point`],
      nfs_down_since: { [SOURCE]: '2026-03-10T10:00:00.000Z' },
    });
  });

  it('a root down without a problem text is named by its role and path, down since now', () => {
    const mounts = {
      ready: true,
      snapshot: () => [
        {
          path: DEST,
          role: 'destination' as const,
          ok: false,
          problem: null,
          state: 'not_mounted' as const,
          downSince: null,
          since: null,
        },
      ],
    };
    expect(healthReport(deps({ mounts }))).toMatchObject({
      status: 'degraded',
      nfs_status: 'error',
      nfs_issues: [`destination ${DEST} is not healthy`],
      nfs_down_since: { [DEST]: '2026-03-10T10:00:00.000Z' },
    });
  });

  it('jobs_24h: finished in the last 24 h (both ends included), queued and running of any age', () => {
    finish('success', at(-DAY - 1));
    finish('success', at(-DAY));
    finish('success', at(-1));
    finish('success', now);
    // A finish time ahead of the clock (the clock was set back) is not in the last 24 h.
    finish('success', at(1));
    finish('failed', at(-DAY - 1));
    finish('failed', at(-HOUR));
    const oldest = queue(at(-10 * DAY));
    queue(at(-HOUR));
    queue(now);
    expect(store.jobs.claimNext(now)?.id).toBe(oldest);
    expect(healthReport(deps()).jobs_24h).toEqual({ success: 3, failed: 1, queued: 2, in_progress: 1 });
  });
});

describe('statsReport', () => {
  it('an empty database and a new session: every figure 0, "0.0 B"', () => {
    expect(statsReport(deps())).toEqual({
      movies_synced: 0,
      episodes_synced: 0,
      failures: 0,
      bytes_transferred: 0,
      bytes_transferred_human: '0.0 B',
      total_successful: 0,
      total_failed: 0,
      today_successful: 0,
      today_failed: 0,
      start_time: '2026-03-09T08:00:00.000Z',
    });
  });

  it('the session from its counters, the totals of all time, today as a calendar day in the time zone', () => {
    // Today in New York: from 04:00 UTC on 10 March to 04:00 UTC on 11 March.
    finish('success', new Date('2026-03-10T03:59:59.999Z'));
    finish('success', new Date('2026-03-10T04:00:00.000Z'));
    finish('success', at(-1), { job: { mediaType: 'episode' } });
    finish('failed', new Date('2026-03-09T23:00:00.000Z'));
    finish('failed', at(-HOUR));
    // The session counts only what this run recorded; the jobs above are an earlier run's.
    session.record(finish('success', at(-2), { job: { mediaType: 'episode' }, bytes: 9 }));
    session.record(finish('success', at(-3), { bytes: 2_200_000 }));
    session.record(finish('failed', at(-4)));
    expect(statsReport(deps())).toEqual({
      movies_synced: 1,
      episodes_synced: 1,
      failures: 1,
      bytes_transferred: 2_200_009,
      bytes_transferred_human: '2.1 MB',
      total_successful: 5,
      total_failed: 3,
      today_successful: 4,
      today_failed: 2,
      start_time: '2026-03-09T08:00:00.000Z',
    });
  });

  it('a day of 23 hours (the clocks go forward) ends at the next local midnight', () => {
    clock = new Date('2026-03-08T12:00:00.000Z');
    finish('success', new Date('2026-03-08T04:59:59.999Z'));
    finish('success', new Date('2026-03-08T05:00:00.000Z'));
    finish('success', new Date('2026-03-09T03:59:59.999Z'));
    finish('success', new Date('2026-03-09T04:00:00.000Z'));
    expect(statsReport(deps())).toMatchObject({ total_successful: 4, today_successful: 2 });
  });

  it('a retried job leaves the failed totals', () => {
    const failed = finish('failed', at(-HOUR));
    finish('failed', at(-HOUR));
    expect(store.jobs.retryFailed(failed.id)).toBe('requeued');
    expect(statsReport(deps())).toMatchObject({ total_failed: 1, today_failed: 1 });
  });
});
