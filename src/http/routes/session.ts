import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InputError } from '../../core/errors.js';
import { type AuthConfig, type Credentials, isAuthenticated } from '../auth.js';
import { SESSION_COOKIE, type Sessions, sessionTokenOf } from '../sessions.js';

export interface SessionRouteDeps {
  auth: AuthConfig;
  sessions: Sessions;
  credentials: Credentials;
  /** A wrong password is answered this much later: guessing costs time. */
  loginFailureDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

const MAX_FIELD = 1024;

/**
 * The dashboard's login: POST /login exchanges the Basic password (with its username) or the API key
 * for a session cookie (HttpOnly: no script reads it; SameSite=Strict: no other site's page sends it),
 * POST /logout ends it, GET /session tells a page whether it must log in.
 */
export function registerSessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): void {
  const required = deps.auth.basic !== null || deps.auth.apiKey !== null;

  app.get('/session', async (request) => ({
    auth_required: required,
    authenticated: isAuthenticated(request),
    methods: { password: deps.auth.basic !== null, api_key: deps.auth.apiKey !== null },
  }));

  app.post('/login', async (request, reply) => {
    const { username, password } = parseLogin(request.body);
    if (!required) return { status: 'logged in', auth_required: false };
    if (!deps.credentials.login(username, password)) {
      request.log.warn(`Refused login from ${request.ip}: wrong username/password or API key`);
      await deps.sleep(deps.loginFailureDelayMs);
      return reply.code(401).send({ error: 'Wrong username and password, or API key' });
    }
    const token = deps.sessions.create();
    request.log.info(`Dashboard login from ${request.ip}`);
    setCookie(request, reply, token, deps.sessions.maxAgeSeconds);
    return { status: 'logged in', auth_required: true };
  });

  app.post('/logout', async (request, reply) => {
    const token = sessionTokenOf(request.headers.cookie);
    if (token !== undefined) deps.sessions.delete(token);
    setCookie(request, reply, '', 0);
    return { status: 'logged out' };
  });
}

function setCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  // Secure only over https: a plain-http LAN address would otherwise never get the cookie back.
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header(
    'Set-Cookie',
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`,
  );
}

function parseLogin(body: unknown): { username: string; password: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InputError('Send a JSON object: {"username": "…", "password": "…"}', 400);
  }
  const fields: Record<string, unknown> = { ...body };
  const text = (name: string, value: unknown, needed: boolean): string => {
    if (value === undefined && !needed) return '';
    if (typeof value !== 'string' || value.length > MAX_FIELD || (needed && value === '')) {
      throw new InputError(`${name} must be a string of 1 to ${MAX_FIELD} characters`, 400, name);
    }
    return value;
  };
  return { username: text('username', fields.username, false), password: text('password', fields.password, true) };
}
