// Wrap-up expiry reads only the agents whose wrap-up is due (the wrapUps index), not every agent.
import t from 'tap';
import { Redis } from 'ioredis';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { createAgentMachine } from '../src/acd/agent-state.ts';
import { AgentStore } from '../src/store/agent-store.ts';
import { redisKeys } from '../src/store/keys.ts';

t.test('the wrapUps index follows wrap-up and drives expiry', async (t) => {
  const r = await withRedis(t);
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  let now = 1_795_316_440_000;
  const keys = redisKeys('wu');
  const store = new AgentStore({ redis, keys, machine: createAgentMachine({ clock: () => now, wrapUpSec: 30, wrapUpExtendSec: 30 }) });
  t.same((await store.expireWrapUps(now)).map((x) => x.id), [], 'first call: full scan, nothing due');
  for (const id of ['a', 'b']) {
    await store.create({ id, name: id, phone: `user/${id}`, skills: { general: 3 } });
    await store.apply(id, { type: 'login' });
    await store.apply(id, { type: 'reserve', callId: `c-${id}` });
    await store.apply(id, { type: 'connect', callId: `c-${id}` });
  }
  await store.apply('a', { type: 'endCall', callId: 'c-a' });
  now += 10_000;
  await store.apply('b', { type: 'endCall', callId: 'c-b' });
  t.same(await redis.zrange(keys.wrapUps, '0', '-1'), ['a', 'b'], 'both indexed by wrap-up end');
  now += 25_000;
  const moved = await store.expireWrapUps(now);
  t.same(moved.map((x) => x.id), ['a'], 'only the due one');
  t.equal(moved[0]?.state, 'ready', 'returned as written (the ACD routes on it without reading it back)');
  t.equal(moved[0]?.rev, (await store.get('a'))?.rev, 'the stored revision');
  t.same(await redis.zrange(keys.wrapUps, '0', '-1'), ['b'], 'leaving ready removes it from the index');
  await store.apply('b', { type: 'endWrapUp' });
  t.same(await redis.zrange(keys.wrapUps, '0', '-1'), [], 'ending early too');
  t.equal((await store.get('a'))?.state, 'ready');
});
