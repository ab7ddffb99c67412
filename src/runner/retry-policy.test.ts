import { describe, expect, it } from 'vitest';
import { decideRetry } from './retry-policy.js';

const policy = { intervalMs: 900_000, maxRetries: 3 };
const now = new Date('2026-01-01T12:00:00Z');

describe('decideRetry', () => {
  it.each([
    [0, 1],
    [1, 2],
    [2, 3],
  ])('after %i retries schedules retry %i one interval later', (count, attempt) => {
    expect(decideRetry(false, count, policy, now)).toEqual({
      kind: 'retry',
      at: new Date('2026-01-01T12:15:00Z'),
      attempt,
    });
  });

  it('gives up once every retry is used', () => {
    expect(decideRetry(false, 3, policy, now)).toEqual({ kind: 'give_up', reason: 'exhausted' });
  });

  it('gives up at once on a permanent failure, whatever the count', () => {
    expect(decideRetry(true, 0, policy, now)).toEqual({ kind: 'give_up', reason: 'permanent' });
  });

  it('never retries when SYNC_MAX_RETRIES=0', () => {
    expect(decideRetry(false, 0, { ...policy, maxRetries: 0 }, now)).toEqual({ kind: 'give_up', reason: 'exhausted' });
  });
});
