// The dashboard's login: the password (or the API key) exchanged for an HttpOnly, SameSite=Strict session
// cookie that opens every route, ended by a logout or after 30 days; a page's own requests get a plain
// 401 (no Basic challenge) so that it can show its form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll } from '../support/cleanup.js';
import { getJson, request } from '../support/http-client.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';

afterAll(cleanupAll);

const USER = 'dash';
const PASSWORD = 'pässword-1234';
const KEY = 'api-key-5678';
const DAY_MS = 24 * 60 * 60 * 1000;
const FAILURE_DELAY_MS = 300;

let svc: InProcessService;
let clockOffsetMs = 0;

beforeAll(async () => {
  svc = await startInProcess({
    env: { SYNC_USERNAME: USER, SYNC_PASSWORD: PASSWORD, SYNC_API_KEY: KEY },
    adapters: { clock: { now: () => new Date(Date.now() + clockOffsetMs) } },
    timing: { sessions: { maxAgeMs: 30 * DAY_MS, maxSessions: 1000, loginFailureDelayMs: FAILURE_DELAY_MS } },
  });
});

const json = { 'Content-Type': 'application/json' };

function login(body: unknown) {
  return request(svc.app, '/login', { method: 'POST', body, headers: json });
}

function cookieOf(res: { headers: Record<string, string | string[] | undefined> }): string {
  return String(res.headers['set-cookie']).split(';')[0] ?? '';
}

describe('the login', () => {
  it('tells a page that a login is needed, and how', async () => {
    expect((await getJson(svc.app, '/session')).body).toEqual({
      auth_required: true,
      authenticated: false,
      methods: { password: true, api_key: true },
    });
  });

  it('exchanges the username and password for a session cookie that opens every route', async () => {
    const res = await login({ username: USER, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'logged in', auth_required: true });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(
      /^sync_webhook_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=2592000$/,
    );
    const session = cookieOf(res);
    expect((await request(svc.app, '/jobs', { headers: { Cookie: session } })).status).toBe(200);
    expect(
      (await request(svc.app, '/session', { headers: { Cookie: `other=1; ${session}` } })).body.authenticated,
    ).toBe(true);
  });

  it('takes the API key as the password too, whatever the username', async () => {
    const res = await login({ password: KEY });
    expect(res.status).toBe(200);
    expect((await request(svc.app, '/stats', { headers: { Cookie: cookieOf(res) } })).status).toBe(200);
  });

  it('refuses wrong credentials a while later, with no cookie and no Basic challenge', async () => {
    for (const body of [
      { username: USER, password: 'wrong' },
      { username: 'other', password: PASSWORD },
      { password: 'x' },
    ]) {
      const started = performance.now();
      const res = await login(body);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'Wrong username and password, or API key' });
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['www-authenticate']).toBeUndefined();
      expect(performance.now() - started).toBeGreaterThanOrEqual(FAILURE_DELAY_MS - 20);
    }
    expect(svc.output()).not.toContain(PASSWORD);
  });

  it.each([
    [{ username: USER }, 'password'],
    [{ password: '' }, 'password'],
    [{ password: 5 }, 'password'],
    [{ username: 7, password: PASSWORD }, 'username'],
  ])('answers %j with 400 naming %s', async (body, field) => {
    const res = await login(body);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
  });

  it('answers a body that is no JSON object with 400', async () => {
    expect((await login([PASSWORD])).status).toBe(400);
    expect((await request(svc.app, '/login', { method: 'POST', headers: json })).status).toBe(400);
  });

  it('ends with a logout: the cookie is cleared and no longer opens anything', async () => {
    const session = cookieOf(await login({ username: USER, password: PASSWORD }));
    const out = await request(svc.app, '/logout', { method: 'POST', headers: { Cookie: session } });
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie'])).toBe(
      'sync_webhook_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0',
    );
    expect((await request(svc.app, '/jobs', { headers: { Cookie: session } })).status).toBe(401);
  });

  it('lasts 30 days', async () => {
    const session = cookieOf(await login({ username: USER, password: PASSWORD }));
    clockOffsetMs = 29 * DAY_MS;
    expect((await request(svc.app, '/jobs', { headers: { Cookie: session } })).status).toBe(200);
    clockOffsetMs = 30 * DAY_MS + 1000;
    expect((await request(svc.app, '/jobs', { headers: { Cookie: session } })).status).toBe(401);
    clockOffsetMs = 0;
  });

  it('refuses a made-up cookie', async () => {
    const res = await request(svc.app, '/jobs', { headers: { Cookie: 'sync_webhook_session=forged' } });
    expect(res.status).toBe(401);
  });
});

describe('a refused request', () => {
  it("from a page's script gets a plain 401 (the page shows its form); a navigation, the Basic challenge", async () => {
    const fromScripts: Record<string, string>[] = [{ 'Sec-Fetch-Dest': 'empty' }, { 'X-Requested-With': 'fetch' }];
    for (const headers of fromScripts) {
      const res = await request(svc.app, '/queue', { headers });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBeUndefined();
    }
    const navigation = await request(svc.app, '/queue', { headers: { 'Sec-Fetch-Dest': 'document' } });
    expect(navigation.headers['www-authenticate']).toBe('Basic realm="sync-webhook", charset="UTF-8"');
  });

  it('still lets Basic credentials and the API key in, as Radarr and Sonarr send them', async () => {
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`, 'latin1').toString('base64')}`;
    expect((await request(svc.app, '/queue', { headers: { Authorization: basic } })).status).toBe(200);
    expect((await request(svc.app, '/queue', { headers: { 'X-Api-Key': KEY } })).status).toBe(200);
  });
});

describe('without authentication configured', () => {
  it('says no login is needed, and a login changes nothing', async () => {
    const open = await startInProcess();
    expect((await getJson(open.app, '/session')).body).toEqual({
      auth_required: false,
      authenticated: true,
      methods: { password: false, api_key: false },
    });
    const res = await request(open.app, '/login', { method: 'POST', body: { password: 'anything' }, headers: json });
    expect(res.body).toEqual({ status: 'logged in', auth_required: false });
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});
