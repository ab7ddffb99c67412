import type { Mapping } from '../core/types.js';
import { type Comparison, compareInSteps } from './compare.js';
import type { TreeWalker, WalkResult } from './tree-walk.js';

/*
 * One mapping of a catch-up pass: both roots listed, then compared. The listings stay where they were
 * made; only the comparison (what the destination lacks) and a few counts leave. In the service this
 * runs in a child process of its own (child-comparer.ts says why); the roots' checks stay with the
 * service (reconciler.ts), which runs them with the checks of its jobs.
 */

export interface CompareRequest {
  mapping: Mapping;
  /** The pass's clock: what changed within `settleMs` of it is left for a later pass. */
  now: Date;
  settleMs: number;
  /** What is left of the pass's time limit. */
  timeoutMs: number;
}

export interface ListingSummary {
  entries: number;
  /** find's complaints it walked past (a file gone between listing and stat). */
  warnings: string[];
}

export type MappingComparison =
  | {
      kind: 'compared';
      source: ListingSummary;
      destination: ListingSummary & {
        /** Nothing but the share check's own test file: what an unmounted share looks like. */
        empty: boolean;
      };
      comparison: Comparison;
      listedMs: number;
      comparedMs: number;
    }
  /** A listing that could not be made: a root stopped answering, or find failed; `problem` says which. */
  | { kind: 'not_listed'; problem: string }
  /** Stopped through the signal (the pass ran out of time, or the service stops). */
  | { kind: 'aborted' };

export interface ShareComparer {
  compare(request: CompareRequest, signal: AbortSignal): Promise<MappingComparison>;
  /** Ends what the comparer keeps running between passes (the service stops). */
  close(): Promise<void>;
}

/** Lists and compares in this process (the child process's own code; tests use it directly). */
export function createShareComparer(walker: TreeWalker): ShareComparer {
  return {
    compare: (request, signal) => listAndCompare(walker, request, signal),
    close: async () => undefined,
  };
}

async function listAndCompare(
  walker: TreeWalker,
  { mapping, now, settleMs, timeoutMs }: CompareRequest,
  signal: AbortSignal,
): Promise<MappingComparison> {
  const started = performance.now();
  const [source, destination] = await Promise.all([
    walker.walk(mapping.source.path, { signal, timeoutMs }),
    walker.walk(mapping.destination.path, { signal, timeoutMs }),
  ]);
  if (source.kind === 'aborted' || destination.kind === 'aborted') return { kind: 'aborted' };
  const problem = walkProblem(source, 'source') ?? walkProblem(destination, 'destination');
  if (problem || source.kind !== 'listed' || destination.kind !== 'listed') {
    return { kind: 'not_listed', problem: problem ?? 'the listing failed' };
  }
  const listed = performance.now();
  const comparison = await inTurns(
    compareInSteps({ mapping, source: source.entries, destination: destination.entries, now, settleMs }),
    signal,
  );
  if (!comparison) return { kind: 'aborted' };
  return {
    kind: 'compared',
    source: { entries: source.entries.size, warnings: source.warnings },
    destination: {
      entries: destination.entries.size,
      warnings: destination.warnings,
      empty: isEmptyRoot(destination.entries),
    },
    comparison,
    listedMs: Math.round(listed - started),
    comparedMs: Math.round(performance.now() - listed),
  };
}

function walkProblem(walk: WalkResult, role: 'source' | 'destination'): string | undefined {
  if (walk.kind === 'stalled') return `share down: ${role} ${walk.problem}`;
  if (walk.kind === 'failed') return `${role}: ${walk.problem}`;
  return undefined;
}

/**
 * Runs the comparison one step per turn of the event loop, so that an abort is heard between two steps
 * of a large library. Undefined once aborted.
 */
async function inTurns(steps: Generator<void, Comparison>, signal: AbortSignal): Promise<Comparison | undefined> {
  for (;;) {
    if (signal.aborted) return undefined;
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The destination check's own test file (mounts/scripts/root-check.sh), created and removed within
 * a moment by this service: a root holding only that is empty.
 */
const PROBE_FILE = /^\.sync-webhook-probe\.[^/]*$/;

function isEmptyRoot(entries: ReadonlyMap<string, unknown>): boolean {
  for (const path of entries.keys()) if (!PROBE_FILE.test(path)) return false;
  return true;
}
