// ntfy: the URLs (ntfy.sh, a server of your own, credentials as Apprise spells them), the exact publish-as-JSON
// request against a fake ntfy on 127.0.0.1, priorities and tags, the 4,096-byte message, each answer class,
// and no password or token in any error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../core/errors.js';
import { type FakeServer, startFakeServer } from '../../test/support/fake-http.js';
import {
  everyEvent,
  failureEvent,
  gaveUpEvent,
  NASTY,
  successEvent,
  summaryEvent,
} from '../../test/support/notify-events.js';
import {
  echoingFetch,
  expectNoSecret,
  notifierFor,
  refusalOf,
  rejection,
  targetsOf,
} from '../../test/support/notify-targets.js';
import { RetryLaterError } from './notifier.js';
import { ntfyMessage } from './ntfy.js';

const PASSWORD = 'ntfy-pa55word';
const TOKEN = 'tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2';

describe('ntfy URLs', () => {
  it.each([
    ['ntfy://alerts', ['ntfy://ntfy.sh/alerts'], []],
    ['ntfys://alerts', ['ntfys://ntfy.sh/alerts'], []],
    ['ntfy://ntfy.sh/alerts/backup', ['ntfy://ntfy.sh/alerts', 'ntfy://ntfy.sh/backup'], []],
    ['ntfy://ntfy.lan:8080/alerts', ['ntfy://ntfy.lan:8080/alerts'], []],
    ['ntfy://ntfy/alerts', ['ntfy://ntfy/alerts'], []],
    [
      'ntfy://ntfy.lan/alerts?to=backup,media',
      ['ntfy://ntfy.lan/alerts', 'ntfy://ntfy.lan/backup', 'ntfy://ntfy.lan/media'],
      [],
    ],
    [`ntfys://me:${PASSWORD}@NTFY.example.com/alerts`, ['ntfys://ntfy.example.com/alerts'], [PASSWORD]],
    [`ntfy://${TOKEN}@10.0.0.5/alerts`, ['ntfy://10.0.0.5/alerts'], [TOKEN]],
    [`ntfy://10.0.0.5/alerts?token=${TOKEN}`, ['ntfy://10.0.0.5/alerts'], [TOKEN]],
    [`ntfy://me:${TOKEN}@localhost/alerts?auth=token`, ['ntfy://localhost/alerts'], [TOKEN]],
  ])('reads %s', (url, ids, secrets) => {
    const targets = targetsOf(url);
    expect(targets.map((t) => t.id)).toEqual(ids);
    expect(targets.every((t) => JSON.stringify(t.secrets) === JSON.stringify(secrets))).toBe(true);
  });

  it.each([
    ['no topic', 'ntfy://ntfy.sh', /names no topic/],
    ['a bad topic', 'ntfy://ntfy.lan/al%20erts', /topic that is not 1-64 letters/],
    ['a bad port', 'ntfy://ntfy.lan:99999/alerts', /port outside 1-65535/],
    ['a user without password', 'ntfy://me@ntfy.lan/alerts', /user without a password/],
    ['an unknown ?auth=', `ntfy://me:${PASSWORD}@ntfy.lan/alerts?auth=digest`, /\?auth= other than basic or token/],
    ['?auth= without credentials', 'ntfy://ntfy.lan/alerts?auth=token', /holds no credentials/],
    ['a ?priority=', 'ntfy://ntfy.lan/alerts?priority=high', /does not read: priority .*"priority:" in notify:/],
    ['a header', 'ntfy://ntfy.lan/alerts?+X-Tags=a', /\?\+Header= options/],
  ])('refuses %s, its secrets masked', (_what, url, problem) => {
    const message = refusalOf(url);
    expect(message).toMatch(problem);
    expect(message).not.toContain(PASSWORD);
  });
});

describe('the ntfy notifier', () => {
  let ntfy: FakeServer;
  beforeEach(async () => {
    ntfy = await startFakeServer({ status: 200, body: { id: 'hwQ2YpKdmg', event: 'message' } });
  });
  afterEach(async () => {
    await ntfy.close();
  });
  const host = () => `127.0.0.1:${ntfy.port}`;

  it('POSTs JSON to the server root, not the topic, with basic auth', async () => {
    const n = notifierFor(`ntfy://me:${PASSWORD}@${host()}/alerts`);
    expect([n.id, n.scheme]).toEqual([`ntfy://${host()}/alerts`, 'ntfy']);
    await n.send(successEvent({ title: NASTY }));
    const [req] = ntfy.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from(`me:${PASSWORD}`).toString('base64')}`);
    expect(req?.json()).toEqual({
      topic: 'alerts',
      title: 'Movie Synced',
      message:
        `${NASTY} (2024)\n\nQuality: Bluray-1080p\nSize: 14.0 GB\nDuration: 45.2s\n` +
        'Destination: /mnt/unraid/media/Movies',
      tags: ['white_check_mark'],
    });
  });

  it('sends an access token as Bearer, whether in the query or as the user', async () => {
    await notifierFor(`ntfy://${host()}/alerts?token=${TOKEN}`).send(successEvent());
    await notifierFor(`ntfy://${TOKEN}@${host()}/alerts`).send(successEvent());
    expect(ntfy.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(ntfy.requests[0]?.url).toBe('/');
  });

  it('carries a title in any script in the JSON body, where a header could not', async () => {
    await notifierFor(`ntfy://${host()}/alerts`).send({ ...successEvent(), title: 'Фильм синхронизирован 🎬' });
    expect(ntfy.requests[0]?.json<{ title: string }>().title).toBe('Фильм синхронизирован 🎬');
    expect(ntfy.requests[0]?.headers['x-title']).toBeUndefined();
  });

  it('gives failures the target’s priority on ntfy’s 1-5 scale, other kinds the server’s default', () => {
    expect(ntfyMessage(failureEvent(), 't', 'min').priority).toBe(1);
    expect(ntfyMessage(failureEvent(), 't', 'low').priority).toBe(2);
    expect(ntfyMessage(gaveUpEvent(), 't', 'normal').priority).toBe(3);
    expect(ntfyMessage(failureEvent(), 't', 'high').priority).toBe(4);
    expect(ntfyMessage(gaveUpEvent(), 't', 'max').priority).toBe(5);
    expect(ntfyMessage(successEvent(), 't', 'max')).not.toHaveProperty('priority');
    expect(ntfyMessage(failureEvent(), 't')).not.toHaveProperty('priority');
    expect(ntfyMessage(failureEvent(), 't').tags).toEqual(['x']);
    expect(ntfyMessage(summaryEvent(), 't').tags).toEqual(['warning']);
  });

  it('passes the priority from the configuration to the request', async () => {
    await notifierFor(`ntfy://${host()}/alerts`, { priority: 'max' }).send(failureEvent());
    expect(ntfy.requests[0]?.json<{ priority: number }>().priority).toBe(5);
  });

  it('keeps every message within 4,096 bytes of UTF-8', () => {
    const long = 'Ünïcödé 🎬 '.repeat(500);
    for (const [, event] of [...everyEvent(long), ['error', failureEvent({}, long)] as const]) {
      expect(Buffer.byteLength(ntfyMessage(event, 't').message)).toBeLessThanOrEqual(4096);
    }
  });

  it('reaches ntfy.sh over https for ntfy://TOPIC', async () => {
    const urls: string[] = [];
    const recording: typeof fetch = async (url) => {
      urls.push(String(url));
      return new Response('{}', { status: 200 });
    };
    await notifierFor('ntfy://alerts', { fetch: recording }).send(successEvent());
    await notifierFor('ntfys://ntfy.sh/alerts', { fetch: recording }).send(successEvent());
    expect(urls).toEqual(['https://ntfy.sh/', 'https://ntfy.sh/']);
  });

  it('waits a minute on a 429, which ntfy sends without Retry-After', async () => {
    ntfy.respondWith({
      status: 429,
      body: { code: 42901, http: 429, error: 'limit reached: too many requests', link: 'https://ntfy.sh/docs' },
    });
    const err = await rejection(notifierFor(`ntfy://${host()}/alerts`).send(successEvent()));
    expect(err).toBeInstanceOf(RetryLaterError);
    expect(err instanceof RetryLaterError && err.retryAfterMs).toBe(60_000);
    expect(err.message).toBe(
      'ntfy rate limit (HTTP 429): limit reached: too many requests (code 42901); retry in 60 s',
    );
  });

  it('gives up when refused, naming why, without the password', async () => {
    ntfy.respondWith({ status: 401, body: { code: 40101, http: 401, error: 'unauthorized' } });
    const err = await rejection(notifierFor(`ntfy://me:${PASSWORD}@${host()}/alerts`).send(successEvent()));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.message).toBe('ntfy refused the message (HTTP 401): unauthorized (code 40101)');
  });

  it('retries a 5xx, and keeps password and token out of a network error', async () => {
    ntfy.respondWith({ status: 503, body: 'maintenance' });
    const err = await rejection(notifierFor(`ntfy://${host()}/alerts`).send(successEvent()));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe('ntfy server error (HTTP 503): Service Unavailable');

    for (const url of [`ntfy://me:${PASSWORD}@${host()}/alerts`, `ntfy://${host()}/alerts?token=${TOKEN}`]) {
      const echoed = await rejection(notifierFor(url, { fetch: echoingFetch }).send(successEvent()));
      expect(echoed.message).toMatch(/^ntfy request failed: request to http:\/\/127\.0\.0\.1:\d+\/ failed/);
      expectNoSecret(echoed, [PASSWORD, TOKEN, Buffer.from(`me:${PASSWORD}`).toString('base64')]);
    }
  });
});
