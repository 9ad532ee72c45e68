// Issue #11, agents' call handling on the real FreeSWITCH and on fsim: hold, blind transfer to a
// queue and to a department, attended transfer to another agent.
import t from 'tap';
import { switchSuite } from './helpers/suite.ts';
import { sleep, until, type World } from './helpers/world.ts';

const suite = switchSuite(t);
const ENV = { HOTLINE_ACD_WRAP_UP_SEC: '0' };

/** A caller talking to agent `id` (who talks until the other side ends). */
async function talking(w: World, id: string, from: string): Promise<string> {
  await w.addAgent(id, { general: 5, enterprise: 5 }, { answerAfterMs: 300 });
  const c = await w.call({ from, to: '12345', hangupAfterMs: 25_000 });
  const uuid = await c.uuid();
  await until(`talking to ${id}`, () => w.calls.registry.get(uuid)?.state === 'talking' && w.calls.registry.get(uuid)?.agentId === id, 20_000);
  return uuid;
}

suite.scenario('hold and unhold: the agent leg is held, the bridge stays', async (t, w) => {
  const uuid = await talking(w, '1020', '13800000301');
  const leg = w.tap.legsOf(uuid, 'agent')[0]!;
  await w.calls.acd.transfers.hold(uuid, '1020', true);
  await until('CHANNEL_HOLD', () => w.tap.of(leg.uuid, 'CHANNEL_HOLD')[0]);
  await sleep(500);
  await w.calls.acd.transfers.hold(uuid, '1020', false);
  await until('CHANNEL_UNHOLD', () => w.tap.of(leg.uuid, 'CHANNEL_UNHOLD')[0]);
  t.equal(w.tap.of(uuid, 'CHANNEL_UNBRIDGE').length, 0, 'the caller stayed bridged throughout');
  t.equal(w.calls.registry.get(uuid)?.state, 'talking');
  const held = w.calls.registry.get(uuid)?.legs.find((l) => l.uuid === leg.uuid)?.holdUs ?? 0;
  const onHold = w.tap.of(leg.uuid, 'CHANNEL_UNHOLD')[0]!.tsUs - w.tap.of(leg.uuid, 'CHANNEL_HOLD')[0]!.tsUs;
  t.equal(held, onHold, "the agent leg's hold time (the agent report's hold) is the switch's HOLD..UNHOLD");
}, { world: { env: ENV } });

suite.scenario('blind transfer to a queue: the next agent of that queue gets the caller, t0 kept', async (t, w) => {
  const uuid = await talking(w, '1021', '13800000311');
  const t0 = w.calls.registry.get(uuid)?.queuedUs;
  await w.calls.acd.agents.create({ id: '1022', name: 'Agent 1022', phone: 'user/1022', skills: { enterprise: 5 } });
  await w.addPhone('1022', { answerAfterMs: 300 });
  await w.calls.acd.agents.apply('1022', { type: 'login' }, 'test');
  w.calls.acd.agentBecameReady('1022');
  await w.calls.acd.transfers.transfer(uuid, '1021', 'blind', { kind: 'queue', queue: 'enterprise' });
  await until('talking to 1022', () => w.calls.registry.get(uuid)?.agentId === '1022' && w.calls.registry.get(uuid)?.state === 'talking', 20_000);
  t.equal(w.calls.registry.get(uuid)?.queuedUs, t0, 't0 kept');
  // The event tap is its own ESL connection: it may hear the second leg and bridge after the service did.
  const heard = await until('the tap heard two agent legs and two bridges', () => {
    const legs = w.tap.legsOf(uuid, 'agent').map((l) => l.uuid);
    const bridges = w.tap.of(uuid, 'CHANNEL_BRIDGE').map((e) => e.get('Other-Leg-Unique-ID'));
    return legs.length >= 2 && bridges.length >= 2 ? { legs, bridges } : undefined;
  }, 5_000);
  t.same(heard.bridges, heard.legs, 'bridged to the first agent, then to the second');
}, { world: { env: ENV } });

suite.scenario('blind transfer to a department through its gateway', async (t, w) => {
  const uuid = await talking(w, '1023', '13800000321');
  await w.calls.acd.transfers.transfer(uuid, '1023', 'blind', { kind: 'external', number: '88001234' });
  const dept = await until('department leg', () => w.tap.events.find((e) => e.name === 'CHANNEL_CREATE' && e.direction === 'outbound' && /gw_dept\/88001234|88001234/.test(e.get('Channel-Name') ?? '') ));
  await until('caller bridged to the department', () => w.tap.of(uuid, 'CHANNEL_BRIDGE').some((e) => e.get('Other-Leg-Unique-ID') === dept.uuid), 20_000);
  t.ok(w.tap.of(dept.uuid, 'CHANNEL_ANSWER').length, 'the department answered');
  await until('agent leg gone', () => w.tap.of(w.tap.legsOf(uuid, 'agent')[0]!.uuid, 'CHANNEL_HANGUP_COMPLETE')[0]);
  t.pass('the agent left the call at once');
}, { world: { env: ENV } });

suite.scenario('attended transfer: consult another agent, then complete', async (t, w) => {
  const uuid = await talking(w, '1024', '13800000331');
  await w.addAgent('1025', { general: 5 }, { answerAfterMs: 300 });
  const first = w.tap.legsOf(uuid, 'agent')[0]!;
  await w.calls.acd.transfers.transfer(uuid, '1024', 'attended', { kind: 'agent', agentId: '1025' });
  await until('consultation up', () => w.calls.registry.get(uuid)?.consult && w.tap.events.some((e) => e.name === 'CHANNEL_ANSWER' && e.get('variable_hotline_agent_id') === '1025'), 20_000);
  await w.calls.acd.transfers.consult(uuid, '1024', 'complete');
  await until('caller with 1025', () => w.calls.registry.get(uuid)?.agentId === '1025', 20_000);
  await until('first agent leg gone', () => w.tap.of(first.uuid, 'CHANNEL_HANGUP_COMPLETE')[0]);
  const target = w.tap.events.find((e) => e.name === 'CHANNEL_CREATE' && e.get('variable_hotline_agent_id') === '1025')!;
  await until('caller bridged to 1025', () => w.tap.of(uuid, 'CHANNEL_BRIDGE').some((e) => e.get('Other-Leg-Unique-ID') === target.uuid) || w.tap.of(target.uuid, 'CHANNEL_BRIDGE').some((e) => e.get('Other-Leg-Unique-ID') === uuid), 10_000);
  t.pass('the caller talks to the consulted agent');
}, {
  world: { env: ENV },
});
