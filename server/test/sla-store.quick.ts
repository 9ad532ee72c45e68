// The Redis SLA store against a real Redis: once per call across instances, both scopes, interval
// and day buckets on the Beijing clock, exact rolling windows, pruning and the alert compare-and-set.
import t from 'tap';
import { Redis } from 'ioredis';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { classify, type Outcome, type OutcomeKind } from '../src/sla/outcome.ts';
import { redisKeys } from '../src/store/keys.ts';
import { SlaRedisStore } from '../src/store/sla-store.ts';

const rules = { thresholdSec: 15, shortAbandonSec: 5 };
const SEC = 1_000_000;
const bjUs = (local: string): number => Date.parse(`${local}+08:00`) * 1000;
const T0 = bjUs('2026-11-22T10:00:00');
const NOW_MS = T0 / 1000 + 3_600_000;

const o = (callId: string, kind: OutcomeKind, t0Us: number, waitUs: number, queue = 'general'): Outcome => ({ callId, queue, kind, t0Us, atUs: t0Us + waitUs });

t.test('the SLA store', async (t) => {
  const r = await withRedis(t);
  const a = new Redis(r.url);
  const b = new Redis(r.url);
  t.teardown(() => Promise.all([a.quit(), b.quit()]));
  let n = 0;
  const stores = () => {
    const keys = redisKeys(`sla${++n}`);
    return { keys, one: new SlaRedisStore(a, keys), two: new SlaRedisStore(b, keys) };
  };
  const rec = (s: SlaRedisStore, x: Outcome, nowMs = NOW_MS) => s.record(x, classify(x, rules), nowMs);

  t.test('a call recorded by two instances at once counts once; the first outcome wins', async (t) => {
    const { one, two } = stores();
    const calls = Array.from({ length: 50 }, (_, i) => o(`c${i}`, i % 5 === 0 ? 'abandoned' : 'answered', T0 + i * SEC, 10 * SEC));
    const results = await Promise.all(calls.flatMap((c) => [rec(one, c), rec(two, c)]));
    t.equal(results.filter(Boolean).length, 50, 'exactly one instance recorded each call');
    const [center] = await one.intervals('center', [T0 / 1000]);
    t.match(center, { offered: 50, answered: 40, answeredWithin: 40, abandoned: 10, answerWaitUs: 40 * 10 * SEC });
    t.equal((await two.rollingOutcomes('center', T0 + 3_600 * SEC)).length, 50);

    const cb = o('cb', 'callback', T0, 20 * SEC);
    t.equal(await rec(one, cb), true, 'the ACD records a callback');
    t.equal(await rec(two, { ...cb, kind: 'abandoned', atUs: T0 + 30 * SEC }), false, 'the hang-up that follows is refused');
    const [after] = await one.intervals('center', [T0 / 1000]);
    t.match(after, { offered: 51, callbacks: 1, abandoned: 10 });
  });

  t.test('both scopes: the center and the queue the call counts in', async (t) => {
    const { one } = stores();
    await rec(one, o('a', 'answered', T0, 3 * SEC, 'general'));
    await rec(one, o('b', 'answered', T0, 30 * SEC, 'enterprise'));
    await rec(one, o('c', 'overflow', T0, 90 * SEC, 'enterprise'));
    const start = [T0 / 1000];
    t.match((await one.intervals('center', start))[0], { offered: 3, answered: 2, answeredWithin: 1, overflows: 1 });
    t.match((await one.intervals('queue:general', start))[0], { offered: 1, answered: 1, answeredWithin: 1, overflows: 0 });
    t.match((await one.intervals('queue:enterprise', start))[0], { offered: 2, answered: 1, answeredWithin: 0, overflows: 1 });
    t.same((await one.rollingOutcomes('queue:enterprise', T0 + SEC)).map((x) => x.callId).sort(), ['b', 'c']);
  });

  t.test('buckets by t0 on the Beijing clock: 23:59:59.999 and 00:00:00.000 fall in different days', async (t) => {
    const { one, keys } = stores();
    const late = bjUs('2026-11-22T23:59:59.999');
    const midnight = bjUs('2026-11-23T00:00:00.000');
    // Answered after midnight, but offered before it: it belongs to the 22nd.
    await rec(one, o('late', 'answered', late, 10 * SEC), midnight / 1000 + 60_000);
    await rec(one, o('midnight', 'answered', midnight, 10 * SEC), midnight / 1000 + 60_000);
    const [i2345, i0000] = await one.intervals('center', [bjUs('2026-11-22T23:45:00') / 1000, midnight / 1000]);
    t.match(i2345, { offered: 1, answered: 1 });
    t.match(i0000, { offered: 1, answered: 1 });
    t.ok(await a.exists(keys.slaInterval('center', midnight / 1000)), 'the key names the interval start in epoch ms');
    t.ok((await a.ttl(keys.slaInterval('center', midnight / 1000))) > 80 * 86_400, 'interval counters are kept ~90 days');
    t.ok((await a.ttl(keys.slaRecorded('late'))) > 24 * 3_600, 'the once-only marker outlives the rolling window');
  });

  t.test('rolling 24 h is exact to the microsecond, not rounded to intervals or ms', async (t) => {
    const { one } = stores();
    const atUs = T0 + 123_456;
    const dayUs = 86_400 * SEC;
    await rec(one, o('edge-out', 'answered', atUs - dayUs, SEC));
    await rec(one, o('edge-in', 'answered', atUs - dayUs + 1, SEC));
    await rec(one, o('at', 'answered', atUs, SEC));
    await rec(one, o('after', 'answered', atUs + 1, SEC));
    await rec(one, o('same-ms-before', 'answered', atUs - 1, SEC));
    const ids = (await one.rollingOutcomes('center', atUs)).map((x) => x.callId).sort();
    t.same(ids, ['at', 'edge-in', 'same-ms-before']);
    const got = (await one.rollingOutcomes('center', atUs)).find((x) => x.callId === 'edge-in');
    t.same(got, o('edge-in', 'answered', atUs - dayUs + 1, SEC), 'the outcome comes back whole');
  });

  t.test('outcomes older than 25 h are pruned when the next is recorded', async (t) => {
    const { one, keys } = stores();
    const nowMs = T0 / 1000;
    await rec(one, o('old', 'answered', (nowMs - 25 * 3_600_000 - 1) * 1000, SEC), nowMs - 86_400_000);
    await rec(one, o('kept', 'answered', (nowMs - 25 * 3_600_000 + 1) * 1000, SEC), nowMs - 86_400_000);
    t.equal(await a.zcard(keys.slaOutcomes('center')), 2);
    await rec(one, o('new', 'answered', nowMs * 1000, SEC), nowMs);
    t.same((await a.zrange(keys.slaOutcomes('center'), '0', '-1')).map((m) => JSON.parse(m).c), ['kept', 'new']);
    t.same((await a.zrange(keys.slaOutcomes('queue:general'), '0', '-1')).map((m) => JSON.parse(m).c), ['kept', 'new'], 'in the queue scope too');
  });

  t.test('alert state changes compare-and-set: one winner per change', async (t) => {
    const { one, two } = stores();
    const fire = await Promise.all([one.changeAlert('center', { firing: true, sinceMs: 1 }), two.changeAlert('center', { firing: true, sinceMs: 2 })]);
    t.same(fire.filter(Boolean).length, 1, 'only one instance fires');
    t.equal(await one.changeAlert('center', { firing: true, sinceMs: 3 }), false, 'firing again is no change');
    t.equal((await two.alertStates()).get('center')?.firing, true);
    t.equal(await two.changeAlert('center', { firing: false, sinceMs: 4 }), true, 'resolve');
    t.same((await one.alertStates()).get('center'), { firing: false, sinceMs: 4 });
    t.equal(await one.changeAlert('queue:x', { firing: false, sinceMs: 5 }), true, 'a first state is stored');
  });
});
