// The staffing forecast wired to measured data: the history is the offered calls per 15-minute
// interval from the SLA counters (the hashes /api/sla sums), the handle time and the callers'
// patience are measured over the last seven days, and forecast/forecast.ts does the arithmetic.
// Pure except for the reads it is given.
//
// Decisions:
// - A past day with no offered call at all is treated as missing (the service was not running, or
//   the data expired), not as a day when nobody called: a 24x7 hotline has no such day.
// - Handle time = mean talk (connected to hang-up, from the calls' CDR facts) + mean wrap-up per
//   call (agents' audit trails); with fewer than MIN_MEASURED handled calls the configured default
//   applies and the answer says so.
// - Patience (Erlang A): callers' waits are exponential patience censored by the answer, so its
//   maximum-likelihood estimate is total waiting time / abandons (answered and abandoned waits,
//   short abandons left out as the 15 s rate leaves them out). Fewer than MIN_ABANDONS abandons:
//   no estimate, and `auto` uses Erlang C.
import type { Counters } from '../sla/outcome.ts';
import { DAY_MS, INTERVAL_MS } from '../sla/windows.ts';
import { addDays, beijingMidnight, forecastDay, ForecastInputError, INTERVALS_PER_DAY, type DayForecast } from '../forecast/forecast.ts';
import type { CallFacts } from './call-facts.ts';

export const MIN_MEASURED = 20;
export const MIN_ABANDONS = 10;

export interface StaffingSettings {
  readonly weeks: number;
  readonly defaultAhtSec: number;
  readonly shrinkage: number;
  readonly model: 'auto' | 'erlang-c' | 'erlang-a';
  readonly target: number;
  readonly thresholdSec: number;
  readonly shortAbandonSec: number;
}

export interface StaffingReads {
  counters(scope: string, startsMs: readonly number[]): Promise<Counters[]>;
  facts(scope: string, startsMs: readonly number[]): Promise<CallFacts[]>;
  /** Wrap-up ms and calls of all agents over [fromMs, toMs). */
  wrapUps(fromMs: number, toMs: number): Promise<{ wrapUpMs: number; calls: number }>;
}

export interface Measured {
  readonly ahtSec: number;
  readonly ahtSource: 'measured' | 'default';
  readonly handled: number;
  readonly patienceSec: number | null;
  readonly abandons: number;
}

export type StaffingForecast = ({ ok: true } & DayForecast & { measured: Measured; scope: string }) | { ok: false; date: string; scope: string; reason: string; measured: Measured };

const dayStarts = (date: string): number[] => Array.from({ length: INTERVALS_PER_DAY }, (_, i) => beijingMidnight(date) + i * INTERVAL_MS);

/** Handle time and patience over 7 calendar days: today so far and the 6 days before. */
export async function measure(reads: StaffingReads, scope: string, today: string, nowMs: number, s: StaffingSettings): Promise<Measured> {
  const from = beijingMidnight(addDays(today, -6));
  const starts: number[] = [];
  for (let t = from; t <= nowMs && t < from + 8 * DAY_MS; t += INTERVAL_MS) starts.push(t);
  const [counters, facts, wrap] = await Promise.all([reads.counters(scope, starts), reads.facts(scope, starts), reads.wrapUps(from, nowMs)]);
  let handled = 0;
  let talkUs = 0;
  let waitUs = 0;
  let abandons = 0;
  for (const f of facts) {
    handled += f.handled;
    talkUs += f.talkUs;
  }
  for (const c of counters) {
    waitUs += c.answerWaitUs + c.abandonWaitUs;
    abandons += c.abandoned;
  }
  const wrapSec = wrap.calls > 0 ? wrap.wrapUpMs / wrap.calls / 1000 : 0;
  const measured = handled >= MIN_MEASURED;
  return {
    ahtSec: measured ? Math.round((talkUs / handled / 1e6 + wrapSec) * 10) / 10 : s.defaultAhtSec,
    ahtSource: measured ? 'measured' : 'default',
    handled,
    patienceSec: abandons >= MIN_ABANDONS ? Math.round(waitUs / abandons / 1e5) / 10 : null,
    abandons,
  };
}

export async function staffingForecast(reads: StaffingReads, scope: string, date: string, measured: Measured, s: StaffingSettings): Promise<StaffingForecast> {
  const past = Array.from({ length: s.weeks }, (_, k) => addDays(date, -7 * (k + 1)));
  const history = await Promise.all(
    past.map(async (d) => ({ date: d, offered: (await reads.counters(scope, dayStarts(d))).map((c) => c.offered) })),
  );
  const present = history.filter((h) => h.offered.some((x) => x > 0));
  const useA = s.model === 'erlang-a' || (s.model === 'auto' && measured.patienceSec !== null);
  const patienceSec = useA ? (measured.patienceSec ?? undefined) : undefined;
  if (s.model === 'erlang-a' && patienceSec === undefined) {
    return { ok: false, date, scope, measured, reason: `Erlang A needs callers' patience: fewer than ${MIN_ABANDONS} abandons in the last 7 days` };
  }
  try {
    const f = forecastDay({
      date,
      history: present,
      weeks: s.weeks,
      ahtSec: measured.ahtSec,
      ...(patienceSec !== undefined ? { patienceSec, shortAbandonSec: s.shortAbandonSec } : {}),
      target: { serviceLevel: Math.min(0.9999, Math.max(0.0001, s.target)), withinSec: s.thresholdSec },
      shrinkage: s.shrinkage,
    });
    return { ok: true, ...f, measured, scope };
  } catch (err) {
    if (err instanceof ForecastInputError) return { ok: false, date, scope, measured, reason: err.message };
    throw err;
  }
}
