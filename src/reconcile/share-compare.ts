import type { Mapping } from '../core/types.js';
import type { MountProbe } from '../mounts/probe.js';
import { type Comparison, compareInSteps } from './compare.js';
import type { TreeWalker, WalkResult } from './tree-walk.js';

/*
 * One mapping of a catch-up pass: both roots checked (the same checks a job passes before it copies)
 * and listed, checked again, then compared. The listings stay where they were made; only the
 * comparison (what the destination lacks) and a few counts leave. In the service this runs in a child
 * process of its own (child-comparer.ts says why).
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
      destination: ListingSummary;
      comparison: Comparison;
      listedMs: number;
      comparedMs: number;
    }
  /** Not compared: a share is down (or looks it), or a listing failed; `problem` says which. */
  | { kind: 'skipped'; problem: string }
  /** Stopped through the signal (the pass ran out of time, or the service stops). */
  | { kind: 'aborted' };

export interface ShareComparer {
  compare(request: CompareRequest, signal: AbortSignal): Promise<MappingComparison>;
  /** Ends what the comparer keeps running between passes (the service stops). */
  close(): Promise<void>;
}

export interface ShareComparerDeps {
  walker: TreeWalker;
  probe: Pick<MountProbe, 'checkRoot'>;
}

/** Checks, lists and compares in this process (the child process's own code; tests use it directly). */
export function createShareComparer(deps: ShareComparerDeps): ShareComparer {
  return {
    compare: (request, signal) => checkListAndCompare(deps, request, signal),
    close: async () => undefined,
  };
}

async function checkListAndCompare(
  { walker, probe }: ShareComparerDeps,
  { mapping, now, settleMs, timeoutMs }: CompareRequest,
  signal: AbortSignal,
): Promise<MappingComparison> {
  const started = performance.now();
  // The roots are checked while the listings run (off the critical path); a listing of a share that
  // was down is thrown away.
  const [down, source, destination] = await Promise.all([
    shareProblem(probe, mapping),
    walker.walk(mapping.source.path, { signal, timeoutMs }),
    walker.walk(mapping.destination.path, { signal, timeoutMs }),
  ]);
  if (source.kind === 'aborted' || destination.kind === 'aborted') return { kind: 'aborted' };
  if (down) return { kind: 'skipped', problem: `share down: ${down}` };
  const problem = walkProblem(source, 'source') ?? walkProblem(destination, 'destination');
  if (problem || source.kind !== 'listed' || destination.kind !== 'listed') {
    return { kind: 'skipped', problem: problem ?? 'the listing failed' };
  }
  // A share that went away during the walk leaves a listing that looks like a share with nothing on it.
  const after = await shareProblem(probe, mapping);
  if (after) return { kind: 'skipped', problem: `share down: ${after}` };
  if (isEmptyRoot(destination.entries) && source.entries.size > 0) {
    const problem = `share down: destination ${mapping.destination.path} is empty: an unmounted share looks like this`;
    return { kind: 'skipped', problem };
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
    destination: { entries: destination.entries.size, warnings: destination.warnings },
    comparison,
    listedMs: Math.round(listed - started),
    comparedMs: Math.round(performance.now() - listed),
  };
}

/** What is wrong with either root of the mapping now, if anything. */
async function shareProblem(probe: ShareComparerDeps['probe'], mapping: Mapping): Promise<string | undefined> {
  const [source, destination] = await Promise.all([
    probe.checkRoot(mapping.source, 'source'),
    probe.checkRoot(mapping.destination, 'destination'),
  ]);
  if (!source.ok) return source.problem;
  if (!destination.ok) return destination.problem;
  return undefined;
}

function walkProblem(walk: WalkResult, role: 'source' | 'destination'): string | undefined {
  if (walk.kind === 'stalled') return `share down: ${role} ${walk.problem}`;
  if (walk.kind === 'failed') return `${role}: ${walk.problem}`;
  return undefined;
}

/**
 * Runs the comparison one step per turn of the event loop, so that an abort (and, on the service's
 * own thread, a webhook) is heard between two steps of a large library. Undefined once aborted.
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
