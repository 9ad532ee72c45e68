// Prometheus metrics: the registry is made by the wiring and passed in, so domain modules (ACD, SLA,
// ESL) register their own metrics on the same registry and tests get a fresh one each.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

/** A registry with Node's default process metrics, prefixed `hotline_`. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hotline_' });
  return registry;
}

// Two apps on one registry (tests, a restart in-process) must not register a metric twice.
function counter(registry: Registry): Counter<'method' | 'route' | 'status_code'> {
  const name = 'hotline_http_requests_total';
  return (registry.getSingleMetric(name) as Counter<'method' | 'route' | 'status_code'> | undefined) ??
    new Counter({ name, help: 'HTTP requests served', labelNames: ['method', 'route', 'status_code'], registers: [registry] });
}

function histogram(registry: Registry): Histogram<'method' | 'route' | 'status_code'> {
  const name = 'hotline_http_request_duration_seconds';
  return (registry.getSingleMetric(name) as Histogram<'method' | 'route' | 'status_code'> | undefined) ??
    new Histogram({
      name,
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
}

export interface MetricsPluginOptions {
  registry: Registry;
}

const metricsPlugin: FastifyPluginAsync<MetricsPluginOptions> = async (fastify, { registry }) => {
  fastify.decorate('metrics', registry);
  const requests = counter(registry);
  const duration = histogram(registry);
  fastify.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: `/agents/:id`, and one label for every unmatched path,
    // so a scanner cannot blow up the label cardinality.
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status_code: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
};

export default fp(metricsPlugin, { name: 'metrics', fastify: '5.x' });
