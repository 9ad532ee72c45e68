// An SLA snapshot: the three windows of one scope at one moment, JSON-ready (ISO times), as the
// REST route returns it and the live feed pushes it.
import type { Measures } from './measures.ts';

export interface WindowMeasures extends Measures {
  /** Interval and day: inclusive start. Rolling: exclusive start (at - 24 h). */
  readonly start: string;
  /** Interval and day: exclusive end. Rolling: inclusive end (at). */
  readonly end: string;
}

export interface SlaSnapshot {
  readonly scope: string;
  readonly at: string;
  readonly target: number;
  readonly thresholdSec: number;
  readonly shortAbandonSec: number;
  /** Below this many counted calls in the rolling 24 h the alert does not judge the rate. */
  readonly minCounted: number;
  /** The 15-minute interval holding `at` (Beijing clock). */
  readonly interval: WindowMeasures;
  /** The Beijing calendar day holding `at`, its intervals up to the one holding `at`. */
  readonly today: WindowMeasures & { readonly date: string };
  /** t0 in (at - 24 h, at]. */
  readonly rolling24h: WindowMeasures;
  readonly alert: { readonly firing: boolean; readonly since: string | null };
}

export const iso = (ms: number): string => new Date(ms).toISOString();
