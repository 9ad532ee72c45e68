// /agent over a real call through fsim: snapshot then deltas with seq, the agent sees the caller's
// number, another agent can neither see nor hang up the call, random payloads are refused without
// effect, a reconnecting client's snapshot equals the server's state, and the agent hangs up.
import t, { type Test } from 'tap';
import type { Socket } from 'socket.io-client';
import type { Ack, AgentClientEvents, AgentSnapshot, AgentView } from '../src/realtime/events.ts';
import { agentView, callView, hasAgentLeg } from '../src/realtime/views.ts';
import { eventually, startHarness, type Harness } from './helpers/service.ts';
import { connected, login, mirror, socketTo, sortedCalls, waitFor, type Mirror } from './helpers/realtime.ts';
import { randomArgs, rng } from './helpers/fuzz.ts';
import { caseOwnerPayload, conferencePayload, consultPayload, emptyPayload, hangupPayload, historyPayload, holdPayload, setStatePayload, threeWayPayload, transferPayload, wrapUpPayload } from '../src/realtime/events.ts';
import { revisitOutcomePayload, revisitTaskPayload } from '../src/realtime/revisit-events.ts';
import type { z } from 'zod';

/** Every command an agent's softphone can send, with the schema its payload must meet. */
const AGENT_COMMANDS: Record<keyof AgentClientEvents, z.ZodType> = {
  'agent:set-state': setStatePayload,
  'call:hangup': hangupPayload,
  'call:hold': holdPayload,
  'call:transfer': transferPayload,
  'call:consult': consultPayload,
  'call:three-way': threeWayPayload,
  'call:conference': conferencePayload,
  'call:case-owner': caseOwnerPayload,
  'call:wrap-up': wrapUpPayload,
  'caller:history': historyPayload,
  'directory:get': emptyPayload,
  'stats:get': emptyPayload,
  'revisit:current': emptyPayload,
  'revisit:take': emptyPayload,
  'revisit:call': revisitTaskPayload,
  'revisit:skip': revisitTaskPayload,
  'revisit:hangup': revisitTaskPayload,
  'revisit:outcome': revisitOutcomePayload,
};
const READ_ONLY = new Set(['directory:get', 'stats:get', 'revisit:current']);

async function agentClient(t: { teardown(fn: () => unknown): void }, h: Harness, id: string): Promise<{ socket: Socket; m: Mirror; snapshot: AgentSnapshot }> {
  const socket = socketTo(t, h.service, '/agent', await login(h.service, id));
  const m = mirror(socket, '/agent');
  const snap = waitFor<AgentSnapshot>(socket, 'snapshot');
  await connected(socket);
  return { socket, m, snapshot: await snap };
}

const send = <T extends object = object>(socket: Socket, event: string, ...args: unknown[]): Promise<Ack<T>> =>
  socket.timeout(5000).emitWithAck(event, ...args) as Promise<Ack<T>>;

function assertOrdered(t: Test, m: Mirror, who: string): void {
  t.equal(m.events[0], 'snapshot', `${who}: the snapshot comes first`);
  t.ok(m.seqs.every((s, i) => i === 0 || s > m.seqs[i - 1]!), `${who}: seq strictly increases (${m.seqs.length} events)`);
}

t.test('agent softphone over a live call', async (t) => {
  const h = await startHarness(t, { timeScale: 0.1, env: { HOTLINE_ACD_WRAP_UP_SEC: '60' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  for (const id of ['1001', '1002']) {
    h.fsim.sw.registerUser(id, { answerAfterMs: 200 });
    await calls.acd.agents.create({ id, name: `Agent ${id}`, phone: `user/${id}`, skills: { general: 5 } });
  }

  const a1 = await agentClient(t, h, '1001');
  const a2 = await agentClient(t, h, '1002');
  t.equal(a1.snapshot.agent?.state, 'logged-out', 'snapshot: own record');
  t.same(a1.snapshot.calls, [], 'snapshot: no calls yet');

  const login1 = await send<{ agent: AgentView }>(a1.socket, 'agent:set-state', { action: 'login' });
  t.ok('ok' in login1 && login1.agent.state === 'ready', 'login through the ack');
  await eventually('agent:state delta', () => a1.m.agent?.state === 'ready');
  t.same(await send(a1.socket, 'agent:set-state', { action: 'not-ready' }), { error: { code: 'invalid', message: 'reason: a reason goes with not-ready, and only with it' } });
  const refusedTransition = await send(a1.socket, 'agent:set-state', { action: 'end-wrap-up' });
  t.equal('error' in refusedTransition && refusedTransition.error.code, 'conflict', 'an illegal transition is a conflict');
  // 1002 logs in but stays not-ready: the call goes to 1001.
  t.ok('ok' in (await send(a2.socket, 'agent:set-state', { action: 'login' })));
  t.ok('ok' in (await send(a2.socket, 'agent:set-state', { action: 'not-ready', reason: 'meal' })));
  await eventually('1002 not-ready', () => a2.m.agent?.state === 'not-ready');

  const states: string[] = [];
  a1.socket.on('agent:state', (d: { agent: AgentView }) => states.push(d.agent.state));
  const { uuid } = (await h.control('/calls', { from: '13800000031', to: '12345', profile: 'external' })).json as { uuid: string };
  const seen = await eventually('1001 sees the call talking', () => {
    const c = a1.m.calls.get(uuid);
    return c?.state === 'talking' && c;
  }, 15_000);
  t.equal(seen.callerNumber, '13800000031', 'the agent sees the caller number unmasked');
  await eventually('1001 on-call', () => a1.m.agent?.state === 'on-call');
  t.same(states, ['reserved', 'on-call'], 'the softphone sees its agent reserved while the phone rings, then on-call');
  t.equal(a2.m.calls.size, 0, 'another agent does not see the call');

  const foreign = await send(a2.socket, 'call:hangup', { callId: uuid });
  t.equal('error' in foreign && foreign.error.code, 'forbidden', "an agent's command on another agent's call is refused");
  t.equal((await send(a2.socket, 'call:hangup', { callId: 'no-such-call' }) as { error: { code: string } }).error.code, 'not-found');

  // 1,000 random payloads per event: every one answered with an error, nothing changes.
  const before = {
    audit1: (await calls.acd.agents.audit('1001', 1000)).length,
    audit2: (await calls.acd.agents.audit('1002', 1000)).length,
    call: JSON.stringify(callView(calls.registry.get(uuid)!)),
  };
  const wrapUpsBefore = await h.redis.xlen(`hotline:desk:wrapups`);
  const r = rng(12345);
  for (const socket of [a1.socket, a2.socket]) {
    for (const [event, schema] of Object.entries(AGENT_COMMANDS)) {
      let errors = 0;
      let oks = 0;
      let valid = 0;
      for (let batch = 0; batch < 10; batch++) {
        const argLists = Array.from({ length: 100 }, () => randomArgs(r));
        // What the server receives is the JSON of the arguments. Read-only commands take {}: the
        // generator sometimes makes exactly that, which must succeed.
        valid += argLists.filter((a) => {
          const received = JSON.parse(JSON.stringify(a)) as unknown[];
          return received.length === 1 && schema.safeParse(received[0]).success;
        }).length;
        const acks = await Promise.all(argLists.map((args) => send(socket, event, ...args)));
        errors += acks.filter((a) => 'error' in a && ['invalid', 'not-found', 'forbidden', 'conflict'].includes(a.error.code)).length;
        oks += acks.filter((a) => 'ok' in a).length;
      }
      if (READ_ONLY.has(event)) t.ok(oks === valid && errors === 1000 - valid, `${event}: 1000 random payloads, ${1000 - valid} error acks, ${valid} answers to a valid {}`);
      else t.equal(errors, 1000, `${event}: 1000 random payloads, 1000 error acks`);
    }
  }
  t.equal(await h.redis.xlen(`hotline:desk:wrapups`), wrapUpsBefore, 'no wrap-up was filed');
  t.equal((await calls.acd.agents.audit('1001', 1000)).length, before.audit1, 'no transition for 1001');
  t.equal((await calls.acd.agents.audit('1002', 1000)).length, before.audit2, 'no transition for 1002');
  t.equal(JSON.stringify(callView(calls.registry.get(uuid)!)), before.call, 'the call is unchanged');
  t.ok(a1.socket.connected && a2.socket.connected, 'fuzzing clients stay connected');

  // Reconnect: the fresh snapshot equals the server's state and what deltas built up.
  a1.socket.disconnect();
  const again = await agentClient(t, h, '1001');
  const serverCalls = calls.registry.live().map(callView).filter((c) => hasAgentLeg(c, '1001'));
  t.same(sortedCalls(again.snapshot.calls), sortedCalls(serverCalls), "reconnect snapshot's calls equal the server's");
  t.same(again.snapshot.agent, agentView((await calls.acd.agents.get('1001'))!), "reconnect snapshot's agent equals the server's");
  t.same(sortedCalls(a1.m.calls.values()), sortedCalls(again.snapshot.calls), 'snapshot + deltas built the same state');
  t.same(a1.m.agent, again.snapshot.agent);
  t.ok(again.snapshot.seq >= a1.m.seqs[a1.m.seqs.length - 1]!, 'the new snapshot stands at or after the last delta seen');

  const hangup = await send(again.socket, 'call:hangup', { callId: uuid });
  t.same(hangup, { ok: true }, 'the agent hangs up its own call');
  await eventually('call removed', () => !again.m.calls.has(uuid) && again.m.events.includes('call:removed'), 10_000);
  await eventually('1001 in wrap-up', () => again.m.agent?.state === 'wrap-up');
  t.equal(calls.registry.get(uuid), undefined, 'the call is over on the server');
  assertOrdered(t, a1.m, '1001');
  assertOrdered(t, again.m, '1001 again');
  assertOrdered(t, a2.m, '1002');
  t.notOk(a2.m.events.includes('call:update'), '1002 never got a delta of the call');
});
