// Errors say what the runner must do with a job. Each adapter maps its raw failure to one of these.

/** Retrying cannot help (bad arguments, rsync exit 1/2/4, a path that escapes its root): fail now. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/** The job cannot run yet (a mount is down, the source is still growing): wait, without using a retry. */
export class NotReadyError extends Error {
  override name = 'NotReadyError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
    /** 'mapping' when the cause (a mount that is down) holds every job of the job's mapping too. */
    readonly scope: 'job' | 'mapping' = 'job',
    options?: ErrorOptions,
  ) {
    super(message, options);
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

/** Anything thrown becomes an Error, so callers can rely on `.message`. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}
