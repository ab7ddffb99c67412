// The JSON webhook: json:// and jsons:// URLs, and a POST of the structured event itself.
//
// URL, as Apprise reads it (caronc/apprise apprise/plugins/custom_json.py, v1.13.0):
// json://[USER:PASSWORD@]HOST[:PORT][/PATH] (http; jsons:// is https), extra headers as ?+Name=value, the
// user and password as HTTP Basic. Apprise's ?method=, ?:field= and ?-param= are refused: the body here is
// not Apprise's {version, title, message, type} but the event as the outbox holds it (NotifyEvent in
// core/notify-event.ts), whose schema docs/notifications.md documents. Any 2xx is delivery; a 429 waits
// its Retry-After.

import type { NotifyEvent } from '../core/notify-event.js';
import { redactor } from '../core/redact.js';
import { basicAuth, jsonObjectOf, postToService, type ServiceAnswer, stringField } from './http-delivery.js';
import type { Notifier, NotifierScheme, ParsedTarget } from './notifier.js';
import type { TargetUrl } from './target-url.js';
import {
  basicCredentials,
  credentialHeaderValues,
  extraHeaders,
  pathOf,
  refuseOtherOptions,
  serverOrigin,
} from './url-parts.js';

/** A receiver that asks to slow down without saying how long is given a minute. */
const DEFAULT_RETRY_AFTER_S = 60;

export interface JsonWebhookOptions {
  id: string;
  /** The full address to POST to, e.g. "https://hooks.example.com/sync". */
  url: string;
  headers: Readonly<Record<string, string>>;
  credentials?: { user: string; password: string };
  /** What to mask in errors: the password and the credential-like header values. */
  secrets: readonly string[];
  fetch: typeof fetch;
  timeoutMs: number;
}

export function createJsonWebhookNotifier(opts: JsonWebhookOptions): Notifier {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.credentials) headers.authorization = basicAuth(opts.credentials.user, opts.credentials.password);
  // The encoded credentials too, should a fetch ever quote the headers it was given.
  const redact = redactor([...opts.secrets, opts.credentials ? (headers.authorization ?? '') : '']);
  return {
    id: opts.id,
    scheme: 'json',
    async send(event: NotifyEvent): Promise<void> {
      await postToService({
        service: 'JSON webhook',
        url: opts.url,
        headers,
        body: JSON.stringify(event),
        fetch: opts.fetch,
        timeoutMs: opts.timeoutMs,
        redact,
        reasonOf: receiverReason,
        defaultRetryAfterSeconds: DEFAULT_RETRY_AFTER_S,
      });
    },
  };
}

/** A receiver's `error` or `message` field, or a one-line plain-text answer; never an HTML page. */
function receiverReason(answer: ServiceAnswer): string | undefined {
  const json = jsonObjectOf(answer.text);
  if (json) return stringField(json, 'error') ?? stringField(json, 'message');
  const text = answer.text.trim();
  return text !== '' && !text.includes('<') && !text.includes('\n') ? text : undefined;
}

export const jsonWebhookScheme: NotifierScheme = {
  service: 'JSON webhook',
  schemes: ['json', 'jsons'],
  priorities: false,
  parse(url: TargetUrl): ParsedTarget[] {
    refuseOtherOptions(url, [], ' but ?+Header=value');
    const headers = extraHeaders(url);
    const credentials = basicCredentials(url);
    const origin = serverOrigin(url, url.scheme === 'jsons');
    const path = pathOf(url.path);
    const secrets = [...(credentials ? [credentials.password] : []), ...credentialHeaderValues(headers)];
    return [
      {
        id: `${url.scheme}://${url.host.toLowerCase()}${path}`,
        secrets,
        origin,
        create: (id, context) =>
          createJsonWebhookNotifier({
            id,
            url: `${origin}${path || '/'}`,
            headers,
            credentials,
            secrets,
            fetch: context.fetch,
            timeoutMs: context.timeoutMs,
          }),
      },
    ];
  },
};
