// Issue #12, 12345 -> 110 on the real FreeSWITCH and on fsim: the agent's one-key transfer to the
// 110 gateway (a SIPp UAS on the real switch) carries the case data as X-12345-* headers, and the
// caller ends up bridged to the gateway's leg; the warm transfer consults the 110 dispatcher first.
import t from 'tap';
import { switchSuite } from './helpers/suite.ts';
import { until, type World } from './helpers/world.ts';

const suite = switchSuite(t);
const ENV = { HOTLINE_ACD_WRAP_UP_SEC: '0' };
const SUMMARY = '小区门口有人持刀 knife at gate';

async function talking(w: World, id: string, from: string): Promise<string> {
  await w.addAgent(id, { general: 5, enterprise: 5 }, { answerAfterMs: 300 });
  const c = await w.call({ from, to: '12345', hangupAfterMs: 25_000 });
  const uuid = await c.uuid();
  await until(`talking to ${id}`, () => w.calls.registry.get(uuid)?.state === 'talking' && w.calls.registry.get(uuid)?.agentId === id, 20_000);
  return uuid;
}

/** The leg the service rang at the 110 gateway for this call (the switch's CHANNEL_CREATE). */
const partnerLeg = (w: World, callId: string) =>
  until('110 gateway leg', () => w.tap.legsOf(callId, 'external')[0], 15_000);

async function caseHeaders(t: Tap, w: World, callId: string, from: string, agentId: string): Promise<void> {
  const invite = await until('INVITE at the 110 gateway', async () => (await w.invitesAt('gw110')).find((i) => i.headers['X-12345-Case-Id'] === callId), 15_000);
  t.match(invite.requestUri, /^sip:110@?/, 'dialled the partner number through its gateway');
  t.equal(invite.headers['X-12345-Caller-Number'], from, 'the caller number');
  t.equal(invite.headers['X-12345-Agent-Id'], agentId, 'the agent');
  t.equal(decodeURIComponent(invite.headers['X-12345-Summary'] ?? ''), SUMMARY, 'the summary, percent-encoded UTF-8');
}
type Tap = Parameters<Parameters<typeof suite.scenario>[1]>[0];

suite.scenario('12345 -> 110 blind: the gateway gets the case headers, the caller talks to it', async (t, w) => {
  const from = '13800000501';
  const uuid = await talking(w, '1030', from);
  const agentLeg = w.tap.legsOf(uuid, 'agent')[0]!;
  await w.calls.acd.transfers.transfer(uuid, '1030', 'blind', { kind: 'partner', partner: '110', summary: SUMMARY });
  await caseHeaders(t, w, uuid, from, '1030');
  const leg = await partnerLeg(w, uuid);
  await until('caller bridged to the 110 leg', () => w.tap.of(uuid, 'CHANNEL_BRIDGE').some((e) => e.get('Other-Leg-Unique-ID') === leg.uuid), 20_000);
  t.ok(w.tap.of(leg.uuid, 'CHANNEL_ANSWER').length, 'the 110 gateway answered');
  await until('agent leg gone', () => w.tap.of(agentLeg.uuid, 'CHANNEL_HANGUP_COMPLETE')[0]);
  t.match(w.calls.registry.get(uuid)?.transfers, [{ kind: 'to110', to: 'partner:110', from: '1030' }], 'recorded as a transfer to 110');
}, { world: { env: ENV } });

suite.scenario('12345 -> 110 warm: consult the dispatcher, then hand over', async (t, w) => {
  const from = '13800000502';
  const uuid = await talking(w, '1031', from);
  const agentLeg = w.tap.legsOf(uuid, 'agent')[0]!;
  await w.calls.acd.transfers.transfer(uuid, '1031', 'attended', { kind: 'partner', partner: '110', summary: SUMMARY });
  await caseHeaders(t, w, uuid, from, '1031');
  const leg = await partnerLeg(w, uuid);
  await until('agent talking to 110', () => w.calls.registry.get(uuid)?.consult?.state === 'talking', 20_000);
  await until(
    'agent bridged to the dispatcher',
    () => w.tap.of(agentLeg.uuid, 'CHANNEL_BRIDGE').some((e) => e.get('Other-Leg-Unique-ID') === leg.uuid) || w.tap.of(leg.uuid, 'CHANNEL_BRIDGE').some((e) => e.get('Other-Leg-Unique-ID') === agentLeg.uuid),
    10_000,
  );
  t.equal(w.calls.registry.get(uuid)?.state, 'held', 'the caller waits on hold meanwhile');
  await w.calls.acd.transfers.consult(uuid, '1031', 'complete');
  await until('caller bridged to the 110 leg', () => w.tap.of(uuid, 'CHANNEL_BRIDGE').some((e) => e.get('Other-Leg-Unique-ID') === leg.uuid), 20_000);
  await until('agent leg gone', () => w.tap.of(agentLeg.uuid, 'CHANNEL_HANGUP_COMPLETE')[0]);
  t.match(w.calls.registry.get(uuid)?.transfers, [{ kind: 'to110', to: 'partner:110', from: '1031' }]);
}, { world: { env: ENV } });

suite.scenario('an unknown partner is refused and changes nothing', async (t, w) => {
  const uuid = await talking(w, '1032', '13800000503');
  await t.rejects(w.calls.acd.transfers.transfer(uuid, '1032', 'blind', { kind: 'partner', partner: '999' }), { code: 'not-found' });
  t.equal(w.calls.registry.get(uuid)?.state, 'talking', 'still talking to the agent');
  t.same(await w.invitesAt('gw110'), [], 'nothing was dialled');
}, { world: { env: ENV } });
