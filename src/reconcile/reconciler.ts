import { coerceError } from '../core/errors.js';
import type {
  ReconcileFindings,
  ReconcileMappingResult,
  ReconcileRun,
  ReconcileRunSummary,
  ReconcileStatus,
  ReconcileTrigger,
} from '../core/reconcile.js';
import type { OutboxItem, TargetRouting } from '../core/notify-event.js';
import type { Clock, Mapping } from '../core/types.js';
import type { Logger } from '../log/logger.js';
import type { MountProbe } from '../mounts/probe.js';
import { formatBytes } from '../notify/format.js';
import { type ReconcileFound, reconcileEvent } from '../notify/events.js';
import type { OutboxStore } from '../store/outbox.js';
import type { ReconcileRunStore } from '../store/reconcile-runs.js';
import type { WalSync } from '../store/wal-sync.js';
import { passKind } from './compare.js';
import { type QueueItemsDeps, queueItems } from './queue-items.js';
import type { MappingComparison, ShareComparer } from './share-compare.js';

export interface ReconcilerDeps {
  mappings: readonly Mapping[];
  runs: ReconcileRunStore;
  /** A pass's rows are synced off the event loop: passes must not slow the webhooks' answers. */
  walSync: Pick<WalSync, 'commitThenSync'>;
  /** The same root checks a job passes before it copies. */
  probe: Pick<MountProbe, 'checkRoot'>;
  /** Lists and compares one mapping's roots (in the service: in a child process of its own). */
  comparer: ShareComparer;
  queue: QueueItemsDeps;
  outbox: Pick<OutboxStore, 'add'>;
  /** The notification targets that take kind 'reconcile' get a pass that found something. */
  routing: Pick<TargetRouting, 'notifiersFor'>;
  /** Wakes the outbox dispatcher after a message was written. */
  onNotified: () => void;
  clock: Clock;
  log: Logger;
  settleMinutes: number;
  /** A pass stops after this long; what it checked by then still counts. */
  timeoutMs: number;
}

export type StartOutcome = { kind: 'started'; run: ReconcileRun } | { kind: 'busy'; runningId: number };

export type QueueOutcome =
  | { kind: 'queued'; run: ReconcileRun }
  | { kind: 'not_found' }
  /** Why it cannot be queued: still running, did not finish, or queued already. */
  | { kind: 'refused'; problem: string };

interface RunningPass {
  id: number;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * The catch-up: one pass at a time compares each mapping's source with its destination and lists
 * what the destination lacks; asked to, it queues one job per item. It only reads the shares and
 * writes job rows: it never copies, deletes or follows a link itself.
 */
export class Reconciler {
  private running: RunningPass | undefined;
  private readonly queueing = new Set<number>();
  /** fsyncs of pass rows still running (stop() waits for them). */
  private readonly syncing = new Set<Promise<void>>();

  constructor(private readonly deps: ReconcilerDeps) {}

  /** Starts a pass in the background, or says which one is still running. */
  start(o: { startedBy: ReconcileTrigger; queue: boolean; mappings?: readonly string[] }): StartOutcome {
    if (this.running) return { kind: 'busy', runningId: this.running.id };
    const { deps } = this;
    const chosen = o.mappings ? deps.mappings.filter((m) => o.mappings?.includes(m.container)) : deps.mappings;
    const run = this.write('the start of a pass', () =>
      deps.runs.begin({
        startedBy: o.startedBy,
        queue: o.queue,
        mappings: o.mappings ? chosen.map((m) => m.container) : null,
        settleMinutes: deps.settleMinutes,
        now: deps.clock.now(),
      }),
    );
    const abort = new AbortController();
    const what = o.queue ? 'finds and queues' : 'only looks';
    deps.log.info(
      `Catch-up pass ${run.id} started (${o.startedBy.replace('_', ' ')}; ${what}): ` +
        chosen.map((m) => m.container).join(', '),
    );
    const done = this.runPass(run, chosen, abort).finally(() => {
      this.running = undefined;
    });
    this.running = { id: run.id, abort, done };
    return { kind: 'started', run };
  }

  /** Queues the items of a finished pass that only looked. */
  async queue(id: number): Promise<QueueOutcome> {
    const run = this.deps.runs.get(id);
    if (!run) return { kind: 'not_found' };
    if (run.status === 'running') return { kind: 'refused', problem: `Catch-up pass ${id} is still running` };
    if (run.status !== 'done' && run.status !== 'timed_out') {
      return { kind: 'refused', problem: `Catch-up pass ${id} did not finish (${run.status}): start a new one` };
    }
    if (run.queuedAt || this.queueing.has(id)) {
      return { kind: 'refused', problem: `Catch-up pass ${id} was queued already` };
    }
    this.queueing.add(id);
    try {
      const queued = await this.withJobs(run);
      const at = new Date(queued.queuedAt ?? run.startedAt);
      this.write(`the jobs of pass ${id}`, () => this.deps.runs.markQueued(id, queued.items, at));
      this.deps.log.info(`Catch-up pass ${id} queued on request: ${describeQueued(queued)}`);
      return { kind: 'queued', run: queued };
    } finally {
      this.queueing.delete(id);
    }
  }

  get(id: number): ReconcileRun | undefined {
    return this.deps.runs.get(id);
  }

  list(limit: number): ReconcileRunSummary[] {
    return this.deps.runs.list(limit);
  }

  /** Resolves once no pass runs (a test waits for it; stop() uses it too). */
  async idle(): Promise<void> {
    await this.running?.done;
  }

  /** Passes a previous run of the service left running are recorded as interrupted. */
  recoverInterrupted(): void {
    const count = this.deps.runs.interruptRunning(this.deps.clock.now());
    if (count > 0) this.deps.log.warn(`Catch-up: ${count} pass(es) interrupted by the last stop, recorded as such`);
  }

  /**
   * Stops a running pass (its walks are killed) and waits until it is recorded and its rows are on
   * disk; the comparer's child process is ended.
   */
  async stop(): Promise<void> {
    this.running?.abort.abort('stop');
    await this.idle();
    await this.deps.comparer.close();
    // The service closes the database and the logs next: no fsync of ours may still be running.
    await Promise.allSettled([...this.syncing]);
  }

  private async runPass(run: ReconcileRun, mappings: readonly Mapping[], abort: AbortController): Promise<void> {
    const { deps } = this;
    const started = deps.clock.now();
    let { findings, status, error } = await this.checkAll(run, mappings, abort);
    const seconds = ((deps.clock.now().getTime() - started.getTime()) / 1000).toFixed(1);
    deps.log.info(`Catch-up pass ${run.id} ${status} in ${seconds} s: ${describeFound(findings.items)}`);
    // What a pass that ran out of time checked is as good as what a finished one checked.
    const usable = status === 'done' || status === 'timed_out';
    let finished: ReconcileRun = { ...run, ...findings, status, error };
    if (usable && run.queue && findings.items.length > 0) {
      try {
        finished = await this.withJobs(finished);
        deps.log.info(`Catch-up pass ${run.id} queued: ${describeQueued(finished)}`);
      } catch (thrown) {
        status = 'failed';
        error = `queueing what it found failed: ${coerceError(thrown).message}`;
        deps.log.error({ err: coerceError(thrown) }, `Catch-up pass ${run.id}: queueing what it found failed`);
      }
    }
    try {
      // Recorded as finished only now: a queueing pass that shows "done" has its jobs.
      const queuedAt = finished.queuedAt ? new Date(finished.queuedAt) : undefined;
      findings = { ...findings, items: finished.items };
      const outcome = { status, findings, error, now: deps.clock.now(), ...(queuedAt ? { queuedAt } : {}) };
      this.write(`the outcome of pass ${run.id}`, () => deps.runs.finish(run.id, outcome));
      if ((status === 'done' || status === 'timed_out') && findings.items.length > 0) {
        this.notify({ ...finished, status, error });
      }
    } catch (thrown) {
      deps.log.error({ err: coerceError(thrown) }, `Catch-up pass ${run.id}: recording its outcome failed`);
    }
  }

  /** Each mapping in turn, within the pass's time limit. */
  private async checkAll(
    run: ReconcileRun,
    mappings: readonly Mapping[],
    abort: AbortController,
  ): Promise<{ findings: ReconcileFindings; status: Exclude<ReconcileStatus, 'running'>; error: string | null }> {
    const { deps } = this;
    const deadline = performance.now() + deps.timeoutMs;
    const timer = setTimeout(() => abort.abort('timeout'), deps.timeoutMs);
    const findings: ReconcileFindings = { results: [], items: [], skipped: [] };
    try {
      for (const mapping of mappings) {
        if (abort.signal.aborted) {
          findings.results.push(notChecked(mapping, this.abortProblem(abort)));
          continue;
        }
        const remainingMs = Math.max(1, Math.round(deadline - performance.now()));
        const checked = await this.checkMapping(mapping, abort, remainingMs);
        findings.results.push(checked.result);
        findings.items.push(...checked.items);
        findings.skipped.push(...checked.skipped);
      }
    } catch (thrown) {
      deps.log.error({ err: coerceError(thrown) }, `Catch-up pass ${run.id} failed`);
      return { findings, status: 'failed', error: coerceError(thrown).message };
    } finally {
      clearTimeout(timer);
    }
    if (!abort.signal.aborted) return { findings, status: 'done', error: null };
    const status = abort.signal.reason === 'timeout' ? 'timed_out' : 'interrupted';
    return { findings, status, error: this.abortProblem(abort) };
  }

  private async checkMapping(
    mapping: Mapping,
    abort: AbortController,
    timeoutMs: number,
  ): Promise<{ result: ReconcileMappingResult } & Pick<ReconcileFindings, 'items' | 'skipped'>> {
    const { deps } = this;
    const request = { mapping, now: deps.clock.now(), settleMs: deps.settleMinutes * 60_000, timeoutMs };
    // The roots are checked while the listings run (off the critical path); a listing of a share that
    // was down is thrown away.
    const [down, compared] = await Promise.all([
      this.shareProblem(mapping),
      deps.comparer
        .compare(request, abort.signal)
        .catch((thrown: unknown): MappingComparison => ({ kind: 'not_listed', problem: coerceError(thrown).message })),
    ]);
    if (compared.kind === 'aborted') return this.skipMapping(mapping, this.abortProblem(abort));
    if (down) return this.skipMapping(mapping, `share down: ${down}`);
    if (compared.kind === 'not_listed') return this.skipMapping(mapping, compared.problem);
    // A share that went away during the walk leaves a listing that looks like a share with nothing on it.
    const after = await this.shareProblem(mapping);
    if (after) return this.skipMapping(mapping, `share down: ${after}`);
    if (compared.destination.empty && compared.source.entries > 0) {
      return this.skipMapping(
        mapping,
        `share down: destination ${mapping.destination.path} is empty: an unmounted share looks like this`,
      );
    }
    const { source, destination, comparison } = compared;
    const result: ReconcileMappingResult = {
      mapping: mapping.container,
      kind: passKind(mapping),
      status: 'checked',
      sourceEntries: source.entries,
      destinationEntries: destination.entries,
      items: comparison.items.length,
      bytes: comparison.items.reduce((sum, item) => sum + item.bytes, 0),
      skipped: comparison.skipped.length,
      warnings: [...source.warnings, ...destination.warnings],
    };
    for (const warning of result.warnings) deps.log.warn(`Catch-up of ${mapping.container}: ${warning}`);
    deps.log.debug(
      `Catch-up of ${mapping.container}: ${source.entries} + ${destination.entries} entries listed in ` +
        `${compared.listedMs} ms, compared in ${compared.comparedMs} ms`,
    );
    return { result, ...comparison };
  }

  /** What is wrong with either root of the mapping now, if anything. */
  private async shareProblem(mapping: Mapping): Promise<string | undefined> {
    const [source, destination] = await Promise.all([
      this.deps.probe.checkRoot(mapping.source, 'source'),
      this.deps.probe.checkRoot(mapping.destination, 'destination'),
    ]);
    if (!source.ok) return source.problem;
    if (!destination.ok) return destination.problem;
    return undefined;
  }

  private skipMapping(mapping: Mapping, problem: string) {
    this.deps.log.warn(`Catch-up skipped ${mapping.container}: ${problem}`);
    return { result: notChecked(mapping, problem), items: [], skipped: [] };
  }

  private abortProblem(abort: AbortController): string {
    return abort.signal.reason === 'timeout'
      ? `not checked: the pass ran out of time (${this.deps.timeoutMs / 1000} s, SYNC_RECONCILE_TIMEOUT_SECONDS)`
      : 'not checked: the service stopped';
  }

  /** The run with its items queued (each with its job); the caller records it. */
  private async withJobs(run: ReconcileRun): Promise<ReconcileRun> {
    const items = await queueItems(run.items, new Date(run.startedAt), this.deps.queue);
    const folded = items.filter((item) => item.folded).length;
    const withJob = items.filter((item) => item.jobId !== undefined).length;
    const queuedAt = this.deps.clock.now().toISOString();
    return { ...run, items, queuedAt, queued: { created: withJob - folded, folded } };
  }

  /** Runs one write of the pass's rows; its fsync happens off the event loop (a failed one is logged). */
  private write<T>(what: string, write: () => T): T {
    const { result, durable } = this.deps.walSync.commitThenSync(write);
    const logged = durable.catch((error: unknown) => {
      this.deps.log.error({ err: coerceError(error) }, `Catch-up: ${what} may not be on disk`);
    });
    this.syncing.add(logged);
    void logged.finally(() => this.syncing.delete(logged));
    return result;
  }

  /** One event per target that takes kind 'reconcile', written to the outbox. */
  private notify(run: ReconcileRun & { status: ReconcileFound['status'] }): void {
    const { deps } = this;
    const targets = deps.routing.notifiersFor('reconcile');
    if (targets.length === 0) return;
    const found: ReconcileFound = {
      passId: run.id,
      startedBy: run.startedBy,
      status: run.status,
      items: run.items.length,
      bytes: run.items.reduce((sum, item) => sum + item.bytes, 0),
      found: (run.results ?? [])
        .filter((r) => r.items > 0)
        .map(({ mapping, items, bytes }) => ({ mapping, items, bytes })),
      notChecked: (run.results ?? []).flatMap((r) =>
        r.status === 'skipped' ? [{ mapping: r.mapping, problem: r.problem ?? 'not checked' }] : [],
      ),
      queued: run.queued,
    };
    const event = reconcileEvent(found, deps.clock.now());
    const rows: OutboxItem[] = targets.map((target) => ({ target, payload: { type: 'notify', event } }));
    deps.outbox.add(rows, null, deps.clock.now());
    deps.onNotified();
  }
}

function notChecked(mapping: Mapping, problem: string): ReconcileMappingResult {
  return {
    mapping: mapping.container,
    kind: passKind(mapping),
    status: 'skipped',
    problem,
    sourceEntries: 0,
    destinationEntries: 0,
    items: 0,
    bytes: 0,
    skipped: 0,
    warnings: [],
  };
}

function describeFound(items: readonly { bytes: number }[]): string {
  if (items.length === 0) return 'nothing missing';
  const bytes = items.reduce((sum, item) => sum + item.bytes, 0);
  return `${items.length} item(s) missing or different at the destination (${formatBytes(bytes)})`;
}

function describeQueued(run: ReconcileRun): string {
  return `${run.queued?.created ?? 0} new job(s), ${run.queued?.folded ?? 0} already covered by a job`;
}
