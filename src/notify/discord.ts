// Discord: the discord:// URL and the webhook URL Discord shows, and the Execute Webhook sender.
//
// URL, as Apprise reads it (caronc/apprise apprise/plugins/discord.py, v1.13.0): discord://WEBHOOK_ID/WEBHOOK_TOKEN,
// discord://BOTNAME@WEBHOOK_ID/WEBHOOK_TOKEN, ?botname= and ?thread=; and the native
// https://discord.com/api/webhooks/WEBHOOK_ID/WEBHOOK_TOKEN (discordapp.com too). Request: Execute Webhook
// (discord-api-docs, resources/webhook, 2026-08): POST /webhooks/{id}/{token}?wait=true with `embeds`,
// `username` and `allowed_mentions`; `wait` makes Discord confirm the message was saved. Rate limit
// (topics/rate-limits): 429 with a JSON `retry_after` in seconds (a float) and a Retry-After header.

import type { NotifyEvent } from '../core/notify-event.js';
import { redactor } from '../core/redact.js';
import { discordEmbed } from './discord-embed.js';
import { jsonObjectOf, postToService, type ServiceAnswer, secondsField, stringField } from './http-delivery.js';
import type { EnvLookup, Notifier, NotifierScheme, ParsedTarget } from './notifier.js';
import { type TargetUrl, TargetUrlError } from './target-url.js';
import { refuseHeaders, refuseOtherOptions } from './url-parts.js';

/** Discord's API; DISCORD_API_URL points elsewhere (a relay, a test's fake). */
const DISCORD_API_URL = 'https://discord.com/api';
/** Discord always says how long to wait; if an answer ever does not, this is long enough not to be banned. */
const DEFAULT_RETRY_AFTER_S = 30;

export interface DiscordOptions {
  id: string;
  /** e.g. "https://discord.com/api". */
  baseUrl: string;
  webhookId: string;
  webhookToken: string;
  /** Shown as the sender instead of the webhook's own name. */
  username?: string;
  /** A thread of the webhook's channel (a forum channel needs one). */
  threadId?: string;
  fetch: typeof fetch;
  timeoutMs: number;
}

export function createDiscordNotifier(opts: DiscordOptions): Notifier {
  const query = new URLSearchParams({ wait: 'true' });
  if (opts.threadId) query.set('thread_id', opts.threadId);
  const url =
    `${opts.baseUrl.replace(/\/+$/, '')}/webhooks/${encodeURIComponent(opts.webhookId)}/` +
    `${encodeURIComponent(opts.webhookToken)}?${query}`;
  const redact = redactor([opts.webhookToken]);
  return {
    id: opts.id,
    scheme: 'discord',
    async send(event: NotifyEvent): Promise<void> {
      const body = {
        ...(opts.username ? { username: opts.username } : {}),
        embeds: [discordEmbed(event)],
        // Nobody is pinged, whatever a title says ("@everyone" included).
        allowed_mentions: { parse: [] },
      };
      await postToService({
        service: 'Discord',
        url,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        fetch: opts.fetch,
        timeoutMs: opts.timeoutMs,
        redact,
        reasonOf: discordReason,
        retryAfterOf: (answer) => secondsField(jsonObjectOf(answer.text), 'retry_after'),
        defaultRetryAfterSeconds: DEFAULT_RETRY_AFTER_S,
      });
    },
  };
}

/** "Invalid Form Body (code 50035): embeds.0.title: Must be 256 or fewer in length." */
function discordReason(answer: ServiceAnswer): string | undefined {
  const json = jsonObjectOf(answer.text);
  const message = stringField(json, 'message');
  if (message === undefined) return undefined;
  const code = typeof json?.code === 'number' && json.code !== 0 ? ` (code ${json.code})` : '';
  const details = fieldErrors(json?.errors, '').slice(0, 3);
  return `${message}${code}${details.length > 0 ? `: ${details.join('; ')}` : ''}`;
}

/** Discord nests form errors by field path, each with `_errors: [{code, message}]`. */
function fieldErrors(node: unknown, path: string): string[] {
  if (typeof node !== 'object' || node === null) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === '_errors' && Array.isArray(value)) {
      for (const item of value) {
        const message = typeof item === 'object' && item !== null && 'message' in item ? item.message : undefined;
        if (typeof message === 'string') out.push(path === '' ? message : `${path}: ${message}`);
      }
    } else {
      out.push(...fieldErrors(value, path === '' ? key : `${path}.${key}`));
    }
  }
  return out;
}

const WEBHOOK_ID = /^\d{1,30}$/;
const WEBHOOK_TOKEN = /^[A-Za-z0-9_-]{1,200}$/;
const NATIVE_HOST = /^(?:(?:canary|ptb)\.)?discord(?:app)?\.com$/i;
const OPTIONS = ['botname', 'thread'];

export const discordScheme: NotifierScheme = {
  service: 'Discord',
  schemes: ['discord'],
  priorities: false,
  readsNativeUrl: (url) => (url.scheme === 'https' || url.scheme === 'http') && NATIVE_HOST.test(url.host),
  parse(url: TargetUrl, env: EnvLookup): ParsedTarget[] {
    const [webhookId, webhookToken, ...rest] =
      url.scheme === 'discord' ? [url.host, ...url.path] : nativeWebhookPath(url.path);
    if (webhookId === undefined || !WEBHOOK_ID.test(webhookId)) {
      throw new TargetUrlError('needs the webhook id (a number) as discord://WEBHOOK_ID/WEBHOOK_TOKEN');
    }
    if (webhookToken === undefined || !WEBHOOK_TOKEN.test(webhookToken)) {
      throw new TargetUrlError('needs the webhook token after the id: discord://WEBHOOK_ID/WEBHOOK_TOKEN');
    }
    if (rest.length > 0) throw new TargetUrlError('has more path after the webhook token than Discord reads');
    refuseOtherOptions(url, OPTIONS);
    refuseHeaders(url);
    if (url.password !== undefined || (url.scheme !== 'discord' && url.user !== undefined)) {
      throw new TargetUrlError('has a user or password; Discord reads only a bot name, as discord://BOTNAME@…');
    }
    const username = url.query.get('botname') || (url.scheme === 'discord' ? url.user : undefined) || undefined;
    // Discord refuses such a name on every message (resources/webhook, "Create Webhook"): refuse it at start.
    if (username !== undefined && (username.length > 80 || /clyde|discord/i.test(username))) {
      throw new TargetUrlError('has a bot name Discord refuses: at most 80 characters, without "discord" or "clyde"');
    }
    const threadId = url.query.get('thread') || undefined;
    if (threadId !== undefined && !WEBHOOK_ID.test(threadId))
      throw new TargetUrlError('has a ?thread= that is not a number');
    const baseUrl = env('DISCORD_API_URL') ?? DISCORD_API_URL;
    return [
      {
        // The webhook id names the webhook; only its token lets anyone post.
        id: `discord://${webhookId}${threadId ? `/thread/${threadId}` : ''}`,
        secrets: [webhookToken],
        origin: new URL(baseUrl).origin,
        create: (id, context) =>
          createDiscordNotifier({
            id,
            baseUrl,
            webhookId,
            webhookToken,
            username,
            threadId,
            fetch: context.fetch,
            timeoutMs: context.timeoutMs,
          }),
      },
    ];
  },
};

/** The id and token of https://discord.com/api[/v10]/webhooks/ID/TOKEN; nothing when the path is another. */
function nativeWebhookPath(path: readonly string[]): (string | undefined)[] {
  const [api, second, ...rest] = path;
  if (api !== 'api') return [];
  if (second === 'webhooks') return rest;
  if (second !== undefined && /^v\d+$/.test(second) && rest[0] === 'webhooks') return rest.slice(1);
  return [];
}
