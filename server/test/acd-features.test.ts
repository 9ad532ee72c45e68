// ACD features over fsim: callback instead of waiting, position announcements, overflow to another
// queue (t0 kept) and to an external number.
import t from 'tap';
import { eventually, startHarness, type Harness } from './helpers/service.ts';
import { bearer } from './helpers/tokens.ts';

// The called-back citizen talks for 60 simulated seconds: long enough to observe, on a loaded machine.
const GATEWAYS = { gateways: [{ name: 'gw_carrier', numbers: { '*': { answerAfterMs: 500, hangupAfterMs: 60_000 } } }] };

async function agent(h: Harness, id: string, skills: Record<string, number>) {
  h.fsim.sw.registerUser(id, { answerAfterMs: 300, hangupAfterMs: 2000 });
  const acd = h.service.calls!.acd;
  await acd.agents.create({ id, name: id, phone: `user/${id}`, skills });
  await acd.agents.apply(id, { type: 'login' }, 'test');
  acd.agentBecameReady(id);
}

t.test('callback instead of waiting: the place is kept, the citizen is rung first, then the agent', async (t) => {
  const h = await startHarness(t, { timeScale: 0.1, fsimSwitch: GATEWAYS, env: { HOTLINE_ACD_WRAP_UP_SEC: '0' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const { uuid } = (await h.control('/calls', { from: '13812345678', to: '12345', profile: 'external', dtmf: [{ afterMs: 6000, digits: '1' }] })).json as { uuid: string };
  const entry = await eventually('callback noted', async () => (await calls.queues.get(uuid))?.callback, 15_000);
  t.same(entry, { number: '13812345678', attempts: 0 }, 'the number to call back');
  await eventually('the caller was told and hung up', () => !h.fsim.sw.listChannels().some((c) => c.uuid === uuid), 10_000);
  const queued = await calls.queues.get(uuid);
  t.ok(queued, 'the place in the queue outlives the call');
  t.same(await calls.queues.list('general'), [uuid], 'still in line');

  const rung: string[] = [];
  h.fsim.sw.onEndpointEvent((ev) => void (ev.type === 'answered' && rung.push(ev.uuid)));
  await agent(h, '1001', { general: 5 });
  const cb = await eventually('callback connected', () => calls.registry.live().find((c) => c.callbackOf === uuid && c.state === 'talking'), 30_000);
  t.equal(cb.callerNumber, '13812345678', 'the citizen was called back on the number they called from');
  t.equal(cb.agentId, '1001');
  // The bridge event can reach the registry before the offer marks the agent on-call.
  await eventually('agent on-call', async () => (await calls.acd.agents.get('1001'))?.state === 'on-call', 5000);
  t.same(await calls.queues.list('general'), [], 'the entry is spent');
  await h.control(`/calls/${cb.id}/hangup`, { cause: 'NORMAL_CLEARING' });
  await eventually('agent ready after the callback call', async () => (await calls.acd.agents.get('1001'))?.state === 'ready', 30_000);
  const sla = await h.service.app.inject({ method: 'GET', url: `/api/sla?scope=center&at=${new Date(Date.now() + 3_600_000).toISOString()}`, headers: await bearer(h.service.auth, 'ops') });
  t.equal((sla.json() as { rolling24h: { callbacks: number } }).rolling24h.callbacks, 1, 'reported as a callback');
});

t.test('position announcements every N seconds while waiting', async (t) => {
  const h = await startHarness(t, { timeScale: 1, queues: [{ name: 'general', announceEverySec: 2, callbackKey: '' }, { name: 'enterprise' }, { name: 'elder', skill: 'general' }, { name: 'from110', skill: 'general' }] });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const media: { uuid: string; file: string }[] = [];
  h.fsim.sw.onEndpointEvent((ev) => void (ev.type === 'media' && ev.state === 'started' && media.push({ uuid: ev.uuid, file: ev.file })));
  const a = (await h.control('/calls', { from: '13800000031', to: '12345', profile: 'external' })).json as { uuid: string };
  // A second later: two callers queued in the same 20 ms switch tick share a t0 and may rank either way.
  await new Promise((r) => setTimeout(r, 1000));
  const b = (await h.control('/calls', { from: '13800000032', to: '12345', profile: 'external' })).json as { uuid: string };
  await eventually('both announced', () => media.some((m) => m.uuid === a.uuid && m.file.includes('position-1')) && media.some((m) => m.uuid === b.uuid && m.file.includes('position-2')), 30_000);
  t.pass('the first caller hears position 1, the second position 2');
});

t.test('overflow after the maximum wait: to another queue keeping t0, or out to a number', async (t) => {
  const queues = [
    { name: 'general' },
    { name: 'enterprise', maxWaitSec: 2, overflow: { queue: 'general' }, announceEverySec: 0 },
    { name: 'elder', skill: 'general', maxWaitSec: 2, overflow: { number: '4000012345' }, announceEverySec: 0 },
    { name: 'from110', skill: 'general' },
  ];
  const elderFlows = {
    version: 1,
    lines: { main: 'elder', enterprise: 'ent', from110: 'ent' },
    flows: {
      elder: { start: 'q', nodes: { q: { type: 'queue', queue: 'elder', priority: 'elder' } } },
      ent: { start: 'q', nodes: { q: { type: 'queue', queue: 'enterprise' } } },
    },
  };
  const h = await startHarness(t, { timeScale: 1, queues, flows: elderFlows, fsimSwitch: GATEWAYS });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const ent = (await h.control('/calls', { from: '13800000041', to: '123457', profile: 'external' })).json as { uuid: string };
  const t0 = (await eventually('queued', () => calls.queues.get(ent.uuid))).t0Us;
  const moved = await eventually('moved to general', async () => (await calls.queues.get(ent.uuid))?.queue === 'general' && calls.queues.get(ent.uuid), 10_000);
  t.equal(moved?.t0Us, t0, 't0 stays at the first entry');
  t.match(calls.registry.get(ent.uuid)?.transfers, [{ kind: 'queue', from: 'enterprise', to: 'general' }]);

  const out = (await h.control('/calls', { from: '13800000042', to: '12345', profile: 'external' })).json as { uuid: string };
  await eventually('queued in elder', async () => (await calls.queues.get(out.uuid))?.queue === 'elder');
  const bridged = await eventually('bridged out to the number', () => h.fsim.sw.listChannels().find((c) => c.uuid === out.uuid && c.bridgedTo), 10_000);
  t.ok(bridged, 'the caller is connected to the overflow number');
  t.equal(await calls.queues.get(out.uuid), undefined, 'and has left the queue');
  t.match(calls.registry.get(out.uuid)?.transfers, [{ kind: 'blind', from: 'elder', to: '4000012345' }]);
});
