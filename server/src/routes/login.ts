// POST /api/login: username and password for a JWT the softphone, dispatcher console and wallboard
// present when they open their Socket.IO connection.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Auth } from '../auth/auth.ts';
import { ROLES } from '../auth/users.ts';
import type { ZodTypeProvider } from '../plugins/app/zod.ts';
import { errorView } from './agent-schemas.ts';

export interface LoginRoutesOptions {
  auth: Auth;
}

const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

const loginView = z.object({
  token: z.string().describe('JWT (HS256); pass it as auth.token when connecting to Socket.IO'),
  expiresAt: z.number().describe('ms since epoch'),
  role: z.enum(ROLES),
  agentId: z.string().optional(),
});

const loginRoutes: FastifyPluginAsync<LoginRoutesOptions> = async (fastify, { auth }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/api/login',
    {
      // Public, and the failed-login budget lives in Redis.
      config: { access: 'public', store: true },
      schema: {
        tags: ['auth'],
        summary: 'Log in: a JWT for the realtime namespaces',
        description: 'Too many failures for a username or from an address answer 429 until the window passes.',
        body: loginBody,
        response: { 200: loginView, 400: errorView, 401: errorView, 429: errorView },
      },
    },
    async (req, reply) => {
      const res = await auth.login(req.body.username, req.body.password, req.ip);
      if (res.ok) return { token: res.token, expiresAt: res.expiresAt, role: res.principal.role, ...(res.principal.agentId ? { agentId: res.principal.agentId } : {}) };
      // One message for unknown user and wrong password: do not reveal which usernames exist.
      if (res.reason === 'rate-limited') return reply.code(429).send({ statusCode: 429, error: 'Too Many Requests', message: 'too many failed logins, try later' });
      return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'wrong username or password' });
    },
  );
};

export default loginRoutes;
