import type { FastifyError, FastifyRequest } from 'fastify';
import { isJsonObject } from '../sources/common.js';

/** A 4xx the error handler answers: `{"error": message, "field": field}`. */
export interface ClientProblem {
  status: number;
  message: string;
  field?: string;
}

/**
 * A query or path parameter that its route's schema refused, said as the parameter's schema says it
 * (`x-error`, an OpenAPI extension the description shows too) with the value as it was sent:
 * `limit must be a whole number from 1 to 1000, got "0"`. Null for any other error.
 */
export function describeValidationError(error: FastifyError, request: FastifyRequest): ClientProblem | null {
  const part = error.validationContext;
  const first = error.validation?.[0];
  if (!first || (part !== 'querystring' && part !== 'params')) return null;
  const missing = first.params.missingProperty;
  const field = typeof missing === 'string' ? missing : first.instancePath.split('/')[1];
  if (!field) return { status: 400, message: `${part === 'params' ? 'path' : 'query'} ${first.message}` };
  if (typeof missing === 'string') return { status: 400, message: `${field} is missing`, field };
  const rule = propertyOf(request.routeOptions.schema?.[part], field)?.['x-error'];
  const sent = part === 'params' ? sentPathParam(request, field) : sentQueryValue(request.url, field);
  const message = typeof rule === 'string' ? rule : `${field} ${first.message ?? 'is not valid'}`;
  return { status: 400, message: `${message}, got ${JSON.stringify(sent)}`, field };
}

function propertyOf(schema: unknown, name: string): Record<string, unknown> | undefined {
  if (!isJsonObject(schema) || !isJsonObject(schema.properties)) return undefined;
  const property = schema.properties[name];
  return isJsonObject(property) ? property : undefined;
}

// Fastify's validator has already turned what it could into numbers ("0" → 0), so the words of the
// answer come from the URL: the value as the client wrote it.

function sentQueryValue(url: string, name: string): string | string[] | undefined {
  const query = url.indexOf('?');
  const values = new URLSearchParams(query === -1 ? '' : url.slice(query + 1)).getAll(name);
  return values.length > 1 ? values : values[0];
}

function sentPathParam(request: FastifyRequest, name: string): string | undefined {
  const pattern = request.routeOptions.url?.split('/') ?? [];
  const segment = request.url.split('?')[0]?.split('/')[pattern.indexOf(`:${name}`)];
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
