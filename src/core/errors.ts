// Errors say what the runner must do with a job. Each adapter maps its raw failure to one of these.
import type { FailureReason } from './types.js';

/** Retrying cannot help (bad arguments, rsync exit 1/2/4, a path that escapes its root): fail now. */
export class PermanentError extends Error {
  override name = 'PermanentError';
  readonly reason: FailureReason;
  constructor(message: string, options?: ErrorOptions & { reason?: FailureReason }) {
    super(message, options);
    this.reason = options?.reason ?? 'unknown';
  }
}

/** A failure that may heal by retrying (rsync exit 23, a source not readable now): count an attempt, back off. */
export class RetryableError extends Error {
  override name = 'RetryableError';
  constructor(
    message: string,
    readonly reason: FailureReason,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The job cannot run yet (a mount is down, the source is still growing): wait, without using a retry. */
export class NotReadyError extends Error {
  override name = 'NotReadyError';
  readonly reason: FailureReason;
  constructor(
    message: string,
    readonly retryAfterMs: number,
    /** 'mapping' when the cause (a mount that is down) holds every job of the job's mapping too. */
    readonly scope: 'job' | 'mapping' = 'job',
    options?: ErrorOptions & { reason?: FailureReason },
  ) {
    super(message, options);
    this.reason = options?.reason ?? (scope === 'mapping' ? 'mount_down' : 'unknown');
  }
}

/** A request the client must fix; the HTTP layer answers 4xx with this message. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    readonly statusCode: 400 | 404 | 409 | 413 | 415 | 422 = 422,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * The machine the service runs on lacks what it needs (rsync missing or too old): restarting cannot
 * help, so the start stops with exit 2, as for a configuration error, and the message says what to fix.
 */
export class SetupError extends Error {
  override name = 'SetupError';
}

/** The errno code of a failed system call ("ENOENT"), if `error` carries one. */
export function errnoCode(error: unknown): string | undefined {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** The reason code an error carries; 'unknown' for anything thrown without one. */
export function reasonOf(error: unknown): FailureReason {
  if (error instanceof PermanentError || error instanceof RetryableError || error instanceof NotReadyError) {
    return error.reason;
  }
  return 'unknown';
}

/** Anything thrown becomes an Error, so callers can rely on `.message`. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}
