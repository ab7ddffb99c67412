import { describe, expect, it } from 'vitest';
import { type Changes, ChangeFeed, MAX_NOTED_JOBS } from './change-feed.js';

const WINDOW_MS = 40;

function collect(feed: ChangeFeed): Changes[] {
  const seen: Changes[] = [];
  feed.subscribe((changes) => seen.push(changes));
  return seen;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ChangeFeed', () => {
  it('hands over everything noted in one window at once, newest job first', async () => {
    const feed = new ChangeFeed({ windowMs: WINDOW_MS });
    const seen = collect(feed);
    feed.jobsChanged([3, 1]);
    feed.jobsChanged([2, 3]);
    feed.progressChanged();
    feed.jobsDeleted([7]);
    expect(seen).toEqual([]);
    await pause(WINDOW_MS * 3);
    expect(seen).toEqual([{ jobIds: [3, 2, 1], manyJobs: false, deletedIds: [7], progress: true, health: false }]);
    feed.healthChanged();
    await pause(WINDOW_MS * 3);
    expect(seen[1]).toEqual({ jobIds: [], manyJobs: false, deletedIds: [], progress: false, health: true });
  });

  it('keeps the newest MAX_NOTED_JOBS ids of a window, and says that more changed', async () => {
    const feed = new ChangeFeed({ windowMs: WINDOW_MS });
    const seen = collect(feed);
    for (let id = 1; id <= 5000; id++) feed.jobsChanged([id]);
    feed.jobsChanged([17]);
    await pause(WINDOW_MS * 3);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.jobIds).toEqual(Array.from({ length: MAX_NOTED_JOBS }, (_, i) => 5000 - i));
    expect(seen[0]?.manyJobs).toBe(true);
  });

  it('notes nothing and sets no timer while no one reads it, nor after the reader left', async () => {
    const feed = new ChangeFeed({ windowMs: WINDOW_MS });
    feed.jobsChanged([1]);
    const seen: Changes[] = [];
    const unsubscribe = feed.subscribe((changes) => seen.push(changes));
    await pause(WINDOW_MS * 3);
    expect(seen).toEqual([]);
    feed.jobsChanged([2]);
    unsubscribe();
    feed.jobsChanged([3]);
    await pause(WINDOW_MS * 3);
    expect(seen).toEqual([]);
  });
});
