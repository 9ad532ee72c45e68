// Erlang A (Palm's M/M/N+M): Erlang C's model plus callers who hang up. Each waiting caller has an
// exponential patience with mean 1/θ and leaves when it runs out; the queue never explodes, so the
// model also answers for N <= A, and staffing to it does not pay for callers who would have gone.
//
// Public API (pure):
//   erlangAMetrics(traffic, patienceSec, agents, withinSec, shortAbandonSec = 0)
//       P(wait), P(abandon), service level within t, mean wait, occupancy
//   erlangAAgents(traffic, patienceSec, target)    the smallest N meeting the target
//
// Sources: C. Palm (1943/1957); O. Garnett, A. Mandelbaum & M. Reiman, "Designing a call center with
// impatient customers", M&SOM 4(3) 2002 (P(wait), P(abandon | wait)); A. Mandelbaum & S. Zeltyn,
// "Service engineering in action: the Palm/Erlang-A queue, with applications to call centers" (2007)
// and "The M/M/n+G queue: summary of performance measures" (2004, waiting-time distribution).
//
// Notation: λ arrival rate, μ = 1/h service rate, θ = 1/patience, A = λ/μ, x = λ/θ, y = Nμ/θ,
// γ(a, x) the lower incomplete gamma function, M(a, x) = γ(a, x) e^x x^(-a) (gamma.ts).
//
// 1. States n <= N are those of Erlang B; above N the death rate is Nμ + (n - N)θ. Summing the tail,
//    Σ_{j>=0} Π_{k=1..j} λ/(Nμ + kθ) = y·M(y, x) =: S, and by PASTA
//        P(wait) = B·S / (1 - B + B·S),   B = Erlang B(N, A)                     (GMR 2002, eq. 4)
// 2. A caller who finds j others waiting would wait V_j = Σ_{i=0..j} Exp(Nμ + iθ) if infinitely patient
//    (the head enters service at rate Nμ; each of the j ahead leaves at rate θ). Since
//    -ln Beta(y, j+1) ~ Σ_{i=0..j} Exp(y + i), θ·V_j = -ln X_j with X_j ~ Beta(y, j+1); summing over
//    j with the stationary weights turns the Beta integrals into incomplete gamma functions:
//        P(V > t | wait)            = γ(y, x·z) / γ(y, x),                 z = e^(-θt)
//        E[e^(-θV); V <= t | wait]  = (γ(y+1, x) - γ(y+1, x·z)) / (x·γ(y, x))
//    A waiting caller is served iff patience τ > V, so with τ ~ Exp(θ) independent of V:
//        P(served | wait) = E[e^(-θV) | wait] = M(y+1, x) / M(y, x)
//        P(abandon) = P(wait)·(1 - P(served | wait))          (= GMR 2002's 1/(ρ·A(y, x)) + 1 - 1/ρ form)
//        SL(t) = P(answered within t) = 1 - P(wait) + P(wait)·E[e^(-θV); V <= t | wait]
//    (Mandelbaum & Zeltyn 2004 give the same distribution.) Mean wait of all callers, answered or not,
//    by Little's law on the abandoning flow: E[W] = P(abandon) / θ.
// 3. The hotline's 15-second rate leaves short abandons out of its denominator (ARCHITECTURE.md §6:
//    callers who hang up within shortAbandonSec s of being queued). P(short abandon) = P(τ < min(V, s))
//    = 1 - E[e^(-θ·min(V, s))], so with shortAbandonSec = s the service level reported is
//        SL(t) / (1 - P(short abandon))
//    which is what the wallboard will measure; s = 0 gives the textbook SL.
import { checkAgents, checkTarget, checkTraffic, logInvErlangB, MAX_AGENTS, minAgentsForOccupancy, offeredLoad, type StaffingTarget, type Traffic } from './erlang.ts';
import { lnScaledLowerGamma } from './gamma.ts';

export interface ErlangATarget extends StaffingTarget {
  /** Optional cap on P(abandon), e.g. 0.05. */
  readonly maxAbandon?: number;
}

export interface ErlangAResult {
  readonly agents: number;
  readonly erlangs: number;
  /** P(W > 0): the caller finds every agent busy. */
  readonly pWait: number;
  /** P(the caller hangs up before an agent answers). */
  readonly pAbandon: number;
  /** Answered within withinSec / offered (short abandons left out when shortAbandonSec > 0). */
  readonly serviceLevel: number;
  /** Mean time in queue over all callers, answered or abandoned, seconds. */
  readonly meanWaitSec: number;
  /** Carried load per agent: A·(1 - P(abandon)) / N. */
  readonly occupancy: number;
}

export function erlangAMetrics(traffic: Traffic, patienceSec: number, agents: number, withinSec: number, shortAbandonSec = 0): ErlangAResult {
  checkTraffic(traffic);
  checkAgents(agents);
  if (!(patienceSec > 0)) throw new RangeError(`patienceSec must be > 0 (got ${patienceSec})`);
  if (!(withinSec >= 0) || !(shortAbandonSec >= 0)) throw new RangeError('withinSec and shortAbandonSec must be >= 0');
  const a = offeredLoad(traffic);
  if (a === 0) return { agents, erlangs: 0, pWait: 0, pAbandon: 0, serviceLevel: 1, meanWaitSec: 0, occupancy: 0 };
  if (agents === 0) return { agents, erlangs: a, pWait: 1, pAbandon: 1, serviceLevel: 0, meanWaitSec: patienceSec, occupancy: 0 };

  const theta = 1 / patienceSec;
  const x = (traffic.calls / traffic.intervalSec) * patienceSec;
  const y = (agents * patienceSec) / traffic.ahtSec;
  const lnM0 = lnScaledLowerGamma(y, x);
  const lnM1 = lnScaledLowerGamma(y + 1, x);

  // P(wait) = 1 / (1 + (1 - B)/(B·S)); ln((1 - B)/B) = ln(1/B - 1) = L + ln(1 - e^-L).
  const l = logInvErlangB(agents, a);
  const lnOddsFree = l + Math.log1p(-Math.exp(-l)) - (Math.log(y) + lnM0);
  const pWait = 1 / (1 + Math.exp(lnOddsFree));

  const servedIfWait = Math.exp(lnM1 - lnM0);
  const pAbandon = pWait * (1 - servedIfWait);

  // ln(γ(y+1, x·z) / γ(y+1, x)) with z = e^(-θt): (y+1)·ln z + x(1 - z) + ln M(y+1, xz) - ln M(y+1, x).
  const lnGammaRatio = (b: number, t: number, lnMx: number): number =>
    -b * theta * t + x * -Math.expm1(-theta * t) + lnScaledLowerGamma(b, x * Math.exp(-theta * t)) - lnMx;
  /** E[e^(-θV); V <= t | wait] */
  const servedWithin = (t: number): number => (t === 0 ? 0 : servedIfWait * -Math.expm1(lnGammaRatio(y + 1, t, lnM1)));

  let serviceLevel = 1 - pWait + pWait * servedWithin(withinSec);
  if (shortAbandonSec > 0) {
    const s = shortAbandonSec;
    const pLongerThanS = Math.exp(lnGammaRatio(y, s, lnM0)); // P(V > s | wait)
    const pShort = pWait * (1 - (servedWithin(s) + Math.exp(-theta * s) * pLongerThanS));
    serviceLevel /= 1 - pShort;
  }
  return {
    agents,
    erlangs: a,
    pWait,
    pAbandon,
    serviceLevel: Math.min(1, serviceLevel),
    meanWaitSec: pAbandon * patienceSec,
    occupancy: Math.min(1, (a * (1 - pAbandon)) / agents),
  };
}

/**
 * The smallest N whose service level meets the target (and P(abandon), occupancy their caps).
 * Answered-within-t can never exceed the carried share N/A, so the search starts at ⌈SL·A⌉ and walks
 * up: SL rises with N, so the first N that meets every condition is the minimum.
 */
export function erlangAAgents(traffic: Traffic, patienceSec: number, target: ErlangATarget, shortAbandonSec = 0): ErlangAResult {
  checkTraffic(traffic);
  checkTarget(target);
  const maxAbandon = target.maxAbandon;
  if (maxAbandon !== undefined && !(maxAbandon > 0 && maxAbandon <= 1)) throw new RangeError(`maxAbandon must be in (0, 1] (got ${maxAbandon})`);
  const a = offeredLoad(traffic);
  if (a === 0) return erlangAMetrics(traffic, patienceSec, 0, target.withinSec, shortAbandonSec);
  for (let n = Math.max(1, Math.ceil(target.serviceLevel * a)); n <= MAX_AGENTS; n++) {
    const r = erlangAMetrics(traffic, patienceSec, n, target.withinSec, shortAbandonSec);
    if (r.serviceLevel >= target.serviceLevel && (maxAbandon === undefined || r.pAbandon <= maxAbandon) && n >= minAgentsForOccupancy(r.erlangs * (1 - r.pAbandon), target.maxOccupancy)) return r;
  }
  throw new RangeError(`no staffing up to ${MAX_AGENTS} agents meets the target (load ${a} Erlangs)`);
}
