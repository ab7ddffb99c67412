import { StringDecoder } from 'node:string_decoder';
import { SYNC_EXCLUDES } from '../core/sync-excludes.js';
import { runChild } from '../system/run-child.js';

/*
 * A catch-up pass lists a whole share: thousands of stat() calls that a hung NFS mount may never
 * answer. So the listing is GNU find in a child process, at the lowest CPU and I/O priority the
 * system offers, streamed back as it walks; a walk that prints nothing for the mount timeout is
 * stopped as a share that is down. Links are listed, never followed (find -P below the root).
 */

/** One entry below a root, as find saw it. */
export interface TreeEntry {
  /** 'unreadable': a folder this service may not list; find did not go into it. */
  type: 'file' | 'dir' | 'link' | 'other' | 'unreadable';
  /** Apparent size in bytes (files). */
  size: number;
  /** Last status change (ctime), in ms since the epoch: an import that keeps old mtimes still sets it. */
  ctimeMs: number;
  /** What a link points to, as written in the link. */
  linkTarget?: string;
}

export type WalkResult =
  /** `entries`: path relative to the root ("Movie (2024)/Movie.mkv") → entry. */
  | { kind: 'listed'; entries: Map<string, TreeEntry>; warnings: string[] }
  /** Nothing arrived within the silence limit: a hung share. */
  | { kind: 'stalled'; problem: string }
  | { kind: 'failed'; problem: string }
  /** Stopped through the signal (the pass ran out of time, or the service stops). */
  | { kind: 'aborted' };

export interface TreeWalker {
  walk(root: string, o: { signal: AbortSignal; timeoutMs: number }): Promise<WalkResult>;
}

export interface TreeWalkerOptions {
  /** The program and arguments that run find at low priority, e.g. ['ionice', '-c2', '-n7', 'nice', '-n', '19']. */
  lowPriority: readonly string[];
  /** GNU find. */
  find: string;
  /** A walk silent this long is a share that stopped answering (SYNC_MOUNT_TIMEOUT_SECONDS). */
  silenceLimitMs: number;
}

// Two NUL-terminated fields per entry: "TYPE\tSIZE\tCTIME\tPATH" and the link target (empty but for
// links). NUL cannot occur in a name; a tab can, so PATH comes last.
const ENTRY_FORMAT = '%y\\t%s\\t%C@\\t%P\\0%l\\0';
const UNREADABLE_FORMAT = 'u\\t0\\t%C@\\t%P\\0\\0';
const TYPES: Record<string, TreeEntry['type']> = { f: 'file', d: 'dir', l: 'link', u: 'unreadable' };
/** Lines of find's complaints kept per walk (a file that vanished while listed, and the like). */
const WARNINGS_KEPT = 5;

/**
 * find's arguments for `root`: skip rsync's excluded names (the one list, SYNC_EXCLUDES), report
 * folders it may not enter, list the rest.
 */
export function findArgs(root: string, excludes: readonly string[] = SYNC_EXCLUDES): string[] {
  const excluded = excludes.flatMap((pattern, i) => [...(i === 0 ? [] : ['-o']), ...findTest(pattern)]);
  return [
    '-H',
    root,
    '-mindepth',
    '1',
    ...(excluded.length > 0 ? ['(', ...excluded, ')', '-prune', '-o'] : []),
    // An unreadable folder would make find fail half-way through; listed as such, it is just unknown.
    ...['-type', 'd', '(', '!', '-readable', '-o', '!', '-executable', ')', '-printf', UNREADABLE_FORMAT, '-prune'],
    ...['-o', '-printf', ENTRY_FORMAT],
  ];
}

/** find's test for one rsync exclude pattern: `NAME/` matches folders only, as in rsync. */
function findTest(pattern: string): string[] {
  return pattern.endsWith('/') ? ['(', '-type', 'd', '-name', pattern.slice(0, -1), ')'] : ['-name', pattern];
}

export function createTreeWalker(o: TreeWalkerOptions): TreeWalker {
  const [command = o.find, ...prefixArgs] = [...o.lowPriority, o.find];
  return {
    async walk(root, { signal, timeoutMs }) {
      const entries = new Map<string, TreeEntry>();
      const parser = new EntryParser(entries);
      const silence = new AbortController();
      const stop = AbortSignal.any([signal, silence.signal]);
      const timer = setTimeout(() => silence.abort(), o.silenceLimitMs);
      const run = await runChild(command, [...prefixArgs, ...findArgs(root)], {
        timeoutMs,
        signal: stop,
        // A walk stuck in the kernel on a hung mount outlives even SIGKILL: nothing may wait for it.
        stop: 'sigkill-and-leave',
        // find starts nothing, and in a session of its own it would leave the catch-up's low priority
        // behind (run-child.ts says why).
        session: 'shared',
        onStdout: (chunk) => {
          timer.refresh();
          parser.push(chunk);
        },
        stdoutFilter: { push: () => EMPTY, end: () => EMPTY },
        stderrLimit: 4096,
      });
      clearTimeout(timer);
      if (run.spawnError) return { kind: 'failed', problem: `${o.find} could not start: ${run.spawnError.message}` };
      if (silence.signal.aborted && !signal.aborted) {
        const seconds = o.silenceLimitMs / 1000;
        return { kind: 'stalled', problem: `${root} stopped answering (nothing listed for ${seconds} s)` };
      }
      if (run.aborted || run.timedOut) return { kind: 'aborted' };
      parser.end();
      const warnings = run.stderr.trim().split('\n').filter(Boolean).slice(-WARNINGS_KEPT);
      // find exits 1 after complaints it walked past (a file gone between listing and stat); anything
      // else, or a listing that never started, means the walk itself failed.
      if (run.exitCode !== 0 && (run.exitCode !== 1 || entries.size === 0)) {
        const how = run.exitCode === null ? `killed by ${run.signal}` : `exit ${run.exitCode}`;
        return {
          kind: 'failed',
          problem: `listing ${root} failed (${how})${warnings.length ? `: ${warnings.at(-1)}` : ''}`,
        };
      }
      return { kind: 'listed', entries, warnings };
    },
  };
}

const EMPTY = Buffer.alloc(0);

/** Turns find's stream of NUL-terminated field pairs into entries, across chunk boundaries. */
class EntryParser {
  private readonly decoder = new StringDecoder('utf8');
  private carry = '';
  private header: string | undefined;

  constructor(private readonly entries: Map<string, TreeEntry>) {}

  push(chunk: Buffer): void {
    this.take(this.decoder.write(chunk));
  }

  /** The stream ended: bytes held back as the start of a UTF-8 sequence come out as U+FFFD. */
  end(): void {
    const rest = this.decoder.end();
    if (rest) this.take(rest);
  }

  private take(text: string): void {
    const fields = (this.carry + text).split('\0');
    this.carry = fields.pop() ?? '';
    for (const field of fields) {
      if (this.header === undefined) {
        this.header = field;
        continue;
      }
      this.add(this.header, field);
      this.header = undefined;
    }
  }

  private add(header: string, linkTarget: string): void {
    const first = header.indexOf('\t');
    const second = header.indexOf('\t', first + 1);
    const third = header.indexOf('\t', second + 1);
    if (third === -1) return;
    const path = header.slice(third + 1);
    const entry: TreeEntry = {
      type: TYPES[header.slice(0, first)] ?? 'other',
      size: Number(header.slice(first + 1, second)),
      ctimeMs: Math.round(Number(header.slice(second + 1, third)) * 1000),
    };
    if (entry.type === 'link') entry.linkTarget = linkTarget;
    this.entries.set(path, entry);
  }
}
