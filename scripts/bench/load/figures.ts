// `load`'s call figures, from the fsim process's call book after the drain: offered and completed
// calls per second, lost and stuck calls, and the wait / dispatch / free -> offer percentiles.
import { percentile, round } from '../util.ts';
import type { CallBook } from './calls.ts';

export interface Pct {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function pct(xs: readonly number[]): Pct {
  const s = xs.slice().sort((a, b) => a - b);
  return { n: s.length, p50Ms: round(percentile(s, 50)), p99Ms: round(percentile(s, 99)), maxMs: round(s[s.length - 1] ?? NaN) };
}

export interface CallFigures {
  /** Callers placed in the measured window. */
  offered: number;
  /** Of those: bridged to an agent and ended. */
  completed: number;
  offeredPerS: number;
  /** Calls of any window that ended after their talk, inside the measured window, per second. */
  completedPerS: number;
  /** Offered, never bridged to an agent (nobody gives up by design). */
  lost: number;
  /** Offered, still up after the drain; and channels of any kind left in the switch. */
  stuck: number;
  channelsLeft: number;
  /** Offered callers that never reached the queue (the IVR never answered or finished). */
  neverQueued: number;
  /** Hang-up causes of the offered calls, counted. */
  causes: Record<string, number>;
  waitMs: Pct;
  dispatchMs: Pct;
  freeToOfferMs: Pct;
  maxWaiting: number;
  /** Offered call's life: placed -> ended (ms, p50). */
  callLifeP50Ms: number;
}

export function summarise(book: CallBook, plan: { warmupMs: number; measureMs: number }, channelsLeft: number, t0: number): CallFigures {
  const from = t0 + plan.warmupMs;
  const to = from + plan.measureMs;
  let offered = 0;
  let completed = 0;
  let completedInWindow = 0;
  let lost = 0;
  let stuck = 0;
  let neverQueued = 0;
  const causes: Record<string, number> = {};
  const life: number[] = [];
  for (const c of book.calls.values()) {
    if (c.bridgedAt !== undefined && c.endedAt !== undefined && c.endedAt >= from && c.endedAt < to) completedInWindow++;
    if (!c.measured) continue;
    offered++;
    if (c.endedAt === undefined) stuck++;
    else {
      causes[c.cause ?? '?'] = (causes[c.cause ?? '?'] ?? 0) + 1;
      life.push(c.endedAt - c.placedAt);
    }
    if (c.bridgedAt === undefined) lost++;
    else if (c.endedAt !== undefined) completed++;
    if (c.joinedAt === undefined) neverQueued++;
  }
  const secs = plan.measureMs / 1000;
  return {
    offered,
    completed,
    offeredPerS: round(offered / secs),
    completedPerS: round(completedInWindow / secs),
    lost,
    stuck,
    channelsLeft,
    neverQueued,
    causes,
    waitMs: pct(book.figures.waitMs),
    dispatchMs: pct(book.figures.dispatchMs),
    freeToOfferMs: pct(book.figures.freeToOfferMs),
    maxWaiting: book.maxWaiting,
    callLifeP50Ms: round(percentile(life.sort((a, b) => a - b), 50), 0),
  };
}
