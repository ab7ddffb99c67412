// Slack: the incoming-webhook URLs, the exact request against a fake Slack on 127.0.0.1, the blocks within
// Slack's limits with every dynamic value in plain_text, each answer class, and no secret in any error.
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
import { RetryLaterError } from './notifier.js';
import { escapeSlack, SLACK_LIMITS, type SlackBlock, type SlackMessage, slackMessage } from './slack-blocks.js';

const SECRET = 'TIiajkdnlazkcOXrIdevi7';
const URL = `slack://T1JJ3T3L2/A1BRTD4JD/${SECRET}`;

describe('Slack URLs', () => {
  it.each([
    [URL, 'slack'],
    [`${URL}/`, 'slack'],
    [`https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/${SECRET}`, 'https'],
  ])('reads %s; the third part is the secret', (url, scheme) => {
    expect(targetsOf(url).map((t) => [t.id, t.scheme, t.secrets])).toEqual([
      ['slack://T1JJ3T3L2/A1BRTD4JD', scheme, [SECRET]],
    ]);
  });

  it.each([
    ['a bot token', 'slack://xoxb-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d', /only incoming webhooks are built in/],
    ['two parts', 'slack://T1JJ3T3L2/A1BRTD4JD', /needs the webhook secret as its third part/],
    ['a bad part', `slack://T1JJ3T3L2/A1-BRTD4JD/${SECRET}`, /needs the incoming webhook as slack:\/\//],
    ['a channel', `${URL}/general`, /names channels/],
    ['a channel as ?to=', `${URL}?to=general`, /names channels/],
    ['a bot name', `slack://bot@T1JJ3T3L2/A1BRTD4JD/${SECRET}`, /posts under its app name/],
    ['an option', `${URL}?footer=yes`, /does not read: footer \(it reads none\)/],
  ])('refuses %s, the secret masked', (_what, url, problem) => {
    const message = refusalOf(url);
    expect(message).toMatch(problem);
    expect(message).not.toContain(SECRET);
  });

  it('has no priority', () => {
    expect(refusalOf(URL, { priority: 'max' })).toMatch(/Slack has no message priority/);
  });
});

describe('the Slack notifier', () => {
  let slack: FakeServer;
  beforeEach(async () => {
    slack = await startFakeServer({ status: 200, body: 'ok' });
  });
  afterEach(async () => {
    await slack.close();
  });
  const notifier = (o: { fetch?: typeof fetch } = {}) => notifierFor(URL, { env: { SLACK_API_URL: slack.url }, ...o });

  it('POSTs the message to /services/A/B/C: one coloured attachment of blocks', async () => {
    const n = notifier();
    expect([n.id, n.scheme]).toEqual(['slack://T1JJ3T3L2/A1BRTD4JD', 'slack']);
    await n.send(failureEvent());
    const [req] = slack.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe(`/services/T1JJ3T3L2/A1BRTD4JD/${SECRET}`);
    expect(req?.headers['content-type']).toBe('application/json');
    const plain = (text: string) => ({ type: 'plain_text', text, emoji: true });
    const label = (text: string) => ({ type: 'mrkdwn', text: `*${text}*` });
    expect(req?.json()).toEqual({
      attachments: [
        {
          color: '#e74c3c',
          fallback: 'Sync Failed - Movie: Movie Title (2024)',
          blocks: [
            { type: 'header', text: plain('Sync Failed - Movie') },
            { type: 'section', text: plain('Movie Title (2024)') },
            {
              type: 'section',
              fields: [
                label('Quality'),
                plain('Bluray-1080p'),
                label('Destination'),
                plain('/mnt/unraid/media/Movies'),
              ],
            },
            { type: 'section', text: label('Error') },
            { type: 'section', text: plain('rsync exit 23: some files vanished') },
            { type: 'context', elements: [plain('Will retry (retry 1/3 in 15 min)')] },
          ],
        },
      ],
    });
  });

  it('shows a title full of markup as it is: in plain_text, where Slack parses nothing', async () => {
    await notifier().send(successEvent({ title: NASTY }));
    const message = slack.requests[0]?.json<SlackMessage>();
    const [, subject] = message?.attachments[0].blocks ?? [];
    expect(subject).toEqual({
      type: 'section',
      text: { type: 'plain_text', text: `${NASTY} (2024)`, emoji: true },
    });
    // Nothing dynamic is in mrkdwn, where "*b*" would turn bold and "<!everyone>" would ping.
    for (const [, event] of everyEvent(NASTY)) {
      for (const text of mrkdwnTexts(slackMessage(event).attachments[0].blocks)) {
        expect(text).not.toContain('Jerry');
      }
    }
  });

  it('escapes &, < and > in mrkdwn, and colours by severity', () => {
    expect(escapeSlack('a & b <!everyone> c')).toBe('a &amp; b &lt;!everyone&gt; c');
    const summary = slackMessage(summaryEvent({ needsAttentionTotal: 3 })).attachments[0];
    expect(summary.color).toBe('#f39c12');
    expect(mrkdwnTexts(summary.blocks)).toContain('*🔴 Needs Attention (3)*');
    expect(slackMessage(successEvent()).attachments[0].color).toBe('#2ecc71');
  });

  it('keeps every event within Slack’s limits, however long its parts', () => {
    const long = `${NASTY} `.repeat(300);
    const events = [
      ...everyEvent(long).map(([, e]) => e),
      failureEvent({ title: long }, 'rsync: error\n'.repeat(3000)),
      summaryEvent({ failedTitles: Array(50).fill(long), needsAttention: Array(50).fill(long) }),
    ];
    for (const event of events) {
      const { blocks } = slackMessage(event).attachments[0];
      expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
      for (const block of blocks) {
        if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
        if ('fields' in block) {
          expect(block.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldsPerSection);
          for (const f of block.fields) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.field);
        }
        if (block.type === 'section' && 'text' in block) {
          expect(block.text.text.length).toBeGreaterThan(0);
          expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
        }
      }
    }
  });

  it('waits the Retry-After of a 429', async () => {
    slack.respondWith({ status: 429, headers: { 'retry-after': '30' }, body: { ok: false, error: 'ratelimited' } });
    const err = await rejection(notifier().send(successEvent()));
    expect(err).toBeInstanceOf(RetryLaterError);
    expect(err instanceof RetryLaterError && err.retryAfterMs).toBe(30_000);
    expect(err.message).toBe('Slack rate limit (HTTP 429): Too Many Requests; retry in 30 s');
  });

  it.each([
    [400, 'invalid_payload'],
    [403, 'action_prohibited'],
    [404, 'channel_not_found'],
    [410, 'channel_is_archived'],
  ])('gives up on HTTP %i %s', async (status, word) => {
    slack.respondWith({ status, body: word });
    const err = await rejection(notifier().send(successEvent()));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`Slack refused the message (HTTP ${status}): ${word}`);
  });

  it('retries a 500 rollup_error, and keeps the secret out of a network error', async () => {
    slack.respondWith({ status: 500, body: 'rollup_error' });
    const err = await rejection(notifier().send(successEvent()));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe('Slack server error (HTTP 500): rollup_error');

    const echoed = await rejection(notifier({ fetch: echoingFetch }).send(successEvent()));
    expect(echoed.message).toContain('/services/T1JJ3T3L2/A1BRTD4JD/[REDACTED]');
    expectNoSecret(echoed, [SECRET]);
  });
});

function mrkdwnTexts(blocks: SlackBlock[]): string[] {
  return blocks.flatMap((block) => {
    if (block.type === 'context') return [];
    if ('fields' in block) return block.fields.filter((f) => f.type === 'mrkdwn').map((f) => f.text);
    return block.text.type === 'mrkdwn' ? [block.text.text] : [];
  });
}
