// Every route says who may call it (route config `access`), and one onRequest hook enforces it
// before the body is even read: `public` (probes, login, the softphone's files, the API docs),
// `metrics` (the scrape token), or a permission of the role table (auth/access.ts) that a valid JWT
// must hold. A route that declares nothing is refused to everyone and stops start-up (default deny).
// 401: no token or a bad one; 403: a good token whose role may not.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, FastifySchema, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { ACTIONS, allows, refusalOf, rolesWith, type Permission } from '../../auth/access.ts';
import type { Auth, Principal } from '../../auth/auth.ts';
import { bearerToken as bearer, sameSecret } from '../../auth/bearer.ts';

export type Access = 'public' | 'metrics' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (plugins/app/authz.ts). */
    access?: Access;
    /** The route reads or writes Redis: refused with 503 at once while Redis is unavailable. */
    store?: boolean;
  }
  interface FastifyRequest {
    /** The caller, from its token; null on public routes. */
    principal: Principal | null;
  }
}

export interface AuthzOptions {
  auth: Pick<Auth, 'verify'>;
  metrics: {
    /** Bearer token a scrape must present; absent: see `openWithoutToken`. */
    token?: string | undefined;
    /** No token configured: whether /metrics answers anyway (the API listens on loopback only). */
    openWithoutToken: boolean;
  };
}

/** The caller of a route guarded by a permission (never null there). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error(`route ${req.routeOptions.url ?? req.url} has no authenticated caller`);
  return req.principal;
}

function refuse(reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  // RFC 6750: a 401 names the scheme the client should use.
  if (status === 401) void reply.header('www-authenticate', 'Bearer realm="hotline12345"');
  return reply.code(status).send({ statusCode: status, error: status === 401 ? 'Unauthorized' : 'Forbidden', message });
}

const authzPlugin: FastifyPluginAsync<AuthzOptions> = async (fastify, { auth, metrics }) => {
  fastify.decorateRequest('principal', null);

  const routes: RouteOptions[] = [];
  fastify.addHook('onRoute', (route) => void routes.push(route));
  // Checked once every plugin has added its routes (and marked them): a forgotten `access` is a bug.
  fastify.addHook('onReady', async () => {
    const bare = routes.filter((r) => r.config?.access === undefined).map((r) => `${String(r.method)} ${r.url}`);
    if (bare.length) throw new Error(`routes without an access rule (plugins/app/authz.ts): ${bare.join(', ')}`);
  });

  fastify.addHook('onRequest', async (req, reply) => {
    // No route matched: the 404 handler answers; it reveals nothing a token would protect.
    if (req.routeOptions.url === undefined) return;
    const access = req.routeOptions.config.access;
    if (access === 'public') return;
    if (access === 'metrics') {
      const token = bearer(req.headers.authorization);
      if (metrics.token) {
        if (!token) return refuse(reply, 401, 'missing token: send Authorization: Bearer <metrics.token>');
        if (!sameSecret(token, metrics.token)) return refuse(reply, 401, 'wrong metrics token');
        return;
      }
      if (!metrics.openWithoutToken)
        return refuse(reply, 403, 'metrics off loopback need a token: set metrics.token (HOTLINE_METRICS_TOKEN), or scrape the metrics listener (HOTLINE_METRICS_PORT)');
      return;
    }
    if (access === undefined) return refuse(reply, 403, 'this route declares no access rule');
    const token = bearer(req.headers.authorization);
    if (!token) return refuse(reply, 401, 'missing token: send Authorization: Bearer <token> from POST /api/login');
    const principal = await auth.verify(token).catch(() => undefined);
    if (!principal) return refuse(reply, 401, 'invalid or expired token: log in again (POST /api/login)');
    if (!allows(principal.role, access)) return refuse(reply, 403, refusalOf(principal.role, access));
    req.principal = { username: principal.username, role: principal.role, ...(principal.agentId ? { agentId: principal.agentId } : {}), ...(principal.groups ? { groups: principal.groups } : {}) };
  });
};

export default fp(authzPlugin, { name: 'authz', fastify: '5.x' });

/** Routes registered inside `instance` (and its children) become public: static files, the API docs. */
export function markPublic(instance: { addHook(name: 'onRoute', fn: (route: RouteOptions) => void): unknown }): void {
  instance.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'public' };
  });
}

const errorDoc = { type: 'object', properties: { statusCode: { type: 'number' }, error: { type: 'string' }, message: { type: 'string' } } };

/** For @fastify/swagger's transform: each operation's security requirement, roles and refusals. */
export function documentAccess(out: { schema: FastifySchema; url: string }, route: { config?: unknown }): { schema: FastifySchema; url: string } {
  const access = (route.config as { access?: Access } | undefined)?.access;
  if (!out.schema || access === undefined) return out;
  const schema: Record<string, unknown> = { ...out.schema };
  if (access === 'public') {
    schema.security = [];
    return { ...out, schema };
  }
  const response = { ...(schema.response as Record<string, unknown> | undefined) };
  response['401'] ??= { description: 'Missing, invalid or expired token', content: { 'application/json': { schema: errorDoc } } };
  if (access === 'metrics') {
    schema.security = [{ metricsToken: [] }];
    schema.description = [schema.description, 'Needs the bearer token metrics.token (HOTLINE_METRICS_TOKEN) when one is set; without one, served only while the API listens on loopback.'].filter(Boolean).join('\n\n');
  } else {
    schema.security = [{ bearerAuth: [] }];
    response['403'] ??= { description: `The role may not ${ACTIONS[access]}`, content: { 'application/json': { schema: errorDoc } } };
    schema.description = [schema.description, `Roles: ${rolesWith(access).join(', ')} (${access}).`].filter(Boolean).join('\n\n');
  }
  schema.response = response;
  return { ...out, schema };
}

export const securitySchemes = {
  bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The token from POST /api/login' },
  metricsToken: { type: 'http', scheme: 'bearer', description: 'metrics.token (HOTLINE_METRICS_TOKEN)' },
} as const;
