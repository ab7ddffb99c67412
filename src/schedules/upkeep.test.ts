import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RetentionTask } from './retention.js';
import { TitleIndexer } from './title-indexer.js';

const NOW = new Date('2026-03-10T10:00:00.000Z');

function retentionTask(batches: number[], days = 30) {
  const cutoffs: Date[] = [];
  const deleted: number[][] = [];
  const lines: string[] = [];
  let next = 1;
  const task = new RetentionTask({
    retention: {
      pruneFinishedBefore(cutoff, max) {
        cutoffs.push(cutoff);
        const size = Math.min(batches.shift() ?? 0, max);
        return Array.from({ length: size }, () => next++);
      },
    },
    clock: { now: () => NOW },
    log: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line).msg) }),
    days,
    intervalMs: 60_000,
    batch: 3,
    pauseMs: 1,
    onDeleted: (ids) => deleted.push([...ids]),
  });
  return { task, cutoffs, deleted, lines };
}

describe('RetentionTask', () => {
  it('deletes batch after batch until a short one, SYNC_RETENTION_DAYS back, and says so once', async () => {
    const r = retentionTask([3, 3, 1]);
    expect(await r.task.prune()).toBe(7);
    expect(r.deleted).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(r.cutoffs.map((c) => c.toISOString())).toEqual(Array(3).fill('2026-02-08T10:00:00.000Z'));
    expect(r.lines).toEqual(['Retention: deleted 7 jobs that finished before 2026-02-08T10:00:00.000Z (30 days)']);
  });

  it('says nothing when nothing was old enough', async () => {
    const r = retentionTask([0]);
    expect(await r.task.prune()).toBe(0);
    expect(r.deleted).toEqual([]);
    expect(r.lines).toEqual([]);
  });
});

describe('TitleIndexer', () => {
  function makeIndexer(pending: number) {
    const calls: number[] = [];
    let left = pending;
    const indexer = new TitleIndexer({
      index: {
        indexNext(max) {
          const n = Math.min(max, left);
          left -= n;
          calls.push(n);
          return n;
        },
        pending: () => left > 0,
      },
      log: pino({ level: 'silent' }),
      quietMs: 1000,
      chunk: 4,
      pauseMs: 1,
    });
    return { indexer, calls, left: () => left };
  }

  it('indexes in chunks until nothing is left', () => {
    const { indexer, calls } = makeIndexer(9);
    while (indexer.indexChunk());
    expect(calls).toEqual([4, 4, 1]);
  });

  it('waits while webhooks keep coming, then catches up once they pause', async () => {
    const { indexer, calls, left } = makeIndexer(10);
    indexer.start();
    const until = Date.now() + 300;
    while (Date.now() < until) {
      indexer.jobsQueued();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(calls).toEqual([]);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (left() === 0) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    expect(calls).toEqual([4, 4, 2]);
    indexer.stop();
  });
});
