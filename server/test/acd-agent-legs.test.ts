// The agent's leg hangs up: the ACD ends the agent's call in the store and, with no wrap-up, routes
// the agent on the record that write returned (issue 15, agent free -> next offer: reading it back
// was one more Redis round trip before the next offer). Real Redis, the real agent store and
// transitions, the real call registry fed switch events.
import t, { type Test } from 'tap';
import { Redis } from 'ioredis';
import pino from 'pino';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { createAgentMachine, type AgentRecord } from '../src/acd/agent-state.ts';
import { agentLegHandler, AnswerPace } from '../src/acd-wiring/agent-legs.ts';
import { agentTransitions } from '../src/acd-wiring/agent-port.ts';
import type { AcdDeps } from '../src/acd-wiring/types.ts';
import { CallRegistry } from '../src/calls/registry.ts';
import { AgentStore } from '../src/store/agent-store.ts';
import { redisKeys } from '../src/store/keys.ts';

const NOW = 1_795_316_440_000;

async function rig(t: Test, wrapUpSec: number) {
  const r = await withRedis(t);
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  const agents = new AgentStore({ redis, keys: redisKeys('legs'), machine: createAgentMachine({ clock: () => NOW, wrapUpSec, wrapUpExtendSec: 30 }) });
  await agents.create({ id: 'a1', name: 'a1', phone: 'user/a1', skills: { general: 5 } });
  await agents.apply('a1', { type: 'login' });
  await agents.apply('a1', { type: 'reserve', callId: 'caller-1' });
  await agents.apply('a1', { type: 'connect', callId: 'caller-1' });
  const registry = new CallRegistry({ onCompleted: () => {} });
  const create = (uuid: string, vars: Record<string, string>, direction: 'inbound' | 'outbound') =>
    registry.apply({ type: 'channel-create', node: 'fs1', uuid, seq: 1, tsUs: NOW * 1000, direction, callerNumber: '1', callerName: '', destination: '12345', context: 'public', channelName: 'x', vars });
  create('caller-1', {}, 'inbound');
  create('agent-leg-1', { hotline_call_id: 'caller-1', hotline_leg_role: 'agent', hotline_agent_id: 'a1' }, 'outbound');
  registry.apply({ type: 'channel-answer', node: 'fs1', uuid: 'agent-leg-1', seq: 2, tsUs: NOW * 1000 });
  const seen = { ready: [] as { id: string; known: Readonly<AgentRecord> | undefined }[], freed: [] as string[], wrapUps: [] as string[] };
  const handler = agentLegHandler({ registry, settings: { wrapUpSec }, now: () => NOW } as unknown as AcdDeps, agentTransitions(agents, pino({ level: 'silent' }), () => {}).port, new AnswerPace(), {
    becameReady: (id, known) => void seen.ready.push({ id, known }),
    freed: (id) => void seen.freed.push(id),
    wrapUpStarted: (id) => void seen.wrapUps.push(id),
  });
  const hangUp = () => handler({ type: 'channel-hangup', node: 'fs1', uuid: 'agent-leg-1', seq: 3, tsUs: (NOW + 60_000) * 1000, cause: 'NORMAL_CLEARING' } as Parameters<typeof handler>[0]);
  const settle = async () => {
    for (let i = 0; i < 100 && seen.ready.length + seen.wrapUps.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
  };
  return { agents, seen, hangUp, settle };
}

t.test('no wrap-up: the agent is freed and routed on the record its end-of-call write returned', async (t) => {
  const { agents, seen, hangUp, settle } = await rig(t, 0);
  hangUp();
  await settle();
  t.same(seen.freed, ['a1'], 'freed (times free -> offer)');
  t.equal(seen.ready.length, 1);
  t.equal(seen.ready[0]!.id, 'a1');
  t.ok(seen.ready[0]!.known, 'the written record is handed on: no read back before routing');
  t.equal(seen.ready[0]!.known?.state, 'ready', 'and it says ready');
  t.equal((await agents.get('a1'))?.state, 'ready', 'as the store does');
  hangUp();
  await new Promise((res) => setTimeout(res, 50));
  t.equal(seen.ready.length, 1, 'a repeated hang-up is refused by the store: the agent is not routed twice');
});

t.test('with a wrap-up: the wrap-up starts, the agent is not routed yet', async (t) => {
  const { agents, seen, hangUp, settle } = await rig(t, 30);
  hangUp();
  await settle();
  t.same(seen.wrapUps, ['a1']);
  t.same(seen.ready, [], 'not routed');
  t.same(seen.freed, []);
  t.equal((await agents.get('a1'))?.state, 'wrap-up');
});
