// The one interface every notification service implements, and the shape of its registry entry. The
// dispatcher knows only `Notifier`; the configuration knows only `NotifierScheme` (through registry.ts).

import type { Finding } from '../core/finding.js';
import type { NotifyEvent, NotifyPriority, TelegramHtml } from '../core/notify-event.js';
import type { TargetUrl } from './target-url.js';

export interface Notifier {
  /** Stable id (docs/notifications.md): the `name` given in the YAML file, or scheme://host/path without secrets. */
  readonly id: string;
  /** The URL scheme it was built from ("tgram"). */
  readonly scheme: string;
  /**
   * Delivers one event, rendered in the service's own format. Resolves once the service accepted it.
   * Throws RetryLaterError when the service asks us to wait (429), PermanentError when retrying the same
   * event cannot succeed (4xx), and any other Error for a failure that may heal (network, 5xx, timeout).
   * Every message it throws is free of secrets.
   */
  send(event: NotifyEvent): Promise<void>;
  /** Telegram only: a message rendered before migration 005, sent as it was rendered then. */
  sendTelegramHtml?(message: TelegramHtml): Promise<void>;
}

/** The service is rate limiting: retry the same message after `retryAfterMs`, without counting it as a failure. */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** How a program ended (system/run-child.ts's ChildRun, as much of it as a notifier reads). */
export interface ProgramRun {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The program could not be started. */
  spawnError?: Error;
}

/**
 * Runs a program without a shell, with a time limit; `env` is added to the service's environment (a
 * secret goes there, never into `args`, which `ps` shows). Never rejects.
 */
export type RunProgram = (
  program: string,
  args: readonly string[],
  options: { env: Readonly<Record<string, string>>; timeoutMs: number },
) => Promise<ProgramRun>;

/** Where a program of the PATH is (absolute), or undefined when it is not installed. */
export type FindProgram = (name: string) => string | undefined;

/** What a notifier is built with besides its URL. */
export interface NotifierContext {
  fetch: typeof fetch;
  timeoutMs: number;
  /** For a service reached through a program (the apprise command). */
  runProgram: RunProgram;
  /** The target's `priority` for failure and gave_up messages; only given to a scheme with `priorities`. */
  failurePriority?: NotifyPriority;
}

/** What `sync-webhook doctor`'s read-only checks use: HTTP only, nothing is run or sent. */
export type CheckContext = Pick<NotifierContext, 'fetch' | 'timeoutMs'>;

/** A URL read by its scheme's parser: ready to build, with its id and the secrets to mask. */
export interface ParsedTarget {
  /** scheme://host/path without any secret; the id unless the YAML entry gives a `name`. */
  id: string;
  /** Every secret the URL holds (tokens, passwords), registered with the log redaction before anything is logged. */
  secrets: string[];
  /** Builds the notifier under the id the configuration settled on. */
  create(id: string, context: NotifierContext): Notifier;
  /** Where the service is reached (scheme, host, port: no secret), for `sync-webhook doctor`. */
  origin: string;
  /**
   * `sync-webhook doctor`'s look at the target with the service's read-only calls (nothing is sent),
   * under the id the configuration settled on. Absent when the service has none: doctor then only asks
   * whether `origin` answers, and says to send a test.
   */
  check?: (id: string, context: CheckContext) => Promise<Finding[]>;
}

/** The environment, for a service's base-URL override (TELEGRAM_API_URL). */
export type EnvLookup = (name: string) => string | undefined;

/**
 * One registry line: the schemes a service answers to and its URL parser. The parser throws
 * TargetUrlError with a message that quotes no secret; one URL may name several destinations (a bot
 * token with two chat ids), each its own target with its own id and queue.
 */
export interface NotifierScheme {
  /** The service's name, for documentation and errors ("Telegram"). */
  service: string;
  schemes: readonly string[];
  /** Whether the service has a message priority (a `priority:` is refused for one without). */
  priorities: boolean;
  /**
   * Whether a URL of another scheme is one of this service's own (Discord's https://discord.com/api/webhooks/…),
   * which its parser then reads. Asked only of a URL whose scheme no entry lists.
   */
  readsNativeUrl?(url: TargetUrl): boolean;
  /** Whether a URL's "#…" part means something to it (Apprise reads a channel there); otherwise it is refused. */
  readsFragment?: boolean;
  parse(url: TargetUrl, env: EnvLookup): ParsedTarget[];
}
