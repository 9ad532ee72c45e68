// The staffing forecast wired to the SLA store: a scripted history of four Mondays written as call
// outcomes into a real Redis, then today's forecast for the next Monday, checked by hand; the
// measured handle time and patience replace the defaults once enough calls are measured.
import t from 'tap';
import { Redis } from 'ioredis';
import { createLogger } from '../src/log.ts';
import { createOpsService } from '../src/ops/ops-service.ts';
import { classify, type Outcome } from '../src/sla/outcome.ts';
import { redisKeys } from '../src/store/keys.ts';
import { OpsStore } from '../src/store/ops-store.ts';
import { SlaRedisStore } from '../src/store/sla-store.ts';
import { withRedis } from '../../scripts/lib/test-redis.ts';

const rules = { thresholdSec: 15, shortAbandonSec: 5 };
const settings = { weeks: 4, defaultAhtSec: 180, shrinkage: 0.3, model: 'auto' as const, target: 0.95, thresholdSec: 15, shortAbandonSec: 5, boardThrottleMs: 1000 };
// Monday 2026-12-07, 09:00 Beijing: forecast from the Mondays 11-30, 11-23, 11-16, 11-09.
const NOW = Date.parse('2026-12-07T09:00:00+08:00');
const at = (date: string, hhmm: string, plusSec = 0): number => (Date.parse(`${date}T${hhmm}:00+08:00`) + plusSec * 1000) * 1000;

t.test('forecast for a scripted history, by hand', async (t) => {
  const r = await withRedis(t);
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  const keys = redisKeys('fc');
  const sla = new SlaRedisStore(redis, keys);
  let n = 0;
  const record = async (o: Omit<Outcome, 'callId' | 'queue'>): Promise<void> => {
    const outcome = { ...o, callId: `c${++n}`, queue: 'general' };
    await sla.record(outcome, classify(outcome, rules), NOW);
  };
  // 10:00-10:15 on each Monday: 110, 100, 90, 80 calls (1..4 weeks back); all answered in 3 s.
  const weeks: [string, number][] = [['2026-11-30', 110], ['2026-11-23', 100], ['2026-11-16', 90], ['2026-11-09', 80]];
  for (const [date, calls] of weeks) {
    for (let i = 0; i < calls; i++) await record({ t0Us: at(date, '10:00', i * 5), kind: 'answered', atUs: at(date, '10:00', i * 5 + 3) });
  }
  const ops = createOpsService({
    counters: sla,
    facts: new OpsStore(redis, keys),
    sla: { snapshot: () => Promise.reject(new Error('not used')) },
    agents: { list: async () => [] },
    queues: [{ name: 'general', skill: 'general' }],
    settings,
    logger: createLogger({ level: 'silent' }),
    now: () => NOW,
  });

  const f = await ops.forecast('center', '2026-12-07');
  if (!f.ok) throw new Error(f.reason);
  t.equal(f.model, 'erlang-c', 'no abandons measured: Erlang C');
  t.same(f.weeksUsed, ['2026-11-30', '2026-11-23', '2026-11-16', '2026-11-09']);
  t.match(f.measured, { ahtSec: 180, ahtSource: 'default', patienceSec: null }, 'no call measured in the last 7 days: the default handle time');
  // 10:00: (4·110 + 3·100 + 2·90 + 1·80) / 10 = 100 calls; A = 100 × 180 / 900 = 20 Erlangs;
  // Erlang C with 27 agents gives SL 0.9464 < 0.95, with 28 agents 0.9677: 28 on the phones,
  // ⌈28 / (1 - 0.3)⌉ = 40 to schedule.
  const ten = f.intervals[40]!;
  t.match(ten, { time: '10:00', offered: 100, erlangs: 20, agents: 28, scheduled: 40 });
  t.equal(f.intervals[39]!.agents, 0, 'no calls at 09:45 in the history: nobody needed');
  const q = await ops.forecast('queue:general', '2026-12-07');
  t.equal(q.ok && q.intervals[40]!.agents, 28, 'per queue too');

  // Tomorrow (Tuesday) has no Tuesday in the history: said so, not guessed.
  const tue = await ops.forecast('center', '2026-12-08');
  t.equal(tue.ok, false);
  t.match(tue, { reason: /no Tuesday in the 4 weeks before 2026-12-08/ });

  // Last week's calls measured: 30 answered with 120 s talk, 12 abandons after 40 s waiting.
  // Patience = total wait / abandons = (30 × 3 s + 12 × 40 s) / 12 = 570 / 12 = 47.5 s -> Erlang A.
  const facts = new OpsStore(redis, keys);
  for (let i = 0; i < 30; i++) {
    await record({ t0Us: at('2026-12-04', '11:00', i * 10), kind: 'answered', atUs: at('2026-12-04', '11:00', i * 10 + 3) });
    await facts.recordCall(['center', 'queue:general'], Date.parse('2026-12-04T11:00:00+08:00'), { handled: 1, talkUs: 120e6 });
  }
  for (let i = 0; i < 12; i++) await record({ t0Us: at('2026-12-04', '11:15', i * 10), kind: 'abandoned', atUs: at('2026-12-04', '11:15', i * 10 + 40) });
  const later = createOpsService({ ...{ counters: sla, facts, sla: { snapshot: () => Promise.reject(new Error('not used')) }, agents: { list: async () => [] }, queues: [] }, settings, logger: createLogger({ level: 'silent' }), now: () => NOW });
  const a = await later.forecast('center', '2026-12-07');
  if (!a.ok) throw new Error(a.reason);
  t.match(a.measured, { ahtSec: 120, ahtSource: 'measured', handled: 30, abandons: 12, patienceSec: 47.5 }, 'talk time and patience measured');
  t.equal(a.model, 'erlang-a', 'patience measured: Erlang A');
  // A = 100 × 120 / 900 = 13.33 E. Erlang C would need 20 (SL 0.95+); callers who give up make
  // Erlang A need no more than that.
  t.equal(a.intervals[40]!.erlangs.toFixed(2), '13.33');
  t.ok(a.intervals[40]!.agents <= 20 && a.intervals[40]!.agents >= 14, `Erlang A staffing within [14, 20] (${a.intervals[40]!.agents})`);
});
