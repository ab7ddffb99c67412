// Telegram: the tgram:// URL (Apprise's syntax) and the Bot API sender. Maps every outcome to the error
// class the dispatcher acts on: RetryLaterError (429), PermanentError (other 4xx), plain Error (5xx,
// network, timeout).
//
// URL, as Apprise's Telegram plugin reads it (caronc/apprise apprise/plugins/telegram.py, 2025, and its
// wiki page Notify_telegram): tgram://[bot]BOT_TOKEN/CHAT_ID[/CHAT_ID…][?to=CHAT_ID,…], where BOT_TOKEN
// is "123456789:AAH…" (the bot's numeric id, a colon, the secret) and a chat id is a number (negative
// for groups) or a @channel name. Request: Bot API sendMessage (https://core.telegram.org/bots/api).

import type { NotifyEvent, TelegramHtml } from '../core/notify-event.js';
import { PermanentError } from '../core/errors.js';
import type { EnvLookup, Notifier, NotifierScheme, ParsedTarget } from './notifier.js';
import { RetryLaterError } from './notifier.js';
import { retryAfterSeconds } from './http-delivery.js';
import { TargetUrlError, type TargetUrl } from './target-url.js';
import { checkTelegram } from './telegram-check.js';
import { telegramMessage, toTelegramText } from './telegram-text.js';
import { describeFetchFailure } from '../core/fetch-failure.js';
import { redactor } from '../core/redact.js';
import { TIMING } from '../core/timing.js';

export interface TelegramOptions {
  /** The target id (tgram://BOT_ID/CHAT_ID, or the name given); default "tgram". */
  id?: string;
  /** e.g. "https://api.telegram.org"; configurable so tests and self-hosted Bot API servers work. */
  baseUrl: string;
  token: string;
  chatId: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Telegram normally says how long to wait; when it does not, wait long enough not to be banned. */
const DEFAULT_RETRY_AFTER_S = 30;
/** A description is one sentence; anything longer is not Telegram talking (a proxy page, say). */
const DESCRIPTION_LIMIT = 500;

export function createTelegramNotifier(opts: TelegramOptions): Notifier {
  const fetchFn = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? TIMING.outboundRequestTimeoutMs;
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/bot${opts.token}/sendMessage`;
  // The token is part of the URL path, and fetch implementations may echo the URL in their
  // errors; every message we throw goes through this so the token cannot reach a log.
  const redact = redactor([opts.token]);

  async function post(message: TelegramHtml): Promise<void> {
    const body = JSON.stringify({
      chat_id: opts.chatId,
      text: toTelegramText(message),
      parse_mode: 'HTML',
      disable_web_page_preview: true,
    });

    let res: Response;
    try {
      res = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      // No `cause`: the raw error may carry the URL, and loggers serialize causes.
      throw new Error(redact(`Telegram request failed: ${describeFetchFailure(err, timeoutMs)}`));
    }

    let text = '';
    let readFailure: string | undefined;
    try {
      text = await res.text();
    } catch (err) {
      readFailure = describeFetchFailure(err, timeoutMs);
    }
    const reply = parseReply(text);
    const description = reply.description ?? (res.statusText || 'no description');

    if (res.status >= 200 && res.status < 300) {
      if (reply.ok === true) return;
      // Only ok:true proves delivery; anything else (a proxy page, a cut-off body) may heal.
      const why = readFailure ? `reading the reply failed: ${readFailure}` : 'the reply lacks "ok": true';
      throw new Error(redact(`Telegram answered HTTP ${res.status} but ${why}`));
    }
    if (res.status === 429) {
      const seconds = reply.retryAfter ?? retryAfterSeconds(res.headers.get('retry-after')) ?? DEFAULT_RETRY_AFTER_S;
      throw new RetryLaterError(
        redact(`Telegram rate limit (HTTP 429): ${description}; retry in ${seconds} s`),
        seconds * 1000,
      );
    }
    if (res.status >= 400 && res.status < 500) {
      throw new PermanentError(redact(`Telegram refused the message (HTTP ${res.status}): ${description}`));
    }
    if (res.status >= 500) {
      throw new Error(redact(`Telegram server error (HTTP ${res.status}): ${description}`));
    }
    throw new Error(redact(`Telegram answered unexpected HTTP ${res.status}: ${description}`));
  }

  return {
    id: opts.id ?? 'tgram',
    scheme: 'tgram',
    send: (event: NotifyEvent) => post(telegramMessage(event)),
    sendTelegramHtml: post,
  };
}

/** The Telegram API's own host; TELEGRAM_API_URL points elsewhere (a local Bot API server, a test's fake). */
const TELEGRAM_API_URL = 'https://api.telegram.org';
const BOT_TOKEN = /^(?:bot)?(\d+):([A-Za-z0-9_-]+)$/;
const CHAT_ID = /^(-?\d{1,32}|@?[A-Za-z_-][A-Za-z0-9_-]+)$/;

export const telegramScheme: NotifierScheme = {
  service: 'Telegram',
  schemes: ['tgram'],
  priorities: false,
  parse(url: TargetUrl, env: EnvLookup): ParsedTarget[] {
    // Apprise also reads tgram://user@TOKEN/…, where the userinfo is ignored; the token is the host.
    const token = BOT_TOKEN.exec(url.host);
    if (!token) throw new TargetUrlError('needs the bot token as tgram://123456789:ABC…/CHAT_ID');
    const [, botId = '', secret = ''] = token;
    const botToken = `${botId}:${secret}`;
    const unknown = [...url.query.keys()].filter((name) => name !== 'to');
    if (unknown.length > 0) {
      throw new TargetUrlError(`has options this service does not read: ${unknown.join(', ')} (only ?to=)`);
    }
    const chats = [...url.path, ...(url.query.get('to') ?? '').split(/[\s,]+/).filter((c) => c !== '')];
    if (chats.length === 0) {
      throw new TargetUrlError('names no chat id: tgram://BOT_TOKEN/CHAT_ID (finding the owner is not supported)');
    }
    const bad = chats.find((chat) => !CHAT_ID.test(chat));
    if (bad !== undefined) throw new TargetUrlError('has a chat id that is neither a number nor a @channel name');
    const baseUrl = (env('TELEGRAM_API_URL') ?? TELEGRAM_API_URL).replace(/\/+$/, '');
    // One target per chat: each has its own queue, so a chat that refuses never repeats another's message.
    return [...new Set(chats)].map((chat) => ({
      // The bot id is public (it is the bot's user id); the part after the colon is the secret.
      id: `tgram://${botId}/${chat}`,
      secrets: [botToken],
      create: (id, context) =>
        createTelegramNotifier({
          id,
          baseUrl,
          token: botToken,
          chatId: chat,
          fetch: context.fetch,
          timeoutMs: context.timeoutMs,
        }),
      origin: new URL(baseUrl).origin,
      check: (id, context) =>
        checkTelegram({
          id,
          baseUrl,
          token: botToken,
          chatId: chat,
          fetch: context.fetch,
          timeoutMs: context.timeoutMs,
        }),
    }));
  },
};

interface TelegramReply {
  ok?: boolean;
  description?: string;
  retryAfter?: number;
}

function parseReply(text: string): TelegramReply {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof json !== 'object' || json === null) return {};
  const o = json as Record<string, unknown>;
  const out: TelegramReply = {};
  if (typeof o.ok === 'boolean') out.ok = o.ok;
  if (typeof o.description === 'string' && o.description.length > 0) {
    out.description = o.description.slice(0, DESCRIPTION_LIMIT);
  }
  const params = o.parameters;
  if (typeof params === 'object' && params !== null) {
    const ra = (params as Record<string, unknown>).retry_after;
    if (typeof ra === 'number' && Number.isFinite(ra) && ra >= 0) out.retryAfter = Math.ceil(ra);
  }
  return out;
}
