// The SLA domain without storage: how each outcome counts (every boundary of ARCHITECTURE.md
// section 6 and the decisions in sla/outcome.ts), the measures, and the alert's hysteresis.
import t from 'tap';
import type { CallRecord } from '../src/calls/call-record.ts';
import { CallRegistry } from '../src/calls/registry.ts';
import type { SwitchEvent } from '../src/calls/switch-events.ts';
import { alertChange } from '../src/sla/alert.ts';
import { measuresOf } from '../src/sla/measures.ts';
import { classify, outcomeOfCall, sumOutcomes, type Outcome, type OutcomeKind } from '../src/sla/outcome.ts';

const rules = { thresholdSec: 15, shortAbandonSec: 5 };
// 2026-11-22 10:00:00 Beijing time, in µs.
const T0 = Date.parse('2026-11-22T10:00:00+08:00') * 1000;
const SEC = 1_000_000;
let n = 0;
const outcome = (kind: OutcomeKind, afterUs: number, extra: Partial<Outcome> = {}): Outcome => ({
  callId: `c${++n}`,
  queue: 'general',
  t0Us: T0,
  kind,
  atUs: T0 + afterUs,
  ...extra,
});

t.test('answered within the threshold: exactly 15.000 s counts, 1 µs or 1 ms later does not', async (t) => {
  t.match(classify(outcome('answered', 15 * SEC), rules), { offered: 1, answered: 1, answeredWithin: 1, answerWaitUs: 15 * SEC });
  t.match(classify(outcome('answered', 15 * SEC + 1), rules), { answered: 1, answeredWithin: 0 });
  t.match(classify(outcome('answered', 15_001_000), rules), { answered: 1, answeredWithin: 0 });
  t.match(classify(outcome('answered', 0), rules), { answeredWithin: 1 }, 'answered at t0 itself');
  t.match(classify(outcome('answered', -20_000), rules), { answeredWithin: 1, answerWaitUs: 0 }, 'a node clock a little behind: wait clamped to 0');
  t.match(classify(outcome('answered', 20 * SEC), { thresholdSec: 20, shortAbandonSec: 5 }), { answeredWithin: 1 }, 'the threshold is configurable');
});

t.test('short abandon: exactly 5.000 s is short (not counted), 5.001 s is a counted abandon', async (t) => {
  t.same(classify(outcome('abandoned', 5 * SEC), rules), { offered: 1, shortAbandons: 1 });
  t.same(classify(outcome('abandoned', 5_001_000), rules), { offered: 1, abandoned: 1, abandonWaitUs: 5_001_000 });
  t.same(classify(outcome('abandoned', 0), rules), { offered: 1, shortAbandons: 1 }, 'hang-up at t0');
  t.same(classify(outcome('abandoned', 2 * SEC), { thresholdSec: 15, shortAbandonSec: 0 }), { offered: 1, abandoned: 1, abandonWaitUs: 2 * SEC }, 'shortAbandonSec 0: no short abandons');
  const m = measuresOf(sumOutcomes([outcome('abandoned', 5 * SEC), outcome('abandoned', 5_001_000), outcome('answered', 3 * SEC)], rules));
  t.match(m, { offered: 3, shortAbandons: 1, counted: 2, abandoned: 1, answered: 1, rate15s: 0.5, answerRate: 0.5, lossRate: 0.5, avgAbandonSec: 5.001, asaSec: 3 });
});

t.test('callback: offered and counted, not answered (nor within 15 s), reported on its own, even when quick', async (t) => {
  t.same(classify(outcome('callback', 1 * SEC), rules), { offered: 1, callbacks: 1 });
  const m = measuresOf(sumOutcomes([outcome('callback', 1 * SEC), outcome('answered', 1 * SEC)], rules));
  t.match(m, { offered: 2, counted: 2, callbacks: 1, answered: 1, abandoned: 0, shortAbandons: 0, rate15s: 0.5, answerRate: 0.5 });
});

t.test('overflow: counted, not answered by us, reported as overflow', async (t) => {
  t.same(classify(outcome('overflow', 3 * SEC), rules), { offered: 1, overflows: 1 });
  const m = measuresOf(sumOutcomes([outcome('overflow', 60 * SEC), outcome('answered', 1 * SEC)], rules));
  t.match(m, { counted: 2, overflows: 1, answered: 1, rate15s: 0.5, answerRate: 0.5, lossRate: 0.5, avgAbandonSec: null });
});

t.test('measures: counted = answered + abandoned + callbacks + overflows; means; nothing counted is null, not 0', async (t) => {
  const all = [
    outcome('answered', 10 * SEC),
    outcome('answered', 20 * SEC),
    outcome('abandoned', 30 * SEC),
    outcome('abandoned', 4 * SEC),
    outcome('callback', 40 * SEC),
    outcome('overflow', 50 * SEC),
  ];
  const m = measuresOf(sumOutcomes(all, rules));
  t.equal(m.counted, m.answered + m.abandoned + m.callbacks + m.overflows);
  t.match(m, { offered: 6, counted: 5, answered: 2, answeredWithin: 1, rate15s: 0.2, answerRate: 0.4, asaSec: 15, avgAbandonSec: 30 });
  t.equal(m.lossRate, 1 - 0.4);
  t.same(measuresOf(sumOutcomes([outcome('abandoned', SEC)], rules)), {
    offered: 1, counted: 0, shortAbandons: 1, answered: 0, answeredWithin: 0, abandoned: 0, callbacks: 0, overflows: 0,
    rate15s: null, answerRate: null, lossRate: null, asaSec: null, avgAbandonSec: null,
  });
});

// ---- outcomes from the call registry, the way the wiring feeds them (first decidable outcome wins) ----

let seq = 0;
const ev = (uuid: string, afterUs: number) => ({ node: 'fs1', uuid, seq: ++seq, tsUs: T0 + afterUs });
const caller = (uuid: string): SwitchEvent => ({
  ...ev(uuid, -8 * SEC), type: 'channel-create', direction: 'inbound', callerNumber: '13800138000', callerName: '',
  destination: '12345', context: 'public', channelName: 'sofia/external/x', vars: {},
});
const leg = (uuid: string, afterUs: number, vars: Record<string, string>): SwitchEvent => ({
  ...ev(uuid, afterUs), type: 'channel-create', direction: 'outbound', callerNumber: '12345', callerName: '',
  destination: '1001', context: 'default', channelName: 'user/1001', vars,
});
const agentLeg = (uuid: string, call: string, afterUs: number): SwitchEvent =>
  leg(uuid, afterUs, { hotline_call_id: call, hotline_leg_role: 'agent', hotline_agent_id: 'a1' });
const externalLeg = (uuid: string, call: string, afterUs: number): SwitchEvent => leg(uuid, afterUs, { hotline_call_id: call, hotline_leg_role: 'external' });
const answer = (uuid: string, afterUs: number): SwitchEvent => ({ ...ev(uuid, afterUs), type: 'channel-answer' });
const bridge = (uuid: string, other: string, afterUs: number): SwitchEvent => ({ ...ev(uuid, afterUs), type: 'channel-bridge', otherLeg: other });
const hangup = (uuid: string, afterUs: number): SwitchEvent => ({ ...ev(uuid, afterUs), type: 'channel-hangup-complete', cause: 'NORMAL_CLEARING' });

function registry() {
  const outcomes = new Map<string, Outcome>();
  const reg = new CallRegistry({
    onChanged: (c) => {
      const o = outcomeOfCall(c);
      if (o && !outcomes.has(c.id)) outcomes.set(c.id, o);
    },
    onCompleted: () => {},
  });
  return { reg, outcomes };
}

t.test('answered: the agent leg answered and bridged; answer time from its CHANNEL_ANSWER', async (t) => {
  const { reg, outcomes } = registry();
  reg.apply(caller('A'));
  reg.recordQueued('A', { queue: 'general', priority: 0, atUs: T0 });
  reg.apply(agentLeg('B', 'A', 2 * SEC));
  reg.apply(answer('B', 15 * SEC));
  t.notOk(outcomes.has('A'), 'answered but not yet bridged: undecided');
  reg.apply(bridge('A', 'B', 15_020_000));
  t.same(outcomes.get('A'), { callId: 'A', queue: 'general', t0Us: T0, kind: 'answered', atUs: T0 + 15 * SEC });
  t.match(classify(outcomes.get('A')!, rules), { answeredWithin: 1 }, 'the 20 ms to the bridge does not push it past 15.000 s');
});

t.test('abandon while the agent rings: an abandon (counted after 5 s, short within)', async (t) => {
  const { reg, outcomes } = registry();
  for (const [id, hangAt] of [['A', 12 * SEC], ['C', 4 * SEC]] as const) {
    reg.apply(caller(id));
    reg.recordQueued(id, { queue: 'general', priority: 0, atUs: T0 });
    reg.apply(agentLeg(`${id}-agent`, id, 1 * SEC));
    t.equal(reg.get(id)?.state, 'offering', 'the agent phone rings');
    reg.apply(hangup(id, hangAt));
  }
  t.same(outcomes.get('A'), { callId: 'A', queue: 'general', t0Us: T0, kind: 'abandoned', atUs: T0 + 12 * SEC });
  t.match(classify(outcomes.get('A')!, rules), { abandoned: 1 });
  t.match(classify(outcomes.get('C')!, rules), { shortAbandons: 1 });
});

t.test('an agent who picks up after the caller hung up answered nobody: abandoned', async (t) => {
  const { reg, outcomes } = registry();
  reg.apply(caller('A'));
  reg.recordQueued('A', { queue: 'general', priority: 0, atUs: T0 });
  reg.apply(agentLeg('B', 'A', 1 * SEC));
  reg.apply(hangup('A', 9 * SEC));
  reg.apply(answer('B', 9_040_000));
  t.match(outcomes.get('A'), { kind: 'abandoned', atUs: T0 + 9 * SEC });
});

t.test('transfer between queues: t0 stays at the first entry, the call counts in the first queue', async (t) => {
  const { reg, outcomes } = registry();
  reg.apply(caller('A'));
  reg.recordQueued('A', { queue: 'general', priority: 0, atUs: T0 });
  reg.recordTransfer('A', { atUs: T0 + 10 * SEC, kind: 'queue', from: 'general', to: 'enterprise' });
  reg.recordQueued('A', { queue: 'enterprise', priority: 0, atUs: T0 + 10 * SEC });
  t.equal(reg.get('A')?.queuedUs, T0, 'the registry keeps the first t0');
  reg.apply(agentLeg('B', 'A', 11 * SEC));
  reg.apply(answer('B', 14 * SEC));
  reg.apply(bridge('B', 'A', 14_020_000));
  const o = outcomes.get('A');
  t.same(o, { callId: 'A', queue: 'general', t0Us: T0, kind: 'answered', atUs: T0 + 14 * SEC }, 'one outcome, in the first queue');
  t.match(classify(o!, rules), { answeredWithin: 1 }, '14 s from the first entry');
  // Answered 6 s after the move but 16 s after the first entry: not within 15 s (a reset t0 would say within).
  const late = outcomeOfCall({ ...reg.get('A')!, legs: reg.get('A')!.legs.map((l) => (l.role === 'agent' ? { ...l, answeredUs: T0 + 16 * SEC } : l)) } as CallRecord);
  t.match(classify(late!, rules), { answered: 1, answeredWithin: 0 });
});

t.test('overflow to an external number: connected to a party who is not our agent', async (t) => {
  const { reg, outcomes } = registry();
  reg.apply(caller('A'));
  reg.recordQueued('A', { queue: 'general', priority: 0, atUs: T0 });
  reg.apply(externalLeg('X', 'A', 60 * SEC));
  reg.apply(answer('X', 63 * SEC));
  reg.apply(bridge('A', 'X', 63_020_000));
  t.same(outcomes.get('A'), { callId: 'A', queue: 'general', t0Us: T0, kind: 'overflow', atUs: T0 + 63_020_000 });
});

t.test('overflow to an external number as the ACD does it: a blind transfer out of the queue, decided when sent', async (t) => {
  const { reg, outcomes } = registry();
  reg.apply(caller('A'));
  reg.recordQueued('A', { queue: 'enterprise', priority: 0, atUs: T0 });
  reg.recordTransfer('A', { atUs: T0 + 120 * SEC, kind: 'blind', from: 'enterprise', to: '95566' });
  t.same(outcomes.get('A'), { callId: 'A', queue: 'enterprise', t0Us: T0, kind: 'overflow', atUs: T0 + 120 * SEC });
  reg.apply(hangup('A', 150 * SEC));
  t.match(outcomes.get('A'), { kind: 'overflow' }, 'the far end never answering does not make it an abandon');
  t.same(classify(outcomes.get('A')!, rules), { offered: 1, overflows: 1 });
});

t.test('an agent who answered and then transferred the caller out: answered, not overflow', async (t) => {
  const { reg, outcomes } = registry();
  reg.apply(caller('A'));
  reg.recordQueued('A', { queue: 'general', priority: 0, atUs: T0 });
  reg.apply(agentLeg('B', 'A', 1 * SEC));
  reg.apply(answer('B', 4 * SEC));
  reg.apply(bridge('A', 'B', 4_020_000));
  reg.recordTransfer('A', { atUs: T0 + 90 * SEC, kind: 'department', from: 'a1', to: '88888888' });
  t.match(outcomeOfCall(reg.get('A')!), { kind: 'answered', atUs: T0 + 4 * SEC });
  t.match(outcomes.get('A'), { kind: 'answered' });
});

t.test('no outcome before t0 or while waiting', async (t) => {
  const { reg, outcomes } = registry();
  reg.apply(caller('A'));
  reg.apply(hangup('A', -1 * SEC));
  t.notOk(outcomes.has('A'), 'hung up in the IVR: never offered');
  reg.apply(caller('W'));
  reg.recordQueued('W', { queue: 'general', priority: 0, atUs: T0 });
  t.notOk(outcomes.has('W'), 'still waiting');
});

// ---- the alert ----

const counts = (within: number, counted: number) =>
  measuresOf({ offered: counted, shortAbandons: 0, answered: within, answeredWithin: within, abandoned: counted - within, callbacks: 0, overflows: 0, answerWaitUs: 0, abandonWaitUs: 0 });

t.test('alert: fires once below the target with enough calls, resolves once at or above it', async (t) => {
  const a = { target: 0.95, minCounted: 20 };
  t.equal(alertChange(false, counts(18, 19), a), undefined, '19 counted calls: not judged');
  t.equal(alertChange(false, counts(18, 20), a), 'fired', '90% of 20');
  t.equal(alertChange(true, counts(18, 20), a), undefined, 'firing and still low: no second fire');
  t.equal(alertChange(true, counts(10, 19), a), undefined, 'firing, too few calls to judge: stays firing');
  t.equal(alertChange(true, counts(19, 20), a), 'resolved', 'exactly at the target (19/20 = 95%) resolves');
  t.equal(alertChange(false, counts(19, 20), a), undefined, 'at the target does not fire');
  t.equal(alertChange(false, counts(56, 60), a), 'fired', '93.3%');
  t.equal(alertChange(false, counts(0, 0), { target: 0.95, minCounted: 0 }), undefined, 'no counted calls: no rate, nothing to judge');
});
