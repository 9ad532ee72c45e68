// The load schedule of `route`: warm-up; steady A (Poisson caller arrivals, agents plentiful:
// mostly caller_queued decisions); burst A; then phase B (a backlog of callers, agents paced back
// to ready: agent_ready decisions) steady and burst; then the offers in flight finish.
import { sleep } from '../util.ts';
import type { DecisionTracker } from './decisions.ts';
import type { RouteOptions } from './options.ts';
import type { PhaseMeter } from './phase-meter.ts';
import type { Simulation } from './simulation.ts';

export async function runPhases(sim: Simulation, meter: PhaseMeter, tracker: DecisionTracker, rnd: () => number, o: RouteOptions): Promise<void> {
  const { rate, steadyS, burstN, warmupS } = o;
  await meter.run('warmup', () => sim.poisson(rate, warmupS, () => sim.callerArrives()));
  tracker.resetAfterWarmup();
  await meter.run('steady_a', () => sim.poisson(rate, steadyS, () => sim.callerArrives()));
  await meter.run('burst_a', () => sim.poisson(burstN, 1, () => sim.callerArrives(), burstN));

  // To phase B: arrivals stop, wrap-ups go to the pool, every ready agent takes a break, and a
  // backlog of callers who have waited 2 minutes (widest tier) builds up.
  const pool = sim.pool;
  sim.mode = 'B';
  await sleep(200);
  await sim.router.idle();
  const readyNow = (await sim.agents.list()).filter((a) => a.state === 'ready');
  for (let i = 0; i < readyNow.length; i += 20)
    await Promise.all(
      readyNow.slice(i, i + 20).map(async (a) => {
        if (await sim.transition(a.id, { type: 'notReady', reason: 'break' })) pool.push({ id: a.id, cmd: { type: 'ready' } });
      }),
    );
  const backlog = Math.max(2 * burstN, Math.ceil(rate * steadyS * 1.5));
  const waitedUs = (Date.now() - 120_000) * 1000;
  for (let i = 0; i < backlog; i++) sim.callerArrives({ t0Us: waitedUs + i, observe: false });
  await sim.settle();
  console.error(`route: phase B: ${pool.length} agents on break, ${backlog} callers waiting`);
  const paceAgent = (): void => {
    const i = Math.floor(rnd() * pool.length);
    const a = pool[i];
    if (!a) return;
    pool[i] = pool[pool.length - 1]!;
    pool.pop();
    sim.agentReady(a.id, a.cmd);
  };
  await meter.run('steady_b', async () => {
    // Callers keep arriving (at 40 % of the rate) and join the backlog.
    const callers = sim.poisson(rate * 0.4, steadyS, () => sim.callerArrives());
    const n = await sim.poisson(rate, steadyS, paceAgent);
    return n + (await callers);
  });
  await meter.run('burst_b', () => sim.poisson(burstN, 1, paceAgent, burstN));
  // Let the offers in flight finish (answer, bridge, connect) before Redis goes away.
  sim.mode = 'stop';
  await sim.settle();
  await Promise.race([sim.router.idle(), sleep(5000)]);
  sim.clearTimers();
}
