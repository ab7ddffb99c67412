// GET /openapi.json and what it promises: a valid OpenAPI 3.1 document made from the route schemas, the same
// one every answer of the suite is checked against (support/api-description.ts); the query and path
// parameters checked by Fastify from those schemas, with the error texts the hand checks had; the webhook
// bodies described but validated only by zod; and the check itself failing on what the description omits.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../support/access-checks.js';
import { apiDescription, checkAnswer, findOperation, type OpenApiDocument } from '../support/api-description.js';
import { cleanupAll } from '../support/cleanup.js';
import { post, request } from '../support/http-client.js';
import { type InProcessService, startInProcess } from '../support/in-process.js';
import { radarrDownload, readFixture } from '../support/payloads.js';
import { FIXTURES_DIR, REPO_ROOT } from '../support/repo-paths.js';

afterAll(cleanupAll);

const API_KEY = 'openapi-key';
const VERSION: string = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version;

let svc: InProcessService;
let doc: OpenApiDocument;
beforeAll(async () => {
  svc = await startInProcess({ env: { SYNC_API_KEY: API_KEY } });
  doc = await apiDescription();
});
const auth = { 'X-Api-Key': API_KEY };
const get = (path: string) => request(svc.app, path, { headers: auth });

/** Every operation of the description as "METHOD /template". */
function operations(d: OpenApiDocument): string[] {
  return Object.entries(d.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
}

/** Every Schema Object of the document, by where it is. */
function schemaObjects(document: OpenApiDocument): [string, unknown][] {
  const schemas: [string, unknown][] = Object.entries(document.components.schemas);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const where = `${method} ${path}`;
      for (const p of op.parameters ?? []) schemas.push([`${where} ${p.name}`, p.schema]);
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {}))
        schemas.push([`${where} ${type}`, media.schema]);
      for (const [status, response] of Object.entries(op.responses)) {
        for (const media of Object.values(response.content ?? {})) schemas.push([`${where} ${status}`, media.schema]);
      }
    }
  }
  return schemas;
}

/** A schema whose #/components/schemas/… references point into the schema registered as "components". */
function rebased(schema: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"components#/$defs/'));
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, the one the suite checks answers against, with the version', async () => {
    const res = await get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body.info.version).toBe(VERSION);
    expect({ ...res.body, info: { ...res.body.info, version: 'test' } }).toEqual(doc);

    // Against the OpenAPI 3.1 schema, whose $dynamicRef to Schema Objects Ajv follows wrongly (it refuses
    // even {"type": "string"} there): a plain $ref to the same definition, as that schema means it.
    const oas = join(REPO_ROOT, 'node_modules', '@apidevtools', 'openapi-schemas', 'schemas', 'v3.1', 'schema.json');
    const oasText = readFileSync(oas, 'utf8').replaceAll('"$dynamicRef": "#meta"', '"$ref": "#/$defs/schema"');
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(JSON.parse(oasText));
    expect(validate(res.body), ajv.errorsText(validate.errors)).toBe(true);
    // That schema takes any object as a Schema Object, so each one is compiled as JSON Schema 2020-12
    // (OpenAPI 3.1's dialect), strictly, with the API's one extension and its references resolving.
    const schemas = schemaObjects(res.body);
    expect(schemas.length).toBeGreaterThan(50);
    const strict = new Ajv2020({ strict: true, keywords: ['x-error'] });
    addFormatsPlugin.default(strict);
    strict.addSchema({ $id: 'components', $defs: res.body.components.schemas });
    for (const [where, schema] of schemas) {
      expect(() => strict.compile(rebased(schema)), where).not.toThrow();
    }
  });

  it('is built once: the same text on every request; it needs credentials like the rest of the API', async () => {
    const first = await get('/openapi.json');
    expect((await get('/openapi.json')).text).toBe(first.text);
    const stranger = await request(svc.app, '/openapi.json');
    expect(stranger.status).toBe(401);
  });

  it('describes every route, each with a summary and a 2xx answer, and the access tests call each', () => {
    const described = operations(doc);
    expect(described).toEqual(
      expect.arrayContaining([
        'POST /sync/radarr',
        'PUT /sync/radarr',
        'POST /sync/sonarr',
        'PUT /sync/sonarr',
        'POST /sync/manual',
        'GET /health',
        'GET /ping',
        'GET /stats',
        'GET /jobs',
        'GET /jobs/{id}',
        'POST /jobs/{id}/retry',
        'POST /queue/retry-failed',
        'GET /test',
        'POST /test',
        'GET /summary/send',
        'POST /summary/send',
        'GET /openapi.json',
        'GET /metrics',
        'POST /reconcile',
        'GET /reconcile',
        'GET /reconcile/{id}',
        'POST /reconcile/{id}/queue',
      ]),
    );
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(
          Object.keys(op.responses).some((s) => s.startsWith('2')),
          `${method} ${path}`,
        ).toBe(true);
      }
    }
    const called = new Set(
      ROUTES.flatMap(([method, path]) => {
        const found = findOperation(doc, method, path);
        return found ? [`${method} ${found.template}`] : [];
      }),
    );
    const open = ['GET /ping', 'GET /health'];
    expect(described.filter((op) => !called.has(op) && !open.includes(op))).toEqual([]);
  });

  it('marks the open routes as the auth hook treats them: /ping open, /health optional, the rest guarded', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (where === 'GET /ping') expect(op.security).toEqual([]);
        else if (where === 'GET /health') expect(op.security).toContainEqual({});
        else {
          expect(op.security, where).toBeUndefined();
          expect(op.responses, where).toHaveProperty('401');
        }
      }
    }
  });
});

describe('query and path parameters: Fastify checks them from the schemas, with the texts the API had', () => {
  it.each([
    ['/jobs?limit=abc', 'limit must be a whole number from 1 to 1000, got "abc"', 'limit'],
    ['/jobs?limit=0', 'limit must be a whole number from 1 to 1000, got "0"', 'limit'],
    ['/jobs?limit=-1', 'limit must be a whole number from 1 to 1000, got "-1"', 'limit'],
    ['/jobs?limit=1001', 'limit must be a whole number from 1 to 1000, got "1001"', 'limit'],
    ['/jobs?limit=2.5', 'limit must be a whole number from 1 to 1000, got "2.5"', 'limit'],
    ['/jobs?limit=1&limit=2', 'limit must be a whole number from 1 to 1000, got ["1","2"]', 'limit'],
    ['/jobs?status=done', 'status must be one of queued, in_progress, success, failed, got "done"', 'status'],
    ['/jobs/abc', 'Job id must be a whole number, got "abc"', 'id'],
    ['/jobs/-3', 'Job id must be a whole number, got "-3"', 'id'],
    ['/jobs/99999999999999999999', 'Job id must be a whole number, got "99999999999999999999"', 'id'],
    ['/health?strict=yes', 'strict must be true or false, got "yes"', 'strict'],
    ['/health?strict=', 'strict must be true or false, got ""', 'strict'],
    ['/reconcile?limit=101', 'limit must be a whole number from 1 to 100, got "101"', 'limit'],
    ['/reconcile/x1', 'Catch-up pass id must be a whole number, got "x1"', 'id'],
  ])('%s answers 400 {"error": "%s", "field": "%s"}', async (path, error, field) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error, field });
  });

  it('POST /jobs/abc/retry answers 400 naming the id, and the log line has no query', async () => {
    const res = await request(svc.app, '/jobs/abc/retry?apikey=openapi-key', { method: 'POST' });
    expect(res.body).toEqual({ error: 'Job id must be a whole number, got "abc"', field: 'id' });
    await svc.waitForLog(/POST \/jobs\/abc\/retry: 400 Job id must be a whole number/);
    expect(svc.output()).not.toContain('apikey=');
  });

  it('empty limit and status count as not given (50, every status), as before', async () => {
    for (let i = 0; i < 3; i++) {
      const body = await radarrDownload({ folder: `Empty ${i} (2020)`, file: `Empty ${i}.mkv` });
      expect((await post(svc.app, '/sync/radarr', body, auth)).status).toBe(202);
    }
    const all = await get('/jobs');
    const empty = await get('/jobs?limit=&status=');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual(all.body);
    expect(all.body.jobs.length).toBeGreaterThanOrEqual(3);
    expect((await get('/jobs?limit=2')).body.jobs).toHaveLength(2);
    expect((await get('/jobs/1')).body.id).toBe(1);
  });
});

describe('the webhook bodies: described, validated by zod alone', () => {
  it('every Radarr/Sonarr example payload fits the body its route describes', async () => {
    const ajv = new Ajv2020({ strict: true, keywords: ['x-error'] });
    for (const name of readdirSync(FIXTURES_DIR).filter((n) => n.endsWith('.json'))) {
      const sender = name.startsWith('radarr') ? 'radarr' : 'sonarr';
      const body = doc.paths[`/sync/${sender}`]?.post?.requestBody;
      const validate = ajv.compile(rebased(body?.content?.['application/json']?.schema));
      expect(validate(await readFixture(name)), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
    const manual = ajv.compile(
      rebased(doc.paths['/sync/manual']?.post?.requestBody?.content?.['application/json']?.schema),
    );
    expect(manual({ path: '/movies/Name (2024)', type: 'tv' })).toBe(true);
    expect(manual({ type: 'tv' })).toBe(false);
  });

  it("a body outside the described shape gets zod's answer, not Fastify's: one validator on the ack path", async () => {
    const badType = await post(svc.app, '/sync/radarr', { eventType: 5 }, auth);
    expect(badType.status).toBe(422);
    expect(badType.body).toEqual({ error: 'eventType must be a string', field: 'eventType' });
    // The description says movie is an object; zod reads the display fields leniently, so this still syncs.
    const body = await radarrDownload({ folder: 'Lenient (2021)', file: 'Lenient.mkv' });
    body.movie.year = 'nineteen';
    const res = await post(svc.app, '/sync/radarr', body, auth);
    expect(res.status, res.text).toBe(202);
  });
});

describe('the check of every answer', () => {
  const json = { 'content-type': 'application/json; charset=utf-8' };
  const answer = (status: number, body: unknown, headers: Record<string, string> = json) => ({
    status,
    headers,
    text: JSON.stringify(body),
    body,
  });

  it('passes what the description lists', async () => {
    await expect(checkAnswer('GET', '/ping', answer(200, { status: 'OK' }))).resolves.toBeUndefined();
    await expect(checkAnswer('GET', '/nope', answer(404, { error: 'Not found: GET /nope' }))).resolves.toBeUndefined();
    await expect(checkAnswer('HEAD', '/stats', answer(200, undefined, {}))).resolves.toBeUndefined();
  });

  it.each([
    ['an undocumented field', 'GET', '/ping', answer(200, { status: 'OK', extra: 1 }), /body not as/],
    ['a wrong value', 'GET', '/ping', answer(200, { status: 'ok' }), /body not as/],
    ['an undocumented status', 'GET', '/ping', answer(418, { error: 'teapot' }), /status not in/],
    ['an undocumented status of a job', 'GET', '/jobs/1', answer(409, { error: 'x' }), /status not in/],
    ['another content type', 'GET', '/stats', answer(200, 'x', { 'content-type': 'text/plain' }), /content type/],
    ['a 200 on no route', 'GET', '/nope', answer(200, {}), /no route/],
    ['a 404 without error', 'DELETE', '/jobs/1', answer(404, { message: 'x' }), /not \{"error"/],
    ['a job missing a field', 'GET', '/jobs/1', answer(200, { id: 1 }), /body not as/],
  ])('fails on %s', async (_what, method, path, res, message) => {
    await expect(checkAnswer(method, path, res)).rejects.toThrow(message);
  });
});
