// /ops and /dispatcher: snapshots of the whole center (or the 110 line) then deltas with seq, and
// a client that stops reading is dropped while the others keep up.
import t from 'tap';
import type { AgentRecord } from '../src/acd/agent-state.ts';
import type { DispatcherSnapshot, OpsSnapshot } from '../src/realtime/events.ts';
import { agentView, callView } from '../src/realtime/views.ts';
import { eventually, startHarness, startSecondInstance } from './helpers/service.ts';
import { connected, login, mirror, socketTo, sortedCalls, waitFor } from './helpers/realtime.ts';

t.test('ops and dispatcher: snapshot then deltas; reconnect snapshot equals the server state', async (t) => {
  const h = await startHarness(t, {
    timeScale: 0.1,
    dialplanVars: { gw_110_addr_regex: '^127\\.0\\.0\\.1$' },
    env: { HOTLINE_SLA_UPDATE_THROTTLE_MS: '0' },
  });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  h.fsim.sw.registerUser('1005', { answerAfterMs: 200 });
  await calls.acd.agents.create({ id: '1005', name: 'Agent 1005', phone: 'user/1005', skills: { general: 5 } });

  const ops = socketTo(t, h.service, '/ops', await login(h.service, 'ops'));
  const om = mirror(ops, '/ops');
  const osnap = waitFor<OpsSnapshot>(ops, 'snapshot');
  const disp = socketTo(t, h.service, '/dispatcher', await login(h.service, 'dispatcher'));
  const dm = mirror(disp, '/dispatcher');
  const dsnap = waitFor<DispatcherSnapshot>(disp, 'snapshot');
  await Promise.all([connected(ops), connected(disp)]);
  const first = await osnap;
  t.same(first.agents.map((a) => [a.id, a.state]), [['1005', 'logged-out']], 'ops snapshot: agents');
  t.ok(first.queues.some((q) => q.name === 'general'), 'ops snapshot: configured queues');
  t.equal(first.sla?.scope, 'center', 'ops snapshot: SLA center');
  t.same((await dsnap).calls, [], 'dispatcher snapshot: no 110 calls');

  // Two calls wait (no agent ready): one on 12345, one transferred from 110.
  const main = ((await h.control('/calls', { from: '13800000041', to: '12345', profile: 'external' })).json as { uuid: string }).uuid;
  const p110 = ((await h.control('/calls', { from: '13800000042', to: '12345110', profile: 'external', sipHeaders: { 'X-110-Case-Id': 'C1' } })).json as { uuid: string }).uuid;
  await eventually('ops sees both queued', () => om.calls.get(main)?.state === 'queued' && om.calls.get(p110)?.state === 'queued', 15_000);
  await eventually('dispatcher sees the 110 call', () => dm.calls.get(p110)?.state === 'queued');
  t.notOk(dm.calls.has(main), 'the dispatcher does not see 12345 calls');
  t.equal(dm.calls.get(p110)?.case110?.['Case-Id'], 'C1', 'case data reaches the dispatcher');

  // The agent logs in over REST: ops gets agent:state deltas and the call goes talking.
  await calls.acd.agents.apply('1005', { type: 'login' }, 'test');
  calls.acd.agentBecameReady('1005');
  await eventually('ops: 1005 on-call', () => om.agents.get('1005')?.state === 'on-call', 15_000);
  await eventually('ops: the 12345 call is talking', () => om.calls.get(main)?.state === 'talking', 15_000);
  t.equal(dm.calls.get(p110)?.state, 'queued', 'the 110 call waits for an agent with its skill');
  await eventually('sla:update', () => om.events.includes('sla:update'), 10_000);

  // Reconnect both: fresh snapshots equal the server's state and the mirrors.
  const ops2 = socketTo(t, h.service, '/ops', await login(h.service, 'supervisor'));
  const snap2 = waitFor<OpsSnapshot>(ops2, 'snapshot');
  await connected(ops2);
  const s2 = await snap2;
  t.same(sortedCalls(s2.calls), sortedCalls(calls.registry.live().map(callView)), "ops snapshot's calls equal the registry");
  t.same(s2.agents, (await calls.acd.agents.list()).map(agentView), "ops snapshot's agents equal the store");
  t.same(sortedCalls(om.calls.values()), sortedCalls(s2.calls), 'ops: snapshot + deltas built the same calls');
  t.same([...om.agents.values()], s2.agents, 'ops: and the same agents');
  t.same(s2.queues.flatMap((q) => q.waiting.map((w) => w.callId)), [p110], 'only the 110 call still waits');
  const disp2 = socketTo(t, h.service, '/dispatcher', await login(h.service, 'dispatcher'));
  const dsnap2 = waitFor<DispatcherSnapshot>(disp2, 'snapshot');
  await connected(disp2);
  t.same(sortedCalls((await dsnap2).calls), sortedCalls(dm.calls.values()), 'dispatcher: reconnect snapshot equals the mirror');

  for (const m of [om, dm]) {
    t.equal(m.events[0], 'snapshot');
    t.ok(m.seqs.every((s, i) => i === 0 || s > m.seqs[i - 1]!), 'seq strictly increases');
  }
});

t.test('a client that stops reading is dropped; the others get every delta', async (t) => {
  const h = await startHarness(t, { env: { HOTLINE_REALTIME_MAX_BUFFERED_BYTES: String(256 * 1024) } });
  const rt = h.service.realtime!;
  const token = await login(h.service, 'ops');
  const fast = socketTo(t, h.service, '/ops', token);
  const fm = mirror(fast, '/ops');
  const slow = socketTo(t, h.service, '/ops', token);
  await Promise.all([connected(fast), connected(slow), waitFor(fast, 'snapshot'), waitFor(slow, 'snapshot')]);
  // Stop reading on the slow client's TCP socket: the server's send queue for it only grows.
  const tcp = (slow.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws._socket;
  tcp.pause();
  let slowGone = false;
  slow.on('disconnect', () => (slowGone = true));

  const N = 3000;
  const big = 'x'.repeat(10_000);
  for (let i = 0; i < N; i++) {
    const agent: AgentRecord = { id: `load-${i % 10}`, name: big, phone: 'user/0', skills: {}, state: 'ready', since: i, wrapExtended: false };
    rt.hub.publish('agent', agent);
    // Deltas arrive spread over time in production; a synchronous burst would queue for everyone.
    await new Promise((r) => setImmediate(r));
  }
  await eventually('fast client got every delta', () => fm.events.filter((e) => e === 'agent:state').length === N, 20_000);
  t.equal(rt.dropped, 1, 'exactly one client dropped');
  t.equal(rt.clients()['/ops'], 1, 'only the fast client remains');
  t.ok(fast.connected, 'the fast client stays connected');
  t.ok(fm.seqs.every((s, i) => i === 0 || s > fm.seqs[i - 1]!), 'fast client: seq strictly increases');
  tcp.resume();
  await eventually('the slow client learns it was dropped', () => slowGone, 10_000);

  // It reconnects and resyncs from a fresh snapshot.
  const back = socketTo(t, h.service, '/ops', token);
  const snap = waitFor<OpsSnapshot>(back, 'snapshot');
  await connected(back);
  t.ok((await snap).seq >= N, 'the resync snapshot stands after the deltas it missed');
});

t.test('two instances: an agent change made on one reaches /ops clients of the other (Redis adapter)', async (t) => {
  const h = await startHarness(t);
  const b = await startSecondInstance(t, h);
  const ops = socketTo(t, h.service, '/ops', await login(h.service, 'ops'));
  const om = mirror(ops, '/ops');
  await Promise.all([connected(ops), waitFor(ops, 'snapshot')]);
  const agents = b.calls!.acd.agents;
  await agents.create({ id: '1007', name: 'Agent 1007', phone: 'user/1007', skills: { general: 3 } });
  await agents.apply('1007', { type: 'login' }, 'test');
  await agents.apply('1007', { type: 'notReady', reason: 'training' }, 'test');
  const a = await eventually('the change made on instance B', () => om.agents.get('1007')?.state === 'not-ready' && om.agents.get('1007'));
  t.equal(a.reason, 'training');
  t.equal(om.events.filter((e) => e === 'agent:state').length, 3, 'each change once (create, login, not-ready), no duplicates');
});
