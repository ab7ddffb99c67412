import type {
  ReconcileFindings,
  ReconcileItem,
  ReconcileRun,
  ReconcileRunSummary,
  ReconcileStatus,
  ReconcileTrigger,
} from '../core/reconcile.js';
import type { Db } from './database.js';

/** Passes kept for GET /reconcile; older rows go when a new pass begins. */
export const RECONCILE_RUNS_KEPT = 100;

/** The passes of the catch-up (reconcile/): each state change one guarded statement. */
export interface ReconcileRunStore {
  begin(o: {
    startedBy: ReconcileTrigger;
    queue: boolean;
    mappings: readonly string[] | null;
    settleMinutes: number;
    now: Date;
  }): ReconcileRun;
  /**
   * Records how a running pass ended, and with `queuedAt` that its items (with their jobs) were
   * queued; false when it was not running (any more).
   */
  finish(
    id: number,
    o: {
      status: Exclude<ReconcileStatus, 'running'>;
      findings: ReconcileFindings;
      error: string | null;
      now: Date;
      queuedAt?: Date;
    },
  ): boolean;
  /** The items with their jobs, once queued; false when the pass's items were queued already. */
  markQueued(id: number, items: readonly ReconcileItem[], now: Date): boolean;
  get(id: number): ReconcileRun | undefined;
  /** Newest first. */
  list(limit: number): ReconcileRunSummary[];
  /** Passes a previous run left running become interrupted; returns how many. */
  interruptRunning(now: Date): number;
}

interface RunRow {
  id: number;
  started_by: ReconcileTrigger;
  status: ReconcileStatus;
  queue: 0 | 1;
  mappings: string | null;
  settle_minutes: number;
  started_at: string;
  finished_at: string | null;
  error: string | null;
  results: string | null;
  queued_at: string | null;
  jobs_created: number | null;
  jobs_folded: number | null;
}

const SUMMARY_COLUMNS = `id, started_by, status, queue, mappings, settle_minutes, started_at, finished_at, error,
  results, queued_at, jobs_created, jobs_folded`;

const INSERT = `INSERT INTO reconcile_runs (started_by, status, queue, mappings, settle_minutes, started_at)
  VALUES (@started_by, 'running', @queue, @mappings, @settle_minutes, @started_at) RETURNING ${SUMMARY_COLUMNS}`;
const PRUNE = `DELETE FROM reconcile_runs WHERE id <= (SELECT MAX(id) FROM reconcile_runs) - ?`;
const FINISH = `UPDATE reconcile_runs SET status = @status, error = @error, finished_at = @finished_at,
  results = @results, items = @items, skipped = @skipped, queued_at = @queued_at, jobs_created = @created,
  jobs_folded = @folded WHERE id = @id AND status = 'running'`;
const MARK_QUEUED = `UPDATE reconcile_runs SET items = @items, queued_at = @queued_at,
  jobs_created = @created, jobs_folded = @folded WHERE id = @id AND queued_at IS NULL`;
const GET = `SELECT ${SUMMARY_COLUMNS}, items, skipped FROM reconcile_runs WHERE id = ?`;
const LIST = `SELECT ${SUMMARY_COLUMNS} FROM reconcile_runs ORDER BY id DESC LIMIT ?`;
const INTERRUPT = `UPDATE reconcile_runs SET status = 'interrupted', finished_at = ?,
  error = 'The service stopped while the pass ran' WHERE status = 'running'`;

export function createReconcileRunStore(db: Db): ReconcileRunStore {
  const insert = db.prepare<
    { started_by: ReconcileTrigger; queue: 0 | 1; mappings: string | null; settle_minutes: number; started_at: string },
    RunRow
  >(INSERT);
  const prune = db.prepare<[keep: number]>(PRUNE);
  const finish = db.prepare<{
    id: number;
    status: ReconcileStatus;
    error: string | null;
    finished_at: string;
    results: string;
    items: string;
    skipped: string;
    queued_at: string | null;
    created: number | null;
    folded: number | null;
  }>(FINISH);
  const markQueued = db.prepare<{ id: number; items: string; queued_at: string; created: number; folded: number }>(
    MARK_QUEUED,
  );
  const get = db.prepare<[id: number], RunRow & { items: string | null; skipped: string | null }>(GET);
  const list = db.prepare<[limit: number], RunRow>(LIST);
  const interrupt = db.prepare<[now: string]>(INTERRUPT);

  const begin = db.transaction((row: Parameters<typeof insert.get>[0]) => {
    const inserted = insert.get(row);
    if (!inserted) throw new Error('the new catch-up pass was not recorded');
    prune.run(RECONCILE_RUNS_KEPT);
    return inserted;
  });

  return {
    begin(o) {
      const row = begin.immediate({
        started_by: o.startedBy,
        queue: o.queue ? 1 : 0,
        mappings: o.mappings ? JSON.stringify(o.mappings) : null,
        settle_minutes: o.settleMinutes,
        started_at: o.now.toISOString(),
      });
      return { ...toSummary(row), items: [], skipped: [] };
    },
    finish(id, o) {
      const queued = o.queuedAt ? countJobs(o.findings.items) : { created: null, folded: null };
      const changes = finish.run({
        id,
        status: o.status,
        error: o.error,
        finished_at: o.now.toISOString(),
        results: JSON.stringify(o.findings.results),
        items: JSON.stringify(o.findings.items),
        skipped: JSON.stringify(o.findings.skipped),
        queued_at: o.queuedAt ? o.queuedAt.toISOString() : null,
        ...queued,
      }).changes;
      return changes === 1;
    },
    markQueued(id, items, now) {
      const changes = markQueued.run({
        id,
        items: JSON.stringify(items),
        queued_at: now.toISOString(),
        ...countJobs(items),
      }).changes;
      return changes === 1;
    },
    get(id) {
      const row = get.get(id);
      if (!row) return undefined;
      return { ...toSummary(row), items: parseList(row.items), skipped: parseList(row.skipped) };
    },
    list: (limit) => list.all(limit).map(toSummary),
    interruptRunning: (now) => interrupt.run(now.toISOString()).changes,
  };
}

/** New jobs and folded items among queued items (an item without a job counts as neither). */
function countJobs(items: readonly ReconcileItem[]): { created: number; folded: number } {
  const withJob = items.filter((item) => item.jobId !== undefined);
  const folded = withJob.filter((item) => item.folded).length;
  return { created: withJob.length - folded, folded };
}

function toSummary(row: RunRow): ReconcileRunSummary {
  return {
    id: row.id,
    startedBy: row.started_by,
    status: row.status,
    queue: row.queue === 1,
    // Casts: these columns hold what this module wrote, JSON.stringify of the typed values.
    mappings: row.mappings === null ? null : (JSON.parse(row.mappings) as string[]),
    settleMinutes: row.settle_minutes,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    results: row.results === null ? null : (JSON.parse(row.results) as ReconcileRunSummary['results']),
    queuedAt: row.queued_at,
    queued: row.queued_at === null ? null : { created: row.jobs_created ?? 0, folded: row.jobs_folded ?? 0 },
  };
}

function parseList<T>(text: string | null): T[] {
  // Cast: the column holds what this module wrote, JSON.stringify of the typed list.
  return text === null ? [] : (JSON.parse(text) as T[]);
}
