// The JSON webhook: the URLs (extra headers and Basic credentials as Apprise spells them), the event POSTed as
// it is against a fake receiver on 127.0.0.1, each answer class, and no password or credential header in any
// error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../core/errors.js';
import { type FakeServer, startFakeServer } from '../../test/support/fake-http.js';
import { everyEvent, failureEvent, NASTY } from '../../test/support/notify-events.js';
import {
  echoingFetch,
  expectNoSecret,
  notifierFor,
  refusalOf,
  rejection,
  targetsOf,
} from '../../test/support/notify-targets.js';
import { RetryLaterError } from './notifier.js';

const PASSWORD = 'hook-pa55word';
const API_KEY = 'x-api-key-value-123';

describe('JSON webhook URLs', () => {
  it.each([
    ['json://hooks.lan', 'json://hooks.lan', []],
    ['jsons://Hooks.Example.com:8443/sync/events', 'jsons://hooks.example.com:8443/sync/events', []],
    [`json://me:${PASSWORD}@10.0.0.5:8000/hook`, 'json://10.0.0.5:8000/hook', [PASSWORD]],
    [`json://10.0.0.5/hook?+X-Api-Key=${API_KEY}&+X-Source=sync`, 'json://10.0.0.5/hook', [API_KEY]],
  ])('reads %s as %s; secrets: the password and credential headers', (url, id, secrets) => {
    expect(targetsOf(url).map((t) => [t.id, t.secrets])).toEqual([[id, secrets]]);
  });

  it.each([
    ['no host', 'json:///hook', /needs a server host name/],
    ['a user alone', 'json://me@hooks.lan/hook', /user without a password/],
    ['a method', 'json://hooks.lan/hook?method=PUT', /does not read: method/],
    ['payload extras', 'json://hooks.lan/hook?:title=x', /does not read: :title/],
    ['a bad header name', 'json://hooks.lan/hook?+X%20Key=1', /not an HTTP header name/],
    ['a header with a line break', 'json://hooks.lan/hook?+X-Key=a%0Ab', /value with a line break/],
  ])('refuses %s', (_what, url, problem) => {
    expect(refusalOf(url)).toMatch(problem);
  });

  it('masks the password in an error', () => {
    expect(refusalOf(`json://me:${PASSWORD}@hooks.lan/hook?method=PUT`)).not.toContain(PASSWORD);
  });
});

describe('the JSON webhook notifier', () => {
  let receiver: FakeServer;
  beforeEach(async () => {
    receiver = await startFakeServer({ status: 204 });
  });
  afterEach(async () => {
    await receiver.close();
  });
  const host = () => `127.0.0.1:${receiver.port}`;

  it('POSTs each event exactly as the outbox holds it, with the extra headers and Basic credentials', async () => {
    const n = notifierFor(`json://me:${PASSWORD}@${host()}/sync/events?+X-Api-Key=${API_KEY}&+X-Source=sync`);
    expect([n.id, n.scheme]).toEqual([`json://${host()}/sync/events`, 'json']);
    for (const [, event] of everyEvent(NASTY)) await n.send(event);
    expect(receiver.requests.map((r) => JSON.parse(r.body))).toEqual(everyEvent(NASTY).map(([, e]) => e));
    const [req] = receiver.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/sync/events');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['x-api-key']).toBe(API_KEY);
    expect(req?.headers['x-source']).toBe('sync');
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from(`me:${PASSWORD}`).toString('base64')}`);
    expect(req?.json()).toMatchObject({ kind: 'success', media: { title: NASTY } });
  });

  it('POSTs to / when the URL names no path', async () => {
    await notifierFor(`json://${host()}`).send(failureEvent());
    expect(receiver.requests[0]?.url).toBe('/');
  });

  it('waits a 429’s Retry-After, gives up on a 4xx with the receiver’s words, retries a 5xx', async () => {
    const n = notifierFor(`json://${host()}/hook`);
    receiver.respondWith({ status: 429, headers: { 'retry-after': '20' }, body: 'slow down' });
    const limited = await rejection(n.send(failureEvent()));
    expect(limited instanceof RetryLaterError && limited.retryAfterMs).toBe(20_000);
    expect(limited.message).toBe('JSON webhook rate limit (HTTP 429): slow down; retry in 20 s');

    receiver.respondWith({ status: 422, body: { error: 'unknown kind' } });
    const refused = await rejection(n.send(failureEvent()));
    expect(refused).toBeInstanceOf(PermanentError);
    expect(refused.message).toBe('JSON webhook refused the message (HTTP 422): unknown kind');

    receiver.respondWith({ status: 503, body: '<html><body>down</body></html>' });
    const down = await rejection(n.send(failureEvent()));
    expect(down).not.toBeInstanceOf(PermanentError);
    expect(down.message).toBe('JSON webhook server error (HTTP 503): Service Unavailable');
  });

  it('keeps the password and credential headers out of every error', async () => {
    const url = `json://me:${PASSWORD}@${host()}/hook?+X-Api-Key=${API_KEY}`;
    receiver.respondWith({ status: 401, body: { message: `bad key ${API_KEY}` } });
    const refused = await rejection(notifierFor(url).send(failureEvent()));
    expect(refused.message).toBe('JSON webhook refused the message (HTTP 401): bad key [REDACTED]');
    const echoed = await rejection(notifierFor(url, { fetch: echoingFetch }).send(failureEvent()));
    expectNoSecret(echoed, [PASSWORD, API_KEY, Buffer.from(`me:${PASSWORD}`).toString('base64')]);
  });
});
