// The agent and queue REST API through the real app (error handler, zod plugin, OpenAPI, the
// token check) with the plugins registered as app.ts would, on a real Redis. Requests carry an
// admin's token unless a test says otherwise (security-authz.test.ts covers the refusals).
import t, { type Test } from 'tap';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createMetricsRegistry } from '../src/plugins/app/metrics.ts';
import agentRoutes from '../src/routes/agents.ts';
import queueRoutes from '../src/routes/queues.ts';
import { PRIORITY, QueueStore } from '../src/store/queue-store.ts';
import { T0, agentStore, freshPrefix, type FakeClock } from './helpers/acd-agents.ts';
import { bearer, demoAuth } from './helpers/tokens.ts';

const li = { id: '1001', name: 'Li Lei', phone: 'user/1001', skills: { general: 7, enterprise: 3 } };

async function appWith(t: Test, url: string) {
  const clock: FakeClock = { now: T0 };
  const { store, redis, keys } = agentStore(t, url, { prefix: freshPrefix(), clock, wrapUpSec: 30, wrapUpExtendSec: 30 });
  const queues = new QueueStore(redis, keys);
  const auth = await demoAuth();
  const app = await buildApp({
    config: loadConfig({ env: {} }),
    logger: createLogger({ level: 'silent' }),
    deps: { metrics: createMetricsRegistry(), readiness: { freeswitch: () => [], redis: async () => true }, auth },
  });
  await app.register(agentRoutes, { agents: store });
  await app.register(queueRoutes, { agents: store, queues, queueConfigs: [{ name: 'general' }, { name: 'elder', skill: 'general' }], clock: () => clock.now });
  t.teardown(() => app.close());
  const headers = await bearer(auth, 'admin');
  const inject = (opts: { method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: Record<string, unknown> }) => app.inject({ ...opts, headers });
  const post = (url: string, payload: unknown) => inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
  return { app, store, queues, clock, post, inject, auth };
}

t.test('agent and queue routes', async (t) => {
  const { url } = await withRedis(t);

  t.test('admin: create, list, get, patch, delete', async (t) => {
    const { inject, post, clock } = await appWith(t, url);
    const created = await post('/api/agents', li);
    t.equal(created.statusCode, 201);
    t.same(created.json(), { ...li, groups: [], state: 'logged-out', since: T0, wrapExtended: false }, 'no internal fields (rev) leak');

    const dup = await post('/api/agents', li);
    t.equal(dup.statusCode, 409);
    t.same(dup.json(), { statusCode: 409, error: 'Conflict', message: 'agent 1001: already exists' });

    const bad = [
      [{ ...li, skills: { general: 11 } }, /^body\.skills\.general: expected a skill level 1-10$/],
      [{ ...li, skills: {} }, /^body\.skills: expected at least one skill$/],
      [{ ...li, phone: 'user/1001 & rm' }, /^body\.phone: expected a FreeSWITCH dial target/],
      [{ ...li, id: 'a b' }, /^body\.id: expected 1-64 letters/],
      [{ name: 'x', phone: 'user/1', skills: { general: 1 } }, /^body\.id: /],
      [{ ...li, color: 'red' }, /color/],
    ] as const;
    for (const [payload, message] of bad) {
      const res = await post('/api/agents', payload);
      t.equal(res.statusCode, 400, JSON.stringify(payload));
      t.match(res.json(), { statusCode: 400, error: 'Bad Request', message });
    }

    await post('/api/agents', { ...li, id: '1002', name: 'Han Meimei' });
    const list = await inject({ url: '/api/agents' });
    t.equal(list.statusCode, 200);
    t.same(list.json().agents.map((a: { id: string }) => a.id), ['1001', '1002']);

    clock.now = T0 + 5_000;
    await post('/api/agents/1001/state', { action: 'login' });
    const one = await inject({ url: '/api/agents/1001' });
    t.equal(one.statusCode, 200);
    t.match(one.json(), {
      agent: { id: '1001', state: 'ready', since: T0 + 5_000, idleSince: T0 + 5_000 },
      transitions: [
        { event: 'login', from: 'logged-out', to: 'ready', reason: 'login', at: T0 + 5_000, by: 'admin:admin', id: String },
        { event: 'create', by: 'admin:admin' },
      ],
    });
    const missing = await inject({ url: '/api/agents/nope' });
    t.equal(missing.statusCode, 404);
    t.same(missing.json(), { statusCode: 404, error: 'Not Found', message: 'agent nope: no such agent' });
    t.match((await inject({ url: '/api/agents/a%20b' })).json(), { statusCode: 400, message: /^params\.id: / });

    const patched = await inject({ method: 'PATCH', url: '/api/agents/1001', payload: { skills: { general: 9 }, phone: 'user/2001' } });
    t.equal(patched.statusCode, 200);
    t.match(patched.json(), { name: 'Li Lei', phone: 'user/2001', skills: { general: 9 }, state: 'ready' });
    t.notOk('enterprise' in patched.json().skills, 'skills are replaced, not merged');
    t.match((await inject({ method: 'PATCH', url: '/api/agents/1001', payload: {} })).json(), { statusCode: 400, message: /expected at least one of name, phone, skills, groups/ });
    t.equal((await inject({ method: 'PATCH', url: '/api/agents/nope', payload: { name: 'x' } })).statusCode, 404);

    const busy = await inject({ method: 'DELETE', url: '/api/agents/1001' });
    t.equal(busy.statusCode, 409);
    t.equal(busy.json().message, 'agent 1001: cannot delete while ready; log the agent out first');
    await post('/api/agents/1001/state', { action: 'logout' });
    const del = await inject({ method: 'DELETE', url: '/api/agents/1001' });
    t.equal(del.statusCode, 204);
    t.equal(del.body, '');
    t.equal((await inject({ url: '/api/agents/1001' })).statusCode, 404);
    t.equal((await inject({ method: 'DELETE', url: '/api/agents/1001' })).statusCode, 404);
  });

  t.test('state changes: legal ones answer the new state, illegal ones 409 with the reason', async (t) => {
    const { store, post, clock } = await appWith(t, url);
    await post('/api/agents', li);

    const noAgent = await post('/api/agents/nope/state', { action: 'login' });
    t.equal(noAgent.statusCode, 404);
    t.equal(noAgent.json().message, 'agent nope: no such agent');

    const login = await post('/api/agents/1001/state', { action: 'login' });
    t.equal(login.statusCode, 200);
    t.same(login.json().transition, { event: 'login', from: 'logged-out', to: 'ready', reason: 'login', at: T0, by: 'admin:admin' });
    t.match(login.json().agent, { state: 'ready' });

    t.match((await post('/api/agents/1001/state', { action: 'not-ready' })).json(), { statusCode: 400, message: 'body.reason: expected a reason for not-ready: break, meal, training, meeting' });
    t.match((await post('/api/agents/1001/state', { action: 'not-ready', reason: 'ring-no-answer' })).json(), { statusCode: 400, message: /^body\.reason: / }, 'ring-no-answer is for the router only');
    t.match((await post('/api/agents/1001/state', { action: 'ready', reason: 'meal' })).json(), { statusCode: 400, message: 'body.reason: a reason only goes with not-ready' });
    t.match((await post('/api/agents/1001/state', { action: 'dance' })).json(), { statusCode: 400, message: /^body\.action: / });

    clock.now = T0 + 1_000;
    const meal = await post('/api/agents/1001/state', { action: 'not-ready', reason: 'meal' });
    t.equal(meal.statusCode, 200);
    t.match(meal.json(), { agent: { state: 'not-ready', reason: 'meal' }, transition: { from: 'ready', to: 'not-ready', reason: 'meal' } });
    t.equal((await post('/api/agents/1001/state', { action: 'ready' })).statusCode, 200);

    await store.apply('1001', { type: 'reserve', callId: 'c1' }, 'acd');
    const whileRinging = await post('/api/agents/1001/state', { action: 'logout' });
    t.equal(whileRinging.statusCode, 409);
    t.same(whileRinging.json(), { statusCode: 409, error: 'Conflict', message: 'agent 1001: cannot go from reserved to logged-out' });
    await store.apply('1001', { type: 'connect', callId: 'c1' });
    t.same((await post('/api/agents/1001/state', { action: 'ready' })).json(), { statusCode: 409, error: 'Conflict', message: 'agent 1001: cannot go from on-call to ready' });
    t.equal((await post('/api/agents/1001/state', { action: 'logout' })).json().message, 'agent 1001: cannot go from on-call to logged-out');

    clock.now = T0 + 60_000;
    await store.apply('1001', { type: 'endCall', callId: 'c1' });
    const ext = await post('/api/agents/1001/state', { action: 'extend-wrap-up' });
    t.equal(ext.statusCode, 200);
    t.match(ext.json().agent, { state: 'wrap-up', wrapUntil: T0 + 120_000, wrapExtended: true, callId: 'c1' });
    const again = await post('/api/agents/1001/state', { action: 'extend-wrap-up' });
    t.equal(again.statusCode, 409);
    t.equal(again.json().message, 'agent 1001: wrap-up already extended once');
    const end = await post('/api/agents/1001/state', { action: 'end-wrap-up' });
    t.match(end.json(), { agent: { state: 'ready', idleSince: T0 + 60_000 }, transition: { from: 'wrap-up', to: 'ready', reason: 'wrap-up-ended' } });
    t.equal((await post('/api/agents/1001/state', { action: 'end-wrap-up' })).json().message, 'agent 1001: already ready');
  });

  t.test('GET /api/queues: waiting calls by class with their wait, ready agents per skill', async (t) => {
    const { inject, post, queues, clock } = await appWith(t, url);
    await post('/api/agents', li);
    await post('/api/agents', { ...li, id: '1002', skills: { enterprise: 5 } });
    await post('/api/agents/1001/state', { action: 'login' });
    clock.now = T0 + 2_000;
    await post('/api/agents/1002/state', { action: 'login' });
    const us = (ms: number) => (T0 + ms) * 1000;
    await queues.enqueue({ callId: 'n1', queue: 'general', priority: PRIORITY.normal, t0Us: us(-30_000), node: 'fs1', line: 'main' });
    await queues.enqueue({ callId: 'n2', queue: 'general', priority: PRIORITY.normal, t0Us: us(-10_000), node: 'fs1', line: 'main' });
    await queues.enqueue({ callId: 'p1', queue: 'general', priority: PRIORITY.from110, t0Us: us(-5_000), node: 'fs1', line: '110' });
    await queues.enqueue({ callId: 'e1', queue: 'enterprise', priority: PRIORITY.normal, t0Us: us(-1_000), node: 'fs1', line: 'ent' });
    clock.now = T0 + 10_000;

    const res = await inject({ url: '/api/queues' });
    t.equal(res.statusCode, 200, res.body);
    const body = res.json();
    t.same(body.queues.map((q: { name: string }) => q.name), ['elder', 'enterprise', 'general'], 'configured queues and queues that held calls');
    const general = body.queues.find((q: { name: string }) => q.name === 'general');
    t.same(general, {
      name: 'general',
      skill: 'general',
      waiting: 3,
      longestWaitMs: 40_000,
      classes: [
        { priority: 3, class: 'from110', calls: [{ callId: 'p1', waitMs: 15_000 }] },
        { priority: 2, class: 'elder', calls: [] },
        { priority: 1, class: 'repeat', calls: [] },
        { priority: 0, class: 'normal', calls: [{ callId: 'n1', waitMs: 40_000 }, { callId: 'n2', waitMs: 20_000 }] },
      ],
      readyAgents: [{ id: '1001', idleMs: 10_000 }],
    });
    t.match(body.queues.find((q: { name: string }) => q.name === 'elder'), { skill: 'general', waiting: 0, longestWaitMs: 0, readyAgents: [{ id: '1001' }] });
    t.same(body.skills, [
      { skill: 'enterprise', readyAgents: [{ id: '1001', idleMs: 10_000 }, { id: '1002', idleMs: 8_000 }] },
      { skill: 'general', readyAgents: [{ id: '1001', idleMs: 10_000 }] },
    ], 'longest idle first');
  });

  t.test('the routes and their schemas are in the OpenAPI document', async (t) => {
    const { app } = await appWith(t, url);
    const doc = (await app.inject({ url: '/docs/json' })).json();
    const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    for (const op of ['POST /api/agents', 'GET /api/agents', 'GET /api/agents/{id}', 'PATCH /api/agents/{id}', 'DELETE /api/agents/{id}', 'POST /api/agents/{id}/state', 'GET /api/queues'])
      t.ok(ops.includes(op), op);
    const create = doc.paths['/api/agents'].post;
    const createBody = create.requestBody.content['application/json'].schema;
    t.same(createBody.required, ['id', 'name', 'phone', 'skills']);
    t.equal(createBody.properties.skills.additionalProperties.maximum, 10);
    t.ok(create.responses['409'], 'conflict documented');
    const state = doc.paths['/api/agents/{id}/state'].post;
    t.same(state.requestBody.content['application/json'].schema.properties.action.enum, ['login', 'ready', 'not-ready', 'logout', 'end-wrap-up', 'extend-wrap-up']);
    t.match(state.parameters, [{ in: 'path', name: 'id', required: true }]);
    t.same(Object.keys(state.responses).sort(), ['200', '400', '401', '403', '404', '409'], 'refusals of the token check documented');
    t.same(state.security, [{ bearerAuth: [] }], 'a bearer token is required');
    t.match(state.description, /Roles: agent, supervisor, admin/);
    t.match(create.description, /Roles: admin \(agents:manage\)/);
    t.same(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The token from POST /api/login' });
    t.ok(doc.paths['/api/queues'].get.responses['200'].content['application/json'].schema.properties.queues, 'queue view documented');
  });
});
