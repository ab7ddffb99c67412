// The one interface every notification target implements; the dispatcher only knows this.

import type { Message } from '../core/types.js';

export interface Notifier {
  readonly name: string;
  /**
   * Delivers one message. Resolves once the target accepted it. Throws RetryLaterError when the
   * target asks us to wait, PermanentError when retrying the same message cannot succeed, and any
   * other Error for a failure that may heal (network, 5xx).
   */
  send(message: Message): Promise<void>;
}

/** The target is rate limiting: retry the same message after `retryAfterMs`, without counting it as a failure. */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}
