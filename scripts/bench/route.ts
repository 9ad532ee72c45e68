// Benchmark `route`: routing decision latency of the ACD, Redis included. The real Router with the
// real ClaimStore / QueueStore / AgentStore on a real redis-server (temp dir, stopped at the end),
// 1,000 agents with 1-3 of 50 queues' skills (levels 1-10), and a SwitchPort whose
// originateInBackground stamps process.hrtime.bigint() ("originate sent"), then answers like a
// switch would. Two event kinds, timed from the moment the event reaches the service:
//   caller_queued: QueueStore.enqueue, then router.onQueued (as call intake does) while a ready
//                  agent exists  -> originate sent
//   agent_ready:   AgentStore.apply (ready / endWrapUp), then agents.get and router.onAgentReady
//                  (as acd-control's agentBecameReady does) while callers wait -> originate sent
// Phases (seeded, deterministic load): warm-up; steady A (Poisson caller arrivals, agents plentiful:
// mostly caller_queued decisions); burst A; steady B (a backlog of callers, agents paced back to
// ready: agent_ready decisions); burst B (a shift of agents logging back at once). The once-a-second
// ACD tick's Redis work (expireWrapUps over all agents, router.routeAll) runs as in production.
// Then, with no load, two probes: a claim whose head caller has no eligible agent among all ready
// ones (the claim script's worst case), and the tick's agents.list(). See scripts/bench/README.md.
//
// The parts, in route/: options.ts (command line), workload.ts (seeded queues, agents, priorities),
// redis.ts (redis-server, request count, INFO), decisions.ts (events under observation, samples),
// fake-switch.ts and simulation.ts (the router's surroundings and the load's primitives),
// phase-meter.ts (figures per phase), phases.ts (the schedule), probes.ts, report.ts (the result).
import os from 'node:os';
import { pino } from 'pino';
import { createAgentMachine } from '../../server/src/acd/agent-state.ts';
import { AgentStore } from '../../server/src/store/agent-store.ts';
import { ClaimStore } from '../../server/src/store/claim-store.ts';
import { redisKeys } from '../../server/src/store/keys.ts';
import { QueueStore } from '../../server/src/store/queue-store.ts';
import { DecisionTracker } from './route/decisions.ts';
import { parseOptions } from './route/options.ts';
import { PhaseMeter } from './route/phase-meter.ts';
import { runPhases } from './route/phases.ts';
import { runProbes } from './route/probes.ts';
import { startBenchRedis } from './route/redis.ts';
import { report } from './route/report.ts';
import { Simulation } from './route/simulation.ts';
import { buildWorkload, mulberry32 } from './route/workload.ts';

export { usage } from './route/options.ts';
export const description = 'ACD routing decision latency (caller queued / agent ready -> originate sent), 1,000 agents, 50 queues, real Redis';

const PREFIX = 'bench';

export async function main(argv: string[]): Promise<Record<string, unknown>> {
  const opts = parseOptions(argv);
  const rnd = mulberry32(opts.seed);
  const loadStart = os.loadavg();
  const workload = buildWorkload(rnd, opts.nQueues, opts.nAgents);

  const stopAll: (() => Promise<unknown>)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const f of stopAll.splice(0).reverse()) await f().catch(() => {});
  };
  const r = await startBenchRedis(stopAll);
  try {
    const keys = redisKeys(PREFIX);
    const queueStore = new QueueStore(r.redis, keys);
    const claimStore = new ClaimStore(r.redis, keys, PREFIX);
    // Wrap-up is ended by the harness (endWrapUp: the agent presses "ready"); a long nominal
    // wrap-up keeps expireWrapUps from doing it behind the pacer's back.
    const machine = createAgentMachine({ clock: Date.now, wrapUpSec: 600, wrapUpExtendSec: 60 });
    const agents = new AgentStore({ redis: r.redis, keys, machine });
    // pino silent: the service logs `call connected` at info per call.
    const tracker = new DecisionTracker(r.counter);
    const sim = new Simulation({ workload, rnd, tracker, agents, queueStore, claimStore, logger: pino({ level: 'silent' }) });
    const meter = await PhaseMeter.start(r, tracker, () => sim.settle(), stopAll);

    console.error(`route: redis-server on ${r.url}; creating ${opts.nAgents} agents over ${opts.nQueues} queues (seed ${opts.seed})`);
    const tSetup = performance.now();
    await sim.createAgents(workload.profiles);
    console.error(`route: setup ${((performance.now() - tSetup) / 1000).toFixed(1)} s`);
    stopAll.push(sim.startTick(opts.tick, meter.tickMs));

    await runPhases(sim, meter, tracker, rnd, opts);
    const loadEnd = os.loadavg();
    const probes = await runProbes(r.redis, r.infoConn, machine, agents, opts.nAgents);
    return report({ opts, tracker, phaseInfo: meter.phaseInfo, probes, routerStats: sim.router.stats, loadStart, loadEnd });
  } finally {
    await cleanup();
  }
}
