import { Writable } from 'node:stream';
import t, { type Test } from 'tap';
import { z } from 'zod';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig, type Env } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createMetricsRegistry } from '../src/plugins/app/metrics.ts';
import type { FreeswitchNodeStatus } from '../src/plugins/app/readiness.ts';
import type { ZodTypeProvider } from '../src/plugins/app/zod.ts';
import { createService } from '../src/service.ts';
import { demoAuth } from './helpers/tokens.ts';

function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: createLogger({ level: 'info' }, stream), lines };
}

/** The app alone, with readiness answered by plain functions (no backing service involved). */
async function appWith(t: Test, readiness = { freeswitch: (): FreeswitchNodeStatus[] => [], redis: async () => false }) {
  const { logger, lines } = capturedLogger();
  const app = await buildApp({ config: loadConfig({ env: {} }), logger, deps: { metrics: createMetricsRegistry(), readiness, auth: await demoAuth() } });
  t.teardown(() => app.close());
  return { app, lines };
}

/** The whole service in-process, against a real Redis. */
async function serviceWith(t: Test, env: Env, freeswitch?: () => FreeswitchNodeStatus[]) {
  const { logger } = capturedLogger();
  const service = await createService(loadConfig({ env: { HOTLINE_HTTP_PORT: '0', ...env } }), logger, freeswitch ? { freeswitch } : {});
  t.teardown(() => service.stop());
  await service.start();
  return service;
}

t.test('GET /healthz answers ok', async (t) => {
  const { app } = await appWith(t);
  const res = await app.inject({ url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'ok' });
});

t.test('GET /readyz with a real Redis', async (t) => {
  const redis = await withRedis(t);
  const nodes: FreeswitchNodeStatus[] = [
    { name: 'fs1', connected: true },
    { name: 'fs2', connected: true },
  ];

  t.test('200 when every node is connected and Redis answers', async (t) => {
    const service = await serviceWith(t, { HOTLINE_REDIS_URL: redis.url }, () => nodes);
    const res = await service.app.inject({ url: '/readyz' });
    t.equal(res.statusCode, 200);
    t.same(res.json(), { ready: true, checks: { redis: true, freeswitch: nodes, draining: false } });
  });

  t.test('503 when one node is down', async (t) => {
    const service = await serviceWith(t, { HOTLINE_REDIS_URL: redis.url }, () => [nodes[0]!, { name: 'fs2', connected: false }]);
    const res = await service.app.inject({ url: '/readyz' });
    t.equal(res.statusCode, 503);
    t.match(res.json(), { ready: false, checks: { redis: true, freeswitch: [{ connected: true }, { name: 'fs2', connected: false }] } });
  });

  t.test('503 before the ESL module is wired: configured nodes report not connected', async (t) => {
    const service = await serviceWith(t, { HOTLINE_REDIS_URL: redis.url, HOTLINE_FS_NODES: '[{"name":"a"},{"name":"b"}]' });
    const res = await service.app.inject({ url: '/readyz' });
    t.equal(res.statusCode, 503);
    t.same(res.json().checks.freeswitch, [
      { name: 'a', connected: false },
      { name: 'b', connected: false },
    ]);
  });

  t.test('503 when Redis stops answering, quickly', async (t) => {
    const own = await withRedis(t);
    const service = await serviceWith(t, { HOTLINE_REDIS_URL: own.url }, () => nodes);
    t.equal((await service.app.inject({ url: '/readyz' })).statusCode, 200);
    await own.stop();
    const started = Date.now();
    const res = await service.app.inject({ url: '/readyz' });
    t.equal(res.statusCode, 503);
    t.equal(res.json().checks.redis, false);
    t.ok(Date.now() - started < 2_000, 'the probe does not hang on a dead Redis');
  });

  t.test('503 when no Redis is configured', async (t) => {
    const service = await serviceWith(t, {}, () => nodes);
    const res = await service.app.inject({ url: '/readyz' });
    t.equal(res.statusCode, 503);
    t.equal(res.json().checks.redis, false);
  });

  t.test('503 with draining:true once shutdown has begun', async (t) => {
    const service = await serviceWith(t, { HOTLINE_REDIS_URL: redis.url }, () => nodes);
    let during: { statusCode: number; body: { checks: { draining: boolean } } } | undefined;
    // A closer of the first phase sees the service while it drains, before HTTP closes.
    service.shutdown.add('intake', 'probe', async () => {
      const res = await service.app.inject({ url: '/readyz' });
      during = { statusCode: res.statusCode, body: res.json() };
    });
    const result = await service.stop();
    t.same(result, { completed: true, pending: [], failed: [] });
    t.equal(during?.statusCode, 503);
    t.equal(during?.body.checks.draining, true);
  });
});

t.test('GET /metrics: Prometheus text with default and http metrics', async (t) => {
  const { app } = await appWith(t);
  await app.inject({ url: '/healthz' });
  await app.inject({ url: '/no/such/path/13812345678' });
  const res = await app.inject({ url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  t.match(res.body, /^# HELP hotline_process_cpu_user_seconds_total /m, 'default process metrics');
  t.match(res.body, /^hotline_http_requests_total\{method="GET",route="\/healthz",status_code="200"\} 1$/m);
  t.match(res.body, /^hotline_http_requests_total\{method="GET",route="unmatched",status_code="404"\} 1$/m, 'unmatched paths share one label');
  t.match(res.body, /^hotline_http_request_duration_seconds_bucket\{/m);
});

t.test('GET /docs/json is an OpenAPI 3 document listing the routes', async (t) => {
  const { app } = await appWith(t);
  const res = await app.inject({ url: '/docs/json' });
  t.equal(res.statusCode, 200);
  const doc = res.json();
  t.match(doc.openapi, /^3\.0\.\d+$/);
  t.match(doc.info, { title: 'hotline12345', version: String });
  t.same(Object.keys(doc.paths).sort(), ['/api/login', '/api/softphone/config', '/healthz', '/metrics', '/readyz']);
  const paths = doc.paths as Record<string, { get: { security: unknown; responses: Record<string, { description: string; content: Record<string, { schema: unknown }> }> } }>;
  t.same(paths['/healthz']!.get.security, [], 'probes need no token');
  t.same(paths['/metrics']!.get.security, [{ metricsToken: [] }], 'the scrape token');
  t.same(paths['/api/softphone/config']!.get.security, [{ bearerAuth: [] }], 'a login token');
  for (const path of ['/healthz', '/metrics', '/readyz']) {
    const item = paths[path]!;
    for (const [code, response] of Object.entries(item.get.responses)) {
      t.type(response.description, 'string', `${path} ${code} has a description`);
      t.ok(Object.values(response.content).every((c) => typeof c.schema === 'object'), `${path} ${code} has a schema`);
    }
  }
  t.same(doc.paths['/readyz'].get.responses['503'].content['application/json'].schema.required, ['ready', 'checks']);
  t.same(doc.paths['/healthz'].get.responses['200'].content['application/json'].schema.properties.status, { type: 'string', enum: ['ok'] });
  const ui = await app.inject({ url: '/docs' });
  t.equal(ui.statusCode, 200);
  t.match(ui.headers['content-type'], /text\/html/);
});

t.test('errors: 5xx messages hidden and logged, zod failures are 400 naming the field', async (t) => {
  const { logger, lines } = capturedLogger();
  const app = await buildApp({
    config: loadConfig({ env: {} }),
    logger,
    deps: { metrics: createMetricsRegistry(), readiness: { freeswitch: () => [], redis: async () => false }, auth: await demoAuth() },
  });
  t.teardown(() => app.close());
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const config = { access: 'public' } as const;
  typed.get('/boom', { config }, async () => {
    throw new Error('db password is hunter2');
  });
  typed.get('/teapot', { config }, async () => {
    throw Object.assign(new Error('no coffee here'), { statusCode: 418 });
  });
  typed.get('/search', { config, schema: { querystring: z.object({ limit: z.coerce.number().int().min(1) }) } }, async (req) => ({ limit: req.query.limit }));
  typed.post('/parse', { config }, async (req) => z.object({ caller: z.string() }).parse(req.body));

  const boom = await app.inject({ url: '/boom' });
  t.equal(boom.statusCode, 500);
  t.notMatch(boom.body, /hunter2/, 'the client does not see the cause');
  t.match(boom.json(), { statusCode: 500, error: 'Internal Server Error', message: 'internal error', requestId: String });
  const logged = lines.map((l) => JSON.parse(l)).find((r) => r.msg === 'request failed');
  t.match(logged, { level: 50, err: { message: /hunter2/ }, req: { method: 'GET', url: '/boom' } }, 'the log keeps cause and request');
  t.equal(logged.reqId, boom.json().requestId, 'the request id ties answer and log');

  const teapot = await app.inject({ url: '/teapot' });
  t.equal(teapot.statusCode, 418);
  t.equal(teapot.json().message, 'no coffee here', '4xx messages are shown');

  const bad = await app.inject({ url: '/search?limit=0' });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { statusCode: 400, error: 'Bad Request', message: /^querystring\.limit: / });
  const good = await app.inject({ url: '/search?limit=5' });
  t.same(good.json(), { limit: 5 });

  const parsed = await app.inject({ method: 'POST', url: '/parse', payload: { caller: 5 } });
  t.equal(parsed.statusCode, 400);
  t.match(parsed.json().message, /^caller: /);
});
