// Discord: the URLs (Apprise's and the one Discord shows), the exact Execute Webhook request against a fake
// Discord on 127.0.0.1, the embed within Discord's limits, each answer class, and no token in any error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../core/errors.js';
import { type FakeServer, startFakeServer } from '../../test/support/fake-http.js';
import { everyEvent, failureEvent, NASTY, successEvent, summaryEvent } from '../../test/support/notify-events.js';
import {
  echoingFetch,
  expectNoSecret,
  notifierFor,
  refusalOf,
  rejection,
  targetsOf,
} from '../../test/support/notify-targets.js';
import { type DiscordEmbed, discordEmbed, EMBED_LIMITS, embedLength, escapeDiscordMarkdown } from './discord-embed.js';
import { RetryLaterError } from './notifier.js';

const ID = '417429632418316298';
const TOKEN = 'JHZ7lQml277CDHmQKMHI8qBe7bk2ZwO5UKjCiOAF7711o33MyqU344Qpgv7YTpadV_js';

describe('Discord URLs', () => {
  it.each([
    [`discord://${ID}/${TOKEN}`, `discord://${ID}`],
    [`discord://${ID}/${TOKEN}/`, `discord://${ID}`],
    [`discord://Sync%20Bot@${ID}/${TOKEN}`, `discord://${ID}`],
    [`discord://${ID}/${TOKEN}?botname=Sync&thread=1234567890`, `discord://${ID}/thread/1234567890`],
    [`https://discord.com/api/webhooks/${ID}/${TOKEN}`, `discord://${ID}`],
    [`https://discordapp.com/api/webhooks/${ID}/${TOKEN}`, `discord://${ID}`],
    [`https://canary.discord.com/api/v10/webhooks/${ID}/${TOKEN}?thread=77`, `discord://${ID}/thread/77`],
  ])('reads %s as %s, the token its secret', (url, id) => {
    expect(targetsOf(url).map((t) => [t.id, t.scheme, t.secrets])).toEqual([[id, url.split(':')[0], [TOKEN]]]);
  });

  it.each([
    ['no token', `discord://${ID}`, /needs the webhook token after the id/],
    ['an id that is no number', `discord://webhook/${TOKEN}`, /needs the webhook id \(a number\)/],
    ['more path', `discord://${ID}/${TOKEN}/more`, /more path after the webhook token/],
    ['a bad token', `discord://${ID}/${TOKEN}!`, /needs the webhook token/],
    ['an option it does not read', `discord://${ID}/${TOKEN}?avatar=no`, /does not read: avatar/],
    ['a thread that is no number', `discord://${ID}/${TOKEN}?thread=general`, /\?thread= that is not a number/],
    ['a password', `discord://bot:pw@${ID}/${TOKEN}`, /reads only a bot name/],
    ['a bot name Discord refuses', `discord://${ID}/${TOKEN}?botname=My%20Discord%20Bot`, /bot name Discord refuses/],
    ['a header', `discord://${ID}/${TOKEN}?+X-Key=1`, /\?\+Header= options/],
    ['another Discord path', `https://discord.com/api/channels/${ID}/${TOKEN}`, /needs the webhook id/],
  ])('refuses %s, the token masked', (_what, url, problem) => {
    const message = refusalOf(url);
    expect(message).toMatch(/^SYNC_NOTIFY_URLS \(URL 1 of 1\) \(/);
    expect(message).toMatch(problem);
    expect(message).not.toContain(TOKEN);
  });

  it('has no priority', () => {
    expect(refusalOf(`discord://${ID}/${TOKEN}`, { priority: 'high' })).toMatch(/Discord has no message priority/);
  });
});

describe('the Discord notifier', () => {
  let discord: FakeServer;
  beforeEach(async () => {
    discord = await startFakeServer({ status: 200, body: { id: '1', type: 0 } });
  });
  afterEach(async () => {
    await discord.close();
  });
  const notifier = (url = `discord://${ID}/${TOKEN}`, o: { fetch?: typeof fetch; timeoutMs?: number } = {}) =>
    notifierFor(url, { env: { DISCORD_API_URL: `${discord.url}/api/` }, ...o });

  it('POSTs Execute Webhook with wait=true: one embed, nobody pinged', async () => {
    const n = notifier();
    expect([n.id, n.scheme]).toEqual([`discord://${ID}`, 'discord']);
    await n.send(successEvent());
    const [req] = discord.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe(`/api/webhooks/${ID}/${TOKEN}?wait=true`);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.json()).toEqual({
      embeds: [
        {
          title: 'Movie Synced',
          description: '**Movie Title (2024)**',
          color: 0x2ecc71,
          timestamp: '2024-05-01T10:00:46.200Z',
          fields: [
            { name: 'Quality', value: 'Bluray-1080p', inline: true },
            { name: 'Size', value: '14.0 GB', inline: true },
            { name: 'Duration', value: '45.2s', inline: true },
            { name: 'Destination', value: '/mnt/unraid/media/Movies', inline: true },
          ],
        },
      ],
      allowed_mentions: { parse: [] },
    });
  });

  it('sends the bot name as username and posts into the thread', async () => {
    await notifier(`discord://Sync%20Bot@${ID}/${TOKEN}?thread=99`).send(successEvent());
    expect(discord.requests[0]?.url).toBe(`/api/webhooks/${ID}/${TOKEN}?wait=true&thread_id=99`);
    expect(discord.requests[0]?.json<{ username: string }>().username).toBe('Sync Bot');
  });

  it('shows a title full of markdown as it is, and pings nobody', async () => {
    await notifier().send(failureEvent({ title: NASTY }));
    const body = discord.requests[0]?.json<{ embeds: DiscordEmbed[]; allowed_mentions: unknown }>();
    expect(body?.embeds[0]?.description).toBe(
      '**Tom & Jerry \\_a\\_ \\*b\\* \\[c\\](d) \\~e\\~ \\`f\\` \\\\ \\<g> @everyone (2024)**\n\n' +
        '*Will retry (retry 1/3 in 15 min)*',
    );
    expect(body?.allowed_mentions).toEqual({ parse: [] });
  });

  it('colours by severity', () => {
    expect(discordEmbed(failureEvent()).color).toBe(0xe74c3c);
    expect(discordEmbed(summaryEvent()).color).toBe(0xf39c12);
    expect(discordEmbed(summaryEvent({ failed: 0, needsAttentionTotal: 0, needsAttention: [] })).color).toBe(0x3498db);
  });

  it('keeps every event within Discord’s limits, however long its parts', () => {
    const long = `${NASTY} `.repeat(200);
    const events = [
      ...everyEvent(long).map(([, e]) => e),
      failureEvent({ title: long }, `${'rsync: error\n'.repeat(2000)}`),
      summaryEvent({ failedTitles: Array(50).fill(long), needsAttention: Array(50).fill(long) }),
    ];
    for (const event of events) {
      const embed = discordEmbed(event);
      expect(embed.title.length).toBeLessThanOrEqual(EMBED_LIMITS.title);
      expect(embed.description.length).toBeLessThanOrEqual(EMBED_LIMITS.description);
      expect(embed.fields.length).toBeLessThanOrEqual(EMBED_LIMITS.fields);
      for (const f of embed.fields) {
        expect(f.name.length).toBeLessThanOrEqual(EMBED_LIMITS.name);
        expect(f.value.length).toBeGreaterThan(0);
        expect(f.value.length).toBeLessThanOrEqual(EMBED_LIMITS.value);
      }
      expect(embedLength(embed)).toBeLessThanOrEqual(EMBED_LIMITS.total);
    }
  });

  it('waits the retry_after of a 429 (seconds, a float), before the Retry-After header', async () => {
    discord.respondWith({
      status: 429,
      headers: { 'retry-after': '65' },
      body: { message: 'You are being rate limited.', retry_after: 64.57, global: false },
    });
    const err = await rejection(notifier().send(successEvent()));
    expect(err).toBeInstanceOf(RetryLaterError);
    expect(err instanceof RetryLaterError && err.retryAfterMs).toBe(64_570);
    expect(err.message).toBe('Discord rate limit (HTTP 429): You are being rate limited.; retry in 65 s');

    discord.respondWith({ status: 429, headers: { 'retry-after': '3' }, body: '' });
    const header = await rejection(notifier().send(successEvent()));
    expect(header instanceof RetryLaterError && header.retryAfterMs).toBe(3_000);
  });

  it('gives up on a webhook Discord does not know, naming why, without the token', async () => {
    discord.respondWith({ status: 404, body: { message: 'Unknown Webhook', code: 10015 } });
    const err = await rejection(notifier().send(successEvent()));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe('Discord refused the message (HTTP 404): Unknown Webhook (code 10015)');
    expectNoSecret(err, [TOKEN]);
  });

  it('names the fields of an invalid form body', async () => {
    discord.respondWith({
      status: 400,
      body: {
        code: 50035,
        message: 'Invalid Form Body',
        errors: { embeds: { '0': { title: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Too long.' }] } } } },
      },
    });
    expect((await rejection(notifier().send(successEvent()))).message).toBe(
      'Discord refused the message (HTTP 400): Invalid Form Body (code 50035): embeds.0.title: Too long.',
    );
  });

  it('retries a 5xx, and keeps the token out of a network error', async () => {
    discord.respondWith({ status: 502, body: 'Bad Gateway' });
    const err = await rejection(notifier().send(successEvent()));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe('Discord server error (HTTP 502): Bad Gateway');

    const echoed = await rejection(notifier(undefined, { fetch: echoingFetch }).send(successEvent()));
    expect(echoed.message).toContain(`/api/webhooks/${ID}/[REDACTED]?wait=true`);
    expectNoSecret(echoed, [TOKEN]);
  });
});

describe('escapeDiscordMarkdown', () => {
  it.each([
    ['_a_ *b* ~c~ `d` |e| \\', '\\_a\\_ \\*b\\* \\~c\\~ \\`d\\` \\|e\\| \\\\'],
    ['[link](https://x) <@123> <t:1:R>', '\\[link\\](https://x) \\<@123> \\<t:1:R>'],
    ['# head\n- item\n> quote\n-# small\n1984. list', '\\# head\n\\- item\n\\> quote\n\\-# small\n1984\\. list'],
    ['a-b #1 1. x > y', 'a-b #1 1. x > y'],
    ['14.0 GB\n2. two', '14.0 GB\n2\\. two'],
  ])('escapes %j', (raw, escaped) => {
    expect(escapeDiscordMarkdown(raw)).toBe(escaped);
  });
});
