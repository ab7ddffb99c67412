export interface RetryPolicy {
  intervalMs: number;
  maxRetries: number;
}

export type RetryDecision =
  | { kind: 'retry'; at: Date; attempt: number }
  | { kind: 'give_up'; reason: 'exhausted' | 'permanent' };

/**
 * Fixed-interval retries (SYNC_RETRY_INTERVAL_SECONDS, SYNC_MAX_RETRIES): a job that failed `retryCount` retries so far
 * gets retry number retryCount + 1 one interval from now, up to maxRetries; a failure that cannot
 * heal by retrying gives up at once.
 */
export function decideRetry(permanent: boolean, retryCount: number, policy: RetryPolicy, now: Date): RetryDecision {
  if (permanent) return { kind: 'give_up', reason: 'permanent' };
  if (retryCount >= policy.maxRetries) return { kind: 'give_up', reason: 'exhausted' };
  return { kind: 'retry', at: new Date(now.getTime() + policy.intervalMs), attempt: retryCount + 1 };
}
