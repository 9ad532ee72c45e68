// Issue #12, three-way calls on the real FreeSWITCH and on fsim: caller, agent and a third party
// (the 110 gateway, or a department) in one conference room; the agent mutes, holds and leaves;
// caller and third party still exchange audio (the switch's RTP counters rise on both legs); the
// room ends when one member is left; the CDR says who was in the call, when each joined and left,
// and who took the case. Every endpoint sends audio for the whole call (SIPp rtp_stream).
import t from 'tap';
import type { Cdr } from '../../src/calls/cdr.ts';
import { roomOf } from '../../src/handoff/threeway.ts';
import { switchSuite } from './helpers/suite.ts';
import { sleep, until, type World } from './helpers/world.ts';

const suite = switchSuite(t);
const WORLD = {
  env: { HOTLINE_ACD_WRAP_UP_SEC: '0' },
  gateways: { gw110: { answerAfterMs: 300, streamAudio: true }, dept: { answerAfterMs: 300, streamAudio: true } },
};
type Tap = Parameters<Parameters<typeof suite.scenario>[1]>[0];

async function talking(w: World, id: string, from: string): Promise<string> {
  await w.addAgent(id, { general: 5, enterprise: 5 }, { answerAfterMs: 300, streamAudio: true });
  const c = await w.call({ from, to: '12345', hangupAfterMs: 60_000, streamAudio: true });
  const uuid = await c.uuid();
  await until(`talking to ${id}`, () => w.calls.registry.get(uuid)?.state === 'talking' && w.calls.registry.get(uuid)?.agentId === id, 20_000);
  return uuid;
}

/** The room's members as the switch lists them (`conference <room> list`: uuid is the third field). */
async function roomMembers(w: World, callId: string): Promise<string[]> {
  // No room yet: "-ERR Conference ... not found", which the api call rejects.
  const text = await w.tap.api(`conference ${roomOf(callId)} list`).catch(() => '');
  return text.split('\n').map((l) => l.split(';')[2] ?? '').filter((u) => /^[0-9a-f-]{36}$/.test(u)).sort();
}

/** RTP packets in and out of a leg so far, as the switch counts them. */
async function rtp(w: World, uuid: string): Promise<{ in: number; out: number }> {
  await w.tap.api(`uuid_set_media_stats ${uuid}`);
  const get = async (v: string): Promise<number> => Number(await w.tap.api(`uuid_getvar ${uuid} rtp_audio_${v}_media_packet_count`));
  return { in: await get('in'), out: await get('out') };
}

async function cdrOf(w: World, callId: string): Promise<Cdr> {
  return until('CDR', async () => {
    const entries = await w.redis.xrange(`${w.config.redis.keyPrefix}:cdr`, '-', '+');
    const e = entries.find(([, f]) => f[1] === callId);
    return e && (JSON.parse(e[1][3]!) as Cdr);
  }, 20_000);
}

/** Caller, agent and `third` in the room; the agent leaves; the other two talk on; the caller hangs up. */
async function threeWayThenLeave(t: Tap, w: World, agentId: string, from: string, third: { kind: 'partner'; partner: string } | { kind: 'external'; number: string }): Promise<void> {
  const uuid = await talking(w, agentId, from);
  const agentLeg = w.tap.legsOf(uuid, 'agent')[0]!.uuid;
  const thirdLeg = await w.calls.threeWay.start(uuid, { kind: 'agent', agentId }, third);
  await until('three in the room', async () => (await roomMembers(w, uuid)).length === 3 && w.calls.registry.get(uuid)?.conference?.members.length === 3, 15_000);
  t.same(await roomMembers(w, uuid), [uuid, agentLeg, thirdLeg].sort(), 'caller, agent and third party in one conference');
  t.equal(w.calls.registry.get(uuid)?.state, 'talking');

  await w.calls.threeWay.member(uuid, agentId, 'mute');
  await until('agent muted', () => w.calls.registry.get(uuid)?.conference?.parties?.find((p) => p.uuid === agentLeg)?.muted === true);
  await w.calls.threeWay.member(uuid, agentId, 'unmute');
  await w.calls.threeWay.member(uuid, agentId, 'hold');
  await until('agent on hold', () => w.calls.registry.get(uuid)?.conference?.parties?.find((p) => p.uuid === agentLeg)?.held === true);
  await w.calls.threeWay.member(uuid, agentId, 'unhold');
  await until('agent back', () => w.calls.registry.get(uuid)?.conference?.parties?.find((p) => p.uuid === agentLeg)?.held === false);
  if (third.kind === 'partner') w.calls.threeWay.caseOwner(uuid, { kind: 'agent', agentId }, third.partner, ['12345', third.partner]);

  await w.calls.threeWay.member(uuid, agentId, 'leave');
  await until('agent leg gone', () => w.tap.of(agentLeg, 'CHANNEL_HANGUP_COMPLETE')[0], 10_000);
  await until('two left in the room', async () => (await roomMembers(w, uuid)).length === 2, 10_000);
  t.same(await roomMembers(w, uuid), [uuid, thirdLeg].sort(), 'caller and third party go on');
  const before = { caller: await rtp(w, uuid), third: await rtp(w, thirdLeg) };
  await sleep(1500);
  const after = { caller: await rtp(w, uuid), third: await rtp(w, thirdLeg) };
  for (const who of ['caller', 'third'] as const) {
    t.ok(after[who].in > before[who].in, `${who}: RTP in rises (${before[who].in} -> ${after[who].in})`);
    t.ok(after[who].out > before[who].out, `${who}: RTP out rises (${before[who].out} -> ${after[who].out})`);
  }

  // The caller leaves: the third party alone in the room is hung up.
  await w.tap.api(`uuid_kill ${uuid}`);
  await until('third party hung up with the room', () => w.tap.of(thirdLeg, 'CHANNEL_HANGUP_COMPLETE')[0], 10_000);
  const cdr = await cdrOf(w, uuid);
  const parties = cdr.conference?.parties ?? [];
  t.same(parties.map((p) => p.uuid).sort(), [uuid, agentLeg, thirdLeg].sort(), 'the CDR names the three parties');
  const by = (u: string) => parties.find((p) => p.uuid === u)!;
  t.match(by(agentLeg), { role: 'agent', agentId }, 'the agent');
  t.match(by(thirdLeg), { role: 'external' }, 'the third party');
  t.ok(by(agentLeg).leftAt! < by(uuid).leftAt! && by(agentLeg).leftAt! < by(thirdLeg).leftAt!, 'the agent left first');
  for (const p of parties) t.ok(p.sec! > 0 && p.joinedAt! <= p.leftAt!, `${p.role} was in for ${p.sec} s`);
  if (third.kind === 'partner') t.match(cdr.conference?.caseOwner, { owner: third.partner, by: `agent:${agentId}` }, 'who takes the case');
}

suite.scenario('three-way with 110: the agent leaves, caller and 110 talk on, the CDR says who was in', async (t, w) => {
  await threeWayThenLeave(t, w, '1040', '13800000601', { kind: 'partner', partner: '110' });
  const invites = await w.invitesAt('gw110');
  t.equal(invites.length, 1, 'one INVITE at the 110 gateway');
  t.equal(invites[0]?.headers['X-12345-Agent-Id'], '1040', 'with the case headers');
}, { world: WORLD, timeout: 120_000 });

suite.scenario('three-way with a department by its number: the agent leaves caller and department talking', async (t, w) => {
  await threeWayThenLeave(t, w, '1041', '13800000602', { kind: 'external', number: '88001234' });
  const invites = await w.invitesAt('dept');
  t.match(invites[0]?.requestUri, /88001234/, 'dialled through the departments\' gateway');
  t.same(Object.keys(invites[0]?.headers ?? {}).filter((h) => h.startsWith('X-12345')), [], 'a department gets none of our case headers');
}, { world: WORLD, timeout: 120_000 });

suite.scenario('warm 110 becomes a three-way: consult, then join the caller in', async (t, w) => {
  const uuid = await talking(w, '1042', '13800000603');
  const agentLeg = w.tap.legsOf(uuid, 'agent')[0]!.uuid;
  await w.calls.acd.transfers.transfer(uuid, '1042', 'attended', { kind: 'partner', partner: '110' });
  await until('consulting 110', () => w.calls.registry.get(uuid)?.consult?.state === 'talking', 20_000);
  const thirdLeg = w.calls.registry.get(uuid)!.consult!.legUuid;
  await w.calls.threeWay.fromConsult(uuid, '1042');
  await until('three in the room', async () => (await roomMembers(w, uuid)).length === 3, 15_000).catch(async (err: Error) => {
    // Say who is where, so a miss is told apart from a slow switch.
    const ended = [uuid, agentLeg, thirdLeg].map((u) => `${u.slice(0, 8)}:${w.tap.of(u, 'CHANNEL_HANGUP_COMPLETE')[0]?.get('Hangup-Cause') ?? 'up'}`);
    // The agent leg's state on the switch and what it went through since the consultation.
    const dump = await w.tap.api(`uuid_dump ${agentLeg} json`).catch((e: Error) => e.message);
    let state = dump;
    try {
      const d = JSON.parse(dump) as Record<string, string>;
      state = ['Channel-State', 'Channel-Call-State', 'Answer-State', 'Other-Leg-Unique-ID', 'Channel-Read-Codec-Name', 'variable_current_application', 'variable_park_after_bridge', 'variable_transfer_after_bridge', 'variable_hotline_conference', 'Caller-Destination-Number'].map((k) => `${k}=${d[k] ?? '-'}`).join(' ');
    } catch { /* not JSON: the reply itself says why */ }
    const seen = (leg: string): string => w.tap.events.filter((e) => e.uuid === leg).map((e) => e.name + (e.get('Application') ? `(${e.get('Application')})` : '')).slice(-15).join(',');
    const end = w.tap.of(thirdLeg, 'CHANNEL_HANGUP_COMPLETE')[0];
    const thirdEnd = end ? ['variable_sip_term_status', 'variable_sip_hangup_disposition', 'variable_hangup_cause_q850', 'variable_last_app'].map((k) => `${k}=${end.get(k) ?? '-'}`).join(' ') : 'up';
    throw new Error(`${err.message}: room ${JSON.stringify(await roomMembers(w, uuid))}, legs ${ended.join(' ')}; agent leg ${state}; its last events ${seen(agentLeg)}; third leg ${thirdEnd}, its last events ${seen(thirdLeg)}`);
  });
  t.same(await roomMembers(w, uuid), [uuid, agentLeg, thirdLeg].sort(), 'caller, agent and the consulted dispatcher');
  t.equal(w.calls.registry.get(uuid)?.consult, undefined, 'no consultation any more');
  t.equal(w.calls.registry.get(uuid)?.state, 'talking');
}, {
  world: WORLD,
  timeout: 120_000,
  // Open: on the real switch under load about one run in two the agent's leg stays outside the room.
  // Found 2026-12-07 (the failure message dumps the legs): the agent's leg, the uuid_bridge
  // originator left behind when the target is transferred first, sits in CS_SOFT_EXECUTE and ignores
  // uuid_transfer. Transferring the agent's leg first instead (alone, with -both, or with
  // transfer_after_bridge on the target) let the target die with DESTINATION_OUT_OF_ORDER in 3 of 9
  // runs, worse for the citizen. Next: make the consultation itself a room, so no bridge is undone.
  todo: { real: 'known flaky on the real switch: the agent leg sometimes stays out of the room after a consultation becomes a three-way' },
});
