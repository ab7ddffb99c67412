// Who gets in, on the service built in-process: with SYNC_USERNAME/SYNC_PASSWORD or SYNC_API_KEY set,
// every route but GET /health refuses a request without the right credentials (401, WWW-Authenticate,
// {error}) and does nothing; GET /health then shows only its status. Radarr's Basic header, X-Api-Key
// and ?apikey= get in. (That no secret ever shows is tested on the real process: test/faults/access.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY,
  basic,
  everyRouteRefused,
  expectRefused,
  healthForStrangers,
  PASSWORD,
  ROUTES,
  type Setup,
  type StartWith,
  setup,
  USER,
} from '../support/access-checks.js';
import { cleanupAll } from '../support/cleanup.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';

afterAll(cleanupAll);

const startHere: StartWith<InProcessService> = (o) => startInProcess(o);

describe('HTTP Basic (SYNC_USERNAME / SYNC_PASSWORD)', () => {
  let s: Setup<InProcessService>;
  beforeAll(async () => {
    s = await setup({ SYNC_USERNAME: USER, SYNC_PASSWORD: PASSWORD }, startHere);
  });

  it('refuses every route but GET /health without the right credentials, and does nothing', async () => {
    await everyRouteRefused(s, [
      { Authorization: basic(USER, 'wrong') },
      { Authorization: basic('sonarr', PASSWORD) },
      { Authorization: basic(USER, `${PASSWORD} `) },
      { Authorization: `Bearer ${PASSWORD}` },
      { Authorization: 'Basic !!!not-base64' },
      { 'X-Api-Key': PASSWORD },
    ]);
    await healthForStrangers(s);
  });

  it("lets Radarr's Basic header in, on every route", async () => {
    const auth = { Authorization: basic(USER, PASSWORD) };
    const health = await s.call('GET', '/health', undefined, auth);
    expect(health.body).toHaveProperty('nfs_status');
    const res = await s.call('POST', '/sync/radarr', 'radarr', auth);
    expect(res.status, res.text).toBe(202);
    for (const [method, path, body] of ROUTES) {
      const r = await s.call(method, path, body, auth);
      expect(r.status, `${method} ${path}`).not.toBe(401);
    }
  });
});

describe('API key (SYNC_API_KEY)', () => {
  let s: Setup<InProcessService>;
  beforeAll(async () => {
    s = await setup({ SYNC_API_KEY: API_KEY }, startHere);
  });

  it('refuses every route but GET /health without the key, and does nothing', async () => {
    await everyRouteRefused(s, [
      { 'X-Api-Key': 'wrong' },
      { 'X-Api-Key': `${API_KEY}x` },
      { 'X-Api-Key': API_KEY.toUpperCase() },
      { Authorization: basic('apikey', API_KEY) },
    ]);
    for (const [method, path, body] of ROUTES) {
      const sep = path.includes('?') ? '&' : '?';
      expectRefused(
        await s.call(method, `${path}${sep}apikey=${encodeURIComponent('wrong')}`, body),
        `${method} ${path}?apikey=wrong`,
      );
    }
    await healthForStrangers(s);
  });

  it('lets X-Api-Key and ?apikey= in', async () => {
    const header = await s.call('POST', '/sync/radarr', 'radarr', { 'X-Api-Key': API_KEY });
    expect(header.status, header.text).toBe(202);
    const query = await s.call('GET', `/jobs?apikey=${encodeURIComponent(API_KEY)}`);
    expect(query.status, query.text).toBe(200);
    expect(query.body.jobs).toHaveLength(1);
    const both = await s.call('GET', `/health?apikey=${encodeURIComponent(API_KEY)}`);
    expect(both.body).toHaveProperty('jobs_24h');
  });
});
