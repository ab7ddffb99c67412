// Pushover: the pover:// URL and the Messages API sender.
//
// URL, as Apprise reads it (caronc/apprise apprise/plugins/pushover.py, v1.13.0): pover://USER_KEY@APP_TOKEN,
// devices as path parts or ?to=, and for an emergency (priority 2) ?expire= and ?interval= (appriseit.com's
// page spells the latter ?retry=; both are read). Request (pushover.net/api, the Messages API as read through
// its client implementations, 2026): POST /1/messages.json, form-encoded token, user, title (at most 250
// characters), message (at most 1,024), html=1, priority -2..2, retry (at least 30 s) and expire (at most
// 10,800 s) for priority 2, device, timestamp. A 4xx is final ("repeating your same request will not work"),
// with {status: 0, errors: […]}; a 5xx may be retried; a 429 means the monthly quota is spent, until the
// time X-Limit-App-Reset names (Unix seconds).

import type { NotifyEvent, NotifyPriority } from '../core/notify-event.js';
import { redactor } from '../core/redact.js';
import { jsonObjectOf, postToService, type ServiceAnswer } from './http-delivery.js';
import type { EnvLookup, Notifier, NotifierScheme, ParsedTarget } from './notifier.js';
import { clip, fitOutline, type Outline, type OutlineField } from './outline.js';
import { type TargetUrl, TargetUrlError } from './target-url.js';
import { refuseHeaders, refuseOtherOptions } from './url-parts.js';

/** Pushover's API; PUSHOVER_API_URL points elsewhere (a relay, a test's fake). */
const PUSHOVER_API_URL = 'https://api.pushover.net';
/** A 429 without a reset time: the quota is monthly, so try again in an hour rather than hammer. */
const DEFAULT_RETRY_AFTER_S = 3600;
const MESSAGE_LIMIT = 1024;
const TITLE_LIMIT = 250;
/** Apprise's defaults for an emergency: repeat every 15 minutes for an hour until someone acknowledges it. */
const EMERGENCY_DEFAULTS = { retry: 900, expire: 3600 };

/** Pushover's -2..2, named as our scale names them; 2 (emergency) repeats until acknowledged. */
const PRIORITIES: Readonly<Record<NotifyPriority, number>> = { min: -2, low: -1, normal: 0, high: 1, max: 2 };

/** `&`, `<` and `>` as numeric references, the entities Pushover's HTML reads whatever its table of names. */
export function escapePushoverHtml(text: string): string {
  return text.replace(/&/g, '&#38;').replace(/</g, '&#60;').replace(/>/g, '&#62;');
}

/** The event as Pushover's HTML (html=1): the name and labels in bold, notes in italics, lines as lines. */
export function pushoverHtml(outline: Outline): string {
  const [name, ...rest] = outline.subject.map(escapePushoverHtml);
  const blocks = [[name === undefined ? '' : `<b>${name}</b>`, ...rest].join('\n')];
  const line = (f: OutlineField) => `<b>${escapePushoverHtml(f.label)}:</b> ${escapePushoverHtml(f.value)}`;
  const short = outline.fields.filter((f) => !f.long);
  if (short.length > 0) blocks.push(short.map(line).join('\n'));
  for (const f of outline.fields.filter((field) => field.long)) blocks.push(line(f));
  for (const list of outline.lists) {
    const items = list.items.map((item) => `• ${escapePushoverHtml(item)}`);
    if (list.more > 0) items.push(`<i>…and ${list.more} more</i>`);
    blocks.push([`<b>${escapePushoverHtml(list.label)}:</b>`, ...items].join('\n'));
  }
  if (outline.notes.length > 0) blocks.push(outline.notes.map((n) => `<i>${escapePushoverHtml(n)}</i>`).join('\n'));
  return blocks.filter((block) => block !== '').join('\n\n');
}

/** Characters as Pushover counts them (code points). */
const characters = (text: string): number => [...text].length;

export interface PushoverOptions {
  id: string;
  /** e.g. "https://api.pushover.net". */
  baseUrl: string;
  userKey: string;
  appToken: string;
  devices: readonly string[];
  emergency: { retry: number; expire: number };
  failurePriority?: NotifyPriority;
  fetch: typeof fetch;
  timeoutMs: number;
}

/** The form Pushover reads, in the order its documentation lists the parameters. */
export function pushoverForm(
  event: NotifyEvent,
  opts: Omit<PushoverOptions, 'id' | 'baseUrl' | 'fetch' | 'timeoutMs'>,
) {
  const outline = fitOutline(event, (o) => characters(pushoverHtml(o)) <= MESSAGE_LIMIT);
  const form = new URLSearchParams({
    token: opts.appToken,
    user: opts.userKey,
    message: pushoverHtml(outline),
    html: '1',
    title: clip(outline.title, TITLE_LIMIT),
    timestamp: String(Math.floor(new Date(event.at).getTime() / 1000)),
  });
  if (opts.devices.length > 0) form.set('device', opts.devices.join(','));
  const failure = event.kind === 'failure' || event.kind === 'gave_up';
  if (failure && opts.failurePriority !== undefined) {
    const priority = PRIORITIES[opts.failurePriority];
    form.set('priority', String(priority));
    if (priority === 2) {
      form.set('retry', String(opts.emergency.retry));
      form.set('expire', String(opts.emergency.expire));
    }
  }
  return form;
}

export function createPushoverNotifier(opts: PushoverOptions): Notifier {
  const redact = redactor([opts.userKey, opts.appToken]);
  return {
    id: opts.id,
    scheme: 'pover',
    async send(event: NotifyEvent): Promise<void> {
      await postToService({
        service: 'Pushover',
        url: `${opts.baseUrl.replace(/\/+$/, '')}/1/messages.json`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: pushoverForm(event, opts).toString(),
        fetch: opts.fetch,
        timeoutMs: opts.timeoutMs,
        redact,
        reasonOf: pushoverReason,
        retryAfterOf: (answer) => untilReset(answer.headers.get('x-limit-app-reset')),
        defaultRetryAfterSeconds: DEFAULT_RETRY_AFTER_S,
      });
    },
  };
}

/** "user identifier is invalid; application token is invalid". */
function pushoverReason(answer: ServiceAnswer): string | undefined {
  const errors = jsonObjectOf(answer.text)?.errors;
  if (!Array.isArray(errors)) return undefined;
  return errors.filter((e): e is string => typeof e === 'string').join('; ') || undefined;
}

/** Seconds until the Unix time X-Limit-App-Reset names. */
function untilReset(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Math.max(0, Number(value) - Math.floor(Date.now() / 1000));
}

const KEY = /^[A-Za-z0-9]{1,64}$/;
const DEVICE = /^[A-Za-z0-9_-]{1,25}$/;

export const pushoverScheme: NotifierScheme = {
  service: 'Pushover',
  schemes: ['pover'],
  priorities: true,
  parse(url: TargetUrl, env: EnvLookup): ParsedTarget[] {
    refuseOtherOptions(
      url,
      ['to', 'expire', 'interval', 'retry'],
      '; a priority for failures is the target\'s "priority:" in notify:',
    );
    refuseHeaders(url);
    const userKey = url.user;
    const appToken = url.host;
    if (userKey === undefined || !KEY.test(userKey) || url.password !== undefined) {
      throw new TargetUrlError('needs the user key before the @: pover://USER_KEY@APP_TOKEN');
    }
    if (!KEY.test(appToken))
      throw new TargetUrlError('needs the application token after the @: pover://USER_KEY@APP_TOKEN');
    const devices = [...url.path, ...(url.query.get('to') ?? '').split(/[\s,]+/).filter((d) => d !== '')];
    if (!devices.every((device) => DEVICE.test(device))) {
      throw new TargetUrlError('has a device name that is not 1-25 letters, digits, - or _');
    }
    const emergency = {
      retry: seconds(url, url.query.has('interval') ? 'interval' : 'retry', EMERGENCY_DEFAULTS.retry, 30),
      expire: seconds(url, 'expire', EMERGENCY_DEFAULTS.expire, 30),
    };
    const baseUrl = env('PUSHOVER_API_URL') ?? PUSHOVER_API_URL;
    const unique = [...new Set(devices)];
    return [
      {
        // Both keys are secrets; what is left to tell one target from another is its devices (or a name).
        id: `pover://api.pushover.net${unique.map((d) => `/${d}`).join('')}`,
        secrets: [userKey, appToken],
        origin: new URL(baseUrl).origin,
        create: (id, context) =>
          createPushoverNotifier({
            id,
            baseUrl,
            userKey,
            appToken,
            devices: unique,
            emergency,
            failurePriority: context.failurePriority,
            fetch: context.fetch,
            timeoutMs: context.timeoutMs,
          }),
      },
    ];
  },
};

/** An emergency's ?interval=/?retry= or ?expire=: whole seconds from `min` to 10,800 (Pushover's ceiling). */
function seconds(url: TargetUrl, name: string, fallback: number, min: number): number {
  const raw = url.query.get(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > 10_800) {
    throw new TargetUrlError(`has a ?${name}= that is not whole seconds from ${min} to 10800`);
  }
  return Number(raw);
}
