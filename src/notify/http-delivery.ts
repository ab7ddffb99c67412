// One request to a notification service, and its answer mapped to the error the dispatcher acts on:
// RetryLaterError for a rate limit (429, with the service's wait), PermanentError for a refusal that
// retrying cannot heal (another 4xx, a redirect), a plain Error for what may heal (5xx, network, timeout).
// Shared by every HTTP notifier but Telegram, which keeps its own (it also checks Telegram's `ok`).

import { PermanentError } from '../core/errors.js';
import { describeFetchFailure } from '../core/fetch-failure.js';
import { RetryLaterError } from './notifier.js';

/** What the service answered, for the reader of its reasons. */
export interface ServiceAnswer {
  status: number;
  headers: Headers;
  /** The body as text ("" when it could not be read). */
  text: string;
}

export interface ServiceRequest {
  /** The service's name, first word of every error ("Discord"). */
  service: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  fetch: typeof fetch;
  timeoutMs: number;
  /** Removes the target's secrets from every error text (the URL or a reason may quote them). */
  redact: (text: string) => string;
  /** The service's own words for a refusal (a JSON field, its plain-text answer), if it gave any. */
  reasonOf(answer: ServiceAnswer): string | undefined;
  /** A wait the service names in its body (Discord's `retry_after`), in seconds; before the Retry-After header. */
  retryAfterOf?(answer: ServiceAnswer): number | undefined;
  /** The wait when the service names none, in seconds. */
  defaultRetryAfterSeconds: number;
}

/** A reason is a sentence; anything longer is not the service talking (a proxy's error page, say). */
const REASON_LIMIT = 300;

/** The client every request names itself as. */
export const USER_AGENT = 'sync-webhook';

/** POSTs the request; resolves with a 2xx answer, throws the error class its status calls for. */
export async function postToService(request: ServiceRequest): Promise<ServiceAnswer> {
  const { service, redact, timeoutMs } = request;
  let res: Response;
  try {
    res = await request.fetch(request.url, {
      method: 'POST',
      headers: { 'user-agent': USER_AGENT, ...request.headers },
      body: request.body,
      // A redirect is reported, not followed: following it would resend the secrets to another address.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    // No `cause`: the raw error may carry the URL, and loggers serialize causes.
    throw new Error(redact(`${service} request failed: ${describeFetchFailure(err, timeoutMs)}`));
  }
  let text = '';
  try {
    text = await res.text();
  } catch {
    // The status decides; a body cut off only loses the reason.
  }
  const answer: ServiceAnswer = { status: res.status, headers: res.headers, text };
  if (res.status >= 200 && res.status < 300) return answer;

  const reason = redact(reasonText(request.reasonOf(answer), res.statusText));
  const status = res.status;
  if (status === 429) {
    const seconds =
      request.retryAfterOf?.(answer) ??
      retryAfterSeconds(res.headers.get('retry-after')) ??
      request.defaultRetryAfterSeconds;
    const shown = Math.ceil(seconds);
    throw new RetryLaterError(
      `${service} rate limit (HTTP 429): ${reason}; retry in ${shown} s`,
      Math.ceil(seconds * 1000),
    );
  }
  if (status >= 300 && status < 400) {
    throw new PermanentError(
      `${service} answered with a redirect (HTTP ${status}); check the URL's scheme (http or https) and host`,
    );
  }
  if (status >= 400 && status < 500) {
    throw new PermanentError(`${service} refused the message (HTTP ${status}): ${reason}`);
  }
  if (status >= 500) throw new Error(`${service} server error (HTTP ${status}): ${reason}`);
  throw new Error(`${service} answered unexpected HTTP ${status}: ${reason}`);
}

function reasonText(reason: string | undefined, statusText: string): string {
  const text = (reason ?? '').replace(/\s+/g, ' ').trim() || statusText || 'no description';
  return text.length > REASON_LIMIT ? `${text.slice(0, REASON_LIMIT - 1)}…` : text;
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  // An HTTP date names a weekday and a month ("Wed, 21 Oct 2015 07:28:00 GMT"); "-3" is not one.
  const at = /[a-z]/i.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** The body parsed as a JSON object, or undefined (a service's error page, an empty body). */
export function jsonObjectOf(text: string): Record<string, unknown> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? { ...json } : undefined;
}

/** A string field of a JSON answer, if it is a non-empty string. */
export function stringField(json: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = json?.[name];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A finite, non-negative number field of a JSON answer. */
export function secondsField(json: Record<string, unknown> | undefined, name: string): number | undefined {
  const value = json?.[name];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** HTTP Basic credentials, as the Authorization header carries them. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
