// The Apprise API: apprise:// and apprises:// URLs of a running Apprise API server, and its stateful notify.
//
// URL, as Apprise reads it (caronc/apprise apprise/plugins/apprise_api.py, v1.13.0):
// apprise://[USER:PASSWORD@]HOST[:PORT][/PATH]/KEY (http; apprises:// is https), the key also as ?to= or
// ?token=, tags as ?tags=, extra headers as ?+Name=value. Request (caronc/apprise-api README, 2026-08):
// POST {PATH}/notify/{KEY} with JSON {title, body, type (info|success|warning|failure), format, tag}.
// The body is plain text (format "text"), so Apprise escapes it for each service it hands it to. Answers:
// 200 sent; 204 no configuration for the key; 400 bad request; 424 at least one service failed, or no URL
// matched the tag; errors as {"error": "…"}.

import { PermanentError } from '../core/errors.js';
import type { NotifyEvent, NotifySeverity } from '../core/notify-event.js';
import { redactor } from '../core/redact.js';
import { basicAuth, jsonObjectOf, postToService, type ServiceAnswer, stringField } from './http-delivery.js';
import type { Notifier, NotifierScheme, ParsedTarget } from './notifier.js';
import { outlineOf, plainText } from './outline.js';
import { type TargetUrl, TargetUrlError } from './target-url.js';
import {
  basicCredentials,
  credentialHeaderValues,
  extraHeaders,
  pathOf,
  refuseOtherOptions,
  serverOrigin,
} from './url-parts.js';

/** The Apprise API names no wait of its own; a proxy in front of it might ask for one. */
const DEFAULT_RETRY_AFTER_S = 60;

/** The Apprise API's message types. */
const SEVERITY_TYPES: Readonly<Record<NotifySeverity, string>> = {
  success: 'success',
  info: 'info',
  warning: 'warning',
  error: 'failure',
};

export interface AppriseApiOptions {
  id: string;
  /** The server and its path, e.g. "http://apprise:8000". */
  baseUrl: string;
  key: string;
  /** Apprise's tag expression ("devops, admin"), sent as `tag`. */
  tags?: string;
  headers: Readonly<Record<string, string>>;
  credentials?: { user: string; password: string };
  secrets: readonly string[];
  fetch: typeof fetch;
  timeoutMs: number;
}

/** The JSON the Apprise API reads. */
export function appriseApiBody(event: NotifyEvent, tags?: string) {
  const outline = outlineOf(event);
  return {
    title: outline.title,
    body: plainText(outline),
    type: SEVERITY_TYPES[event.severity],
    format: 'text',
    ...(tags ? { tag: tags } : {}),
  };
}

export function createAppriseApiNotifier(opts: AppriseApiOptions): Notifier {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    ...opts.headers,
  };
  if (opts.credentials) headers.authorization = basicAuth(opts.credentials.user, opts.credentials.password);
  // The encoded credentials too, should a fetch ever quote the headers it was given.
  const redact = redactor([...opts.secrets, opts.credentials ? (headers.authorization ?? '') : '']);
  return {
    id: opts.id,
    scheme: 'apprise',
    async send(event: NotifyEvent): Promise<void> {
      const answer = await postToService({
        service: 'Apprise API',
        url: `${opts.baseUrl}/notify/${encodeURIComponent(opts.key)}`,
        headers,
        body: JSON.stringify(appriseApiBody(event, opts.tags)),
        fetch: opts.fetch,
        timeoutMs: opts.timeoutMs,
        redact,
        reasonOf: (a: ServiceAnswer) => stringField(jsonObjectOf(a.text), 'error'),
        defaultRetryAfterSeconds: DEFAULT_RETRY_AFTER_S,
      });
      if (answer.status === 204) {
        throw new PermanentError(
          'Apprise API has no configuration for this key (HTTP 204); add the URLs to the key on the server',
        );
      }
    },
  };
}

const KEY = /^[A-Za-z0-9_-]{1,128}$/;

export const appriseApiScheme: NotifierScheme = {
  service: 'Apprise API',
  schemes: ['apprise', 'apprises'],
  priorities: false,
  parse(url: TargetUrl): ParsedTarget[] {
    refuseOtherOptions(url, ['to', 'token', 'tags'], ', ?+Header=value');
    const headers = extraHeaders(url);
    const credentials = basicCredentials(url);
    const origin = serverOrigin(url, url.scheme === 'apprises');
    const fromQuery = url.query.get('token') ?? url.query.get('to');
    const key = fromQuery ?? url.path.at(-1);
    const prefix = pathOf(fromQuery === undefined ? url.path.slice(0, -1) : url.path);
    if (key === undefined || !KEY.test(key)) {
      throw new TargetUrlError('needs the configuration key (1-128 letters, digits, - or _) last: apprise://HOST/KEY');
    }
    const tags = url.query.get('tags') || undefined;
    const secrets = [key, ...(credentials ? [credentials.password] : []), ...credentialHeaderValues(headers)];
    return [
      {
        // The key is what lets anyone notify through the server: it stays out of the id.
        id: `${url.scheme}://${url.host.toLowerCase()}${prefix}`,
        secrets,
        origin,
        create: (id, context) =>
          createAppriseApiNotifier({
            id,
            baseUrl: `${origin}${prefix}`,
            key,
            tags,
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
