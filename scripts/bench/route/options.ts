// `route` command line: usage, defaults, parsing.

export const usage = `npm run bench -- route [options]      (~35 s on 2 cores)
  --agents N=1000      agents, each with 1-3 queue skills, levels 1-10
  --queues N=50        queues, each with its own skill, 1 or 2 tiers
  --rate N=50          steady events/s: caller arrivals in phase A, agents back to ready in phase B
  --steady-s N=10      length of each steady phase
  --burst N=300        events in each burst phase (over 1 s)
  --warmup-s N=3       warm-up at the steady rate, not measured
  --seed N=12345       seed of the load (queues, agents, arrival times, talk times)
  --no-tick            leave out the 1 s ACD tick (expireWrapUps over all agents + routeAll)`;

export const TARGET_P99_MS = 5;

export interface RouteOptions {
  nAgents: number;
  nQueues: number;
  rate: number;
  steadyS: number;
  burstN: number;
  warmupS: number;
  seed: number;
  tick: boolean;
}

export function parseOptions(argv: string[]): RouteOptions {
  const arg = (k: string, d: number): number => {
    const i = argv.indexOf(k);
    const v = i >= 0 ? Number(argv[i + 1]) : d;
    if (!Number.isFinite(v) || v < 0) throw new Error(usage);
    return v;
  };
  const nAgents = Math.floor(arg('--agents', 1000));
  const nQueues = Math.floor(arg('--queues', 50));
  const rate = arg('--rate', 50);
  const steadyS = arg('--steady-s', 10);
  const burstN = Math.floor(arg('--burst', 300));
  const warmupS = arg('--warmup-s', 3);
  const seed = Math.floor(arg('--seed', 12345));
  const tick = !argv.includes('--no-tick');
  if (nQueues < 1 || nAgents < 1 || rate <= 0) throw new Error(usage);
  return { nAgents, nQueues, rate, steadyS, burstN, warmupS, seed, tick };
}
