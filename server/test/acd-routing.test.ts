// The ACD over fsim with real Redis: agents take queued calls, ring-no-answer moves on, a caller
// who hangs up while the agent rings cancels the agent leg, wrap-up then ready again.
import t from 'tap';
import { eventually, startHarness, type Harness } from './helpers/service.ts';

async function addAgent(h: Harness, id: string, skills: Record<string, number>, phone = { answerAfterMs: 200, hangupAfterMs: 1000 } as Record<string, unknown>) {
  h.fsim.sw.registerUser(id, phone);
  const acd = h.service.calls!.acd;
  await acd.agents.create({ id, name: `Agent ${id}`, phone: `user/${id}`, skills });
  await acd.agents.apply(id, { type: 'login' }, 'test');
  acd.agentBecameReady(id);
}

t.test('a queued call reaches a ready agent; ring-no-answer moves on; wrap-up then ready', async (t) => {
  const h = await startHarness(t, { timeScale: 0.1, env: { HOTLINE_ACD_WRAP_UP_SEC: '1', HOTLINE_ACD_RING_NO_ANSWER_SEC: '5' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const bridged: string[] = [];
  h.fsim.sw.onEndpointEvent((ev) => void (ev.type === 'bridged' && bridged.push(ev.uuid)));

  // 1001 never answers: it is offered first (longest idle) and goes not-ready.
  await addAgent(h, '1001', { general: 5 }, { neverAnswer: true });
  await new Promise((r) => setTimeout(r, 20));
  await addAgent(h, '1002', { general: 5 }, { answerAfterMs: 500, hangupAfterMs: 3000 });
  const { uuid } = (await h.control('/calls', { from: '13800000021', to: '12345', profile: 'external' })).json as { uuid: string };
  const agentLeg = await eventually('agent 1002 connected', () => {
    const c = calls.registry.get(uuid);
    return c?.state === 'talking' && c.agentId === '1002' && c;
  }, 15_000);
  t.equal(agentLeg.agentId, '1002');
  const a1 = await calls.acd.agents.get('1001');
  t.equal(a1?.state, 'not-ready');
  t.equal(a1?.reason, 'ring-no-answer', 'the agent who did not answer is set not-ready');
  await eventually('agent on-call', async () => (await calls.acd.agents.get('1002'))?.state === 'on-call', 5000);
  t.same(await calls.queues.list('general'), [], 'no longer waiting');
  // The agent hangs up after 3 s (sim): wrap-up, then ready after 1 s.
  await eventually('agent in wrap-up', async () => (await calls.acd.agents.get('1002'))?.state === 'wrap-up', 10_000);
  await eventually('agent ready again', async () => (await calls.acd.agents.get('1002'))?.state === 'ready', 10_000);
  const audit = await calls.acd.agents.audit('1002');
  t.same(audit.map((e) => e.to).reverse(), ['logged-out', 'ready', 'reserved', 'on-call', 'wrap-up', 'ready'], 'every transition audited (created logged out)');
});

t.test("the end of a wrap-up is followed by the agent's next offer at once, and that wait is measured", async (t) => {
  const h = await startHarness(t, { timeScale: 0.1, env: { HOTLINE_ACD_WRAP_UP_SEC: '1' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const rings: number[] = [];
  h.fsim.sw.onEndpointEvent((ev) => void (ev.type === 'ringing' && ev.to === '1004' && rings.push(Date.now())));
  // Four callers, one agent talking 0.3 s each: three wrap-ups end with callers waiting.
  for (let i = 0; i < 4; i++) await h.control('/calls', { from: `1380000003${i}`, to: '12345', profile: 'external' });
  await eventually('all four queued', async () => (await calls.queues.list('general')).length === 4, 10_000);
  await addAgent(h, '1004', { general: 5 }, { answerAfterMs: 100, hangupAfterMs: 3000 });
  await eventually('four offers', () => rings.length === 4, 20_000);
  const readyAt = (await calls.acd.agents.audit('1004', 50)).filter((e) => e.reason === 'wrap-up-expired').map((e) => e.at).sort();
  t.equal(readyAt.length, 3, 'three wrap-ups ended');
  // The review runs once a second: waiting for it, an offer came 0-1,000 ms after the wrap-up's end.
  const gaps = readyAt.map((at, i) => rings[i + 1]! - at);
  t.ok(gaps.every((g) => g >= 0 && g < 250), `each next offer within 250 ms of the wrap-up's end (${gaps.join(', ')} ms)`);
  const metric = (await h.service.metrics.getSingleMetricAsString('hotline_acd_free_to_offer_seconds')).match(/_count (\d+)/);
  t.equal(Number(metric?.[1]), 3, 'each counted in hotline_acd_free_to_offer_seconds');
});

t.test('a caller who hangs up while the agent rings cancels the agent leg; the agent stays available', async (t) => {
  const h = await startHarness(t, { timeScale: 0.1, env: { HOTLINE_ACD_RING_NO_ANSWER_SEC: '30' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  await addAgent(h, '1003', { general: 5 }, { manual: true });
  const ringing: string[] = [];
  const hungUp = new Map<string, string>();
  h.fsim.sw.onEndpointEvent((ev) => {
    if (ev.type === 'ringing') ringing.push(ev.uuid);
    if (ev.type === 'hangup') hungUp.set(ev.uuid, ev.cause);
  });
  const { uuid } = (await h.control('/calls', { from: '13800000022', to: '12345', profile: 'external' })).json as { uuid: string };
  await eventually('agent reserved', async () => (await calls.acd.agents.get('1003'))?.state === 'reserved', 10_000);
  const agentLeg = await eventually('agent leg up', () => calls.registry.get(uuid)?.legs.find((l) => l.role === 'agent')?.uuid);
  await h.control(`/calls/${uuid}/hangup`, { cause: 'NORMAL_CLEARING' });
  await eventually('agent leg cancelled', () => hungUp.has(agentLeg), 5000);
  await eventually('agent ready again', async () => (await calls.acd.agents.get('1003'))?.state === 'ready', 5000);
  t.pass('the agent leg was hung up and the agent is ready');
});
