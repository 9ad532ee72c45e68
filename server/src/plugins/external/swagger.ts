// OpenAPI document built from the routes' zod schemas; the UI at /docs, the JSON at /docs/json.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { documentAccess, markPublic, securitySchemes } from '../app/authz.ts';
import { zodToOpenApi } from '../app/zod.ts';

export interface SwaggerPluginOptions {
  version: string;
}

const swaggerPlugin: FastifyPluginAsync<SwaggerPluginOptions> = async (fastify, opts) => {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'hotline12345',
        description: 'Contact-center integration service for 12345 government service hotlines',
        version: opts.version,
      },
      tags: [{ name: 'ops', description: 'Liveness, readiness and metrics' }],
      components: { securitySchemes },
    },
    // Zod schemas to JSON schema, then who may call the route (plugins/app/authz.ts).
    transform: ({ schema, url, route }) => documentAccess(zodToOpenApi({ schema, url }), route),
  });
  // The docs are public: they describe an open-source API and carry no data; every operation in
  // them says which token and roles it needs.
  await fastify.register(async (docs) => {
    markPublic(docs);
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });
};

// Registered before any route: @fastify/swagger collects routes through an onRoute hook.
export default fp(swaggerPlugin, { name: 'swagger', fastify: '5.x' });
