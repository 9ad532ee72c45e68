// GET /api/sla through the real app (zod validation, error handler, OpenAPI) and a real Redis.
import t from 'tap';
import { Redis } from 'ioredis';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createMetricsRegistry } from '../src/plugins/app/metrics.ts';
import slaRoutes from '../src/routes/sla.ts';
import { createSlaService } from '../src/sla/service.ts';
import { slaSettings } from '../src/sla/settings.ts';
import { redisKeys } from '../src/store/keys.ts';
import { SlaRedisStore } from '../src/store/sla-store.ts';
import { bearer, demoAuth } from './helpers/tokens.ts';

const bj = (local: string): number => Date.parse(`${local}+08:00`);

t.test('GET /api/sla', async (t) => {
  const r = await withRedis(t);
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  const config = loadConfig({ env: { HOTLINE_SLA_ALERT_MIN_COUNTED: '1' } });
  const metrics = createMetricsRegistry();
  const logger = createLogger({ level: 'silent' });
  const nowMs = bj('2026-11-22T10:07:00');
  const sla = createSlaService({ store: new SlaRedisStore(redis, redisKeys('route')), settings: slaSettings(config.sla), logger, now: () => nowMs, registry: metrics });
  t.teardown(() => sla.stop());
  const auth = await demoAuth();
  const built = await buildApp({ config, logger, deps: { metrics, readiness: { freeswitch: () => [], redis: async () => true }, auth } });
  await built.register(slaRoutes, { sla, queueNames: ['general', 'enterprise', 'elder', 'from110'] });
  t.teardown(() => built.close());
  // The figures are for ops (and supervisors, admins): every request carries an ops token.
  const headers = await bearer(auth, 'ops');
  const app = { inject: (opts: { url: string; query?: Record<string, string> }) => built.inject({ ...opts, headers }) };

  const t0 = bj('2026-11-22T10:01:00') * 1000;
  await sla.record({ callId: 'a', queue: 'general', t0Us: t0, kind: 'answered', atUs: t0 + 15_000_000 });
  await sla.record({ callId: 'b', queue: 'general', t0Us: t0, kind: 'answered', atUs: t0 + 15_001_000 });
  await sla.record({ callId: 'c', queue: 'enterprise', t0Us: t0, kind: 'callback', atUs: t0 + 30_000_000 });
  await sla.record({ callId: 'd', queue: 'enterprise', t0Us: t0, kind: 'abandoned', atUs: t0 + 5_000_000 });
  await sla.evaluate();

  t.test('center by default, now: the three windows with every measure', async (t) => {
    const res = await app.inject({ url: '/api/sla' });
    t.equal(res.statusCode, 200);
    const body = res.json();
    t.match(body, { scope: 'center', at: '2026-11-22T02:07:00.000Z', target: 0.95, thresholdSec: 15, shortAbandonSec: 5, minCounted: 1, alert: { firing: true, since: String } });
    const expected = {
      offered: 4, counted: 3, shortAbandons: 1, answered: 2, answeredWithin: 1, abandoned: 0, callbacks: 1, overflows: 0,
      rate15s: 1 / 3, answerRate: 2 / 3, lossRate: 1 - 2 / 3, asaSec: 15.001, avgAbandonSec: null,
    };
    t.same(body.interval, { start: '2026-11-22T02:00:00.000Z', end: '2026-11-22T02:15:00.000Z', ...expected });
    t.same(body.today, { start: '2026-11-21T16:00:00.000Z', end: '2026-11-22T16:00:00.000Z', date: '2026-11-22', ...expected });
    t.same(body.rolling24h, { start: '2026-11-21T02:07:00.000Z', end: '2026-11-22T02:07:00.000Z', ...expected });
  });

  t.test('one queue, at a given time with its offset', async (t) => {
    const res = await app.inject({ url: '/api/sla', query: { scope: 'queue:general', at: '2026-11-22T10:00:59.999+08:00' } });
    t.equal(res.statusCode, 200);
    t.match(res.json(), { scope: 'queue:general', at: '2026-11-22T02:00:59.999Z', rolling24h: { offered: 0 }, interval: { offered: 2 } });
    const later = await app.inject({ url: '/api/sla?scope=queue:general&at=2026-11-22T02:01:00Z' });
    t.match(later.json(), { rolling24h: { offered: 2, answeredWithin: 1, rate15s: 0.5 } }, 't0 at `at` is inside the window');
  });

  t.test('a queue that is not configured is 404, not a quiet queue', async (t) => {
    const res = await app.inject({ url: '/api/sla', query: { scope: 'queue:nope' } });
    t.equal(res.statusCode, 404);
    t.match(res.json(), { statusCode: 404, error: 'Not Found', message: /no queue named "nope" \(configured: general, enterprise, elder, from110\)/ });
    t.equal((await app.inject({ url: '/api/sla', query: { scope: 'queue:elder' } })).statusCode, 200, 'a configured queue with no calls yet is 200');
  });

  t.test('bad queries are 400 naming the parameter', async (t) => {
    for (const [query, field] of [
      [{ scope: 'agents' }, /^querystring\.scope: expected "center" or "queue:<name>"/],
      [{ scope: 'queue:' }, /^querystring\.scope/],
      [{ at: 'yesterday' }, /^querystring\.at: expected an ISO 8601 date-time/],
      [{ limit: '5' }, /^querystring: /],
    ] as const) {
      const res = await app.inject({ url: '/api/sla', query });
      t.equal(res.statusCode, 400, JSON.stringify(query));
      t.match(res.json(), { statusCode: 400, error: 'Bad Request', message: field });
    }
  });

  t.test('documented in the OpenAPI document', async (t) => {
    const doc = (await app.inject({ url: '/docs/json' })).json();
    const op = doc.paths['/api/sla']?.get;
    t.ok(op, '/api/sla is listed');
    t.same(op.tags, ['sla']);
    t.same(op.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort(), ['query:at', 'query:scope']);
    const schema = op.responses['200'].content['application/json'].schema;
    t.same(Object.keys(schema.properties.rolling24h.properties).sort(), [
      'abandoned', 'answerRate', 'answered', 'answeredWithin', 'asaSec', 'avgAbandonSec', 'callbacks', 'counted', 'end', 'lossRate', 'offered', 'overflows', 'rate15s', 'shortAbandons', 'start',
    ]);
  });

  t.test('the SLA metrics are on the app registry', async (t) => {
    const res = await app.inject({ url: '/metrics' });
    t.match(res.body, /^hotline_sla_rate15s\{scope="center"\} 0\.333/m);
    t.match(res.body, /^hotline_sla_alert_firing\{scope="queue:enterprise"\} 1$/m);
    t.match(res.body, /^hotline_sla_alerts_total\{scope="center",event="fired"\} 1$/m);
  });
});
