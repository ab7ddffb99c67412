// What a monitor reads: GET /ping answers without credentials, GET /health?strict=true turns a
// degraded service into a 503 for checks that read only the status code, and /health names the version.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupAll } from '../support/cleanup.js';
import { request } from '../support/http-client.js';
import { startInProcess } from '../support/in-process.js';
import { REPO_ROOT } from '../support/repo-paths.js';
import { waitFor } from '../support/wait-for.js';

afterAll(cleanupAll);

const API_KEY = 'monitoring-key';
const VERSION: string = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')).version;

describe('monitoring', () => {
  it('GET /ping answers {"status":"OK"} without credentials; nothing else about it is open', async () => {
    const svc = await startInProcess({ env: { SYNC_API_KEY: API_KEY } });
    const ping = await request(svc.app, '/ping');
    expect(ping.status).toBe(200);
    expect(ping.body).toEqual({ status: 'OK' });
    expect((await request(svc.app, '/ping', { method: 'POST' })).status).toBe(401);
    expect((await request(svc.app, '/ping?apikey=wrong')).status).toBe(200);
  });

  it('strict=true: 503 while a share is down, 200 while healthy; strangers see only the status', async () => {
    // Temp folders on the root filesystem are not mount points: with mounts required, every share is down.
    const down = await startInProcess({ env: { SYNC_REQUIRE_MOUNTS: 'true', SYNC_API_KEY: API_KEY } });
    const auth = { 'X-Api-Key': API_KEY };
    await waitFor(async () => (await request(down.app, '/health', { headers: auth })).body.nfs_status === 'error');
    const plain = await request(down.app, '/health');
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({ status: 'degraded' });
    const strict = await request(down.app, '/health?strict=true');
    expect(strict.status).toBe(503);
    expect(strict.body).toEqual({ status: 'degraded' });
    expect((await request(down.app, '/health?strict=1', { headers: auth })).status).toBe(503);
    expect((await request(down.app, '/health?strict=false')).status).toBe(200);

    const up = await startInProcess();
    await waitFor(async () => (await request(up.app, '/health')).body.nfs_status === 'ok');
    const healthy = await request(up.app, '/health?strict=true');
    expect(healthy.status).toBe(200);
    expect(healthy.body).toMatchObject({ status: 'healthy', version: VERSION });
  });

  it('a strict value other than true/false/1/0 answers 400 naming the parameter', async () => {
    const svc = await startInProcess();
    const res = await request(svc.app, '/health?strict=yes');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/^strict must be true or false, got "yes"/);
  });
});
