// `load`'s targets (issue #15) and which of them a run met.
import type { Pct } from './figures.ts';
import type { LagFigures } from './probe.ts';
import type { Options } from './options.ts';

export const TARGETS = {
  ratePerS: 100,
  minutes: 5,
  concurrentCalls: 2000,
  agents: 1000,
  lostOrStuck: 0,
  freeToOfferP99Ms: 10,
  eventLoopLagP99Ms: 20,
  heapPerLiveCallKb: 4,
  rssMb: 300,
} as const;

export interface VerdictInput {
  offeredPerS: number;
  completedPerS: number;
  concurrentCalls: { mean: number; max: number };
  freeToOfferMs: Pct;
  lost: number;
  stuck: number;
  eventLoopLagMs: LagFigures;
  heapPerLiveCallKb: number;
  rssMb: { max: number };
}

export function verdict(opts: Options, f: VerdictInput): { targets: typeof TARGETS; met: Record<string, boolean>; fullLoad: boolean; pass: boolean } {
  const met = {
    sustainedRate: f.completedPerS >= 0.97 * opts.rate && f.offeredPerS >= 0.97 * opts.rate,
    noLostOrStuck: f.lost + f.stuck === 0,
    freeToOffer: f.freeToOfferMs.n > 0 && f.freeToOfferMs.p99Ms <= TARGETS.freeToOfferP99Ms,
    eventLoopLag: f.eventLoopLagMs.p99Ms < TARGETS.eventLoopLagP99Ms,
    heapPerLiveCall: f.heapPerLiveCallKb <= TARGETS.heapPerLiveCallKb,
    rss: f.rssMb.max <= TARGETS.rssMb,
  };
  // The targets are about the full load; a shorter or lighter run can pass its figures only.
  const fullLoad = opts.rate >= TARGETS.ratePerS && opts.minutes >= TARGETS.minutes && opts.agents >= TARGETS.agents && f.concurrentCalls.mean >= 0.9 * TARGETS.concurrentCalls;
  return { targets: TARGETS, met, fullLoad, pass: fullLoad && Object.values(met).every(Boolean) };
}
