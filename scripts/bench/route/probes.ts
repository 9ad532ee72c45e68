// `route`'s probes, run with no load: what a claim costs when the head caller's tier has no
// eligible agent among many ready ones (the script reads every ready agent of the skill), and
// what the tick's agents.list() of every agent costs.
import type { Redis } from 'ioredis';
import type { AgentMachine } from '../../../server/src/acd/agent-state.ts';
import { AgentStore } from '../../../server/src/store/agent-store.ts';
import { ClaimStore } from '../../../server/src/store/claim-store.ts';
import { redisKeys } from '../../../server/src/store/keys.ts';
import { QueueStore } from '../../../server/src/store/queue-store.ts';
import { percentile, round } from '../util.ts';
import { redisInfo } from './redis.ts';

interface Timing {
  round_trip_p50_ms: number;
  round_trip_min_ms: number;
  redis_evalsha_us_per_call?: number;
}

/** `agents`: the bench's own store (the one whose list() the tick runs). */
export async function runProbes(redis: Redis, infoConn: Redis, machine: AgentMachine, agents: AgentStore, nAgents: number): Promise<Record<string, unknown>> {
  const probeKeys = redisKeys('probe');
  const probeAgents = new AgentStore({ redis, keys: probeKeys, machine });
  const probeClaims = new ClaimStore(redis, probeKeys, 'probe');
  for (let i = 0; i < nAgents; i += 20)
    await Promise.all(
      Array.from({ length: Math.min(20, nAgents - i) }, async (_, j) => {
        const id = `p${i + j}`;
        await probeAgents.create({ id, name: id, phone: 'user/1', skills: { general: 1 + ((i + j) % 5) } });
        await probeAgents.apply(id, { type: 'login' }, 'agent');
      }),
    );
  await new QueueStore(redis, probeKeys).enqueue({ callId: 'probe-1', queue: 'elder', priority: 2, t0Us: Date.now() * 1000, node: 'fs1', line: '12345' });
  const timeIt = async (n: number, f: () => Promise<unknown>): Promise<Timing> => {
    const before = await redisInfo(infoConn);
    const ts: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint();
      await f();
      ts.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const after = await redisInfo(infoConn);
    ts.sort((a, b) => a - b);
    const e0 = before.cmds.get('evalsha') ?? { calls: 0, usec: 0 };
    const e1 = after.cmds.get('evalsha') ?? { calls: 0, usec: 0 };
    const calls = e1.calls - e0.calls;
    return { round_trip_p50_ms: round(percentile(ts, 50), 3), round_trip_min_ms: round(ts[0] ?? NaN, 3), ...(calls ? { redis_evalsha_us_per_call: round((e1.usec - e0.usec) / calls, 0) } : {}) };
  };
  const probes = {
    claim_no_eligible_agent: {
      setup: `${nAgents} ready agents with skill general at levels 1-5; one caller in queue elder (tiers 0 s: level 6, 10 s: level 1) in its first tier`,
      ...(await timeIt(50, () => probeClaims.claim([{ queue: 'elder', skill: 'general', tiers: [[0, 6], [10, 1]] }], Date.now()))),
    },
    claim_empty_queue: await timeIt(50, () => probeClaims.claim([{ queue: 'general', skill: 'general', tiers: [[0, 1]] }], Date.now())),
    tick_agents_list: { agents: nAgents, ...(await timeIt(10, () => agents.list())) },
  };
  console.error(`route: probes ${JSON.stringify(probes)}`);
  return probes;
}
