// server.ts as a real process: signals, exit codes, stderr. tsx is loaded as a Node import hook
// (not through the tsx CLI) so the signal reaches our process and not a wrapper.
import t from 'tap';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { startServer } from './helpers/server-process.ts';
import { createLogger } from '../src/log.ts';
import { createShutdown } from '../src/shutdown.ts';


t.test('SIGTERM: graceful shutdown, exit 0 within the bound', async (t) => {
  const redis = await withRedis(t);
  const graceMs = 3_000;
  const srv = startServer({ HOTLINE_HTTP_PORT: '0', HOTLINE_REDIS_URL: redis.url, HOTLINE_SHUTDOWN_GRACE_MS: String(graceMs) });
  t.teardown(() => {
    if (srv.child.exitCode === null) srv.child.kill('SIGKILL');
  });
  const url = await srv.listening;
  const health = await fetch(`${url}/healthz`);
  t.equal(health.status, 200);
  t.same(await health.json(), { status: 'ok' });
  const ready = await fetch(`${url}/readyz`);
  t.equal(ready.status, 503, 'no FreeSWITCH node connected yet');
  t.match(await ready.json(), { checks: { redis: true } });

  const sent = Date.now();
  srv.child.kill('SIGTERM');
  const { code } = await srv.exited;
  t.equal(code, 0, 'exit code 0');
  t.ok(Date.now() - sent < graceMs, 'within the bound');
  const closed = srv
    .logs()
    .filter((r) => r.msg === 'closed')
    .sort((a, b) => Number(a.step) - Number(b.step))
    .map((r) => String(r.closer));
  // Phases in order: stop taking calls, finish in-flight writes, close ESL, Redis, then HTTP.
  // Closers of one phase run together, so only the phase order is fixed.
  const phaseOf: Record<string, number> = { 'outbound-socket': 0, 'store-writes': 1, acd: 1, sla: 1, 'desk-figures': 1, ops: 1, handoffs: 1, 'recording-sweeper': 1, revisits: 1, 'intake-lease': 2, esl: 2, kb: 3, redis: 3, 'store-redis': 3, http: 4, realtime: 4 };
  t.same([...closed].sort(), Object.keys(phaseOf).sort(), 'every closer ran');
  const phases = closed.map((c) => phaseOf[c] ?? -1);
  t.same(phases, [...phases].sort(), `intake, in-flight, ESL, Redis, then HTTP (${closed.join(', ')})`);
  t.ok(srv.logs().some((r) => r.msg === 'shutdown complete'));
  await t.rejects(fetch(`${url}/healthz`), 'the port is closed');
});

t.test('a bad config value: exit 1, the field named on stderr', async (t) => {
  const srv = startServer({ HOTLINE_HTTP_PORT: 'abc', HOTLINE_SLA_TARGET: '2' });
  const { code } = await srv.exited;
  t.equal(code, 1);
  t.match(srv.stderr(), /http\.port \(HOTLINE_HTTP_PORT\): expected a number between 0 and 65535, got "abc"/);
  t.match(srv.stderr(), /sla\.target \(HOTLINE_SLA_TARGET\): expected a fraction between 0 and 1, got 2/);
  t.notMatch(srv.stderr(), /at .*\.ts:\d+/, 'a message for the operator, not a stack trace');
});

t.test('a port already in use: exit 1 with the cause logged', async (t) => {
  const first = startServer({ HOTLINE_HTTP_PORT: '0' });
  t.teardown(() => {
    if (first.child.exitCode === null) first.child.kill('SIGKILL');
  });
  const port = new URL(await first.listening).port;
  const second = startServer({ HOTLINE_HTTP_PORT: port });
  const { code } = await second.exited;
  t.equal(code, 1);
  t.ok(second.logs().some((r) => r.msg === 'start failed' && JSON.stringify(r.err).includes('EADDRINUSE')));
  first.child.kill('SIGTERM');
  t.equal((await first.exited).code, 0);
});

t.test('shutdown phases: in order whatever the registration order, bounded', async (t) => {
  const log = createLogger({ level: 'silent' });
  const order: string[] = [];
  const s = createShutdown(log);
  s.add('transport', 'sockets', () => order.push('sockets'));
  s.add('store', 'redis', () => order.push('redis'));
  s.add('switch', 'esl', async () => {
    await new Promise((r) => setTimeout(r, 20));
    order.push('esl');
  });
  s.add('inflight', 'calls', () => order.push('calls'));
  s.add('intake', 'outbound-server', () => order.push('intake'));
  s.add('inflight', 'broken', () => {
    throw new Error('oops');
  });
  const result = await s.run(1_000);
  t.same(order, ['intake', 'calls', 'esl', 'redis', 'sockets']);
  t.same(result, { completed: true, pending: [], failed: ['broken'] }, 'a failing closer does not stop the others');
  t.equal(await s.run(1_000), result, 'runs once');
  t.throws(() => s.add('intake', 'late', () => {}), /shutdown has started/);

  const hung = createShutdown(log);
  hung.add('inflight', 'never', () => new Promise(() => {}));
  const after: string[] = [];
  hung.add('store', 'redis', () => after.push('redis'));
  const started = Date.now();
  const r2 = await hung.run(100);
  t.same(r2, { completed: false, pending: ['never'], failed: [] });
  t.ok(Date.now() - started < 1_000, 'the bound holds');
});
