// Staffing forecast for one Beijing day: for each of its 96 15-minute intervals, the calls expected
// (from the same weekday in the last K weeks) and the agents needed on the phones to meet the target,
// by Erlang C, or by Erlang A when a mean patience is given.
//
// Public API (pure: plain data in, plain data out; the caller reads the history and the clock):
//   forecastDay(input: ForecastInput): DayForecast      throws ForecastInputError on bad input
//   estimateOffered(samples, weights): number | null    the estimator alone
//   defaultWeights(k): number[]                         K, K-1, ..., 1
//
// The estimator: a weighted mean of the same interval on the same weekday of the previous K weeks,
// weights K, K-1, ..., 1 (the latest week counts most), over the weeks present in the history (a
// day missing from the history is left out, not read as zero calls; listing it in excludeDates does
// the same for a holiday or an outage). Why:
// - Hotline traffic repeats by weekday and time of day (Monday mornings are the peak), so the same
//   interval of the same weekday is the comparable sample; neighbouring days or intervals are not.
// - Interval counts are roughly Poisson, so one week alone is noisy (±10 % at 100 calls). Averaging
//   K weeks divides the variance by about K; the linear weights cost little of that (for K = 4,
//   Σw²/(Σw)² = 0.30 against 0.25 for equal weights) and follow a trend faster (the mean age of the
//   data is 2.0 weeks instead of 2.5), which matters when a policy change moves the volume.
// - A median would resist one odd week better but throws away most of the information in Poisson
//   counts; odd days are better excluded by date.
// Agents on the phones are then rounded up to whole people; `scheduled` adds shrinkage (breaks,
// training, meetings: the share of paid time not on the phones): ⌈agents / (1 - shrinkage)⌉.
import { z } from 'zod';
import { calendarDateSchema, formatZodIssues } from '../validation.ts';
import { DAY_MS, INTERVAL_MS } from '../sla/windows.ts';
import { erlangAAgents } from './erlang-a.ts';
import { erlangCAgents, type Traffic } from './erlang.ts';

export const INTERVALS_PER_DAY = DAY_MS / INTERVAL_MS;
const INTERVAL_SEC = INTERVAL_MS / 1000;

const dateSchema = calendarDateSchema;

const forecastInputSchema = z.object({
  /** The Beijing calendar day to forecast. */
  date: dateSchema,
  /** Offered calls per 15-minute interval of past Beijing days (96 counts each, from 00:00). */
  history: z.array(z.object({ date: dateSchema, offered: z.array(z.number().finite().min(0)).length(INTERVALS_PER_DAY) })),
  /** How many weeks back to look (K). */
  weeks: z.number().int().min(1).max(52).default(4),
  /** Weight of 1, 2, ..., K weeks back; default K, K-1, ..., 1. */
  weights: z.array(z.number().finite().min(0)).optional(),
  /** Measured mean handle time, seconds. */
  ahtSec: z.number().finite().positive(),
  /** Measured mean patience, seconds: switches from Erlang C to Erlang A. */
  patienceSec: z.number().finite().positive().optional(),
  target: z.object({
    serviceLevel: z.number().gt(0).lt(1),
    withinSec: z.number().finite().min(0),
    maxOccupancy: z.number().gt(0).max(1).optional(),
    /** Erlang A only: a cap on P(abandon). */
    maxAbandon: z.number().gt(0).max(1).optional(),
  }),
  /** Share of paid agent time off the phones, in [0, 1). */
  shrinkage: z.number().min(0).lt(1).default(0),
  /** Erlang A only: leave abandons within this many seconds out of the rate, as the 15 s rate does. */
  shortAbandonSec: z.number().finite().min(0).default(0),
  /** Days of the history not to use (holidays, outages). */
  excludeDates: z.array(dateSchema).default([]),
});

export type ForecastInput = z.input<typeof forecastInputSchema>;

export interface IntervalForecast {
  /** 0..95 */
  readonly index: number;
  /** Start of the interval, epoch ms. */
  readonly start: number;
  /** Local time of the start, HH:MM. */
  readonly time: string;
  /** The counts the estimate came from, 1..K weeks back (null: that week is not in the history). */
  readonly samples: readonly (number | null)[];
  /** Calls expected in the interval. */
  readonly offered: number;
  readonly erlangs: number;
  /** Agents needed on the phones. */
  readonly agents: number;
  /** Agents to schedule: agents grossed up for shrinkage. */
  readonly scheduled: number;
  /** Predicted service level with `agents`. */
  readonly serviceLevel: number;
  readonly pWait: number;
  /** Erlang A only (null for Erlang C). */
  readonly pAbandon: number | null;
  readonly occupancy: number;
}

export interface DayForecast {
  readonly date: string;
  readonly model: 'erlang-c' | 'erlang-a';
  /** The dates used, 1..K weeks back (null where the history has no such day or it is excluded). */
  readonly weeksUsed: readonly (string | null)[];
  readonly intervals: readonly IntervalForecast[];
  /** The largest `agents` of the day. */
  readonly peakAgents: number;
  /** Σ agents × 0.25 h: agent-hours on the phones the day needs. */
  readonly agentHours: number;
}

export class ForecastInputError extends Error {
  override readonly name = 'ForecastInputError';
}

export const defaultWeights = (k: number): number[] => Array.from({ length: k }, (_, i) => k - i);

/** Weighted mean of the samples present; null when none is. */
export function estimateOffered(samples: readonly (number | null)[], weights: readonly number[]): number | null {
  let sum = 0;
  let wsum = 0;
  samples.forEach((s, i) => {
    const w = weights[i] ?? 0;
    if (s === null || w === 0) return;
    sum += w * s;
    wsum += w;
  });
  return wsum > 0 ? sum / wsum : null;
}

/** The date `days` days after `date` (negative: before), YYYY-MM-DD, by the calendar alone. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Epoch ms of 00:00 Beijing time (UTC+8, no daylight saving) on `date`. */
export const beijingMidnight = (date: string): number => Date.parse(`${date}T00:00:00+08:00`);

export function forecastDay(raw: ForecastInput): DayForecast {
  const parsed = forecastInputSchema.safeParse(raw);
  if (!parsed.success) throw new ForecastInputError(formatZodIssues(parsed.error.issues));
  const input = parsed.data;
  const weights = input.weights ?? defaultWeights(input.weeks);
  if (weights.length !== input.weeks) throw new ForecastInputError(`weights: ${input.weeks} weights expected, one per week (got ${weights.length})`);

  const byDate = new Map(input.history.map((d) => [d.date, d.offered]));
  const excluded = new Set(input.excludeDates);
  const weeksUsed = weights.map((_, i) => {
    const d = addDays(input.date, -7 * (i + 1));
    return byDate.has(d) && !excluded.has(d) ? d : null;
  });
  if (weeksUsed.every((d, i) => d === null || weights[i] === 0)) {
    throw new ForecastInputError(`history: no ${weekdayName(input.date)} in the ${input.weeks} weeks before ${input.date}`);
  }

  const midnight = beijingMidnight(input.date);
  const intervals: IntervalForecast[] = [];
  for (let i = 0; i < INTERVALS_PER_DAY; i++) {
    const samples = weeksUsed.map((d) => (d === null ? null : byDate.get(d)![i]!));
    const offered = estimateOffered(samples, weights) ?? 0;
    intervals.push(staffInterval(input, i, midnight + i * INTERVAL_MS, samples, offered));
  }
  return {
    date: input.date,
    model: input.patienceSec === undefined ? 'erlang-c' : 'erlang-a',
    weeksUsed,
    intervals,
    peakAgents: Math.max(...intervals.map((x) => x.agents)),
    agentHours: intervals.reduce((s, x) => s + x.agents, 0) * (INTERVAL_SEC / 3600),
  };
}

type ParsedInput = z.output<typeof forecastInputSchema>;

function staffInterval(input: ParsedInput, index: number, start: number, samples: (number | null)[], offered: number): IntervalForecast {
  const traffic: Traffic = { calls: offered, intervalSec: INTERVAL_SEC, ahtSec: input.ahtSec };
  const common = { index, start, time: hhmm(index), samples, offered };
  if (input.patienceSec !== undefined) {
    const r = erlangAAgents(traffic, input.patienceSec, input.target, input.shortAbandonSec);
    return { ...common, erlangs: r.erlangs, agents: r.agents, scheduled: gross(r.agents, input.shrinkage), serviceLevel: r.serviceLevel, pWait: r.pWait, pAbandon: r.pAbandon, occupancy: r.occupancy };
  }
  const r = erlangCAgents(traffic, input.target);
  return { ...common, erlangs: r.erlangs, agents: r.agents, scheduled: gross(r.agents, input.shrinkage), serviceLevel: r.serviceLevel, pWait: r.pWait, pAbandon: null, occupancy: r.occupancy };
}

/** Agents to schedule so that `agents` are on the phones after shrinkage. */
const gross = (agents: number, shrinkage: number): number => Math.ceil(agents / (1 - shrinkage) - 1e-9);

const hhmm = (index: number): string => `${String(Math.floor(index / 4)).padStart(2, '0')}:${String((index % 4) * 15).padStart(2, '0')}`;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const weekdayName = (date: string): string => WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
