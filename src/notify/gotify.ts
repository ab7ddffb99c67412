// Gotify: the gotify:// and gotifys:// URLs, and the message sender.
//
// URL, as Apprise reads it (caronc/apprise apprise/plugins/gotify.py, v1.13.0): gotify://HOST[:PORT][/PATH]/TOKEN,
// the application token last (http; gotifys:// is https). Request (gotify/server docs/spec.json v3.0.0
// createMessage; gotify.net docs pushmsg.md, msgextras.md, priority.md): POST {PATH}/message with the token
// in the X-Gotify-Key header (as Apprise sends it; never in the query, where proxies log it), JSON
// {title, message, priority, extras: {"client::display": {contentType: "text/markdown"}}}. Without a priority
// Gotify uses the application's default. Errors are {error, errorCode, errorDescription}.

import type { NotifyEvent, NotifyPriority } from '../core/notify-event.js';
import { redactor } from '../core/redact.js';
import { jsonObjectOf, postToService, type ServiceAnswer, stringField } from './http-delivery.js';
import type { Notifier, NotifierScheme, ParsedTarget } from './notifier.js';
import { type Outline, type OutlineField, outlineOf } from './outline.js';
import { type TargetUrl, TargetUrlError } from './target-url.js';
import { pathOf, refuseHeaders, refuseOtherOptions, serverOrigin } from './url-parts.js';

/** Gotify has no rate limit of its own; a proxy in front of it might. */
const DEFAULT_RETRY_AFTER_S = 60;

/** Gotify's 0-10, as Apprise maps its five names onto it (0 shows no notification on Android). */
const PRIORITIES: Readonly<Record<NotifyPriority, number>> = { min: 0, low: 3, normal: 5, high: 8, max: 10 };

/**
 * A backslash before every ASCII punctuation character: CommonMark shows each escaped one as itself (spec
 * 0.31 §2.4), in the web UI (GitHub Flavored Markdown) and the Android app alike. Line breaks become hard
 * breaks, so a multi-line error keeps its lines.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, '\\$&').replace(/\r?\n/g, '  \n');
}

/** The event as CommonMark: the name strong, one line per field, lists as lists, notes in italics. */
export function gotifyMarkdown(outline: Outline): string {
  const [name, ...rest] = outline.subject.map(escapeMarkdown);
  const blocks = [[name === undefined ? '' : `**${name}**`, ...rest].join('  \n')];
  const line = (f: OutlineField) => `**${escapeMarkdown(f.label)}:** ${escapeMarkdown(f.value)}`;
  const short = outline.fields.filter((f) => !f.long);
  if (short.length > 0) blocks.push(short.map(line).join('  \n'));
  for (const f of outline.fields.filter((field) => field.long)) blocks.push(line(f));
  for (const list of outline.lists) {
    const items = list.items.map((item) => `- ${escapeMarkdown(item)}`);
    if (list.more > 0) items.push(`- *…and ${list.more} more*`);
    blocks.push(`**${escapeMarkdown(list.label)}:**\n\n${items.join('\n')}`);
  }
  if (outline.notes.length > 0) blocks.push(outline.notes.map((note) => `*${escapeMarkdown(note)}*`).join('  \n'));
  return blocks.filter((block) => block !== '').join('\n\n');
}

export interface GotifyOptions {
  id: string;
  /** Where /message is, e.g. "https://push.example.com" or "http://10.0.0.5:8080/gotify". */
  baseUrl: string;
  token: string;
  failurePriority?: NotifyPriority;
  fetch: typeof fetch;
  timeoutMs: number;
}

export function createGotifyNotifier(opts: GotifyOptions): Notifier {
  const redact = redactor([opts.token]);
  return {
    id: opts.id,
    scheme: 'gotify',
    async send(event: NotifyEvent): Promise<void> {
      const outline = outlineOf(event);
      const failure = event.kind === 'failure' || event.kind === 'gave_up';
      const body = {
        title: outline.title,
        message: gotifyMarkdown(outline),
        ...(failure && opts.failurePriority !== undefined ? { priority: PRIORITIES[opts.failurePriority] } : {}),
        extras: { 'client::display': { contentType: 'text/markdown' } },
      };
      await postToService({
        service: 'Gotify',
        url: `${opts.baseUrl}/message`,
        headers: { 'content-type': 'application/json', 'x-gotify-key': opts.token },
        body: JSON.stringify(body),
        fetch: opts.fetch,
        timeoutMs: opts.timeoutMs,
        redact,
        reasonOf: gotifyReason,
        defaultRetryAfterSeconds: DEFAULT_RETRY_AFTER_S,
      });
    },
  };
}

/** "Unauthorized: you need to provide a valid access token or user credentials to access this api". */
function gotifyReason(answer: ServiceAnswer): string | undefined {
  const json = jsonObjectOf(answer.text);
  const error = stringField(json, 'error');
  const description = stringField(json, 'errorDescription');
  return [error, description].filter((part) => part !== undefined).join(': ') || undefined;
}

const TOKEN = /^[A-Za-z0-9._-]{1,128}$/;

export const gotifyScheme: NotifierScheme = {
  service: 'Gotify',
  schemes: ['gotify', 'gotifys'],
  priorities: true,
  parse(url: TargetUrl): ParsedTarget[] {
    refuseOtherOptions(url, [], '; a priority for failures is the target\'s "priority:" in notify:');
    refuseHeaders(url);
    if (url.user !== undefined || url.password !== undefined) {
      throw new TargetUrlError('has a user or password; Gotify reads only the application token, last in the path');
    }
    const origin = serverOrigin(url, url.scheme === 'gotifys');
    const token = url.path.at(-1);
    if (token === undefined || !TOKEN.test(token)) {
      throw new TargetUrlError('needs the application token last: gotify://HOST[:PORT][/PATH]/TOKEN');
    }
    const path = pathOf(url.path.slice(0, -1));
    return [
      {
        id: `${url.scheme}://${url.host.toLowerCase()}${path}`,
        secrets: [token],
        origin,
        create: (id, context) =>
          createGotifyNotifier({
            id,
            baseUrl: `${origin}${path}`,
            token,
            failurePriority: context.failurePriority,
            fetch: context.fetch,
            timeoutMs: context.timeoutMs,
          }),
      },
    ];
  },
};
