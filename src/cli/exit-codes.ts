// What `sync-webhook <command>` exits with, for scripts (docs/cli.md lists them), and the errors that
// choose the code.

export const EXIT = Object.freeze({
  ok: 0,
  /** The service answered with a failure, or doctor found a problem. */
  failed: 1,
  /** A wrong command line or configuration: nothing was asked. */
  usage: 2,
  /** The service could not be reached. */
  unreachable: 3,
});

/** The command line is wrong: the message says what to type instead. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** No answer from the service: the message names the URL and where it came from. */
export class ServiceUnreachableError extends Error {
  override name = 'ServiceUnreachableError';
}

/** The service answered, and the answer is a failure (a 4xx/5xx, or a job that cannot be retried). */
export class ServiceFailureError extends Error {
  override name = 'ServiceFailureError';
}
