/**
 * One job from claim to recorded outcome (runner/sync-job.ts), as a table: a real store on a temp
 * SQLite file, real rsync and the real source inspection on temp trees. The mount state comes from a
 * probe that answers as told, since a share that is down is the point of one row; real mounts are used
 * where only a real filesystem gives the fault (a full destination).
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, Mapping, NewJob } from '../../src/core/types.js';
import { createMountGate } from '../../src/mounts/gate.js';
import { createMountProbe, type MountProbe, type ProbeResult } from '../../src/mounts/probe.js';
import { RootHealthCache } from '../../src/mounts/root-health-cache.js';
import { ProgressBoard } from '../../src/runner/progress-board.js';
import { runRsync } from '../../src/runner/rsync.js';
import { createPartialCopies } from '../../src/mounts/partial-copies.js';
import { createDestinationFiles } from '../../src/mounts/destination-files.js';
import { formatBytes } from '../../src/notify/format.js';
import { type RunRsync, runSyncJob, type SyncJobDeps, type SyncJobOutcome } from '../../src/runner/sync-job.js';
import { createAttemptReads } from '../../src/store/attempts.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { createJobReports, type JobReports } from '../../src/store/job-reports.js';
import { createJobStore, type JobStore } from '../../src/store/jobs.js';
import { createOutboxStore } from '../../src/store/outbox.js';
import type { OutboxPayload } from '../../src/core/notify-event.js';
import { mountProblem, mountTmpfs, skipUnless } from '../support/mounts.js';
import { cleanupAll, cleanupEachTest } from '../support/cleanup.js';

const NOW = new Date('2026-03-10T10:00:00.000Z');
const RETRY = { intervalMs: 15 * 60_000, maxRetries: 3 };
const MOUNT_RECHECK_MS = 30_000;
const MOVIE = 'Heat (1995)';
const FILE = 'Heat (1995) Bluray-1080p.mkv';

let dir: string;
let db: Db;
let jobs: JobStore;
let jobReports: JobReports;
let mapping: Mapping;

interface Setup {
  /** Answers of the root check by role; anything not listed is checked for real. */
  roots?: Partial<Record<'source' | 'destination', ProbeResult>>;
  /** Extra rsync arguments, before the service's own (given the service's own). */
  rsyncFlags?: (args: string[]) => string[];
  rsyncTimeoutSeconds?: number;
  /** SYNC_RSYNC_BWLIMIT in KiB/s (a bandwidth limit makes a copy outlive a short timeout). */
  bandwidthLimitKiB?: number;
  signal?: AbortSignal;
}

function newJob(over: Partial<NewJob> = {}): NewJob {
  return {
    source: 'radarr',
    mediaType: 'movie',
    title: MOVIE,
    containerPath: `/movies/${MOVIE}`,
    sourcePath: join(mapping.source.path, MOVIE),
    destPath: mapping.destination.path,
    mapping: '/movies',
    details: { title: 'Heat', year: 1995, quality: 'Bluray-1080p' },
    isUpgrade: false,
    waitForStableSize: false,
    dedupeKey: join(mapping.source.path, MOVIE, FILE),
    ...over,
  };
}

function claim(over: Partial<NewJob> = {}): Job {
  jobs.enqueue([newJob(over)], NOW, 1000);
  const job = jobs.claimNext(NOW);
  if (!job) throw new Error('nothing to claim');
  return job;
}

async function run(job: Job, setup: Setup = {}) {
  const realProbe = createMountProbe({ timeoutMs: 5000, requireMounts: false });
  const probe: MountProbe = {
    checkRoot: async (check, role) => setup.roots?.[role] ?? realProbe.checkRoot(check, role),
    inspectSource: realProbe.inspectSource,
    sourcePresence: realProbe.sourcePresence,
  };
  const reported: string[] = [];
  const finished: Job[] = [];
  const lines: { level: number; msg: string }[] = [];
  const progress = new ProgressBoard();
  const rsyncRuns: string[][] = [];
  const rsync: RunRsync = (args, o) => {
    rsyncRuns.push(args);
    return runRsync([...(setup.rsyncFlags?.(args) ?? []), ...args], o);
  };
  const deps: SyncJobDeps = {
    jobs,
    mappings: [mapping],
    mounts: createMountGate({
      monitor: { problemOf: () => null, reportProblem: (_path, problem) => reported.push(problem) },
      probe,
      rootHealth: new RootHealthCache({ freshMs: 0, readMountinfo: () => '', now: () => 0 }),
      recheckMs: MOUNT_RECHECK_MS,
    }),
    source: probe,
    rsync,
    clock: { now: () => NOW },
    sleep: async () => {},
    log: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }),
    options: {
      dryRun: false,
      rsyncTimeoutSeconds: setup.rsyncTimeoutSeconds ?? 60,
      bandwidthLimitKiB: setup.bandwidthLimitKiB ?? null,
      retry: RETRY,
      mountRecheckMs: MOUNT_RECHECK_MS,
      manualStableMs: 0,
    },
    // A tgram target that takes everything, one that takes only failures, and a media server for /movies.
    routing: {
      notifiersFor: (kind) => (kind === 'success' ? ['tgram://1/2'] : ['tgram://1/2', 'failures-only']),
      mediaServersFor: (m) => (m === '/movies' ? ['plex://plex:32400'] : []),
    },
    onFinished: (recorded) => finished.push(recorded),
    progress,
    partials: createPartialCopies({ timeoutMs: 5000 }),
    mirror: { mode: 'off', presence: probe, destination: createDestinationFiles({ timeoutMs: 5000 }), timeZone: 'UTC' },
  };
  const outcome: SyncJobOutcome = await runSyncJob(job, deps, setup.signal ?? new AbortController().signal);
  const row = jobReports.get(job.id);
  return {
    outcome,
    reported,
    finished,
    lines,
    progress,
    rsyncRuns,
    row,
    outbox: outboxOf(job.id),
    attempts: attemptsOf(job.id),
  };
}

function attemptsOf(jobId: number) {
  return createAttemptReads(db).ofJob(jobId);
}

/** The failed job's retry, claimed once it is due. */
function claimRetry(): Job {
  const later = new Date(NOW.getTime() + RETRY.intervalMs);
  jobs.promoteDueRetries(later);
  const job = jobs.claimNext(later);
  if (!job) throw new Error('no retry to claim');
  return job;
}

function outboxOf(jobId: number): { target: string; payload: OutboxPayload }[] {
  return db
    .prepare<[number], { target: string; payload: string }>(
      'SELECT target, payload FROM outbox WHERE job_id = ? ORDER BY id',
    )
    .all(jobId)
    .map((row) => ({ target: row.target, payload: JSON.parse(row.payload) }));
}

function writeMovie(bytes = 64 * 1024): string {
  const folder = join(mapping.source.path, MOVIE);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, FILE), Buffer.alloc(bytes, 7));
  return folder;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sync-job-'));
  mkdirSync(join(dir, 'source', 'Movies'), { recursive: true });
  mkdirSync(join(dir, 'dest', 'Movies'), { recursive: true });
  mapping = {
    container: '/movies',
    source: { path: join(dir, 'source', 'Movies') },
    destination: { path: join(dir, 'dest', 'Movies') },
    plexSection: '1',
    plexPath: '/data/Movies',
  };
  // Keeps the source root non-empty even where a row removes the movie.
  writeFileSync(join(mapping.source.path, '.keep'), '');
  db = openDatabase(join(dir, 'jobs.db'));
  jobs = createJobStore(db, createOutboxStore(db));
  jobReports = createJobReports(db);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runSyncJob', () => {
  it('probe ok, rsync ok: copies, records the bytes, and queues the message and the Plex scan with it', async () => {
    writeMovie(64 * 1024);
    const r = await run(claim());
    expect(r.outcome).toBe('success');
    expect(readFileSync(join(mapping.destination.path, MOVIE, FILE))).toEqual(Buffer.alloc(64 * 1024, 7));
    expect(r.row).toMatchObject({ status: 'success', error: null, bytesTransferred: 64 * 1024, retryCount: 0 });
    expect(r.outbox.map((o) => o.target)).toEqual(['tgram://1/2', 'plex://plex:32400']);
    expect(r.outbox[0]?.payload).toMatchObject({
      type: 'notify',
      event: { kind: 'success', title: 'Movie Synced', jobId: 1, media: { type: 'movie', title: 'Heat' } },
    });
    expect(r.outbox[1]?.payload).toEqual({
      type: 'scan',
      scan: { mapping: '/movies', path: join(mapping.destination.path, MOVIE), mediaType: 'movie', change: 'created' },
    });
    expect(r.finished.map((j) => j.status)).toEqual(['success']);
    expect(r.progress.get(1)).toBeUndefined();
    expect(r.lines.at(-1)?.msg).toBe(`Background sync completed: ${MOVIE} in 0.0s`);
    expect(r.attempts).toMatchObject([
      { number: 1, trigger: 'webhook', outcome: 'success', rsyncExitCode: 0, bytes: 64 * 1024, error: null },
    ]);
  });

  it('source missing: fails, keeps the retry for later, and queues a failure message but no scan', async () => {
    const r = await run(claim());
    expect(r.outcome).toBe('failed');
    expect(r.row).toMatchObject({ status: 'failed', gaveUp: false, retryCount: 0 });
    expect(r.row?.error).toMatch(/^Source not ready: .*does not exist/);
    expect(r.row?.errorReason).toBe('source_missing');
    expect(r.attempts).toMatchObject([{ outcome: 'failed', errorReason: 'source_missing', rsyncExitCode: null }]);
    expect(r.row?.nextAttemptAt).toBe(new Date(NOW.getTime() + RETRY.intervalMs).toISOString());
    // One row per target that takes failures, the same event in each.
    expect(r.outbox.map((o) => o.target)).toEqual(['tgram://1/2', 'failures-only']);
    expect(r.outbox[0]?.payload).toMatchObject({
      type: 'notify',
      event: { kind: 'failure', title: 'Sync Failed - Movie', next: { kind: 'retry', attempt: 1 } },
    });
    expect(r.outbox[1]?.payload).toEqual(r.outbox[0]?.payload);
    expect(r.finished.map((j) => j.status)).toEqual(['failed']);
  });

  it('mount down: the job and its mapping wait, no retry used, nothing sent, the problem reported', async () => {
    writeMovie();
    jobs.enqueue([newJob({ dedupeKey: 'other', title: 'Other' })], NOW, 1000);
    const problem = `destination ${mapping.destination.path} is not mounted`;
    const r = await run(claim(), { roots: { destination: { ok: false, problem } } });
    expect(r.outcome).toBe('waiting');
    const until = new Date(NOW.getTime() + MOUNT_RECHECK_MS).toISOString();
    expect(r.row).toMatchObject({ status: 'queued', retryCount: 0, error: `Waiting for mount: ${problem}` });
    expect(r.row?.nextAttemptAt).toBe(until);
    expect(jobReports.get(2)).toMatchObject({ status: 'queued', nextAttemptAt: until, errorReason: 'mount_down' });
    expect(r.row?.errorReason).toBe('mount_down');
    expect(r.attempts).toEqual([]);
    expect(r.outbox).toEqual([]);
    expect(r.finished).toEqual([]);
    expect(r.reported).toEqual([problem]);
    expect(readdirSync(mapping.destination.path)).toEqual([]);
  });

  it('rsync partial transfer (exit 23): fails with the reason and is retried', async () => {
    writeMovie();
    // An upgrade must replace the file, but a folder with content holds its name at the destination.
    mkdirSync(join(mapping.destination.path, MOVIE, FILE), { recursive: true });
    writeFileSync(join(mapping.destination.path, MOVIE, FILE, 'inner'), 'keep');
    const r = await run(claim({ isUpgrade: true }));
    expect(r.outcome).toBe('failed');
    expect(r.row?.error).toMatch(/exit 23/);
    expect(r.row?.error).toContain('could not make way for new regular file');
    expect(r.row).toMatchObject({ status: 'failed', gaveUp: false, errorReason: 'rsync_partial' });
    expect(r.attempts).toMatchObject([{ outcome: 'failed', rsyncExitCode: 23, errorReason: 'rsync_partial' }]);
    expect(r.row?.nextAttemptAt).not.toBeNull();
    expect(readFileSync(join(mapping.destination.path, MOVIE, FILE, 'inner'), 'utf8')).toBe('keep');
  });

  it('timeout: the copy is stopped at the limit, the failure says so, and it is retried', async () => {
    writeMovie(4 * 1024 * 1024);
    const r = await run(claim(), { bandwidthLimitKiB: 512, rsyncTimeoutSeconds: 1 });
    expect(r.outcome).toBe('failed');
    expect(r.row?.error).toBe('rsync timed out after 1 s');
    expect(r.row).toMatchObject({ status: 'failed', gaveUp: false, errorReason: 'timeout' });
    expect(r.progress.get(1)).toBeUndefined();
    expect(r.rsyncRuns[0]).toContain('--bwlimit=512K');
  });

  it('a retry after a timeout resumes from the part the cut copy kept, and writes only the rest', async () => {
    const size = 6 * 1024 * 1024;
    const content = randomBytes(size);
    const folder = writeMovie(0);
    writeFileSync(join(folder, FILE), content);
    const destFolder = join(mapping.destination.path, MOVIE);
    const partial = join(destFolder, '.sync-webhook-partial', FILE);

    const cut = await run(claim(), { bandwidthLimitKiB: 2048, rsyncTimeoutSeconds: 1 });
    expect(cut.row).toMatchObject({ status: 'failed', error: 'rsync timed out after 1 s' });
    // Never under its final name; the part waits in the partial folder.
    expect(readdirSync(destFolder)).toEqual(['.sync-webhook-partial']);
    const kept = statSync(partial).size;
    expect(kept).toBeGreaterThan(0);
    expect(cut.rsyncRuns[0]).toContain('--whole-file');

    const retried = await run(claimRetry());
    expect(retried.outcome).toBe('success');
    expect(retried.rsyncRuns).toHaveLength(1);
    expect(retried.rsyncRuns[0]).toContain('--no-whole-file');
    expect(readFileSync(join(destFolder, FILE)).equals(content)).toBe(true);
    expect(readdirSync(destFolder)).toEqual([FILE]);
    expect(retried.lines.map((l) => l.msg)).toContain(
      `Resuming ${MOVIE} from ${formatBytes(kept)} a cut copy already wrote`,
    );
    // rsync's own --stats, as the log reports them: only the missing part was copied.
    const resumed = retried.lines.map((l) => l.msg).find((m) => m.startsWith('Resumed '));
    const [, copied, unit] = /already at the destination, ([\d.]+) (KB|MB) copied$/.exec(resumed ?? '') ?? [];
    const copiedBytes = Number(copied) * (unit === 'MB' ? 1024 * 1024 : 1024);
    expect(copiedBytes, resumed).toBeLessThan(size - kept + 256 * 1024);
  });

  it('a job that gives up takes its partial copy with it', async () => {
    writeMovie(4 * 1024 * 1024);
    const destFolder = join(mapping.destination.path, MOVIE);
    jobs.enqueue([newJob()], NOW, 1000);
    db.prepare('UPDATE jobs SET retry_count = ?').run(RETRY.maxRetries);
    const last = jobs.claimNext(NOW);
    if (!last) throw new Error('nothing to claim');

    const r = await run(last, { bandwidthLimitKiB: 1024, rsyncTimeoutSeconds: 1 });

    expect(r.row).toMatchObject({ status: 'failed', gaveUp: true, error: 'rsync timed out after 1 s' });
    expect(readdirSync(destFolder)).toEqual([]);
    expect(r.lines.map((l) => l.msg)).toContain(
      `Removed the partial copy of ${MOVIE} (gave up): 1 file(s) ${destFolder}/.sync-webhook-partial/${FILE}`,
    );
  });

  it('a resume rsync refuses (exit 1) copies from the start at once instead of giving up', async () => {
    writeMovie(256 * 1024);
    const destFolder = join(mapping.destination.path, MOVIE);
    mkdirSync(join(destFolder, '.sync-webhook-partial'), { recursive: true });
    writeFileSync(join(destFolder, '.sync-webhook-partial', FILE), Buffer.alloc(1000, 7));
    jobs.enqueue([newJob()], NOW, 1000);
    const first = jobs.claimNext(NOW);
    if (!first) throw new Error('nothing to claim');
    jobs.markFailed(first.id, { error: 'cut', finishedAt: NOW, durationSeconds: 1, retryAt: NOW }, []);

    // An rsync that refuses --append-verify beside --partial-dir stands in for one refusing the resume.
    const refuseResume = (args: string[]) => (args.includes('--no-whole-file') ? ['--append-verify'] : []);
    const r = await run(claimRetry(), { rsyncFlags: refuseResume });

    expect(r.rsyncRuns.map((args) => args.find((a) => a.endsWith('whole-file')))).toEqual([
      '--no-whole-file',
      '--whole-file',
    ]);
    expect(r.lines.map((l) => l.msg)).toContain(
      `rsync refused to resume ${MOVIE} (rsync exit 1 (syntax or usage error): ` +
        'rsync: --append cannot be used with --partial-dir); copying it from the start',
    );
    expect(r.outcome).toBe('success');
    expect(readFileSync(join(destFolder, FILE)).equals(Buffer.alloc(256 * 1024, 7))).toBe(true);
    expect(readdirSync(destFolder)).toEqual([FILE]);
  });

  it('a link leading out of the source root: fails for good, without a retry', async () => {
    writeMovie();
    mkdirSync(join(dir, 'elsewhere'));
    writeFileSync(join(dir, 'elsewhere', 'secret'), 'x');
    symlinkSync(join(dir, 'elsewhere', 'secret'), join(mapping.source.path, MOVIE, 'extra.nfo'));
    const r = await run(claim());
    expect(r.outcome).toBe('failed');
    expect(r.row).toMatchObject({ status: 'failed', gaveUp: true, nextAttemptAt: null });
    expect(r.row?.error).toMatch(/^Source not ready: .*holds a symlink that points out of its mapping root/);
    expect(r.row?.errorReason).toBe('link_outside_root');
  });

  it('a job whose paths left its mapping (changed configuration): fails for good, touches nothing', async () => {
    writeMovie();
    const partFolder = join(dir, 'elsewhere', MOVIE, '.sync-webhook-partial');
    mkdirSync(partFolder, { recursive: true });
    writeFileSync(join(partFolder, FILE), 'part');
    const r = await run(claim({ destPath: join(dir, 'elsewhere') }));
    expect(r.outcome).toBe('failed');
    expect(r.row).toMatchObject({ status: 'failed', gaveUp: true });
    expect(r.row?.error).toContain('is not inside mapping /movies');
    // Giving up removes a partial copy only inside the mapping.
    expect(readdirSync(partFolder)).toEqual([FILE]);
    expect(r.row?.errorReason).toBe('mapping_changed');
  });

  it('shutdown during the copy: back to the queue without using a retry, and nothing sent', async () => {
    writeMovie(4 * 1024 * 1024);
    const abort = new AbortController();
    const job = claim();
    setTimeout(() => abort.abort(), 300);
    const r = await run(job, { bandwidthLimitKiB: 512, signal: abort.signal });
    expect(r.outcome).toBe('interrupted');
    expect(r.row).toMatchObject({ status: 'queued', retryCount: 0, error: 'Interrupted by shutdown' });
    expect(r.outbox).toEqual([]);
    expect(r.attempts).toMatchObject([{ outcome: 'interrupted', errorReason: 'shutdown' }]);
  });

  it('an outcome the store cannot record rejects, so the runner stops (the row stays in progress)', async () => {
    writeMovie();
    const job = claim();
    const blocker = openDatabase(join(dir, 'jobs.db'));
    // Another connection holds the write lock longer than the store waits for it.
    blocker.exec('BEGIN IMMEDIATE');
    db.pragma('busy_timeout = 50');
    await expect(run(job)).rejects.toThrow(/database is locked/);
    blocker.exec('ROLLBACK');
    // The pid could not be written either; that alone does not end the copy.

    blocker.close();
    expect(jobReports.get(job.id)?.status).toBe('in_progress');
  });
});

describe.skipIf(skipUnless(await mountProblem(), 'tmpfs mounts'))('runSyncJob on a real filesystem', () => {
  cleanupEachTest();
  afterAll(cleanupAll);

  it('full destination: fails with the disk error, keeps the part out of sight, and is retried', async () => {
    const share = await mountTmpfs(mapping.destination.path, '1m');
    writeMovie(3 * 1024 * 1024);
    const r = await run(claim());
    expect(r.outcome).toBe('failed');
    expect(r.row?.error).toMatch(/^rsync exit 11 \(error in file I\/O\).*No space left on device/);
    expect(r.row?.errorReason).toBe('disk_full');
    expect(r.row).toMatchObject({ status: 'failed', gaveUp: false });
    // rsync writes into a temp name and moves it into the partial folder on failure: Plex never sees half
    // a movie, and the retry resumes from the part.
    expect(readdirSync(join(mapping.destination.path, MOVIE))).toEqual(['.sync-webhook-partial']);
    await share.unmount();
  });
});
