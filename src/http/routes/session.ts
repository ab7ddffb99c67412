import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InputError } from '../../core/errors.js';
import { answer, boolean, errorResponse, exactObject } from '../api-schemas.js';
import { type AuthConfig, CREDENTIALS_OPTIONAL, type Credentials, isAuthenticated, OPEN_TO_ALL } from '../auth.js';
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

const loggedIn = answer(
  'Logged in: the session cookie is set (Set-Cookie), unless authentication is off',
  exactObject({ status: { const: 'logged in' }, auth_required: boolean }),
);

/**
 * The dashboard's login: POST /login exchanges the Basic password (with its username) or the API key
 * for a session cookie (HttpOnly: no script reads it; SameSite=Strict: no other site's page sends it),
 * POST /logout ends it, GET /session tells a page whether it must log in.
 */
export function registerSessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): void {
  const required = deps.auth.basic !== null || deps.auth.apiKey !== null;

  app.get(
    '/session',
    {
      schema: {
        summary: 'Whether the dashboard must log in, and whether this request is logged in',
        tags: ['dashboard login'],
        security: CREDENTIALS_OPTIONAL,
        response: {
          200: answer(
            'What the page needs to show its login form or not',
            exactObject({
              auth_required: boolean,
              authenticated: boolean,
              methods: exactObject({
                password: { type: 'boolean', description: 'SYNC_USERNAME/SYNC_PASSWORD are set' },
                api_key: { type: 'boolean', description: 'SYNC_API_KEY is set' },
              }),
            }),
          ),
        },
      },
    },
    async (request) => ({
      auth_required: required,
      authenticated: isAuthenticated(request),
      methods: { password: deps.auth.basic !== null, api_key: deps.auth.apiKey !== null },
    }),
  );

  app.post('/login', { schema: LOGIN_SCHEMA }, async (request, reply) => {
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

  app.post('/logout', { schema: LOGOUT_SCHEMA }, async (request, reply) => {
    const token = sessionTokenOf(request.headers.cookie);
    if (token !== undefined) deps.sessions.delete(token);
    setCookie(request, reply, '', 0);
    return { status: 'logged out' };
  });
}

const LOGIN_SCHEMA = {
  summary: "The dashboard's login: a session cookie for the Basic password or the API key",
  tags: ['dashboard login'],
  security: OPEN_TO_ALL,
  documentedBody: {
    description: 'The Basic username and password, or the API key as the password (any username)',
    schema: {
      type: 'object',
      required: ['password'],
      properties: {
        username: { type: 'string', maxLength: MAX_FIELD },
        password: { type: 'string', minLength: 1, maxLength: MAX_FIELD },
      },
    },
  },
  response: {
    200: loggedIn,
    400: errorResponse('Not a JSON object, or a username/password that is not a string of 1 to 1024 characters'),
    401: errorResponse('Wrong username and password, or API key (answered a second later)'),
  },
};

const LOGOUT_SCHEMA = {
  summary: "Ends the dashboard's login and clears its cookie",
  tags: ['dashboard login'],
  security: OPEN_TO_ALL,
  response: { 200: answer('Logged out', exactObject({ status: { const: 'logged out' } })) },
};

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
