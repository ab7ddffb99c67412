import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CompareRequest, MappingComparison, ShareComparer } from './share-compare.js';
import type { TreeWalkerOptions } from './tree-walk.js';

/*
 * A catch-up pass lists and compares each mapping in a child process of its own (compare-child.ts),
 * started at the lowest CPU and I/O priority and kept for `lingerMs` after its last mapping. Not in
 * this process, nor in a thread of it: each walk started from this process copies its page tables and
 * leaves its whole heap copy-on-write, and tens of thousands of listed entries parsed and collected
 * here slowed the webhooks' answers (bench/reconcile.mjs). Started from the small child, the walks
 * inherit its priority.
 */

export interface ChildComparerOptions {
  /** The built child module, dist/reconcile/compare-child.js. */
  childUrl: URL;
  /** Node, to run it. */
  nodePath: string;
  /** The program and arguments that start it at low priority (its walks inherit that). */
  lowPriority: readonly string[];
  /** How the child walks (plain data, sent with each request). */
  walker: TreeWalkerOptions;
  lingerMs: number;
}

export type CompareChildRequest =
  | { type: 'compare'; id: number; request: CompareRequest; walker: TreeWalkerOptions }
  | { type: 'abort'; id: number };

export type CompareChildReply = { id: number; outcome: MappingComparison } | { id: number; error: string };

/** How long an ended child has to exit by itself. */
const END_GRACE_MS = 2000;

interface Pending {
  resolve: (outcome: MappingComparison) => void;
  reject: (error: Error) => void;
}

export function createChildComparer(o: ChildComparerOptions): ShareComparer {
  let child: ChildProcess | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  let linger: NodeJS.Timeout | undefined;

  const failAll = (problem: string) => {
    for (const waiting of pending.values()) waiting.reject(new Error(problem));
    pending.clear();
  };

  const start = (): ChildProcess => {
    const [command = o.nodePath, ...args] = [...o.lowPriority, o.nodePath, fileURLToPath(o.childUrl)];
    const started = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
      // Nothing of the service's environment (its secrets) reaches the child: it needs none of it.
      env: {},
    });
    // A child kept for the next pass must never hold the service open.
    started.unref();
    started.channel?.unref();
    started.on('message', (reply: CompareChildReply) => {
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if ('error' in reply) waiting.reject(new Error(reply.error));
      else waiting.resolve(reply.outcome);
      if (pending.size === 0) lingerThenEnd();
    });
    started.on('error', (error) => lost(started, `the catch-up's child process failed: ${error.message}`));
    started.on('exit', (code, signal) => {
      const how = signal ? `killed by ${signal}` : `exit code ${code}`;
      lost(started, `the catch-up's child process stopped (${how})`);
    });
    return started;
  };

  /** A child that failed or exited on its own: what it was comparing fails with it; the next mapping starts another. */
  const lost = (gone: ChildProcess, problem: string) => {
    if (child !== gone) return;
    child = undefined;
    clearTimeout(linger);
    // After an 'error' it may still run: never two at once.
    gone.kill('SIGKILL');
    failAll(problem);
  };

  const lingerThenEnd = () => {
    clearTimeout(linger);
    linger = setTimeout(end, o.lingerMs);
    linger.unref();
  };

  /**
   * Ends the child: it stops its walks and exits once its channel closes; one that has not a moment
   * later gets SIGKILL.
   */
  function end(): void {
    clearTimeout(linger);
    const ending = child;
    child = undefined;
    if (!ending) return;
    if (ending.connected) ending.disconnect();
    setTimeout(
      () => ending.exitCode === null && ending.signalCode === null && ending.kill('SIGKILL'),
      END_GRACE_MS,
    ).unref();
  }

  return {
    compare(request, signal) {
      if (signal.aborted) return Promise.resolve({ kind: 'aborted' });
      clearTimeout(linger);
      child ??= start();
      const running = child;
      const id = nextId++;
      const onAbort = () => {
        if (running.connected) running.send({ type: 'abort', id } satisfies CompareChildRequest);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      return new Promise<MappingComparison>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        try {
          running.send({ type: 'compare', id, request, walker: o.walker } satisfies CompareChildRequest);
        } catch (thrown) {
          pending.delete(id);
          reject(thrown);
          if (pending.size === 0) lingerThenEnd();
        }
      }).finally(() => signal.removeEventListener('abort', onAbort));
    },
    async close() {
      failAll("the catch-up's child process was ended (the service stops)");
      end();
    },
  };
}
