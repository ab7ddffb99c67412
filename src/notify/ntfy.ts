// ntfy: the ntfy:// and ntfys:// URLs, and the publish-as-JSON sender.
//
// URL, as Apprise reads it (caronc/apprise apprise/plugins/ntfy.py, v1.13.0): ntfy://TOPIC for ntfy.sh;
// ntfy://[USER:PASSWORD@]HOST[:PORT]/TOPIC[/TOPIC…] for a server of your own (http; ntfys:// is https);
// ntfy://ntfy.sh/TOPIC is ntfy.sh too; more topics in ?to=; an access token as ?token=TOKEN or as the user
// (ntfy://tk_…@HOST/…), ?auth=basic|token to say which. ntfy.sh is always reached over https, as Apprise does.
// Request (binwiederhier/ntfy docs/publish.md, v2.13.0, "Publish as JSON"): POST the JSON object to the
// server's root URL, {topic, title, message, tags, priority}; JSON rather than X-Title headers, because a
// header value cannot carry a title outside Latin-1. Messages are plain text (ntfy renders Markdown in its
// web app only). A message is at most 4,096 bytes ("Limitations"); errors are {code, http, error, link}; a
// 429 (42901 too many requests, 42908 daily quota) comes without Retry-After.

import type { NotifyEvent, NotifyPriority, NotifySeverity } from '../core/notify-event.js';
import { redactor } from '../core/redact.js';
import { basicAuth, jsonObjectOf, postToService, type ServiceAnswer, stringField } from './http-delivery.js';
import type { Notifier, NotifierScheme, ParsedTarget } from './notifier.js';
import { fitOutline, plainText } from './outline.js';
import { type TargetUrl, TargetUrlError } from './target-url.js';
import { refuseHeaders, refuseOtherOptions, serverOrigin } from './url-parts.js';

/** ntfy's public server, for ntfy://TOPIC. */
const NTFY_SH = 'https://ntfy.sh';
/** ntfy's 429 names no wait; its request bucket refills one request per 5 s, a quota by the day. */
const DEFAULT_RETRY_AFTER_S = 60;
const MESSAGE_BYTES = 4096;

/** ntfy's priorities, 1 (min) to 5 (max), named as our scale names them. */
const PRIORITIES: Readonly<Record<NotifyPriority, number>> = { min: 1, low: 2, normal: 3, high: 4, max: 5 };

/** ntfy shows a tag that names an emoji as the emoji (docs/emojis.md). */
const SEVERITY_TAGS: Readonly<Record<NotifySeverity, string>> = {
  success: 'white_check_mark',
  info: 'information_source',
  warning: 'warning',
  error: 'x',
};

export type NtfyAuth = { kind: 'basic'; user: string; password: string } | { kind: 'token'; token: string };

export interface NtfyOptions {
  id: string;
  /** The server, e.g. "https://ntfy.sh" or "http://ntfy.lan:8080". */
  origin: string;
  topic: string;
  auth?: NtfyAuth;
  failurePriority?: NotifyPriority;
  fetch: typeof fetch;
  timeoutMs: number;
}

/** The JSON ntfy publishes: the event in plain text, within ntfy's message size. */
export function ntfyMessage(event: NotifyEvent, topic: string, failurePriority?: NotifyPriority) {
  const outline = fitOutline(event, (o) => Buffer.byteLength(plainText(o), 'utf8') <= MESSAGE_BYTES);
  const priority =
    failurePriority !== undefined && (event.kind === 'failure' || event.kind === 'gave_up')
      ? { priority: PRIORITIES[failurePriority] }
      : {};
  return {
    topic,
    title: outline.title,
    message: plainText(outline),
    tags: [SEVERITY_TAGS[event.severity]],
    ...priority,
  };
}

export function createNtfyNotifier(opts: NtfyOptions): Notifier {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.auth?.kind === 'token') headers.authorization = `Bearer ${opts.auth.token}`;
  if (opts.auth?.kind === 'basic') headers.authorization = basicAuth(opts.auth.user, opts.auth.password);
  // The encoded credentials too, should a fetch ever quote the headers it was given.
  const redact = redactor([...secretsOf(opts.auth), headers.authorization ?? '']);
  return {
    id: opts.id,
    scheme: 'ntfy',
    async send(event: NotifyEvent): Promise<void> {
      await postToService({
        service: 'ntfy',
        // The root URL, not the topic's: that is where ntfy reads a JSON message.
        url: `${opts.origin}/`,
        headers,
        body: JSON.stringify(ntfyMessage(event, opts.topic, opts.failurePriority)),
        fetch: opts.fetch,
        timeoutMs: opts.timeoutMs,
        redact,
        reasonOf: ntfyReason,
        defaultRetryAfterSeconds: DEFAULT_RETRY_AFTER_S,
      });
    },
  };
}

/** "unauthorized (code 40101)". */
function ntfyReason(answer: ServiceAnswer): string | undefined {
  const json = jsonObjectOf(answer.text);
  const error = stringField(json, 'error');
  if (error === undefined) return undefined;
  return typeof json?.code === 'number' ? `${error} (code ${json.code})` : error;
}

const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;

export const ntfyScheme: NotifierScheme = {
  service: 'ntfy',
  schemes: ['ntfy', 'ntfys'],
  priorities: true,
  parse(url: TargetUrl): ParsedTarget[] {
    refuseOtherOptions(
      url,
      ['to', 'token', 'auth'],
      '; a priority for failures is the target\'s "priority:" in notify:',
    );
    refuseHeaders(url);
    // As Apprise decides: a host followed by topics is a server of your own (ntfy://ntfy/alerts, a container's
    // name, included); a URL without a path is ntfy.sh, where the "host" is the topic (ntfy://TOPIC).
    const cloudHost = url.host.toLowerCase() === 'ntfy.sh';
    const ownServer = url.path.length > 0 && !cloudHost;
    const listed = (url.query.get('to') ?? '').split(/[\s,]+/).filter((topic) => topic !== '');
    const topics = [...(ownServer || cloudHost ? url.path : [url.host, ...url.path]), ...listed];
    if (topics.length === 0) throw new TargetUrlError('names no topic: ntfy://TOPIC or ntfy://HOST/TOPIC');
    if (!topics.every((topic) => TOPIC.test(topic))) {
      throw new TargetUrlError('has a topic that is not 1-64 letters, digits, - or _');
    }
    const origin = ownServer ? serverOrigin(url, url.scheme === 'ntfys') : NTFY_SH;
    const auth = authOf(url);
    const host = ownServer ? url.host.toLowerCase() : 'ntfy.sh';
    return [...new Set(topics)].map((topic) => ({
      id: `${url.scheme}://${host}/${topic}`,
      secrets: secretsOf(auth),
      origin,
      create: (id, context) =>
        createNtfyNotifier({
          id,
          origin,
          topic,
          auth,
          failurePriority: context.failurePriority,
          fetch: context.fetch,
          timeoutMs: context.timeoutMs,
        }),
    }));
  },
};

function secretsOf(auth: NtfyAuth | undefined): string[] {
  if (!auth) return [];
  return auth.kind === 'token' ? [auth.token] : [auth.password];
}

/** Apprise's rules: ?token=, or ?auth=token with the token as user or password, or tk_… alone; else user:pass. */
function authOf(url: TargetUrl): NtfyAuth | undefined {
  const mode = url.query.get('auth');
  if (mode !== undefined && mode !== 'basic' && mode !== 'token') {
    throw new TargetUrlError('has an ?auth= other than basic or token');
  }
  const queryToken = url.query.get('token');
  if (queryToken !== undefined && mode !== 'basic') {
    if (queryToken === '') throw new TargetUrlError('has an empty ?token=');
    return { kind: 'token', token: queryToken };
  }
  const { user, password } = url;
  if (user === undefined && password === undefined) {
    if (mode !== undefined) throw new TargetUrlError('says ?auth= but holds no credentials');
    return undefined;
  }
  const tokenAlone = user?.startsWith('tk_') && !password;
  if (mode === 'token' || (mode === undefined && tokenAlone)) {
    const token = password || user;
    if (!token) throw new TargetUrlError('says ?auth=token but holds no token');
    return { kind: 'token', token };
  }
  if (!user || !password) throw new TargetUrlError('has a user without a password (write user:password@host)');
  return { kind: 'basic', user, password };
}
