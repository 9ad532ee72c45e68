// Issue #13, supervision on the real FreeSWITCH and on fsim: the supervisor's phone (a registered
// user like the agents' phones) listens to an agent's call, then whispers, then barges in, the
// mode changed while it runs; it then leaves and the call goes on.
//
// Who hears whom, and why this proves it: RTP packet counters cannot tell (the caller's leg is sent
// packets throughout, the agent's audio); so each party sends its own tone (caller 440 Hz, agent
// 1000 Hz, supervisor 1800 Hz; SIPp rtp_stream of A-law files written at test time) and on the
// real switch each party's leg is recorded in stereo while a mode holds: the right channel is what
// the switch sent that endpoint, and the Goertzel amplitude of each other party's tone in it says
// whether that party was heard (heard tones measure > 1000 of 6000 sent, absent ones < 100;
// helpers/tones.ts). fsim has no audio: it answers from its model of the bridge and the eavesdrop
// mixes (scripts/fsim/src/core/eavesdrop.ts), which this same body holds to the same claims.
import t, { type Test } from 'tap';
import { switchSuite } from './helpers/suite.ts';
import { sleep, until, type Party, type World } from './helpers/world.ts';

const suite = switchSuite(t);
const SUPERVISOR_PHONE = '1099';
const ENV = { HOTLINE_ACD_WRAP_UP_SEC: '0', HOTLINE_OPS_SUPERVISOR_PHONES: JSON.stringify({ lead: `user/${SUPERVISOR_PHONE}` }) };
const BY = 'supervisor:lead';

/** Per party, the sorted names of the parties it heard. */
async function measure(t: Test, w: World, parties: Record<string, Party>, what: string): Promise<Record<string, string[]>> {
  const r = await w.hears(parties, 1500);
  t.comment(`${what}: ${JSON.stringify(r.levels)}`);
  return Object.fromEntries(Object.keys(parties).map((n) => [n, [...(r.heard[n] ?? [])].sort()]));
}

/**
 * Measures until every party hears at least the parties `expected` names, at most five windows,
 * and returns the last window: a SIPp phone's rtp_stream (the supervisor's above all, just
 * answered) can reach the switch a second or more late on a loaded machine, and a window in which
 * a sender is still silent proves nothing. The caller's assertions then hold the whole picture
 * of that one window, so a leak (someone hearing more than expected) still fails, and a mode that
 * never lets the expected party through fails after the fifth window.
 */
async function settled(t: Test, w: World, parties: Record<string, Party>, what: string, expected: Record<string, string[]>): Promise<Record<string, string[]>> {
  let h: Record<string, string[]> = {};
  for (let i = 0; i < 5; i++) {
    h = await measure(t, w, parties, i ? `${what} (window ${i + 1})` : what);
    if (Object.entries(expected).every(([n, want]) => want.every((p) => h[n]?.includes(p)))) return h;
  }
  return h;
}

/**
 * The call's own audio flows both ways before supervision starts: a SIPp phone's rtp_stream was
 * seen to reach the switch only a second or two after the bridge on a loaded machine.
 */
async function flowing(t: Test, w: World, caller: Party, agent: Party): Promise<void> {
  for (let i = 0; ; i++) {
    const h = await measure(t, w, { caller, agent }, 'before');
    if (h.caller!.includes('agent') && h.agent!.includes('caller')) return;
    if (i === 5) throw new Error('the call has no audio both ways');
  }
}

suite.scenario('listen, whisper, barge: who hears whom, mode changed while on the call', async (t, w) => {
  await w.addAgent('1040', { general: 5 }, { answerAfterMs: 300, toneHz: 1000 });
  await w.addPhone(SUPERVISOR_PHONE, { answerAfterMs: 300, toneHz: 1800 });
  const c = await w.call({ from: '13800000501', to: '12345', hangupAfterMs: 60_000, toneHz: 440 });
  const callId = await c.uuid();
  await until('talking', () => w.calls.registry.get(callId)?.state === 'talking', 20_000);
  const agentLeg = w.calls.registry.get(callId)!.legs.find((l) => l.role === 'agent' && l.agentId === '1040')!.uuid;
  const sup = w.calls.ops.supervision;
  await flowing(t, w, { uuid: callId, hz: 440 }, { uuid: agentLeg, hz: 1000 });

  const s = await sup.start(BY, 'lead', '1040', 'listen');
  t.match(s, { callId, agentId: '1040', mode: 'listen' });
  await until('eavesdrop on the agent leg', () => w.tap.of(agentLeg, 'MEDIA_BUG_START').find((e) => e.get('Media-Bug-Function') === 'eavesdrop'));
  t.equal(w.tap.of(agentLeg, 'MEDIA_BUG_START').find((e) => e.get('Media-Bug-Function') === 'eavesdrop')?.get('Media-Bug-Target'), agentLeg, 'the media bug targets the agent leg');
  t.ok(w.tap.of(s.legUuid, 'CHANNEL_ANSWER').length, "the supervisor's phone answered");
  await sleep(300);
  const parties = { caller: { uuid: callId, hz: 440 }, agent: { uuid: agentLeg, hz: 1000 }, supervisor: { uuid: s.legUuid, hz: 1800 } };

  let h = await settled(t, w, parties, 'listen', { supervisor: ['agent', 'caller'], agent: ['caller'], caller: ['agent'] });
  t.same(h.supervisor, ['agent', 'caller'], 'listen: the supervisor hears both parties');
  t.same(h.agent, ['caller'], 'listen: the agent hears only the caller');
  t.same(h.caller, ['agent'], 'listen: the caller hears only the agent');

  await sup.mode(BY, 'lead', 'whisper');
  await until('the whisper digit read', () => w.tap.of(s.legUuid, 'DTMF').some((e) => e.get('DTMF-Digit') === '2'));
  h = await settled(t, w, parties, 'whisper', { agent: ['caller', 'supervisor'], caller: ['agent'], supervisor: ['agent', 'caller'] });
  t.same(h.agent, ['caller', 'supervisor'], 'whisper: the agent hears the supervisor');
  t.same(h.caller, ['agent'], 'whisper: the caller does not hear the supervisor');
  t.same(h.supervisor, ['agent', 'caller'], 'whisper: the supervisor still hears both');

  await sup.mode(BY, 'lead', 'barge');
  await until('the barge digit read', () => w.tap.of(s.legUuid, 'DTMF').some((e) => e.get('DTMF-Digit') === '3'));
  h = await settled(t, w, parties, 'barge', { caller: ['agent', 'supervisor'], agent: ['caller', 'supervisor'], supervisor: ['agent', 'caller'] });
  t.same(h.caller, ['agent', 'supervisor'], 'barge: the caller hears the agent and the supervisor');
  t.same(h.agent, ['caller', 'supervisor'], 'barge: the agent hears the caller and the supervisor');
  t.same(h.supervisor, ['agent', 'caller'], 'barge: the supervisor hears both');

  await sup.stop(BY, 'lead');
  await until("the supervisor's leg hung up", () => w.tap.of(s.legUuid, 'CHANNEL_HANGUP_COMPLETE')[0]);
  await sleep(300);
  t.equal(w.calls.registry.get(callId)?.state, 'talking', 'the call goes on without the supervisor');
  t.equal(await sup.session('lead'), undefined, 'no session left');
  const audit = await w.calls.ops.store.auditTrail(10);
  t.same(audit.map((a) => [a.by, a.action, a.target]).reverse(), [[BY, 'listen', '1040'], [BY, 'whisper', '1040'], [BY, 'barge', '1040'], [BY, 'stop', '1040']], 'every action audited with the supervisor');
}, {
  world: { env: ENV },
  timeout: 120_000,
});

suite.scenario('whisper from the start; the session ends with the call', async (t, w) => {
  await w.addAgent('1041', { general: 5 }, { answerAfterMs: 300, toneHz: 1000 });
  await w.addPhone(SUPERVISOR_PHONE, { answerAfterMs: 300, toneHz: 1800 });
  const c = await w.call({ from: '13800000502', to: '12345', hangupAfterMs: 60_000, toneHz: 440 });
  const callId = await c.uuid();
  await until('talking', () => w.calls.registry.get(callId)?.state === 'talking', 20_000);
  const agentLeg = w.calls.registry.get(callId)!.legs.find((l) => l.role === 'agent')!.uuid;
  await flowing(t, w, { uuid: callId, hz: 440 }, { uuid: agentLeg, hz: 1000 });
  const s = await w.calls.ops.supervision.start(BY, 'lead', '1041', 'whisper');
  await until('eavesdrop on the agent leg', () => w.tap.of(agentLeg, 'MEDIA_BUG_START').some((e) => e.get('Media-Bug-Function') === 'eavesdrop'));
  await sleep(300);
  const h = await settled(t, w, { caller: { uuid: callId, hz: 440 }, agent: { uuid: agentLeg, hz: 1000 }, supervisor: { uuid: s.legUuid, hz: 1800 } }, 'whisper', { agent: ['caller', 'supervisor'], caller: ['agent'] });
  t.same(h.agent, ['caller', 'supervisor'], 'the agent hears the supervisor from the first frame');
  t.same(h.caller, ['agent'], 'the caller does not');
  await w.calls.acd.killLeg(agentLeg);
  await until("the supervisor's leg ended with the agent's", () => w.tap.of(s.legUuid, 'CHANNEL_HANGUP_COMPLETE')[0], 10_000);
  t.ok(w.tap.of(agentLeg, 'MEDIA_BUG_STOP').some((e) => e.get('Media-Bug-Function') === 'eavesdrop'), 'the eavesdrop bug stopped');
  await t.rejects(w.calls.ops.supervision.mode(BY, 'lead', 'barge'), /not on a call/, 'a mode change after the end is refused');
}, { world: { env: ENV }, timeout: 120_000 });
