// Erlang B and Erlang C (M/M/N: Poisson arrivals, exponential handle times, N agents, callers who
// wait as long as it takes), and the fewest agents for a service-level target.
//
// Public API (pure: numbers in, numbers out; no clock, no I/O):
//   offeredLoad(traffic)                   A = calls × AHT / interval, in Erlangs
//   erlangB(agents, A)                     blocking probability of M/M/N/N
//   logInvErlangB(agents, A)               ln(1 / B), never overflows (what the others build on)
//   erlangC(agents, A)                     probability that a caller waits, P(W > 0)
//   erlangCMetrics(traffic, agents, t)     P(wait), service level P(W <= t), ASA, occupancy
//   erlangCAgents(traffic, target)         the smallest N meeting target (and an occupancy cap)
//
// Formulas (A = λ·h offered load, h = mean handle time, N agents, ρ = A / N):
//   Erlang B by the recursion B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)) (Jagerman 1974), carried
//   as L(n) = ln(1/B(n)) = ln(1 + (n/A)·e^L(n-1)), so it holds for thousands of agents;
//   Erlang C from B: C = N·B / (N - A·(1 - B)), i.e. 1/C = (1 - ρ)/B + ρ (Cooper, Introduction to
//   Queueing Theory, 2nd ed. 1981, §5.3); for N <= A the queue grows without bound: C = 1;
//   service level SL(t) = P(W <= t) = 1 - C·e^(-(N - A)·t/h); ASA = E[W] = C·h / (N - A);
//   occupancy = ρ (Gans, Koole & Mandelbaum, "Telephone call centers: tutorial, review and research
//   prospects", M&SOM 2003, §4.1).
import { softplus } from './gamma.ts';

export interface Traffic {
  /** Calls offered in the interval (an expected value: need not be an integer). */
  readonly calls: number;
  /** The interval's length in seconds (900 for a 15-minute interval). */
  readonly intervalSec: number;
  /** Mean handle time in seconds (talk + hold + wrap-up: what keeps an agent from the next call). */
  readonly ahtSec: number;
}

export interface StaffingTarget {
  /** Share of callers to answer within `withinSec`, in (0, 1), e.g. 0.95. */
  readonly serviceLevel: number;
  readonly withinSec: number;
  /** Optional cap on agent occupancy, in (0, 1]: staff at least A / maxOccupancy. */
  readonly maxOccupancy?: number;
}

export interface ErlangCResult {
  readonly agents: number;
  /** Offered load A in Erlangs. */
  readonly erlangs: number;
  /** P(W > 0): the probability that a caller waits at all (Erlang C). */
  readonly pWait: number;
  /** P(W <= withinSec). */
  readonly serviceLevel: number;
  /** Mean wait over all callers, seconds (Infinity when N <= A). */
  readonly asaSec: number;
  /** A / N, at most 1. */
  readonly occupancy: number;
}

/** Upper bound on agents searched for: far beyond any hotline, a guard against a runaway loop. */
export const MAX_AGENTS = 100_000;

export function checkTraffic(t: Traffic): void {
  if (!(t.calls >= 0) || !Number.isFinite(t.calls)) throw new RangeError(`calls must be a finite number >= 0 (got ${t.calls})`);
  if (!(t.intervalSec > 0) || !Number.isFinite(t.intervalSec)) throw new RangeError(`intervalSec must be > 0 (got ${t.intervalSec})`);
  if (!(t.ahtSec > 0) || !Number.isFinite(t.ahtSec)) throw new RangeError(`ahtSec must be > 0 (got ${t.ahtSec})`);
}

export function checkAgents(agents: number): void {
  if (!Number.isInteger(agents) || agents < 0 || agents > MAX_AGENTS) throw new RangeError(`agents must be an integer in [0, ${MAX_AGENTS}] (got ${agents})`);
}

export function checkTarget(target: StaffingTarget): void {
  if (!(target.serviceLevel > 0 && target.serviceLevel < 1)) throw new RangeError(`serviceLevel must be in (0, 1) (got ${target.serviceLevel})`);
  if (!(target.withinSec >= 0) || !Number.isFinite(target.withinSec)) throw new RangeError(`withinSec must be >= 0 (got ${target.withinSec})`);
  const occ = target.maxOccupancy;
  if (occ !== undefined && !(occ > 0 && occ <= 1)) throw new RangeError(`maxOccupancy must be in (0, 1] (got ${occ})`);
}

export const offeredLoad = (t: Traffic): number => (t.calls * t.ahtSec) / t.intervalSec;

/** ln(1 / B(agents, a)); 0 for no agents (everything is blocked). */
export function logInvErlangB(agents: number, a: number): number {
  checkAgents(agents);
  if (!(a > 0)) throw new RangeError(`offered load must be > 0 (got ${a})`);
  let l = 0;
  for (let n = 1; n <= agents; n++) l = softplus(Math.log(n / a) + l);
  return l;
}

export function erlangB(agents: number, a: number): number {
  return Math.exp(-logInvErlangB(agents, a));
}

/** P(W > 0) in M/M/N with offered load a Erlangs; 1 when agents <= a (no steady state). */
export function erlangC(agents: number, a: number): number {
  if (agents <= a) return 1;
  const rho = a / agents;
  // 1/C = (1 - ρ)/B + ρ; 1/B overflows to Infinity only where C is below 1e-300 anyway.
  return 1 / ((1 - rho) * Math.exp(logInvErlangB(agents, a)) + rho);
}

export function erlangCMetrics(traffic: Traffic, agents: number, withinSec: number): ErlangCResult {
  checkTraffic(traffic);
  checkAgents(agents);
  const a = offeredLoad(traffic);
  if (a === 0) return { agents, erlangs: 0, pWait: 0, serviceLevel: 1, asaSec: 0, occupancy: 0 };
  if (agents <= a) return { agents, erlangs: a, pWait: 1, serviceLevel: 0, asaSec: Infinity, occupancy: agents === 0 ? 0 : 1 };
  const c = erlangC(agents, a);
  const h = traffic.ahtSec;
  return {
    agents,
    erlangs: a,
    pWait: c,
    serviceLevel: 1 - c * Math.exp((-(agents - a) * withinSec) / h),
    asaSec: (c * h) / (agents - a),
    occupancy: a / agents,
  };
}

/** The smallest N whose service level meets the target (and whose occupancy stays under the cap). */
export function erlangCAgents(traffic: Traffic, target: StaffingTarget): ErlangCResult {
  checkTraffic(traffic);
  checkTarget(target);
  const a = offeredLoad(traffic);
  if (a === 0) return erlangCMetrics(traffic, 0, target.withinSec);
  // SL rises with N (more servers, shorter waits), so the first N that meets it is the minimum.
  let n = Math.max(Math.floor(a) + 1, minAgentsForOccupancy(a, target.maxOccupancy));
  for (; n <= MAX_AGENTS; n++) {
    const r = erlangCMetrics(traffic, n, target.withinSec);
    if (r.serviceLevel >= target.serviceLevel) return r;
  }
  throw new RangeError(`no staffing up to ${MAX_AGENTS} agents meets the target (load ${a} Erlangs)`);
}

/** The fewest agents whose occupancy `load / N` is at most `maxOccupancy` (1 when no cap). */
export function minAgentsForOccupancy(load: number, maxOccupancy: number | undefined): number {
  if (maxOccupancy === undefined || load === 0) return 1;
  // The epsilon keeps 0.85 × 20 = 17.000000000000004 from asking for an 18th agent.
  return Math.max(1, Math.ceil(load / maxOccupancy - 1e-9));
}
