import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../core/errors.js';
import type { Job } from '../core/types.js';
import type { FakeServer } from '../../test/support/fake-http.js';
import { startFakeServer } from '../../test/support/fake-http.js';
import { RetryLaterError } from './notifier.js';
import { syncSucceededEvent, testEvent } from './events.js';
import { telegramMessage, toTelegramText } from './telegram-text.js';
import { createTelegramNotifier } from './telegram.js';

const TOKEN = '123456789:AAH-s3cret_Token-xyz';
const CHAT = '-1001234567890';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

function expectNoToken(err: Error): void {
  expect(err.message).not.toContain(TOKEN);
  expect(err.message).not.toContain(encodeURIComponent(TOKEN));
  expect(inspect(err, { depth: 10 })).not.toContain(TOKEN);
  expect(String(err.stack)).not.toContain(TOKEN);
}

describe('createTelegramNotifier', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const notifier = (extra: { timeoutMs?: number; baseUrl?: string } = {}) =>
    createTelegramNotifier({
      baseUrl: extra.baseUrl ?? server.url,
      token: TOKEN,
      chatId: CHAT,
      timeoutMs: extra.timeoutMs ?? 5_000,
    });

  it('carries the id it was given, and the tgram scheme', () => {
    const n = createTelegramNotifier({ id: 'tgram://42/-100', baseUrl: server.url, token: TOKEN, chatId: CHAT });
    expect([n.id, n.scheme]).toEqual(['tgram://42/-100', 'tgram']);
  });

  it('POSTs exactly the sendMessage JSON to /bot<token>/sendMessage', async () => {
    server.respondWith({ status: 200, body: { ok: true, result: { message_id: 1 } } });
    await notifier({ baseUrl: `${server.url}//` }).send(testEvent(new Date()));

    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`/bot${TOKEN}/sendMessage`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toBe(
      JSON.stringify({
        chat_id: CHAT,
        text: '<b>Sync Webhook Test</b>\nIf you see this, notifications are working!',
        parse_mode: 'HTML',
        disable_web_page_preview: true,
      }),
    );
  });

  it('delivers a title full of special characters intact', async () => {
    const nasty = 'Tom & Jerry <3> _a_ *b* [c](d) ~e~ `f` \\ ü 😀';
    const job = {
      id: 1,
      source: 'radarr',
      mediaType: 'movie',
      title: nasty,
      containerPath: '/movies/x',
      details: { title: nasty, year: 2024, quality: 'Bluray-1080p', sizeBytes: 1 },
      bytesTransferred: null,
      durationSeconds: 1,
      error: null,
    } as unknown as Job;
    const event = syncSucceededEvent(job, { dryRun: false }, new Date());
    const message = telegramMessage(event);
    await notifier().send(event);

    const sent = server.requests[0]!.json<{ text: string }>();
    expect(sent.text).toBe(toTelegramText(message));
    expect(sent.text.split('\n')[1]).toBe('<b>Tom &amp; Jerry &lt;3&gt; _a_ *b* [c](d) ~e~ `f` \\ ü 😀</b> (2024)');
  });

  it('turns 429 into RetryLaterError using parameters.retry_after', async () => {
    server.respondWith({
      status: 429,
      headers: { 'retry-after': '99' },
      body: {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 7',
        parameters: { retry_after: 7 },
      },
    });
    const err = await rejection(notifier().send(testEvent(new Date())));
    expect(err).toBeInstanceOf(RetryLaterError);
    expect(err.name).toBe('RetryLaterError');
    expect((err as RetryLaterError).retryAfterMs).toBe(7_000);
    expect(err.message).toBe('Telegram rate limit (HTTP 429): Too Many Requests: retry after 7; retry in 7 s');
    expectNoToken(err);
  });

  it('falls back to the Retry-After header, then to 30 s', async () => {
    server.respondWith({ status: 429, headers: { 'retry-after': '12' }, body: 'slow down' });
    const fromHeader = await rejection(notifier().send(testEvent(new Date())));
    expect((fromHeader as RetryLaterError).retryAfterMs).toBe(12_000);

    server.respondWith({ status: 429, body: { ok: false, description: 'Too Many Requests' } });
    const fallback = await rejection(notifier().send(testEvent(new Date())));
    expect(fallback).toBeInstanceOf(RetryLaterError);
    expect((fallback as RetryLaterError).retryAfterMs).toBe(30_000);
  });

  it.each([
    [400, 'Bad Request: chat not found'],
    [401, 'Unauthorized'],
    [403, 'Forbidden: bot was blocked by the user'],
  ])('turns HTTP %i into PermanentError with Telegram’s description', async (status, description) => {
    server.respondWith({ status, body: { ok: false, error_code: status, description } });
    const err = await rejection(notifier().send(testEvent(new Date())));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe(`Telegram refused the message (HTTP ${status}): ${description}`);
    expectNoToken(err);
  });

  it('uses the status text when a 4xx has no JSON description', async () => {
    server.respondWith({ status: 404, body: '<html>not found</html>' });
    const err = await rejection(notifier().send(testEvent(new Date())));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe('Telegram refused the message (HTTP 404): Not Found');
  });

  it('treats 5xx as transient', async () => {
    server.respondWith({ status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } });
    const err = await rejection(notifier().send(testEvent(new Date())));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err).not.toBeInstanceOf(RetryLaterError);
    expect(err.message).toBe('Telegram server error (HTTP 502): Bad Gateway');
    expectNoToken(err);
  });

  it('treats a 2xx without ok:true as transient, since delivery is not confirmed', async () => {
    server.respondWith({ status: 200, body: '<html>captive portal</html>' });
    const err = await rejection(notifier().send(testEvent(new Date())));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe('Telegram answered HTTP 200 but the reply lacks "ok": true');
  });

  it('treats a refused connection as transient, naming the cause', async () => {
    const dead = await startFakeServer();
    const url = dead.url;
    await dead.close();
    const err = await rejection(notifier({ baseUrl: url }).send(testEvent(new Date())));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/^Telegram request failed: .*ECONNREFUSED/);
    expect(err.cause).toBeUndefined();
    expectNoToken(err);
  });

  it('treats a dropped connection as transient', async () => {
    server.respondWith({ destroy: true });
    const err = await rejection(notifier().send(testEvent(new Date())));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toMatch(/^Telegram request failed: /);
    expectNoToken(err);
  });

  it('gives up waiting after timeoutMs', async () => {
    server.respondWith({ hang: true });
    const err = await rejection(notifier({ timeoutMs: 200 }).send(testEvent(new Date())));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe('Telegram request failed: timed out after 0.2 s');
    expect(server.requests).toHaveLength(1);
  });

  it('redacts the token even when the fetch implementation echoes the URL', async () => {
    // Not a stand-in for Telegram: a fetch whose errors quote the URL, as some implementations do.
    const echoing = (async (url: string | URL | Request) => {
      throw new TypeError(`request to ${String(url)} failed`, { cause: new Error(`GET ${String(url)}`) });
    }) as typeof fetch;
    const n = createTelegramNotifier({
      baseUrl: 'https://api.telegram.org',
      token: TOKEN,
      chatId: CHAT,
      fetch: echoing,
    });
    const err = await rejection(n.send(testEvent(new Date())));
    expect(err.message).toBe(
      'Telegram request failed: request to https://api.telegram.org/bot[REDACTED]/sendMessage failed ' +
        '(GET https://api.telegram.org/bot[REDACTED]/sendMessage)',
    );
    expectNoToken(err);
  });

  it('redacts the token if Telegram’s description quotes it', async () => {
    server.respondWith({ status: 400, body: { ok: false, description: `Bad Request: token ${TOKEN} is odd` } });
    const err = await rejection(notifier().send(testEvent(new Date())));
    expect(err.message).toBe('Telegram refused the message (HTTP 400): Bad Request: token [REDACTED] is odd');
  });
});
