// The day's staffing forecast on a scripted history, checked by hand.
import t from 'tap';
import { erlangAAgents } from '../src/forecast/erlang-a.ts';
import { addDays, defaultWeights, estimateOffered, forecastDay, ForecastInputError, type ForecastInput } from '../src/forecast/forecast.ts';

// Monday 2026-12-07 is forecast from the Mondays 11-30, 11-23, 11-16 and 11-09 (1..4 weeks back).
const DAY = '2026-12-07';
const mondays = [1, 2, 3, 4].map((k) => addDays(DAY, -7 * k));

/** A day of 96 counts: `base` everywhere, overridden at the given interval indexes. */
function day(date: string, base: number, at: Record<number, number> = {}): { date: string; offered: number[] } {
  const offered = new Array<number>(96).fill(base);
  for (const [i, v] of Object.entries(at)) offered[Number(i)] = v;
  return { date, offered };
}

// Interval 40 is 10:00-10:15, interval 12 is 03:00-03:15.
const history = [
  day(mondays[0]!, 0, { 40: 110, 12: 4 }),
  day(mondays[1]!, 0, { 40: 100, 12: 2 }),
  day(mondays[2]!, 0, { 40: 90, 12: 2 }),
  day(mondays[3]!, 0, { 40: 80, 12: 0 }),
  // Sundays and Tuesdays around them are busy, and must not leak into a Monday.
  day(addDays(DAY, -1), 500),
  day(addDays(DAY, -6), 500),
  day(addDays(DAY, -8), 500),
];
const base: ForecastInput = { date: DAY, history, weeks: 4, ahtSec: 180, target: { serviceLevel: 0.95, withinSec: 15 }, shrinkage: 0.3 };

t.test('the scripted Monday, by hand', async (t) => {
  const f = forecastDay(base);
  t.equal(f.model, 'erlang-c');
  t.same(f.weeksUsed, ['2026-11-30', '2026-11-23', '2026-11-16', '2026-11-09']);
  t.equal(f.intervals.length, 96);

  // 10:00. Samples 110, 100, 90, 80 (1..4 weeks back), weights 4, 3, 2, 1:
  //   offered = (4·110 + 3·100 + 2·90 + 1·80) / 10 = (440 + 300 + 180 + 80) / 10 = 100 calls
  //   A = 100 × 180 s / 900 s = 20 Erlangs
  //   Erlang C: N = 27 -> C = 0.0961, SL = 1 - 0.0961·e^(-7·15/180) = 0.9464 < 0.95
  //             N = 28 -> C = 0.0628, SL = 1 - 0.0628·e^(-8·15/180) = 0.9677 >= 0.95   => 28 agents
  //   shrinkage 30 %: scheduled = ⌈28 / 0.7⌉ = 40; occupancy 20 / 28 = 0.714
  const ten = f.intervals[40]!;
  t.equal(ten.time, '10:00');
  t.equal(ten.start, Date.parse('2026-12-07T10:00:00+08:00'));
  t.same(ten.samples, [110, 100, 90, 80]);
  t.equal(ten.offered, 100);
  t.equal(ten.erlangs, 20);
  t.equal(ten.agents, 28);
  t.equal(ten.scheduled, 40);
  t.equal(Number(ten.serviceLevel.toFixed(4)), 0.9677);
  t.equal(Number(ten.occupancy.toFixed(3)), 0.714);
  t.equal(ten.pAbandon, null);

  // 03:00. Samples 4, 2, 2, 0: offered = (16 + 6 + 4 + 0) / 10 = 2.6 calls; A = 2.6 × 180 / 900 = 0.52 E.
  //   N = 1: C = ρ = 0.52, SL = 1 - 0.52·e^(-0.48·15/180) = 1 - 0.52 × 0.9608 = 0.5004
  //   N = 2: B = (0.52²/2) / (1 + 0.52 + 0.52²/2) = 0.1352 / 1.6552 = 0.08168
  //          C = 2B / (2 - 0.52(1 - B)) = 0.16337 / 1.52247 = 0.10731
  //          SL = 1 - 0.10731·e^(-1.48·15/180) = 1 - 0.10731 × 0.88397 = 0.9051 < 0.95
  //   N = 3: B = 0.52·0.08168 / (3 + 0.52·0.08168) = 0.013961
  //          C = 3B / (3 - 0.52(1 - B)) = 0.041883 / 2.48726 = 0.016839
  //          SL = 1 - 0.016839·e^(-2.48·15/180) = 1 - 0.016839 × 0.81329 = 0.9863   => 3 agents
  //   scheduled ⌈3 / 0.7⌉ = 5
  const three = f.intervals[12]!;
  t.equal(three.time, '03:00');
  t.equal(Number(three.offered.toFixed(10)), 2.6);
  t.equal(three.agents, 3);
  t.equal(three.scheduled, 5);
  t.equal(Number(three.serviceLevel.toFixed(4)), 0.9863);

  // Every other interval had no calls on any of the Mondays: no agents.
  t.ok(f.intervals.every((x, i) => i === 40 || i === 12 || (x.offered === 0 && x.agents === 0)), 'quiet intervals need nobody');
  t.equal(f.peakAgents, 28);
  t.equal(f.agentHours, (28 + 3) * 0.25);
});

t.test('a missing or excluded week is left out, not counted as zero calls', async (t) => {
  // Without 11-23 (2 weeks back): (4·110 + 2·90 + 1·80) / (4 + 2 + 1) = 700 / 7 = 100 calls again.
  const excluded = forecastDay({ ...base, excludeDates: ['2026-11-23'] });
  t.same(excluded.weeksUsed, ['2026-11-30', null, '2026-11-16', '2026-11-09']);
  t.same(excluded.intervals[40]!.samples, [110, null, 90, 80]);
  t.equal(excluded.intervals[40]!.offered, 100);
  t.equal(excluded.intervals[40]!.agents, 28);
  const missing = forecastDay({ ...base, history: history.filter((d) => d.date !== '2026-11-23') });
  t.same(missing.intervals[40]!.samples, [110, null, 90, 80]);
  // Equal weights are a choice too: (110 + 100 + 90 + 80) / 4 = 95 calls -> A = 19 E.
  t.equal(forecastDay({ ...base, weights: [1, 1, 1, 1] }).intervals[40]!.offered, 95);
  // Only the last two weeks: (2·110 + 1·100) / 3 = 106.67.
  t.equal(Number(forecastDay({ ...base, weeks: 2 }).intervals[40]!.offered.toFixed(2)), 106.67);
});

t.test('Erlang A when a mean patience is given', async (t) => {
  const f = forecastDay({ ...base, patienceSec: 60, shortAbandonSec: 5, target: { serviceLevel: 0.95, withinSec: 15, maxAbandon: 0.05 } });
  t.equal(f.model, 'erlang-a');
  const ten = f.intervals[40]!;
  const direct = erlangAAgents({ calls: 100, intervalSec: 900, ahtSec: 180 }, 60, { serviceLevel: 0.95, withinSec: 15, maxAbandon: 0.05 }, 5);
  t.equal(ten.agents, direct.agents);
  t.ok(ten.agents <= 28, `callers who give up lower the need: ${ten.agents} agents`);
  t.ok(ten.pAbandon !== null && ten.pAbandon <= 0.05);
});

t.test('the estimator alone', async (t) => {
  t.same(defaultWeights(4), [4, 3, 2, 1]);
  t.equal(estimateOffered([null, null], [2, 1]), null);
  t.equal(estimateOffered([10, null, 4], [3, 2, 1]), (30 + 4) / 4);
});

t.test('bad input gets a clear error', async (t) => {
  t.throws(() => forecastDay({ ...base, history: [{ date: mondays[0]!, offered: [1, 2, 3] }] }), { name: 'ForecastInputError', message: /history\.0\.offered/ });
  t.throws(() => forecastDay({ ...base, date: '2026-02-30' }), { message: /date: a real calendar date/ });
  t.throws(() => forecastDay({ ...base, history: [day(addDays(DAY, -1), 5)] }), { message: /no Monday in the 4 weeks before 2026-12-07/ });
  t.throws(() => forecastDay({ ...base, weights: [1, 2] }), { message: /4 weights expected/ });
  t.throws(() => forecastDay({ ...base, target: { serviceLevel: 1.2, withinSec: 15 } }), ForecastInputError);
  t.throws(() => forecastDay({ ...base, shrinkage: 1 }), { message: /shrinkage/ });
});
