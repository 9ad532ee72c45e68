// Agent stores on a real Redis for the acd-agents tests: each call gets its own key prefix and its
// own connection, the way two service instances would share one Redis.
import { Redis } from 'ioredis';
import { createAgentMachine } from '../../src/acd/agent-state.ts';
import { AgentStore } from '../../src/store/agent-store.ts';
import { redisKeys, type RedisKeys } from '../../src/store/keys.ts';

export const T0 = 1_795_000_000_000;

interface Teardownable {
  teardown(fn: () => unknown): void;
}

let prefixes = 0;
/** A fresh key prefix per test, so tests sharing one Redis never see each other's agents. */
export const freshPrefix = (): string => `t${process.pid}x${++prefixes}`;

export interface FakeClock {
  now: number;
}

export function connect(t: Teardownable, url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  t.teardown(() => redis.quit().catch(() => redis.disconnect()));
  return redis;
}

export function agentStore(
  t: Teardownable,
  url: string,
  opts: { prefix: string; clock: FakeClock; wrapUpSec?: number; wrapUpExtendSec?: number; auditMaxLen?: number; redis?: Redis },
): { store: AgentStore; redis: Redis; keys: RedisKeys } {
  const redis = opts.redis ?? connect(t, url);
  const keys = redisKeys(opts.prefix);
  const machine = createAgentMachine({ clock: () => opts.clock.now, wrapUpSec: opts.wrapUpSec ?? 30, wrapUpExtendSec: opts.wrapUpExtendSec ?? 30 });
  return { store: new AgentStore({ redis, keys, machine, auditMaxLen: opts.auditMaxLen }), redis, keys };
}

/** Score of an agent in a ready set, or null when it is not a member. */
export async function readyScore(redis: Redis, keys: RedisKeys, skill: string, id: string): Promise<number | null> {
  // Ready sets are per skill level: the agent is in at most one of them per skill.
  for (let level = 1; level <= 10; level++) {
    const s = await redis.zscore(keys.readyAgents(skill, level), id);
    if (s !== null) return Number(s);
  }
  return null;
}
