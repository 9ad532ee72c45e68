// Liveness and readiness probes. /healthz says the process answers; /readyz says it can take calls.
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from '../plugins/app/zod.ts';

const healthSchema = z.object({ status: z.literal('ok') }).describe('The process is alive');

const readySchema = z.object({
  ready: z.boolean(),
  checks: z.object({
    redis: z.boolean().describe('Redis answered PING'),
    freeswitch: z.array(z.object({ name: z.string(), connected: z.boolean() })).describe('One entry per configured node'),
    draining: z.boolean().describe('Shutdown has begun'),
  }),
}).describe('Readiness report (200 ready, 503 not ready)');

const healthRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: { tags: ['ops'], summary: 'Liveness: the process answers', response: { 200: healthSchema } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['ops'],
        summary: 'Readiness: every FreeSWITCH node connected and Redis up',
        response: { 200: readySchema, 503: readySchema },
      },
    },
    async (_request, reply) => {
      const report = await app.readiness.check();
      return reply.code(report.ready ? 200 : 503).send(report);
    },
  );
};

export default healthRoutes;
