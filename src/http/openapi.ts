// GET /openapi.json: an OpenAPI 3.1 description made from the route schemas, built at the first request
// and kept. A generator of our own rather than @fastify/swagger (9.x, for Fastify 5): it reads the few
// schema fields this API uses and adds nothing to the start, where the plug-in, registered on an app of
// this size, cost about 45 ms of CPU and 1 MB of heap; and it describes the webhooks' bodies without
// Fastify validating them (zod is their one validator), which the plug-in would need a `transform` for.
import type { FastifyInstance, FastifySchema } from 'fastify';
import type { JsonSchema } from './api-schemas.js';
import { isJsonObject } from '../sources/common.js';

declare module 'fastify' {
  interface FastifySchema {
    /** One line naming what the route does. */
    summary?: string;
    description?: string;
    tags?: readonly string[];
    /** OpenAPI security requirements; [] for a route anyone may call. Absent: the API's credentials. */
    security?: readonly Record<string, readonly string[]>[];
    /**
     * The request body as the description shows it. Fastify does not validate it (a `body` schema
     * would): the webhook routes' zod parsers are the one check, and name the field to fix.
     */
    documentedBody?: { description: string; schema: JsonSchema; required?: boolean };
  }
}

/** Answers every route may give besides its own, from the app's hooks and handlers. */
export interface CommonResponses {
  /** Every route. */
  all: Record<number, JsonSchema>;
  /** Routes that need credentials when authentication is configured. */
  guarded: Record<number, JsonSchema>;
  /** Methods that read a body (POST, PUT). */
  withBody: Record<number, JsonSchema>;
}

export interface OpenApiOptions {
  title: string;
  version: string;
  description: string;
  securitySchemes: Record<string, JsonSchema>;
  common: CommonResponses;
  /** Schemas shown once under components.schemas and referred to wherever they appear. */
  components: Record<string, JsonSchema>;
}

interface DescribedRoute {
  methods: readonly string[];
  url: string;
  schema: FastifySchema;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Collects every route registered after it (so call it before the routes) and serves the description.
 * The routes are read when /openapi.json is first asked for, not at start.
 */
export function registerOpenApi(app: FastifyInstance, o: OpenApiOptions): void {
  const routes: DescribedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    if (methods.length > 0) routes.push({ methods, url: route.url, schema: route.schema ?? {} });
  });
  let document: string | undefined;
  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'This description',
        description: 'The OpenAPI 3.1 description of every endpoint, made from the schemas of the routes.',
        tags: ['description'],
        response: {
          200: {
            description: 'The OpenAPI document',
            type: 'object',
            required: ['openapi', 'info', 'paths'],
            properties: { openapi: { const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } },
          },
        },
      },
    },
    async (_request, reply) => {
      document ??= JSON.stringify(openApiDocument(routes, o));
      return reply.type('application/json; charset=utf-8').send(document);
    },
  );
}

/** The description of `routes`, as served. */
function openApiDocument(routes: readonly DescribedRoute[], o: OpenApiOptions): JsonSchema {
  const refs = new Map(Object.entries(o.components).map(([name, schema]) => [JSON.stringify(schema), name]));
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    const item = paths[path] ?? {};
    for (const method of route.methods) item[method.toLowerCase()] = operation(route.schema, method, o.common);
    paths[path] = item;
  }
  return {
    openapi: '3.1.0',
    info: { title: o.title, version: o.version, description: o.description },
    paths: withRefs(sortedByKey(paths), refs),
    components: { schemas: o.components, securitySchemes: o.securitySchemes },
    security: Object.keys(o.securitySchemes).map((name) => ({ [name]: [] })),
  };
}

function operation(schema: FastifySchema, method: string, common: CommonResponses): JsonSchema {
  const parameters = [...parametersOf(schema.params, 'path'), ...parametersOf(schema.querystring, 'query')];
  // [] opens a route to anyone, and an empty requirement ({}) among others makes credentials optional.
  const guarded =
    !schema.security?.some((requirement) => Object.keys(requirement).length === 0) && schema.security?.length !== 0;
  const responses = mergeResponses([
    responsesOf(schema.response),
    common.all,
    guarded ? common.guarded : {},
    BODY_METHODS.has(method) ? common.withBody : {},
  ]);
  const body = schema.documentedBody;
  return {
    ...(schema.summary ? { summary: schema.summary } : {}),
    ...(schema.description ? { description: schema.description } : {}),
    ...(schema.tags ? { tags: schema.tags } : {}),
    ...(schema.security ? { security: schema.security } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: body.required ?? true,
            description: body.description,
            content: { 'application/json': { schema: body.schema } },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(responses).map(([status, response]) => [status, responseObject(response)]),
    ),
  };
}

/** A route's `params` or `querystring` object schema → OpenAPI parameters, one per property. */
function parametersOf(schema: unknown, where: 'path' | 'query'): JsonSchema[] {
  if (!isJsonObject(schema) || !isJsonObject(schema.properties)) return [];
  const required = Array.isArray(schema.required) ? schema.required : [];
  return Object.entries(schema.properties).map(([name, property]) => {
    const { description, ...rest } = isJsonObject(property) ? property : {};
    return {
      name,
      in: where,
      required: where === 'path' || required.includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function responsesOf(response: unknown): Record<string, JsonSchema> {
  if (!isJsonObject(response)) return {};
  return Object.fromEntries(
    Object.entries(response).filter((entry): entry is [string, JsonSchema] => isJsonObject(entry[1])),
  );
}

/** Several sets of answers by status; where two give the same status, the answer is either. */
function mergeResponses(sets: readonly Record<string, JsonSchema>[]): Record<string, JsonSchema> {
  const merged: Record<string, JsonSchema> = {};
  for (const set of sets) {
    for (const [status, schema] of Object.entries(set)) {
      const before = merged[status];
      if (!before || before === schema) {
        merged[status] = schema;
        continue;
      }
      const description = `${before.description ?? ''}; ${schema.description ?? ''}`;
      const [one, other] = [bodyOf(before), bodyOf(schema)];
      merged[status] =
        JSON.stringify(one) === JSON.stringify(other) ? { description, ...one } : { description, anyOf: [one, other] };
    }
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}

/** A response schema → an OpenAPI response: JSON unless the schema names its content types itself. */
function responseObject(schema: JsonSchema): JsonSchema {
  const description = typeof schema.description === 'string' ? schema.description : '';
  if (isJsonObject(schema.content)) return { description, content: schema.content };
  return { description, content: { 'application/json': { schema: bodyOf(schema) } } };
}

/** The answer's schema without the response's description (a response schema holds both). */
function bodyOf(schema: JsonSchema): JsonSchema {
  const { description: _description, ...body } = schema;
  return body;
}

/** Fastify's /jobs/:id → OpenAPI's /jobs/{id}. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Replaces each copy of a component schema (by its JSON) with a $ref to it. */
function withRefs(value: unknown, refs: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => withRefs(item, refs));
  if (!isJsonObject(value)) return value;
  const name = refs.get(JSON.stringify(value));
  if (name !== undefined) return { $ref: `#/components/schemas/${name}` };
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withRefs(item, refs)]));
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
