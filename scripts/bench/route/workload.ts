// The seeded load of `route`: queues (own skill each, 1 or 2 tiers), Zipf-like popularity, agent
// profiles (1-3 skills at levels 1-10) and caller priority classes.
import type { AgentProfile } from '../../../server/src/acd/agent-state.ts';
import { queuesFileSchema, skillOf, type QueueConfig } from '../../../server/src/acd/queue-config.ts';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Workload {
  queues: QueueConfig[];
  profiles: AgentProfile[];
  /** A queue by popularity. */
  pickQueue(): QueueConfig;
  /** A priority class: 80 / 10 / 7 / 3 % (normal / repeat / elder / from-110). */
  pickPriority(): number;
}

/** Draws the queues, then the agents' profiles, from `rnd` (in that order: the seed decides both). */
export function buildWorkload(rnd: () => number, nQueues: number, nAgents: number): Workload {
  // Queues: own skill each, 40 % one tier, the others a high first tier widening after 10-30 s.
  const rawQueues = Array.from({ length: nQueues }, (_, i) => {
    const name = `q${String(i).padStart(2, '0')}`;
    const tiers = rnd() < 0.4 ? [{ afterSec: 0, minLevel: 1 }] : [{ afterSec: 0, minLevel: 3 + Math.floor(rnd() * 5) }, { afterSec: 10 * (1 + Math.floor(rnd() * 3)), minLevel: 1 }];
    return { name, skill: `s${String(i).padStart(2, '0')}`, tiers };
  });
  const queues: QueueConfig[] = queuesFileSchema.parse(rawQueues);
  // Zipf-like popularity: callers and agents' skills follow it, so capacity follows demand.
  const weights = queues.map((_, i) => 1 / (i + 1) ** 0.8);
  const wSum = weights.reduce((a, b) => a + b, 0);
  const pickQueue = (): QueueConfig => {
    let x = rnd() * wSum;
    for (let i = 0; i < queues.length; i++) if ((x -= weights[i]!) <= 0) return queues[i]!;
    return queues[queues.length - 1]!;
  };
  const profiles: AgentProfile[] = Array.from({ length: nAgents }, (_, i) => {
    const skills: Record<string, number> = {};
    const k = 1 + Math.floor(rnd() * 3);
    for (let tries = 0; Object.keys(skills).length < Math.min(k, nQueues) && tries < 100; tries++) skills[skillOf(pickQueue())] = 1 + Math.floor(rnd() * 10);
    return { id: `a${String(i).padStart(4, '0')}`, name: `Agent ${i}`, phone: `user/${10000 + i}`, skills };
  });
  const pickPriority = (): number => {
    const x = rnd();
    return x < 0.03 ? 3 : x < 0.1 ? 2 : x < 0.2 ? 1 : 0;
  };
  return { queues, profiles, pickQueue, pickPriority };
}
