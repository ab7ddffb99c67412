import type {
  ReconcileItem,
  ReconcileMappingResult,
  ReconcileRun,
  ReconcileRunSummary,
  ReconcileSkip,
} from '../core/reconcile.js';

/** A pass as GET /reconcile lists it: the documented snake_case fields (docs/catch-up.md). */
export interface ReconcileSummaryJson {
  reconcile_id: number;
  started_by: ReconcileRunSummary['startedBy'];
  status: ReconcileRunSummary['status'];
  queue: boolean;
  mappings: string[] | null;
  settle_minutes: number;
  started_at: string;
  finished_at: string | null;
  error: string | null;
  totals: { items: number; bytes: number; skipped: number; mappings_checked: number; mappings_skipped: number } | null;
  results: ReconcileResultJson[] | null;
  queued_at: string | null;
  queued: { created: number; folded: number } | null;
}

export interface ReconcileResultJson {
  mapping: string;
  kind: ReconcileMappingResult['kind'];
  status: ReconcileMappingResult['status'];
  problem: string | null;
  source_entries: number;
  destination_entries: number;
  items: number;
  bytes: number;
  skipped: number;
  warnings: string[];
}

/** GET /reconcile/<id>: the summary, what it found and what it left alone. */
export interface ReconcileRunJson extends ReconcileSummaryJson {
  items: ReconcileItemJson[];
  skipped: ReconcileSkipJson[];
}

export interface ReconcileItemJson {
  container_path: string;
  mapping: string;
  media_type: ReconcileItem['mediaType'];
  shape: ReconcileItem['shape'];
  size: number;
  why: ReconcileItem['why'];
  detail: string;
  job_id: number | null;
  folded: boolean | null;
}

export interface ReconcileSkipJson {
  container_path: string;
  mapping: string;
  reason: ReconcileSkip['reason'];
  detail: string;
}

export function reconcileSummaryJson(run: ReconcileRunSummary): ReconcileSummaryJson {
  const results = run.results;
  return {
    reconcile_id: run.id,
    started_by: run.startedBy,
    status: run.status,
    queue: run.queue,
    mappings: run.mappings,
    settle_minutes: run.settleMinutes,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    error: run.error,
    totals: results && {
      items: sum(results, (r) => r.items),
      bytes: sum(results, (r) => r.bytes),
      skipped: sum(results, (r) => r.skipped),
      mappings_checked: results.filter((r) => r.status === 'checked').length,
      mappings_skipped: results.filter((r) => r.status === 'skipped').length,
    },
    results: results?.map(resultJson) ?? null,
    queued_at: run.queuedAt,
    queued: run.queued,
  };
}

export function reconcileRunJson(run: ReconcileRun): ReconcileRunJson {
  return {
    ...reconcileSummaryJson(run),
    items: run.items.map((item) => ({
      container_path: item.containerPath,
      mapping: item.mapping,
      media_type: item.mediaType,
      shape: item.shape,
      size: item.bytes,
      why: item.why,
      detail: item.detail,
      job_id: item.jobId ?? null,
      folded: item.folded ?? null,
    })),
    skipped: run.skipped.map((skip) => ({
      container_path: skip.containerPath,
      mapping: skip.mapping,
      reason: skip.reason,
      detail: skip.detail,
    })),
  };
}

function resultJson(r: ReconcileMappingResult): ReconcileResultJson {
  return {
    mapping: r.mapping,
    kind: r.kind,
    status: r.status,
    problem: r.problem ?? null,
    source_entries: r.sourceEntries,
    destination_entries: r.destinationEntries,
    items: r.items,
    bytes: r.bytes,
    skipped: r.skipped,
    warnings: r.warnings,
  };
}

function sum<T>(list: readonly T[], of: (item: T) => number): number {
  return list.reduce((total, item) => total + of(item), 0);
}
