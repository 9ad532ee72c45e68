// The atomic claim, on a real Redis: priority classes, FIFO within a class, longest-idle agent,
// skill-level tiers widening with the wait, and no double assignment under concurrency.
import t from 'tap';
import { Redis } from 'ioredis';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { redisKeys } from '../src/store/keys.ts';
import { ClaimStore } from '../src/store/claim-store.ts';
import { QueueStore } from '../src/store/queue-store.ts';

const NOW = 1_795_316_440_000; // ms
const us = (msAgo: number) => (NOW - msAgo) * 1000;

async function setup(t: { teardown(fn: () => unknown): void }, prefix: string) {
  const r = await withRedis(t);
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  const keys = redisKeys(prefix);
  const addAgent = async (id: string, skills: Record<string, number>, idleSince: number) => {
    await redis.hset(keys.agent(id), { state: 'ready', skills: JSON.stringify(skills), phone: `user/${id}`, idleSince: String(idleSince) });
    for (const [s, level] of Object.entries(skills)) await redis.zadd(keys.readyAgents(s, level), idleSince, id);
  };
  return { redis, keys, r, claims: new ClaimStore(redis, keys, prefix), queues: new QueueStore(redis, keys), addAgent };
}

t.test('priority classes first, FIFO inside a class, longest-idle agent', async (t) => {
  const { claims, queues, addAgent, redis, keys } = await setup(t, 'c1');
  const enq = (callId: string, priority: number, msAgo: number) => queues.enqueue({ callId, queue: 'general', priority, t0Us: us(msAgo), node: 'fs1', line: 'main' });
  await enq('normal-old', 0, 9000);
  await enq('normal-new', 0, 1000);
  await enq('elder', 2, 2000);
  await enq('from110', 3, 500);
  await addAgent('a-recent', { general: 5 }, NOW - 1000);
  await addAgent('a-longest', { general: 5 }, NOW - 60_000);
  await addAgent('a-mid', { general: 5 }, NOW - 30_000);
  await addAgent('a-other-skill', { enterprise: 9 }, NOW - 99_000);
  const tiers = [[0, 1]] as const;
  const got = [];
  for (let i = 0; i < 5; i++) got.push(await claims.claim('general', 'general', NOW, tiers));
  t.same(got.map((c) => c && [c.callId, c.agentId]), [['from110', 'a-longest'], ['elder', 'a-mid'], ['normal-old', 'a-recent'], undefined, undefined]);
  t.equal(got[0]?.phone, 'user/a-longest');
  t.equal(got[0]?.priority, 3);
  t.equal(await redis.hget(keys.agent('a-longest'), 'state'), 'reserved');
  t.equal(await redis.hget(keys.agent('a-longest'), 'callId'), 'from110');
  for (let l = 1; l <= 10; l++) t.equal(await redis.zcard(keys.readyAgents('general', l)), 0, `claimed agents leave every ready set (level ${l})`);
  t.same(await queues.list('general'), ['normal-new']);
  t.equal((await redis.xrange(keys.agentAudit('a-longest'), '-', '+')).length, 1, 'the reservation is audited');

  t.ok(await claims.requeue('from110'), 'ring-no-answer: back in its class');
  t.same(await queues.list('general'), ['from110', 'normal-new'], 'at the head, with its original t0');
});

t.test('skill-level tiers widen with the wait', async (t) => {
  const { claims, queues, addAgent } = await setup(t, 'c2');
  await addAgent('junior', { enterprise: 2 }, NOW - 90_000);
  await queues.enqueue({ callId: 'x', queue: 'enterprise', priority: 0, t0Us: us(5_000), node: 'fs1', line: 'enterprise' });
  const tiers = [[0, 7], [20, 1]] as const;
  t.equal(await claims.claim('enterprise', 'enterprise', NOW, tiers), undefined, 'after 5 s only level >= 7 may take it');
  t.equal((await claims.claim('enterprise', 'enterprise', NOW + 15_000, tiers))?.agentId, 'junior', 'after 20 s anyone with the skill');
});

t.test('a higher class nobody can serve yet does not block a lower class', async (t) => {
  const { claims, queues, addAgent } = await setup(t, 'c3');
  await addAgent('mid', { general: 4 }, NOW - 1000);
  await queues.enqueue({ callId: 'vip', queue: 'general', priority: 3, t0Us: us(1000), node: 'fs1', line: 'from110' });
  await queues.enqueue({ callId: 'plain', queue: 'general', priority: 0, t0Us: us(60_000), node: 'fs1', line: 'main' });
  // Tier rule for this queue: level 5+ at first, anyone after 30 s.
  const c = await claims.claim('general', 'general', NOW, [[0, 5], [30, 1]]);
  t.equal(c?.callId, 'plain', 'the long-waiting normal caller gets the level-4 agent');
});

t.test('concurrent claims from two connections never double-assign', async (t) => {
  const { r, keys, queues, addAgent } = await setup(t, 'c4');
  for (let i = 0; i < 200; i++) await queues.enqueue({ callId: `call-${i}`, queue: 'general', priority: i % 4, t0Us: us(100_000 - i), node: 'fs1', line: 'main' });
  for (let i = 0; i < 60; i++) await addAgent(`agent-${i}`, { general: 1 + (i % 10) }, NOW - 100_000 + i);
  const conns = [new Redis(r.url), new Redis(r.url)];
  t.teardown(() => Promise.all(conns.map((c) => c.quit())));
  const stores = conns.map((c) => new ClaimStore(c, keys, 'c4'));
  const results = await Promise.all(Array.from({ length: 120 }, (_, i) => stores[i % 2]!.claim('general', 'general', NOW, [[0, 1]])));
  const claims = results.filter((c) => c !== undefined);
  t.equal(claims.length, 60, 'one claim per agent');
  t.equal(new Set(claims.map((c) => c.agentId)).size, 60, 'no agent twice');
  t.equal(new Set(claims.map((c) => c.callId)).size, 60, 'no caller twice');
  t.equal((await queues.list('general')).length, 140);
});
