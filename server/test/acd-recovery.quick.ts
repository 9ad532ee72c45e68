// Offers orphaned by a crashed instance are repaired by the survivors (real Redis).
import t from 'tap';
import { Redis } from 'ioredis';
import pino from 'pino';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { createAgentMachine } from '../src/acd/agent-state.ts';
import { recoverStaleOffers } from '../src/acd/recovery.ts';
import { CallRegistry } from '../src/calls/registry.ts';
import { AgentStore } from '../src/store/agent-store.ts';
import { ClaimStore } from '../src/store/claim-store.ts';
import { redisKeys } from '../src/store/keys.ts';
import { QueueStore } from '../src/store/queue-store.ts';
import type { AgentCommand } from '../src/acd/agent-state.ts';

const NOW = 1_795_316_440_000;

t.test('a crashed instance left an offer behind: released and requeued, or confirmed when talking', async (t) => {
  const r = await withRedis(t);
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  const keys = redisKeys('rec');
  const agents = new AgentStore({ redis, keys, machine: createAgentMachine({ clock: () => NOW, wrapUpSec: 0, wrapUpExtendSec: 30 }) });
  const queues = new QueueStore(redis, keys);
  const claims = new ClaimStore(redis, keys, 'rec');
  const registry = new CallRegistry({ onCompleted: () => {} });
  const create = (uuid: string, extra: Record<string, string> = {}, direction: 'inbound' | 'outbound' = 'inbound') =>
    registry.apply({ type: 'channel-create', node: 'fs1', uuid, seq: 1, tsUs: NOW * 1000, direction, callerNumber: '1', callerName: '', destination: '12345', context: 'public', channelName: 'x', vars: extra });
  for (const id of ['a1', 'a2']) {
    await agents.create({ id, name: id, phone: `user/${id}`, skills: { general: 5 } });
    await agents.apply(id, { type: 'login' });
  }
  for (const c of ['waiting-caller', 'talking-caller']) {
    create(c);
    await queues.enqueue({ callId: c, queue: 'general', priority: 0, t0Us: (NOW - 60_000) * 1000, node: 'fs1', line: 'main' });
  }
  // The dead instance claimed both pairs 10 minutes ago.
  const c1 = await claims.claim([{ queue: 'general', skill: 'general', tiers: [[0, 1]] }], NOW - 600_000);
  const c2 = await claims.claim([{ queue: 'general', skill: 'general', tiers: [[0, 1]] }], NOW - 600_000);
  t.ok(c1 && c2);
  const talking = c1!.callId === 'talking-caller' ? c1! : c2!;
  // The talking pair got as far as the bridge before the crash.
  create('agent-leg', { hotline_call_id: 'talking-caller', hotline_leg_role: 'agent', hotline_agent_id: talking.agentId }, 'outbound');
  registry.apply({ type: 'channel-answer', node: 'fs1', uuid: 'agent-leg', seq: 2, tsUs: NOW * 1000 });
  registry.apply({ type: 'channel-bridge', node: 'fs1', uuid: 'talking-caller', otherLeg: 'agent-leg', seq: 3, tsUs: NOW * 1000 });

  const transition = async (id: string, command: AgentCommand) => {
    try {
      await agents.apply(id, command, 'acd');
      return true;
    } catch {
      return false;
    }
  };
  const repaired = await recoverStaleOffers({
    staleOffers: (b) => queues.staleOffers(b),
    remove: (id) => queues.remove(id),
    claims,
    agents: {
      connect: (id, callId) => transition(id, { type: 'connect', callId }),
      ringNoAnswer: (id, callId) => transition(id, { type: 'ringNoAnswer', callId }),
      phoneFailure: (id, callId) => transition(id, { type: 'phoneFailure', callId }),
      cancelReservation: (id, callId) => transition(id, { type: 'cancelReservation', callId }),
      endCall: async (id, callId) => (await agents.apply(id, { type: 'endCall', callId }, 'acd').catch(() => undefined))?.agent,
    },
    registry,
    logger: pino({ level: 'silent' }),
    now: () => NOW,
    maxOfferMs: 60_000,
  });
  t.equal(repaired, 2);
  const other = talking === c1 ? c2! : c1!;
  t.equal((await agents.get(other.agentId))?.state, 'ready', 'the agent of the unfinished offer is released');
  t.same(await queues.list('general'), ['waiting-caller'], 'its caller is back in line');
  t.equal((await agents.get(talking.agentId))?.state, 'on-call', 'the connected pair is confirmed');
  t.equal(await queues.get('talking-caller'), undefined);
  t.equal(await recoverStaleOffers({ staleOffers: (b) => queues.staleOffers(b), remove: async () => {}, claims, agents: { connect: async () => true, ringNoAnswer: async () => true, phoneFailure: async () => true, cancelReservation: async () => true, endCall: async () => undefined }, registry, logger: pino({ level: 'silent' }), now: () => NOW, maxOfferMs: 60_000 }), 0, 'nothing left to repair');
});
