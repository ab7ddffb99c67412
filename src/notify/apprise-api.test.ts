// The Apprise API: the apprise:// URLs, the exact POST /notify/{KEY} against a fake Apprise API on 127.0.0.1
// (title, body, type, format, tag), each answer class (204: no configuration), and no key in any error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../core/errors.js';
import { type FakeServer, startFakeServer } from '../../test/support/fake-http.js';
import { failureEvent, mountEvent, NASTY, successEvent, summaryEvent } from '../../test/support/notify-events.js';
import {
  echoingFetch,
  expectNoSecret,
  notifierFor,
  refusalOf,
  rejection,
  targetsOf,
} from '../../test/support/notify-targets.js';
import { appriseApiBody } from './apprise-api.js';
import { RetryLaterError } from './notifier.js';

const KEY = 'family-3f2a9c';
const PASSWORD = 'apprise-pa55';

describe('Apprise API URLs', () => {
  it.each([
    [`apprise://apprise.lan/${KEY}`, 'apprise://apprise.lan', [KEY]],
    [`apprises://Apprise.Example.com:8443/api/${KEY}`, 'apprises://apprise.example.com:8443/api', [KEY]],
    [`apprise://apprise.lan:8000?to=${KEY}`, 'apprise://apprise.lan:8000', [KEY]],
    [`apprise://me:${PASSWORD}@apprise.lan/${KEY}?tags=devops`, 'apprise://apprise.lan', [KEY, PASSWORD]],
  ])('reads %s as %s; the key is a secret', (url, id, secrets) => {
    expect(targetsOf(url).map((t) => [t.id, t.secrets])).toEqual([[id, secrets]]);
  });

  it.each([
    ['no key', 'apprise://apprise.lan', /needs the configuration key/],
    ['a bad key', 'apprise://apprise.lan/a%20b', /needs the configuration key/],
    ['a method', `apprise://apprise.lan/${KEY}?method=form`, /does not read: method/],
  ])('refuses %s, the key masked', (_what, url, problem) => {
    const message = refusalOf(url);
    expect(message).toMatch(problem);
    expect(message).not.toContain(KEY);
  });
});

describe('the Apprise API notifier', () => {
  let apprise: FakeServer;
  beforeEach(async () => {
    apprise = await startFakeServer({ status: 200, body: { error: null } });
  });
  afterEach(async () => {
    await apprise.close();
  });
  const host = () => `127.0.0.1:${apprise.port}`;

  it('POSTs /notify/{KEY} with title, plain-text body, type and format; tags as tag', async () => {
    const n = notifierFor(`apprise://me:${PASSWORD}@${host()}/api/${KEY}?tags=devops, admin`);
    expect([n.id, n.scheme]).toEqual([`apprise://${host()}/api`, 'apprise']);
    await n.send(failureEvent({ title: NASTY }));
    const [req] = apprise.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe(`/api/notify/${KEY}`);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers.accept).toBe('application/json');
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from(`me:${PASSWORD}`).toString('base64')}`);
    expect(req?.json()).toEqual({
      title: 'Sync Failed - Movie',
      body:
        `${NASTY} (2024)\n\nQuality: Bluray-1080p\nDestination: /mnt/unraid/media/Movies\n\n` +
        'Error: rsync exit 23: some files vanished\n\nWill retry (retry 1/3 in 15 min)',
      type: 'failure',
      format: 'text',
      tag: 'devops, admin',
    });
  });

  it('maps the severity onto Apprise’s message types', () => {
    expect(appriseApiBody(successEvent()).type).toBe('success');
    expect(appriseApiBody(summaryEvent()).type).toBe('warning');
    expect(appriseApiBody(summaryEvent({ failed: 0, needsAttentionTotal: 0, needsAttention: [] })).type).toBe('info');
    expect(appriseApiBody(mountEvent('mount_down')).type).toBe('failure');
    expect(appriseApiBody(successEvent())).not.toHaveProperty('tag');
  });

  it('gives up when the key has no configuration (204), or a service behind it failed (424)', async () => {
    const n = notifierFor(`apprise://${host()}/${KEY}`);
    apprise.respondWith({ status: 204 });
    const empty = await rejection(n.send(successEvent()));
    expect(empty).toBeInstanceOf(PermanentError);
    expect(empty.message).toBe(
      'Apprise API has no configuration for this key (HTTP 204); add the URLs to the key on the server',
    );
    apprise.respondWith({ status: 424, body: { error: 'One or more notification could not be sent.' } });
    const failed = await rejection(n.send(successEvent()));
    expect(failed).toBeInstanceOf(PermanentError);
    expect(failed.message).toBe(
      'Apprise API refused the message (HTTP 424): One or more notification could not be sent.',
    );
  });

  it('waits a 429, retries a 5xx, and keeps key and password out of every error', async () => {
    const url = `apprise://me:${PASSWORD}@${host()}/${KEY}`;
    apprise.respondWith({ status: 429, headers: { 'retry-after': '5' } });
    const limited = await rejection(notifierFor(url).send(successEvent()));
    expect(limited instanceof RetryLaterError && limited.retryAfterMs).toBe(5_000);

    apprise.respondWith({ status: 500, body: { error: `could not read ${KEY}.cfg` } });
    const err = await rejection(notifierFor(url).send(successEvent()));
    expect(err).not.toBeInstanceOf(PermanentError);
    expect(err.message).toBe('Apprise API server error (HTTP 500): could not read [REDACTED].cfg');

    const echoed = await rejection(notifierFor(url, { fetch: echoingFetch }).send(successEvent()));
    expect(echoed.message).toContain('/notify/[REDACTED]');
    expectNoSecret(echoed, [KEY, PASSWORD, Buffer.from(`me:${PASSWORD}`).toString('base64')]);
  });
});
