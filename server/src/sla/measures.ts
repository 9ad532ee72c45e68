// The ratios of ARCHITECTURE.md section 6, from counters. A ratio with nothing under it is null,
// not 0 or 1: "no counted calls" must not read as a perfect (or a failed) service level.
import type { Counters } from './outcome.ts';

export interface Measures {
  readonly offered: number;
  /** offered - short abandons */
  readonly counted: number;
  readonly shortAbandons: number;
  readonly answered: number;
  /** answered within the threshold (15 s by default) */
  readonly answeredWithin: number;
  /** counted abandons (short abandons excluded) */
  readonly abandoned: number;
  readonly callbacks: number;
  readonly overflows: number;
  /** 15秒接通率: answeredWithin / counted */
  readonly rate15s: number | null;
  /** 接通率: answered / counted */
  readonly answerRate: number | null;
  /** 呼损率: 1 - answerRate */
  readonly lossRate: number | null;
  /** ASA: mean seconds from t0 to answer, over answered calls */
  readonly asaSec: number | null;
  /** mean seconds from t0 to hang-up, over counted abandons */
  readonly avgAbandonSec: number | null;
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null);
// Seconds with millisecond precision, like the CDR's durations.
const meanSec = (sumUs: number, n: number): number | null => (n > 0 ? Math.round(sumUs / n / 1000) / 1000 : null);

export function measuresOf(c: Counters): Measures {
  const counted = c.offered - c.shortAbandons;
  const answerRate = ratio(c.answered, counted);
  return {
    offered: c.offered,
    counted,
    shortAbandons: c.shortAbandons,
    answered: c.answered,
    answeredWithin: c.answeredWithin,
    abandoned: c.abandoned,
    callbacks: c.callbacks,
    overflows: c.overflows,
    rate15s: ratio(c.answeredWithin, counted),
    answerRate,
    lossRate: answerRate === null ? null : 1 - answerRate,
    asaSec: meanSec(c.answerWaitUs, c.answered),
    avgAbandonSec: meanSec(c.abandonWaitUs, c.abandoned),
  };
}
