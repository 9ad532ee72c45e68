// Erlang A (M/M/N+M) against an independent implementation's published figures, its limiting cases
// (Erlang C, Erlang B), monotonicity, and a seeded simulation of the queue itself.
import t from 'tap';
import { erlangAAgents, erlangAMetrics } from '../src/forecast/erlang-a.ts';
import { erlangB, erlangCAgents, erlangCMetrics } from '../src/forecast/erlang.ts';
import { rng } from './helpers/fuzz.ts';

const near = (x: number, y: number, tol: number): boolean => Math.abs(x - y) <= tol;

t.test('reproduces pyworkforce\'s Erlang A figures (100 calls / 30 min, AHT 3 min, patience 5 min, 14 agents)', async (t) => {
  // pyworkforce (rodrigo-arenas/pyworkforce, pyworkforce/queuing/tests/test_abandonment.py) computes
  // these from the truncated birth-death chain and the tagged caller's absorbing chain by
  // uniformisation: a different method from the closed forms here. Its figures, to its rounding:
  // P(wait) 0.14526, P(abandon) 0.013984, occupancy 0.704297, mean wait 0.069919 min, SL(20 s) 0.916792.
  const r = erlangAMetrics({ calls: 100, intervalSec: 1800, ahtSec: 180 }, 300, 14, 20);
  t.equal(Number(r.pWait.toFixed(5)), 0.14526);
  t.equal(Number(r.pAbandon.toFixed(6)), 0.013984);
  t.equal(Number(r.occupancy.toFixed(6)), 0.704297);
  t.equal(Number((r.meanWaitSec / 60).toFixed(6)), 0.069919);
  t.equal(Number(r.serviceLevel.toFixed(6)), 0.916792);
});

t.test('patience -> infinity is Erlang C', async (t) => {
  const traffic = { calls: 100, intervalSec: 900, ahtSec: 180 };
  for (const n of [21, 24, 28, 40]) {
    const a = erlangAMetrics(traffic, 1e9, n, 15);
    const c = erlangCMetrics(traffic, n, 15);
    t.ok(near(a.pWait, c.pWait, 1e-6) && near(a.serviceLevel, c.serviceLevel, 1e-6), `N = ${n}: P(wait) ${a.pWait.toFixed(6)} / ${c.pWait.toFixed(6)}, SL ${a.serviceLevel.toFixed(6)} / ${c.serviceLevel.toFixed(6)}`);
    t.ok(near(a.meanWaitSec, c.asaSec, 1e-3 * c.asaSec + 1e-9), `mean wait ${a.meanWaitSec.toFixed(4)} s = ASA ${c.asaSec.toFixed(4)} s`);
    t.ok(a.pAbandon < 1e-6);
  }
  t.equal(erlangAAgents(traffic, 1e9, { serviceLevel: 0.95, withinSec: 15 }).agents, erlangCAgents(traffic, { serviceLevel: 0.95, withinSec: 15 }).agents);
});

t.test('patience -> 0 is Erlang B: whoever finds every agent busy leaves at once', async (t) => {
  const traffic = { calls: 100, intervalSec: 900, ahtSec: 180 };
  for (const n of [15, 20, 25]) {
    const a = erlangAMetrics(traffic, 1e-4, n, 15);
    const b = erlangB(n, 20);
    t.ok(near(a.pWait, b, 1e-5) && near(a.pAbandon, b, 1e-5), `N = ${n}: P(wait) ${a.pWait.toFixed(5)} = P(abandon) ${a.pAbandon.toFixed(5)} = B ${b.toFixed(5)}`);
    t.ok(near(a.serviceLevel, 1 - b, 1e-5));
  }
});

t.test('monotone in agents and patience; the queue stays finite with fewer agents than Erlangs', async (t) => {
  const traffic = { calls: 100, intervalSec: 900, ahtSec: 180 };
  let prev = erlangAMetrics(traffic, 60, 1, 15);
  for (let n = 2; n <= 40; n++) {
    const r = erlangAMetrics(traffic, 60, n, 15);
    t.ok(r.serviceLevel > prev.serviceLevel && r.pAbandon < prev.pAbandon && r.pWait < prev.pWait, `N = ${n}: SL ${r.serviceLevel.toFixed(4)}, abandon ${r.pAbandon.toFixed(4)}`);
    t.ok(r.erlangs * (1 - r.pAbandon) <= n + 1e-9, 'carried load fits the agents');
    prev = r;
  }
  const patience = [10, 30, 60, 120, 600, 3600].map((p) => erlangAMetrics(traffic, p, 22, 15));
  for (let i = 1; i < patience.length; i++) t.ok(patience[i]!.pAbandon < patience[i - 1]!.pAbandon, 'more patience, fewer abandons');
  const under = erlangAMetrics(traffic, 60, 15, 15); // 15 agents for 20 Erlangs
  t.ok(under.pAbandon >= 1 - 15 / 20 - 1e-9 && under.pAbandon < 0.5, `under-staffed: abandon ${under.pAbandon.toFixed(3)} >= 25 %`);
  // Abandonment takes load off the agents: Erlang A never asks for more than Erlang C here.
  const target = { serviceLevel: 0.95, withinSec: 15 };
  const ea = erlangAAgents(traffic, 60, target);
  t.ok(ea.agents <= erlangCAgents(traffic, target).agents && ea.serviceLevel >= 0.95);
  t.ok(erlangAMetrics(traffic, 60, ea.agents - 1, 15).serviceLevel < 0.95, 'one fewer falls short');
  t.ok(erlangAAgents(traffic, 60, { ...target, maxAbandon: 0.001 }).agents > ea.agents, 'an abandon cap can ask for more');
});

/**
 * FCFS M/M/N+M by direct construction: a caller's wait depends only on the callers before it, so each
 * arrival takes the earliest free agent if that comes before its patience runs out, else abandons.
 */
function simulate(seed: number, callers: number, lambda: number, ahtSec: number, patienceSec: number, n: number, withinSec: number, shortSec: number) {
  const rnd = rng(seed);
  const exp = (mean: number): number => -mean * Math.log(1 - rnd());
  const free = new Array<number>(n).fill(0);
  let now = 0;
  let waited = 0;
  let abandoned = 0;
  let within = 0;
  let short = 0;
  for (let i = 0; i < callers; i++) {
    now += exp(1 / lambda);
    let k = 0;
    for (let j = 1; j < n; j++) if (free[j]! < free[k]!) k = j;
    const wait = Math.max(0, free[k]! - now);
    const patience = exp(patienceSec);
    if (wait > 0) waited++;
    if (wait > patience) {
      abandoned++;
      if (patience < shortSec) short++;
      continue;
    }
    if (wait <= withinSec) within++;
    free[k] = now + wait + exp(ahtSec);
  }
  return { pWait: waited / callers, pAbandon: abandoned / callers, sl: within / callers, slShort: within / (callers - short) };
}

t.test('agrees with a seeded simulation of the queue (service level, abandons, short abandons left out)', async (t) => {
  // 100 calls / 15 min, AHT 180 s, patience 60 s, 24 agents: P(wait) ~ 0.21, P(abandon) ~ 0.03.
  // 300,000 callers; the tolerance (0.006) is several standard errors of these autocorrelated means.
  const s = simulate(7, 300_000, 100 / 900, 180, 60, 24, 15, 5);
  const r = erlangAMetrics({ calls: 100, intervalSec: 900, ahtSec: 180 }, 60, 24, 15);
  const r5 = erlangAMetrics({ calls: 100, intervalSec: 900, ahtSec: 180 }, 60, 24, 15, 5);
  t.ok(near(s.pWait, r.pWait, 0.006), `P(wait): simulated ${s.pWait.toFixed(4)}, formula ${r.pWait.toFixed(4)}`);
  t.ok(near(s.pAbandon, r.pAbandon, 0.006), `P(abandon): simulated ${s.pAbandon.toFixed(4)}, formula ${r.pAbandon.toFixed(4)}`);
  t.ok(near(s.sl, r.serviceLevel, 0.006), `SL(15 s): simulated ${s.sl.toFixed(4)}, formula ${r.serviceLevel.toFixed(4)}`);
  t.ok(near(s.slShort, r5.serviceLevel, 0.006), `SL(15 s) without abandons under 5 s: simulated ${s.slShort.toFixed(4)}, formula ${r5.serviceLevel.toFixed(4)}`);
  t.ok(r5.serviceLevel > r.serviceLevel, 'leaving short abandons out raises the rate');
});

t.test('hundreds of agents, and bad input', async (t) => {
  const big = erlangAAgents({ calls: 3000, intervalSec: 900, ahtSec: 240 }, 90, { serviceLevel: 0.95, withinSec: 15 });
  t.ok(big.agents > 700 && big.agents < 830 && big.serviceLevel >= 0.95, `800 Erlangs, patience 90 s: ${big.agents} agents`);
  t.ok(Number.isFinite(erlangAMetrics({ calls: 3000, intervalSec: 900, ahtSec: 240 }, 1e7, 900, 15).pWait));
  t.match(erlangAMetrics({ calls: 0, intervalSec: 900, ahtSec: 180 }, 60, 0, 15), { pWait: 0, serviceLevel: 1 });
  t.match(erlangAMetrics({ calls: 10, intervalSec: 900, ahtSec: 180 }, 60, 0, 15), { pAbandon: 1, serviceLevel: 0 });
  t.throws(() => erlangAMetrics({ calls: 10, intervalSec: 900, ahtSec: 180 }, 0, 3, 15), /patienceSec/);
  t.throws(() => erlangAAgents({ calls: 10, intervalSec: 900, ahtSec: 180 }, 60, { serviceLevel: 0.9, withinSec: 15, maxAbandon: 2 }), /maxAbandon/);
});
