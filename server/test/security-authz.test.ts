// Issue 10 "Safe to expose", deliverable 1: one authorization model for REST and Socket.IO. Every
// route but the probes, login and the static UI needs a valid token (401), and a role allowed to do
// what it asks (403); an agent acts only on itself, a supervisor on its groups; the audit's `by`
// is the token's user, never a body field. Run against the whole service (fsim, real Redis).
import t from 'tap';
import type { Role } from '../src/auth/auth.ts';
import { tokenSigner } from '../src/auth/tokens.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createMetricsRegistry } from '../src/plugins/app/metrics.ts';
import { createService } from '../src/service.ts';
import { connected, socketTo } from './helpers/realtime.ts';
import { eventually, startHarness } from './helpers/service.ts';
import { demoAuth, roleHeaders } from './helpers/tokens.ts';

const ROLES: Role[] = ['agent', 'supervisor', 'dispatcher', 'ops', 'admin'];

t.test('REST and Socket.IO behind the role table', async (t) => {
  const h = await startHarness(t);
  const app = h.service.app;
  await eventually('switch connected', () => h.service.calls!.nodeStatus()[0]?.connected);
  const as = await roleHeaders(h.service.auth);
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string> = {}, payload?: object) =>
    app.inject({ method, url, headers, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
  // Agent 1000 is the demo agent user, in the demo supervisor's group; 1001 is in another team.
  t.equal((await call('POST', '/api/agents', as.admin, { id: '1000', name: '王芳', phone: 'user/1000', skills: { general: 5 }, groups: ['demo'] })).statusCode, 201);
  t.equal((await call('POST', '/api/agents', as.admin, { id: '1001', name: '李娜', phone: 'user/1001', skills: { general: 5 }, groups: ['north'] })).statusCode, 201);
  const agentRecord = async (id: string) => (await call('GET', `/api/agents/${id}`, as.admin)).json().agent as { phone: string; state: string; groups: string[] };

  t.test('without a token: 401 on every protected route, and nothing changes', async (t) => {
    const before = await agentRecord('1000');
    const attempts: [Parameters<typeof call>[0], string, object?][] = [
      ['PATCH', '/api/agents/1000', { phone: 'sofia/gateway/gw_carrier/13900000000' }],
      ['DELETE', '/api/agents/1001'],
      ['POST', '/api/agents/1000/state', { action: 'login' }],
      ['POST', '/api/agents', { id: '6666', name: 'x', phone: 'user/6666', skills: { general: 1 } }],
      ['GET', '/api/agents'],
      ['GET', '/api/agents/1000'],
      ['GET', '/api/queues'],
      ['GET', '/api/sla'],
      ['GET', '/api/softphone/config'],
    ];
    const forged = await tokenSigner({ secret: 'not-the-service-secret-0123456789abcdef', ttlSec: 600 }).sign({ username: 'admin', role: 'admin' });
    for (const [method, url, body] of attempts) {
      const none = await call(method, url, {}, body);
      t.equal(none.statusCode, 401, `${method} ${url} without a token`);
      t.match(none.json(), { statusCode: 401, error: 'Unauthorized', message: /^missing token: send Authorization: Bearer <token>/ });
      t.equal(none.headers['www-authenticate'], 'Bearer realm="hotline12345"');
      t.match((await call(method, url, { authorization: 'Bearer not-a-jwt' }, body)).json(), { statusCode: 401, message: /^invalid or expired token/ }, `${method} ${url} garbage token`);
      t.equal((await call(method, url, { authorization: `Bearer ${forged.token}` }, body)).statusCode, 401, `${method} ${url} token signed with another secret`);
      t.equal((await call(method, url, { authorization: 'Basic YWRtaW46ZGVtbzEyMzQ1' }, body)).statusCode, 401, `${method} ${url} basic auth`);
    }
    t.same(await agentRecord('1000'), before, 'agent 1000 unchanged (no phone rewrite, no login)');
    t.ok(await agentRecord('1001'), 'agent 1001 not deleted');
    t.equal((await call('GET', '/api/agents/6666', as.admin)).statusCode, 404, 'no agent created');
    for (const url of ['/healthz', '/readyz', '/docs/json', '/']) t.not((await call('GET', url)).statusCode, 401, `${url} is public`);
    t.equal((await call('POST', '/api/login', {}, { username: 'ops', password: 'demo12345' })).statusCode, 200, 'login is public');
  });

  t.test('each role may do exactly what the table says; 403 names who may', async (t) => {
    // Expected outcome per role: 'ok' (2xx or a domain refusal such as 404/409) or 403.
    const matrix: [string, Parameters<typeof call>[0], string, object | undefined, Role[]][] = [
      ['list agents', 'GET', '/api/agents', undefined, ['supervisor', 'ops', 'admin']],
      ['read an agent', 'GET', '/api/agents/1001', undefined, ['supervisor', 'ops', 'admin']],
      ['create an agent', 'POST', '/api/agents', { id: '1001', name: 'dup', phone: 'user/1001', skills: { general: 1 } }, ['admin']],
      ['change an agent', 'PATCH', '/api/agents/1001', { name: '李娜' }, ['admin']],
      ['delete an agent', 'DELETE', '/api/agents/nobody', undefined, ['admin']],
      ['queues', 'GET', '/api/queues', undefined, ['supervisor', 'ops', 'admin']],
      ['SLA figures', 'GET', '/api/sla', undefined, ['supervisor', 'ops', 'admin']],
      ['softphone settings', 'GET', '/api/softphone/config', undefined, ['agent']],
    ];
    for (const [what, method, url, body, allowed] of matrix) {
      for (const role of ROLES) {
        const res = await call(method, url, as[role], body);
        if (allowed.includes(role)) t.not(res.statusCode, 403, `${role}: ${what} allowed (${res.statusCode})`);
        else {
          t.equal(res.statusCode, 403, `${role}: ${what} refused`);
          t.match(res.json().message, new RegExp(`^role ${role} may not .* \\(allowed: ${allowed.join(', ')}\\)$`));
        }
      }
    }
    t.equal((await call('DELETE', '/api/agents/nobody', as.admin)).statusCode, 404, 'an allowed request reaches the route');
  });

  t.test('state changes: an agent only itself, a supervisor only its groups, an admin any agent', async (t) => {
    const state = (id: string, role: Role, action = 'login') => call('POST', `/api/agents/${id}/state`, as[role], { action });
    t.equal((await state('1000', 'agent')).statusCode, 200, 'agent 1000 logs itself in');
    const other = await state('1001', 'agent');
    t.equal(other.statusCode, 403, 'but not agent 1001');
    t.match(other.json().message, /an agent may only change its own state \(you are 1000\)/);
    t.equal((await agentRecord('1001')).state, 'logged-out');
    const forced = await state('1000', 'supervisor', 'logout');
    t.equal(forced.statusCode, 200, 'the supervisor of group demo forces 1000 out', { body: forced.body });
    const foreign = await state('1001', 'supervisor');
    t.equal(foreign.statusCode, 403, 'not an agent of another team');
    t.match(foreign.json().message, /agent 1001 is in none of your groups \(demo\)/);
    t.equal((await call('PATCH', '/api/agents/1001', as.admin, { groups: ['north', 'demo'] })).statusCode, 200, 'the admin moves 1001 into group demo too');
    t.equal((await state('1001', 'supervisor')).statusCode, 200, 'now the supervisor may');
    t.equal((await state('1001', 'admin', 'logout')).statusCode, 200, 'the admin may change any agent');
    for (const role of ['ops', 'dispatcher'] as const) t.equal((await state('1000', role)).statusCode, 403, `${role} changes no agent state`);
    t.equal((await state('nobody', 'admin')).statusCode, 404);
  });

  t.test('the audit names the token user; a `by` in the body is refused', async (t) => {
    const spoof = await call('POST', '/api/agents/1000/state', as.supervisor, { action: 'login', by: 'admin:someone-else' });
    t.equal(spoof.statusCode, 400, 'by is not a field of any body');
    t.match(spoof.json().message, /^body: .*by/);
    t.equal((await call('PATCH', '/api/agents/1000', as.admin, { name: 'x', by: 'ghost' })).statusCode, 400);
    t.equal((await call('POST', '/api/agents/1000/state', as.supervisor, { action: 'login' })).statusCode, 200);
    t.equal((await call('PATCH', '/api/agents/1000', as.admin, { name: '王芳芳' })).statusCode, 200);
    const { transitions } = (await call('GET', '/api/agents/1000', as.admin)).json() as { transitions: { event: string; by: string }[] };
    t.match(transitions.slice(0, 2), [{ event: 'update', by: 'admin:admin' }, { event: 'login', by: 'supervisor:supervisor' }]);
    t.notOk(transitions.some((e) => /someone-else|ghost/.test(e.by)), 'no spoofed name reached the audit');
  });

  t.test('Socket.IO namespaces admit the roles of the same table', async (t) => {
    const admitted: Record<string, Role[]> = { '/agent': ['agent'], '/dispatcher': ['dispatcher', 'supervisor'], '/ops': ['ops', 'supervisor'] };
    for (const [ns, roles] of Object.entries(admitted)) {
      for (const role of ROLES) {
        const socket = socketTo(t, h.service, ns, as[role].authorization.slice('Bearer '.length));
        if (roles.includes(role)) await t.resolves(connected(socket), `${role} opens ${ns}`);
        else await t.rejects(connected(socket), { code: 'forbidden', message: new RegExp(`^role ${role} may not open ${ns}`) }, `${role} may not open ${ns}`);
        socket.disconnect();
      }
    }
  });

  t.test('every operation in the API document names its security', async (t) => {
    const doc = (await call('GET', '/docs/json')).json() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        t.ok(Array.isArray(op.security), `${method.toUpperCase()} ${path} has a security requirement`);
        // The probes, login and the softphone's own files (if listed) are public; every /api route and /metrics is not.
        const isPublic = path === '/api/login' || (!path.startsWith('/api/') && path !== '/metrics');
        t.equal(op.security?.length === 0, isPublic, `${path}: ${isPublic ? 'public' : 'needs a token'}`);
      }
  });
});

t.test('/metrics: open on loopback without a token; a configured token is required, on the API port and the metrics listener', async (t) => {
  const service = await createService(
    loadConfig({ env: { HOTLINE_HTTP_PORT: '0', HOTLINE_LOG_LEVEL: 'silent', HOTLINE_METRICS_TOKEN: 'scrape-token-0123456789', HOTLINE_METRICS_PORT: '0' } }),
    createLogger({ level: 'silent' }),
  );
  t.teardown(() => service.stop());
  const { url, metricsUrl } = await service.start();
  t.ok(metricsUrl?.startsWith('http://127.0.0.1:'), 'the metrics listener is on loopback');
  const scrape = (target: string, token?: string) => fetch(target, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  for (const target of [`${url}/metrics`, metricsUrl!]) {
    t.equal((await scrape(target)).status, 401, `${target}: no token`);
    t.equal((await scrape(target, 'scrape-token-0123456789x')).status, 401, `${target}: wrong token`);
    const ok = await scrape(target, 'scrape-token-0123456789');
    t.equal(ok.status, 200, `${target}: the token`);
    t.match(await ok.text(), /^# HELP hotline_/m);
  }
  const ops = (await service.auth.login('ops', 'demo12345', '127.0.0.1')) as { token: string };
  t.equal((await scrape(`${url}/metrics`, ops.token)).status, 401, 'a login token is not the scrape token');
  t.equal((await fetch(metricsUrl!.replace('/metrics', '/api/agents'))).status, 404, 'the metrics listener serves nothing else');

  const open = await buildApp({ config: loadConfig({ env: {} }), logger: createLogger({ level: 'silent' }), deps: { metrics: createMetricsRegistry(), readiness: { freeswitch: () => [], redis: async () => false }, auth: await demoAuth() } });
  t.teardown(() => open.close());
  t.equal((await open.inject({ url: '/metrics' })).statusCode, 200, 'no token configured, API on loopback: open (the demo)');
});

t.test('a route that declares no access rule stops start-up', async (t) => {
  const app = await buildApp({ config: loadConfig({ env: {} }), logger: createLogger({ level: 'silent' }), deps: { metrics: createMetricsRegistry(), readiness: { freeswitch: () => [], redis: async () => false }, auth: await demoAuth() } });
  t.teardown(() => app.close());
  app.get('/forgotten', async () => ({ secret: true }));
  await t.rejects(async () => { await app.ready(); }, /routes without an access rule .*GET \/forgotten/);
});
