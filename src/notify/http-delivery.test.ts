// The answer classes every HTTP notifier shares, against a real server on 127.0.0.1: what is delivery, what
// waits (429), what is final (4xx, redirects), what may heal (5xx, network, timeout), and that no error
// quotes a secret.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../core/errors.js';
import { redactor } from '../core/redact.js';
import { type FakeServer, startFakeServer } from '../../test/support/fake-http.js';
import { echoingFetch, expectNoSecret, rejection } from '../../test/support/notify-targets.js';
import { jsonObjectOf, postToService, retryAfterSeconds, type ServiceRequest, stringField } from './http-delivery.js';
import { RetryLaterError } from './notifier.js';

const SECRET = 'hook-s3cret-Token';

describe('postToService', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const request = (extra: Partial<ServiceRequest> = {}): ServiceRequest => ({
    service: 'Example',
    url: `${server.url}/hooks/${SECRET}`,
    headers: { 'content-type': 'application/json' },
    body: '{"a":1}',
    fetch: globalThis.fetch,
    timeoutMs: 5_000,
    redact: redactor([SECRET]),
    reasonOf: (answer) => stringField(jsonObjectOf(answer.text), 'error'),
    defaultRetryAfterSeconds: 42,
    ...extra,
  });

  it('POSTs the body with the headers given and its own user agent, and resolves with a 2xx answer', async () => {
    server.respondWith({ status: 204 });
    const answer = await postToService(request());
    expect(answer.status).toBe(204);
    const [req] = server.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe(`/hooks/${SECRET}`);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['user-agent']).toBe('sync-webhook');
    expect(req?.body).toBe('{"a":1}');
  });

  it('waits what the body names first, then Retry-After (seconds or a date), then the default', async () => {
    server.respondWith({ status: 429, headers: { 'retry-after': '9' }, body: { error: 'slow down', wait: 1.5 } });
    const fromBody = await rejection(
      postToService(request({ retryAfterOf: (a) => Number(jsonObjectOf(a.text)?.wait) })),
    );
    expect(fromBody).toBeInstanceOf(RetryLaterError);
    expect(fromBody.message).toBe('Example rate limit (HTTP 429): slow down; retry in 2 s');
    expect(fromBody instanceof RetryLaterError && fromBody.retryAfterMs).toBe(1_500);

    const header = await rejection(postToService(request()));
    expect(header instanceof RetryLaterError && header.retryAfterMs).toBe(9_000);

    server.respondWith({ status: 429, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } });
    const date = await rejection(postToService(request()));
    expect(date instanceof RetryLaterError && date.retryAfterMs).toBeGreaterThanOrEqual(58_000);
    expect(date instanceof RetryLaterError && date.retryAfterMs).toBeLessThanOrEqual(60_000);

    server.respondWith({ status: 429, body: 'no hint' });
    const fallback = await rejection(postToService(request()));
    expect(fallback.message).toBe('Example rate limit (HTTP 429): Too Many Requests; retry in 42 s');
    expect(fallback instanceof RetryLaterError && fallback.retryAfterMs).toBe(42_000);
  });

  it.each([400, 401, 403, 404, 410, 422])('gives up on HTTP %i with the service’s reason', async (status) => {
    server.respondWith({ status, body: { error: `bad thing for ${SECRET}` } });
    const err = await rejection(postToService(request()));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`Example refused the message (HTTP ${status}): bad thing for [REDACTED]`);
  });

  it('uses the status text when the service gives no reason, and cuts a long one', async () => {
    server.respondWith({ status: 404, body: '<html>gone</html>' });
    expect((await rejection(postToService(request()))).message).toBe(
      'Example refused the message (HTTP 404): Not Found',
    );
    server.respondWith({ status: 400, body: { error: `${'x'.repeat(400)}\n\n  tail` } });
    const long = await rejection(postToService(request()));
    expect(long.message).toMatch(/^Example refused the message \(HTTP 400\): x{299}…$/);
  });

  it.each([500, 502, 503])('retries HTTP %i', async (status) => {
    server.respondWith({ status, body: { error: 'upstream down' } });
    const err = await rejection(postToService(request()));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err).not.toBeInstanceOf(RetryLaterError);
    expect(err.message).toBe(`Example server error (HTTP ${status}): upstream down`);
  });

  it('does not follow a redirect, which would resend the secrets elsewhere; it is final', async () => {
    server.respondWith({ status: 301, headers: { location: `https://elsewhere.invalid/${SECRET}` } });
    const err = await rejection(postToService(request()));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(
      "Example answered with a redirect (HTTP 301); check the URL's scheme (http or https) and host",
    );
    expect(server.requests).toHaveLength(1);
  });

  it('treats a refused connection, a dropped one and a timeout as transient, without the URL', async () => {
    const dead = await startFakeServer();
    await dead.close();
    const refused = await rejection(postToService(request({ url: `${dead.url}/hooks/${SECRET}` })));
    expect(refused.message).toMatch(/^Example request failed: .*ECONNREFUSED/);
    expect(refused.cause).toBeUndefined();
    expectNoSecret(refused, [SECRET]);

    server.respondWith({ destroy: true });
    expect((await rejection(postToService(request()))).message).toMatch(/^Example request failed: /);

    server.respondWith({ hang: true });
    const timeout = await rejection(postToService(request({ timeoutMs: 200 })));
    expect(timeout).not.toBeInstanceOf(PermanentError);
    expect(timeout.message).toBe('Example request failed: timed out after 0.2 s');
  });

  it('redacts the secrets when the fetch implementation quotes the URL', async () => {
    const err = await rejection(postToService(request({ fetch: echoingFetch })));
    expect(err.message).toMatch(/^Example request failed: request to http:\/\/127\.0\.0\.1:\d+\/hooks\/\[REDACTED\]/);
    expectNoSecret(err, [SECRET]);
  });
});

describe('retryAfterSeconds', () => {
  it.each([
    ['120', 120],
    [' 7 ', 7],
    ['0.5', 0.5],
    ['soon', undefined],
    ['-3', undefined],
  ])('reads %j as %j', (value, seconds) => {
    expect(retryAfterSeconds(value)).toBe(seconds);
  });

  it('reads a date in the past as no wait, and nothing as nothing', () => {
    expect(retryAfterSeconds(new Date(Date.now() - 5_000).toUTCString())).toBe(0);
    expect(retryAfterSeconds(null)).toBeUndefined();
  });
});
