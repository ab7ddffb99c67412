// Slack: the slack:// URL of an incoming webhook (and the hooks.slack.com URL Slack shows), and its sender.
//
// URL, as Apprise reads it (caronc/apprise apprise/plugins/slack.py, v1.13.0): slack://TOKEN_A/TOKEN_B/TOKEN_C
// for https://hooks.slack.com/services/TOKEN_A/TOKEN_B/TOKEN_C. Apprise's bot tokens (xoxb-…), channel
// targets and bot names are refused: an incoming webhook posts as its app, to the channel it was made for
// (docs.slack.dev "Sending messages using incoming webhooks"). Answers: 200 "ok"; 400 invalid_payload,
// 403 action_prohibited, 404 channel_not_found, 410 channel_is_archived, 500 rollup_error (api.slack.com
// changelog 2016-05-17); 429 with a Retry-After header in seconds (api.slack.com/docs/rate-limits).

import type { NotifyEvent } from '../core/notify-event.js';
import { redactor } from '../core/redact.js';
import { postToService, type ServiceAnswer } from './http-delivery.js';
import type { EnvLookup, Notifier, NotifierScheme, ParsedTarget } from './notifier.js';
import { slackMessage } from './slack-blocks.js';
import { type TargetUrl, TargetUrlError } from './target-url.js';
import { refuseHeaders, refuseOtherOptions } from './url-parts.js';

/** Slack's webhook host; SLACK_API_URL points elsewhere (a relay, a test's fake). */
const SLACK_API_URL = 'https://hooks.slack.com';
/** Slack sends Retry-After with every 429; without one, a minute keeps the webhook from being disabled. */
const DEFAULT_RETRY_AFTER_S = 60;

export interface SlackOptions {
  id: string;
  /** e.g. "https://hooks.slack.com". */
  baseUrl: string;
  /** The webhook's three path parts after /services/; the last is the secret. */
  tokens: readonly [string, string, string];
  fetch: typeof fetch;
  timeoutMs: number;
}

export function createSlackNotifier(opts: SlackOptions): Notifier {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/services/${opts.tokens.map(encodeURIComponent).join('/')}`;
  const redact = redactor([opts.tokens[2]]);
  return {
    id: opts.id,
    scheme: 'slack',
    async send(event: NotifyEvent): Promise<void> {
      await postToService({
        service: 'Slack',
        url,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(slackMessage(event)),
        fetch: opts.fetch,
        timeoutMs: opts.timeoutMs,
        redact,
        reasonOf: slackReason,
        defaultRetryAfterSeconds: DEFAULT_RETRY_AFTER_S,
      });
    },
  };
}

/** Slack answers a refusal with one word ("channel_is_archived"); anything longer is not Slack's. */
function slackReason(answer: ServiceAnswer): string | undefined {
  const text = answer.text.trim();
  return /^[a-z_]{1,64}$/.test(text) ? text : undefined;
}

const TEAM_OR_HOOK = /^[A-Z0-9]{1,32}$/i;
const SECRET = /^[A-Za-z0-9]{1,64}$/;

export const slackScheme: NotifierScheme = {
  service: 'Slack',
  schemes: ['slack'],
  priorities: false,
  readsNativeUrl: (url) =>
    url.scheme === 'https' && url.host.toLowerCase() === 'hooks.slack.com' && url.path[0] === 'services',
  parse(url: TargetUrl, env: EnvLookup): ParsedTarget[] {
    const parts = url.scheme === 'slack' ? [url.host, ...url.path] : url.path.slice(1);
    const [team, hook, secret, ...channels] = parts;
    if (team?.startsWith('xox')) {
      throw new TargetUrlError('holds a bot token; only incoming webhooks are built in (slack://T…/B…/SECRET)');
    }
    if (team === undefined || hook === undefined || !TEAM_OR_HOOK.test(team) || !TEAM_OR_HOOK.test(hook)) {
      throw new TargetUrlError('needs the incoming webhook as slack://TOKEN_A/TOKEN_B/TOKEN_C');
    }
    if (secret === undefined || !SECRET.test(secret)) {
      throw new TargetUrlError('needs the webhook secret as its third part: slack://TOKEN_A/TOKEN_B/TOKEN_C');
    }
    if (channels.length > 0 || url.query.has('to')) {
      throw new TargetUrlError('names channels; an incoming webhook posts only to the channel it was made for');
    }
    if (url.user !== undefined || url.password !== undefined) {
      throw new TargetUrlError('names a bot; an incoming webhook posts under its app name');
    }
    refuseOtherOptions(url, []);
    refuseHeaders(url);
    const baseUrl = env('SLACK_API_URL') ?? SLACK_API_URL;
    return [
      {
        // The workspace and webhook ids name the webhook; only the third part lets anyone post.
        id: `slack://${team}/${hook}`,
        secrets: [secret],
        origin: new URL(baseUrl).origin,
        create: (id, context) =>
          createSlackNotifier({
            id,
            baseUrl,
            tokens: [team, hook, secret],
            fetch: context.fetch,
            timeoutMs: context.timeoutMs,
          }),
      },
    ];
  },
};
