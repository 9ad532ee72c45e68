// Prometheus scrape endpoint, in the registry's own text format.
import type { FastifyPluginAsync } from 'fastify';

const metricsRoutes: FastifyPluginAsync = async (fastify) => {
  fastify.get(
    '/metrics',
    {
      config: { access: 'metrics' },
      schema: {
        tags: ['ops'],
        summary: 'Prometheus metrics',
        // Plain JSON schema: the body is text, which zod has no content-type for.
        response: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    async (_request, reply) => {
      const registry = fastify.metrics;
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  );
};

export default metricsRoutes;
