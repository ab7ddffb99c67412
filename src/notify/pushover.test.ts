// Pushover: the pover:// URL, the exact form POSTed to /1/messages.json against a fake Pushover on 127.0.0.1
// (html=1, priorities, retry and expire for an emergency, devices), HTML escaping and Pushover's limits, each
// answer class (the monthly quota's reset time included), and no key in any error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../core/errors.js';
import { NOTIFY_PRIORITIES } from '../core/notify-event.js';
import { type FakeServer, startFakeServer } from '../../test/support/fake-http.js';
import { everyEvent, failureEvent, gaveUpEvent, NASTY, successEvent } from '../../test/support/notify-events.js';
import {
  echoingFetch,
  expectNoSecret,
  notifierFor,
  refusalOf,
  rejection,
  targetsOf,
} from '../../test/support/notify-targets.js';
import { RetryLaterError } from './notifier.js';
import { outlineOf } from './outline.js';
import { escapePushoverHtml, pushoverForm, pushoverHtml } from './pushover.js';

const USER = 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG';
const APP = 'azGDORePK8gMaC0QOYAMyEEuzJnyUi';
const URL = `pover://${USER}@${APP}`;
const EMERGENCY = { retry: 900, expire: 3600 };

describe('Pushover URLs', () => {
  it.each([
    [URL, 'pover://api.pushover.net'],
    [`${URL}/phone/tablet`, 'pover://api.pushover.net/phone/tablet'],
    [`${URL}?to=phone,tablet`, 'pover://api.pushover.net/phone/tablet'],
    [`${URL}?interval=60&expire=600`, 'pover://api.pushover.net'],
  ])('reads %s as %s, both keys its secrets', (url, id) => {
    expect(targetsOf(url).map((t) => [t.id, t.secrets])).toEqual([[id, [USER, APP]]]);
  });

  it.each([
    ['no user key', `pover://${APP}`, /needs the user key before the @/],
    ['a password', `pover://${USER}:x@${APP}`, /needs the user key before the @/],
    ['a bad token', `pover://${USER}@app-token!`, /needs the application token after the @/],
    ['a bad device', `${URL}/my%20phone`, /device name that is not 1-25/],
    ['a short retry', `${URL}?retry=10`, /\?retry= that is not whole seconds from 30 to 10800/],
    ['a long expire', `${URL}?expire=20000`, /\?expire= that is not whole seconds/],
    ['a ?priority=', `${URL}?priority=emergency`, /does not read: priority .*"priority:" in notify:/],
    ['a ?sound=', `${URL}?sound=siren`, /does not read: sound/],
  ])('refuses %s, the keys masked', (_what, url, problem) => {
    const message = refusalOf(url);
    expect(message).toMatch(problem);
    expect(message).not.toContain(USER);
    expect(message).not.toContain(APP);
  });
});

describe('the Pushover notifier', () => {
  let pushover: FakeServer;
  beforeEach(async () => {
    pushover = await startFakeServer({ status: 200, body: { status: 1, request: '647d2300-702c-4b38-8b2f' } });
  });
  afterEach(async () => {
    await pushover.close();
  });
  const notifier = (url = URL, o: { priority?: 'max' | 'high'; fetch?: typeof fetch } = {}) =>
    notifierFor(url, { env: { PUSHOVER_API_URL: `${pushover.url}/` }, ...o });

  it('POSTs the form to /1/messages.json: keys, HTML message, title, timestamp', async () => {
    const n = notifier(`${URL}/phone`);
    expect([n.id, n.scheme]).toEqual(['pover://api.pushover.net/phone', 'pover']);
    await n.send(successEvent());
    const [req] = pushover.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/1/messages.json');
    expect(req?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req?.body))).toEqual({
      token: APP,
      user: USER,
      message:
        '<b>Movie Title (2024)</b>\n\n<b>Quality:</b> Bluray-1080p\n<b>Size:</b> 14.0 GB\n' +
        '<b>Duration:</b> 45.2s\n<b>Destination:</b> /mnt/unraid/media/Movies',
      html: '1',
      title: 'Movie Synced',
      timestamp: '1714557646',
      device: 'phone',
    });
  });

  it('maps the failure priority onto -2..2; an emergency repeats until acknowledged (retry, expire)', () => {
    const form = (priority: (typeof NOTIFY_PRIORITIES)[number]) =>
      Object.fromEntries(
        pushoverForm(failureEvent(), {
          userKey: USER,
          appToken: APP,
          devices: [],
          emergency: EMERGENCY,
          failurePriority: priority,
        }),
      );
    expect(NOTIFY_PRIORITIES.map((p) => form(p).priority)).toEqual(['-2', '-1', '0', '1', '2']);
    expect(form('high')).not.toHaveProperty('retry');
    expect(form('max')).toMatchObject({ priority: '2', retry: '900', expire: '3600' });
    const success = pushoverForm(successEvent(), {
      userKey: USER,
      appToken: APP,
      devices: [],
      emergency: EMERGENCY,
      failurePriority: 'max',
    });
    expect(success.has('priority')).toBe(false);
  });

  it('sends the URL’s interval and expire with an emergency', async () => {
    await notifier(`${URL}?interval=60&expire=600`, { priority: 'max' }).send(gaveUpEvent());
    const form = new URLSearchParams(pushover.requests[0]?.body);
    expect([form.get('priority'), form.get('retry'), form.get('expire')]).toEqual(['2', '60', '600']);
  });

  it('escapes &, < and > as numeric references, so a title reads as it is', () => {
    expect(escapePushoverHtml(NASTY)).toBe('Tom &#38; Jerry _a_ *b* [c](d) ~e~ `f` \\ &#60;g&#62; @everyone');
    expect(pushoverHtml(outlineOf(failureEvent({ title: NASTY })))).toMatch(
      /^<b>Tom &#38; Jerry _a_ \*b\* \[c\]\(d\) ~e~ `f` \\ &#60;g&#62; @everyone \(2024\)<\/b>\n/,
    );
  });

  it('keeps the message within 1,024 characters and the title within 250', () => {
    const long = `${NASTY} 🎬 `.repeat(200);
    for (const [, event] of [...everyEvent(long), ['error', failureEvent({}, long)] as const]) {
      const form = pushoverForm(
        { ...event, title: long },
        { userKey: USER, appToken: APP, devices: [], emergency: EMERGENCY },
      );
      expect([...(form.get('message') ?? '')].length).toBeLessThanOrEqual(1024);
      expect([...(form.get('title') ?? '')].length).toBeLessThanOrEqual(250);
      // Cut values, never cut markup: every tag opened is closed.
      const message = form.get('message') ?? '';
      expect(message.split('<b>').length).toBe(message.split('</b>').length);
      expect(message.split('<i>').length).toBe(message.split('</i>').length);
    }
  });

  it('waits until the monthly quota resets on a 429', async () => {
    const reset = Math.floor(Date.now() / 1000) + 7200;
    pushover.respondWith({
      status: 429,
      headers: { 'x-limit-app-limit': '10000', 'x-limit-app-remaining': '0', 'x-limit-app-reset': String(reset) },
      body: { status: 0, errors: ['application has exceeded its monthly message limit'], request: 'r' },
    });
    const err = await rejection(notifier().send(successEvent()));
    expect(err).toBeInstanceOf(RetryLaterError);
    const ms = err instanceof RetryLaterError ? err.retryAfterMs : 0;
    expect(ms).toBeGreaterThan(7_100_000);
    expect(ms).toBeLessThanOrEqual(7_200_000);
    expect(err.message).toMatch(
      /^Pushover rate limit \(HTTP 429\): application has exceeded its monthly message limit;/,
    );
  });

  it('gives up on a 4xx with Pushover’s errors, and never shows a key', async () => {
    pushover.respondWith({
      status: 400,
      body: { user: 'invalid', errors: [`user identifier ${USER} is invalid`], status: 0, request: 'r' },
    });
    const err = await rejection(notifier().send(successEvent()));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe('Pushover refused the message (HTTP 400): user identifier [REDACTED] is invalid');
    expectNoSecret(err, [USER, APP]);
  });

  it('retries a 5xx, and keeps both keys out of a network error', async () => {
    pushover.respondWith({ status: 500, body: 'oops' });
    const err = await rejection(notifier().send(successEvent()));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe('Pushover server error (HTTP 500): Internal Server Error');
    const echoed = await rejection(notifier(URL, { fetch: echoingFetch }).send(successEvent()));
    expect(echoed.message).toMatch(/^Pushover request failed: request to http:\/\/127\.0\.0\.1:\d+\/1\/messages\.json/);
    expectNoSecret(echoed, [USER, APP]);
  });
});
