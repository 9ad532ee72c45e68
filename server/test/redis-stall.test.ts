// Issue 10, deliverable 5: Redis stalls (the real redis-server, SIGSTOPped: its connections stay open
// and nothing answers, the hardest case for a client). Requests answer 503 within 2 s instead of
// hanging, /readyz turns red, the router makes no offer, callers arriving meanwhile wait in the
// dialplan; after SIGCONT everything resumes by itself and every caller is answered by an agent.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startRedisServer } from '../../scripts/lib/redis-server.ts';
import { FsimLog } from './helpers/fsim-log.ts';
import { baseUrl } from './helpers/realtime.ts';
import { eventually, startHarness } from './helpers/service.ts';
import { bearer } from './helpers/tokens.ts';

t.test('a stalled Redis: 503 fast, red readiness, routing paused, everyone answered after it resumes', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'hotline-stall-'));
  const server = await startRedisServer({ dir, persistent: false });
  const pid = server.pid!;
  let stopped = false;
  const resume = () => {
    if (stopped) process.kill(pid, 'SIGCONT');
    stopped = false;
  };
  // Teardowns run last-in first-out: Redis must be running again before anything closes its clients.
  t.teardown(async () => {
    resume();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const logLines: string[] = [];
  const lines = (): Record<string, unknown>[] => logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const h = await startHarness(t, { redisUrl: server.url, logLines, timeScale: 0.05, env: { HOTLINE_LOG_LEVEL: 'debug', HOTLINE_ACD_WRAP_UP_SEC: '0' } });
  t.teardown(resume);
  const calls = h.service.calls!;
  const url = baseUrl(h.service);
  const log = new FsimLog(h.fsim);
  t.teardown(() => log.close());
  await eventually('switch connected', () => calls.nodeStatus()[0]?.connected);
  const admin = await bearer(h.service.auth, 'admin');
  const api = (method: string, pathname: string, body?: unknown) =>
    fetch(`${url}${pathname}`, { method, headers: { ...admin, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  for (const id of ['1001', '1002']) {
    // Long enough a talk (1 s at this time scale) that the router's connect lands before the hang-up.
    h.fsim.sw.registerUser(id, { answerAfterMs: 200, hangupAfterMs: 20_000 });
    t.equal((await api('POST', '/api/agents', { id, name: `坐席${id}`, phone: `user/${id}`, skills: { general: 5 } })).status, 201);
    t.equal((await api('POST', `/api/agents/${id}/state`, { action: 'login' })).status, 200);
  }
  t.equal((await fetch(`${url}/readyz`)).status, 200, 'ready before the stall');

  process.kill(pid, 'SIGSTOP');
  stopped = true;
  const timed = async (what: string, run: () => Promise<Response>, expected: number) => {
    const started = Date.now();
    const res = await run();
    const ms = Date.now() - started;
    t.equal(res.status, expected, `${what}: ${expected}`);
    t.ok(ms < 2_000, `${what} answered in ${ms} ms (< 2 s)`);
    return res;
  };
  // The first requests reach Redis before the health probe notices (a PING within 1 s, twice a
  // second): they are answered 503 as soon as it does, not at the command timeout (5 s).
  const first = await timed('GET /api/agents during the stall', () => api('GET', '/api/agents'), 503);
  t.match(await first.json(), { statusCode: 503, message: /Redis/ });
  t.equal(first.headers.get('retry-after'), '2');
  const ready = await timed('GET /readyz during the stall', () => fetch(`${url}/readyz`), 503);
  t.match(await ready.json(), { ready: false, checks: { redis: false } });
  await timed('POST /api/login during the stall', () => fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ops', password: 'demo12345' }) }), 503);
  await eventually('the health probe saw it', () => h.service.redisHealth?.healthy() === false, 5_000);
  await timed('POST state once known unhealthy', () => api('POST', '/api/agents/1001/state', { action: 'not-ready', reason: 'break' }), 503);
  t.equal((await fetch(`${url}/healthz`)).status, 200, 'the process itself is alive');

  // Callers arrive while Redis is stalled: the switch plays the welcome and parks them with music.
  const offersBefore = calls.acd.router.stats.offers;
  const callers: string[] = [];
  for (const n of ['13800000101', '13800000102', '13800000103']) {
    const res = await h.control('/calls', { from: n, to: '12345', profile: 'external' });
    t.equal(res.status, 201, 'fsim places the call');
    callers.push((res.json as { uuid: string }).uuid);
  }
  await eventually('the callers wait in the dialplan', () => callers.every((id) => log.callers.get(id)?.waitingUs !== undefined), 10_000);
  await new Promise((r) => setTimeout(r, 2_500));
  t.equal(calls.acd.router.stats.offers, offersBefore, 'no offer while Redis is stalled');
  t.equal(log.agentLegs.size, 0, 'no agent phone rang');
  t.ok(callers.every((id) => log.callers.get(id)?.hangupUs === undefined), 'nobody was hung up on');
  const stallLines = lines().length;

  resume();
  const back = Date.now();
  await eventually('ready again', async () => (await fetch(`${url}/readyz`)).status === 200, 10_000);
  t.comment(`ready ${Date.now() - back} ms after SIGCONT`);
  t.equal((await api('GET', '/api/agents')).status, 200, 'requests served again');
  await eventually('every caller answered by an agent', () => callers.every((id) => log.callers.get(id)?.answeredUs !== undefined), 30_000).catch((err: unknown) => {
    // What the service said, for whoever reads the failure.
    t.comment(lines().slice(stallLines - 5).filter((l) => !/request/.test(String(l.msg))).map((l) => `${String(l.time)} ${String(l.msg)} ${JSON.stringify(l.err ?? l.reason ?? l.command ?? '')} ${String(l.agentId ?? '')}`.slice(0, 240)).join('\n'));
    void calls.acd.agents.list().then((a) => t.comment(JSON.stringify(a)));
    t.comment(JSON.stringify([...log.callers.values()].map((c) => ({ waiting: c.waitingUs !== undefined, offers: c.offers.length, answered: c.answeredUs !== undefined, hangup: c.hangupCause }))));
    throw err;
  });
  t.pass('all three callers who arrived during the stall were answered after it');
  t.ok(lines().slice(0, stallLines).filter((l) => Number(l.level) >= 40).length < 20, 'the stall was logged in a few warnings, not a flood');
  t.ok(lines().some((l) => l.msg === 'redis unavailable: requests answer 503 and routing pauses until it is back'), 'the outage is logged');
  t.ok(lines().some((l) => l.msg === 'redis available again'), 'and its end');
});
