/**
 * The service's OpenAPI description (GET /openapi.json), and the check that an answer is one it
 * describes: http-client.ts runs `checkAnswer` on every answer of the suite, in-process or over HTTP,
 * so a status or a shape the description does not list fails the test that met it.
 *
 *   const doc = await apiDescription();
 *   await checkAnswer('GET', '/jobs?limit=5', { status, headers, text, body });
 */

import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { pino } from 'pino';
import { buildApp, type AppDeps } from '../../src/http/app.js';

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

export interface Operation {
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema?: unknown }[];
  requestBody?: { description: string; content: Record<string, { schema?: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }> }>;
}

/** What checkAnswer looks at: an answer as http-client.ts gives it. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: unknown;
}

let description: Promise<OpenApiDocument> | undefined;

/**
 * The description as the service serves it, from a throwaway app of this checkout's routes with no
 * authentication (building routes touches none of their parts, and no request but /openapi.json is made).
 */
export function apiDescription(): Promise<OpenApiDocument> {
  description ??= (async () => {
    const app = buildApp(describingOnly());
    try {
      const res = await app.inject({ method: 'GET', url: '/openapi.json' });
      if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}: ${res.body}`);
      const served: OpenApiDocument = JSON.parse(res.body);
      return served;
    } finally {
      await app.close();
    }
  })();
  return description;
}

function describingOnly(): AppDeps {
  const given: Record<string, unknown> = {
    log: pino({ level: 'silent' }),
    auth: { basic: null, apiKey: null },
    version: 'test',
  };
  const unused = (name: string) => () => {
    throw new Error(`${name} was called while only the routes were described`);
  };
  return new Proxy(given, {
    get: (target, name) => (typeof name === 'string' && !(name in target) ? unused(name) : target[String(name)]),
  }) as unknown as AppDeps;
}

/** The operation that answers `method path`, and the path template it matched. */
export function findOperation(
  doc: OpenApiDocument,
  method: string,
  path: string,
): { template: string; operation: Operation } | undefined {
  const pathname = path.split('?')[0] ?? path;
  for (const [template, item] of Object.entries(doc.paths)) {
    const operation = item[method.toLowerCase()];
    if (operation && templateRegExp(template).test(pathname)) return { template, operation };
  }
  return undefined;
}

function templateRegExp(template: string): RegExp {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\{[^}]+\}/g, '[^/]+')}$`);
}

// Fastify answers these itself for a URL no route has (setNotFoundHandler, the auth hook, a shutdown).
const UNROUTED_STATUSES = new Set([401, 404, 503]);

/** Throws when `answer` to `method path` is not one the description lists: status, content type, body. */
export async function checkAnswer(method: string, path: string, answer: Answer): Promise<void> {
  if (method.toUpperCase() === 'HEAD') return;
  const doc = await apiDescription();
  const found = findOperation(doc, method, path);
  const what = `${method.toUpperCase()} ${path.split('?')[0]} answered ${answer.status} ${answer.text.slice(0, 300)}`;
  if (!found) {
    if (!UNROUTED_STATUSES.has(answer.status)) throw new Error(`${what}: no route, yet not a 401, 404 or 503`);
    const errors = validatorFor(doc, '#/components/schemas/Error', { $ref: '#/components/schemas/Error' });
    const shuttingDown = answer.status === 503;
    if (!shuttingDown && !errors(answer.body)) throw new Error(`${what}: not {"error": …}`);
    return;
  }
  const response = found.operation.responses[String(answer.status)];
  if (!response) {
    const listed = Object.keys(found.operation.responses).join(', ');
    throw new Error(`${what}: status not in /openapi.json for ${found.template} (it lists ${listed})`);
  }
  const contentType =
    String(answer.headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim() ?? '';
  const content = response.content ?? {};
  if (!(contentType in content)) {
    if (Object.keys(content).length === 0 && answer.text === '') return;
    throw new Error(`${what}: content type "${contentType}", described: ${Object.keys(content).join(', ') || 'none'}`);
  }
  if (contentType !== 'application/json') return;
  const key = `${method} ${found.template} ${answer.status}`;
  const validate = validatorFor(doc, key, content[contentType]?.schema ?? {});
  if (!validate(answer.body)) {
    throw new Error(`${what}: body not as /openapi.json describes it: ${ajv.errorsText(validate.errors)}`);
  }
}

const ajv = new Ajv2020({ strict: true, allErrors: true, keywords: ['x-error'] });
addFormatsPlugin.default(ajv);
const validators = new Map<string, ValidateFunction>();

function validatorFor(doc: OpenApiDocument, key: string, schema: unknown): ValidateFunction {
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(inlineRefs(schema, doc));
    validators.set(key, validate);
  }
  return validate;
}

/** The schema with each #/components/schemas/… reference replaced by the schema it names. */
function inlineRefs(schema: unknown, doc: OpenApiDocument): Exclude<object, null> {
  const inline = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(inline);
    if (typeof value !== 'object' || value === null) return value;
    const ref = '$ref' in value ? value.$ref : undefined;
    if (typeof ref === 'string') {
      const name = ref.replace('#/components/schemas/', '');
      if (!(name in doc.components.schemas)) throw new Error(`/openapi.json refers to a missing schema ${ref}`);
      return inline(doc.components.schemas[name]);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inline(v)]));
  };
  const inlined = inline(schema);
  if (typeof inlined !== 'object' || inlined === null) throw new Error('a response schema that is not an object');
  return inlined;
}
