// The read-only look of `sync-webhook doctor` at the Telegram target: getMe proves the bot token,
// getChat that the bot can reach TELEGRAM_CHAT_ID. Neither sends a message (`sync-webhook test` does).
// Bot API (core.telegram.org/bots/api): https://api.telegram.org/bot<token>/METHOD, GET or POST with
// a JSON body; the answer is {"ok": true, "result": …} or {"ok": false, "description": …}.

import { describeFetchFailure } from '../core/fetch-failure.js';
import type { Finding } from '../core/finding.js';
import { redactor } from '../core/redact.js';

export interface TelegramCheckOptions {
  /** The target's id (tgram://BOT_ID/CHAT_ID, or its name): the subject of each finding. */
  id: string;
  baseUrl: string;
  token: string;
  chatId: string;
  fetch: typeof fetch;
  timeoutMs: number;
}

type BotApiAnswer =
  | { kind: 'result'; result: Record<string, unknown> }
  | { kind: 'refused'; status: number; description: string }
  | { kind: 'unreachable'; reason: string };

const TOKEN_FIX = 'check TELEGRAM_BOT_TOKEN: the token @BotFather gave the bot';
const CHAT_FIX =
  'check TELEGRAM_CHAT_ID, and that the bot is in that chat (add it to the group, or send it /start in a private chat)';

export async function checkTelegram(o: TelegramCheckOptions): Promise<Finding[]> {
  const base = o.baseUrl.replace(/\/+$/, '');
  const redact = redactor([o.token]);
  const call = async (method: string, body?: Record<string, string>): Promise<BotApiAnswer> => {
    const answer = await callBotApi(`${base}/bot${o.token}/${method}`, body, o);
    // The token sits in the URL path, and a fetch error may quote the URL.
    return answer.kind === 'unreachable' ? { ...answer, reason: redact(answer.reason) } : answer;
  };
  const problem = (detail: string, fix: string): Finding[] => [{ level: 'problem', subject: o.id, detail, fix }];

  const bot = await call('getMe');
  if (bot.kind === 'unreachable') {
    return problem(`cannot reach ${base}: ${bot.reason}`, 'check the network, and TELEGRAM_API_URL when it is set');
  }
  if (bot.kind === 'refused') {
    const tokenRefused = bot.status === 401 || bot.status === 404;
    return tokenRefused
      ? problem(`Telegram refused the bot token (${refusal(bot)})`, TOKEN_FIX)
      : problem(`getMe failed (${refusal(bot)})`, 'try again later; check TELEGRAM_API_URL when it is set');
  }
  const chat = await call('getChat', { chat_id: o.chatId });
  if (chat.kind !== 'result') {
    const why = chat.kind === 'refused' ? refusal(chat) : chat.reason;
    return problem(
      `${describeBot(bot.result)} accepts its token, but cannot reach chat ${o.chatId} (${why})`,
      CHAT_FIX,
    );
  }
  return [
    {
      level: 'ok',
      subject: o.id,
      detail: `${describeBot(bot.result)}, ${describeChat(chat.result)} (getMe, getChat)`,
    },
  ];
}

async function callBotApi(
  url: string,
  body: Record<string, string> | undefined,
  o: Pick<TelegramCheckOptions, 'fetch' | 'timeoutMs'>,
): Promise<BotApiAnswer> {
  let res: Response;
  let text: string;
  try {
    res = await o.fetch(url, {
      method: body ? 'POST' : 'GET',
      ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    text = await res.text();
  } catch (error) {
    return { kind: 'unreachable', reason: describeFetchFailure(error, o.timeoutMs) };
  }
  const reply = parseObject(text);
  if (res.ok && reply?.ok === true && isObject(reply.result)) return { kind: 'result', result: reply.result };
  const description = typeof reply?.description === 'string' ? reply.description : res.statusText || 'no description';
  return { kind: 'refused', status: res.status, description: description.slice(0, 300) };
}

function refusal(answer: { status: number; description: string }): string {
  return `HTTP ${answer.status}: ${answer.description}`;
}

function describeBot(user: Record<string, unknown>): string {
  if (typeof user.username === 'string') return `bot @${user.username}`;
  return typeof user.first_name === 'string' ? `bot ${user.first_name}` : 'the bot';
}

/** A group's title, a channel's @name, a person's first name; and the chat's type. */
function describeChat(chat: Record<string, unknown>): string {
  const name =
    typeof chat.title === 'string'
      ? `"${chat.title}"`
      : typeof chat.username === 'string'
        ? `@${chat.username}`
        : typeof chat.first_name === 'string'
          ? chat.first_name
          : String(chat.id);
  return typeof chat.type === 'string' ? `chat ${name} (${chat.type})` : `chat ${name}`;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
