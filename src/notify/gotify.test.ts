// Gotify: the URLs, the exact POST /message against a fake Gotify on 127.0.0.1 (token in X-Gotify-Key,
// Markdown extras, priority on Gotify's 0-10), Markdown escaping, each answer class, no token in any error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../core/errors.js';
import { NOTIFY_PRIORITIES } from '../core/notify-event.js';
import { type FakeServer, startFakeServer } from '../../test/support/fake-http.js';
import { failureEvent, gaveUpEvent, NASTY, successEvent, summaryEvent } from '../../test/support/notify-events.js';
import {
  echoingFetch,
  expectNoSecret,
  notifierFor,
  refusalOf,
  rejection,
  targetsOf,
} from '../../test/support/notify-targets.js';
import { escapeMarkdown, gotifyMarkdown } from './gotify.js';
import { outlineOf } from './outline.js';

const TOKEN = 'AzyoeNS.D4iJMVq';

describe('Gotify URLs', () => {
  it.each([
    [`gotify://gotify.lan/${TOKEN}`, 'gotify://gotify.lan'],
    [`gotifys://Push.Example.com:8443/${TOKEN}`, 'gotifys://push.example.com:8443'],
    [`gotify://10.0.0.5/sub/path/${TOKEN}`, 'gotify://10.0.0.5/sub/path'],
  ])('reads %s as %s, the token its secret', (url, id) => {
    expect(targetsOf(url).map((t) => [t.id, t.secrets])).toEqual([[id, [TOKEN]]]);
  });

  it.each([
    ['no token', 'gotify://gotify.lan', /needs the application token last/],
    ['no host', `gotify:///${TOKEN}`, /needs a server host name/],
    ['a bad token', 'gotify://gotify.lan/to%20ken', /needs the application token last/],
    ['credentials', `gotify://me:pw@gotify.lan/${TOKEN}`, /reads only the application token/],
    ['a ?priority=', `gotify://gotify.lan/${TOKEN}?priority=high`, /does not read: priority/],
  ])('refuses %s, the token masked', (_what, url, problem) => {
    const message = refusalOf(url);
    expect(message).toMatch(problem);
    expect(message).not.toContain(TOKEN);
  });
});

describe('the Gotify notifier', () => {
  let gotify: FakeServer;
  beforeEach(async () => {
    gotify = await startFakeServer({ status: 200, body: { id: 25, appid: 5, message: 'm', date: '2024-05-01' } });
  });
  afterEach(async () => {
    await gotify.close();
  });
  const url = (path = '') => `gotify://127.0.0.1:${gotify.port}${path}/${TOKEN}`;

  it('POSTs /message with the token in X-Gotify-Key and the message as Markdown', async () => {
    const n = notifierFor(url('/gotify'));
    expect([n.id, n.scheme]).toEqual([`gotify://127.0.0.1:${gotify.port}/gotify`, 'gotify']);
    await n.send(successEvent());
    const [req] = gotify.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/gotify/message');
    expect(req?.headers['x-gotify-key']).toBe(TOKEN);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.json()).toEqual({
      title: 'Movie Synced',
      message:
        '**Movie Title \\(2024\\)**\n\n**Quality:** Bluray\\-1080p  \n**Size:** 14\\.0 GB  \n' +
        '**Duration:** 45\\.2s  \n**Destination:** \\/mnt\\/unraid\\/media\\/Movies',
      extras: { 'client::display': { contentType: 'text/markdown' } },
    });
  });

  it('gives failures the target’s priority on Gotify’s 0-10, other kinds the application’s default', async () => {
    const sent: number[] = [];
    for (const priority of NOTIFY_PRIORITIES) {
      gotify.reset();
      await notifierFor(url(), { priority }).send(gaveUpEvent());
      sent.push(gotify.requests[0]?.json<{ priority: number }>().priority ?? -1);
    }
    expect(sent).toEqual([0, 3, 5, 8, 10]);
    gotify.reset();
    await notifierFor(url(), { priority: 'max' }).send(successEvent());
    expect(gotify.requests[0]?.json()).not.toHaveProperty('priority');
  });

  it('shows a title full of Markdown as it is: every punctuation character escaped', () => {
    expect(escapeMarkdown(NASTY)).toBe(
      'Tom \\& Jerry \\_a\\_ \\*b\\* \\[c\\]\\(d\\) \\~e\\~ \\`f\\` \\\\ \\<g\\> \\@everyone',
    );
    expect(escapeMarkdown('line one\n# two\n1. three')).toBe('line one  \n\\# two  \n1\\. three');
    expect(gotifyMarkdown(outlineOf(failureEvent({ title: NASTY })))).toContain(
      `**${escapeMarkdown(NASTY)} \\(2024\\)**\n\n`,
    );
  });

  it('lays lists out as Markdown lists', () => {
    expect(gotifyMarkdown(outlineOf(summaryEvent({ failedTotal: 3 })))).toContain(
      '**⚠️ Failed Syncs:**\n\n- Broken Movie \\(2023\\)\n- Series \\- S02E03\n- *…and 1 more*',
    );
  });

  it('gives up when Gotify refuses the token, with Gotify’s words', async () => {
    gotify.respondWith({
      status: 401,
      body: {
        error: 'Unauthorized',
        errorCode: 401,
        errorDescription: 'you need to provide a valid access token or user credentials to access this api',
      },
    });
    const err = await rejection(notifierFor(url()).send(successEvent()));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(
      'Gotify refused the message (HTTP 401): Unauthorized: you need to provide a valid access token or user ' +
        'credentials to access this api',
    );
  });

  it('waits a 429 from a proxy, retries a 5xx, and keeps the token out of a network error', async () => {
    gotify.respondWith({ status: 429, headers: { 'retry-after': '12' } });
    expect((await rejection(notifierFor(url()).send(successEvent()))).message).toBe(
      'Gotify rate limit (HTTP 429): Too Many Requests; retry in 12 s',
    );
    gotify.respondWith({ status: 500, body: { error: 'Internal Server Error', errorCode: 500 } });
    const err = await rejection(notifierFor(url()).send(successEvent()));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe('Gotify server error (HTTP 500): Internal Server Error');

    const echoed = await rejection(notifierFor(url(), { fetch: echoingFetch }).send(successEvent()));
    expect(echoed.message).toContain('"x-gotify-key":"[REDACTED]"');
    expectNoSecret(echoed, [TOKEN]);
  });
});
