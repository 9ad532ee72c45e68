// Report arithmetic, pure: agents' time folded from their transitions (a period cut out of a longer
// trail), a call's facts, report rows and the CSV (BOM, quoting, no formula injection).
import t from 'tap';
import { foldAgentPeriod, type Transition } from '../src/ops/agent-time.ts';
import { agentHolds, callFacts } from '../src/ops/call-facts.ts';
import { agentRow, agentRowsCsv, callRow, toCsv } from '../src/ops/reports.ts';
import { emptyCounters } from '../src/sla/outcome.ts';
import { emptyFacts } from '../src/ops/call-facts.ts';
import type { CallRecord } from '../src/calls/call-record.ts';

const M = 60_000;
const tr = (event: string, to: string, at: number, reason = ''): Transition => ({ event, to, reason, at });

t.test('an agent day from its trail', async (t) => {
  // Before the period (at 0) the agent was ready since -30 min. Period [0, 60 min).
  const before = tr('login', 'ready', -30 * M);
  const entries = [
    tr('reserve', 'reserved', 5 * M),
    tr('connect', 'on-call', 5 * M + 10_000),
    tr('endCall', 'wrap-up', 9 * M),
    tr('extendWrapUp', 'wrap-up', 9 * M + 20_000),
    tr('wrapUpExpired', 'ready', 10 * M),
    tr('reserve', 'reserved', 20 * M),
    tr('ringNoAnswer', 'not-ready', 20 * M + 12_000, 'ring-no-answer'),
    tr('ready', 'ready', 25 * M),
    tr('notReady', 'not-ready', 40 * M, 'break'),
    tr('logout', 'logged-out', 55 * M),
    tr('login', 'ready', 70 * M),
  ];
  const f = foldAgentPeriod(before, entries, 0, 60 * M);
  // ready 0-5, 10-20, 25-40 = 30 min; reserved 10 s + 12 s; on-call 3:50; wrap-up 1 min (extension kept it);
  // not-ready ring-no-answer 20:12-25:00, break 40-55; logged out 55-60 not counted.
  t.same(f.stateMs, { ready: 30 * M, reserved: 22_000, 'on-call': 4 * M - 10_000, 'wrap-up': M, 'not-ready:ring-no-answer': 5 * M - 12_000, 'not-ready:break': 15 * M });
  t.equal(f.loggedInMs, 55 * M, 'logged in 55 of the 60 minutes');
  t.equal(f.calls, 1);
  t.equal(f.ringNoAnswer, 1);
  const row = agentRow('2026-12-07', '1001', '王芳', f, emptyFacts(), 42_000);
  t.match(row, { calls: 1, talkSec: 230, holdSec: 42, wrapUpSec: 60, readySec: 1800, notReadySec: 1188, loggedInSec: 3300, ringNoAnswer: 1, notReadyByReason: { break: 900, 'ring-no-answer': 288 } });
  const csv = agentRowsCsv([row], ['break', 'ring-no-answer']);
  t.ok(csv.startsWith('\uFEFF日期 date,'), 'BOM and the Chinese heading first');
  t.match(csv, /\r\n2026-12-07,1001,王芳,1,230,42,60,22,1800,1188,900,288,3300,1,0,0,0,\r\n$/, 'hold after talk; no survey answers: 0 asked, no rate');
  t.same(foldAgentPeriod(undefined, [], 0, M).stateMs, {}, 'no trail: nothing');
});

t.test('a call: talk, transfers by agents, partner and 110, three-way; counted at t0 in its first queue', async (t) => {
  const call = {
    id: 'c1', node: 'fs1', line: 'from110', callerNumber: '13800000000', callerName: '', destination: '12345', state: 'ended', createdUs: 1_000_000, queuedUs: 5_000_000, queue: 'elder', connectedUs: 9_000_000, endedUs: 69_000_000, ivrPath: [], flags: ['from110'], held: false, holdSeq: 0,
    legs: [{ uuid: 'c1', role: 'caller', createdUs: 1, lastSeq: 0 }, { uuid: 'a1', role: 'agent', agentId: '1001', createdUs: 2, lastSeq: 0 }],
    transfers: [{ atUs: 6_000_000, kind: 'queue', from: 'general', to: 'elder' }, { atUs: 30_000_000, kind: 'blind', from: '1001', to: 'number:83123456' }],
    conference: { name: 'x', members: [] },
  } as unknown as CallRecord;
  const f = callFacts(call);
  t.equal(f.queue, 'general', 'the first queue it entered, as the SLA counts it');
  t.equal(f.atUs, 5_000_000);
  t.same(f.facts, { handled: 1, talkUs: 60_000_000, transfers: 1, threeWay: 1, from110: 1, to110: 0, toPartner: 1, kbAnswered: 0, surveyed: 0, satisfied: 0, basicallySatisfied: 0, notSatisfied: 0, notRated: 0 }, 'the overflow between queues is not an agent transfer');
  // The survey's answer counts for the call's scopes and its agent; keys as the site set them.
  const rated = callFacts({ ...call, agentId: '1001', survey: { digit: '9' } } as CallRecord, { satisfied: '9', basicallySatisfied: '8', notSatisfied: '7' });
  t.match(rated, { agentId: '1001', facts: { surveyed: 1, satisfied: 1, notRated: 0 } }, 'key 9 is satisfied at this site');
  t.match(callFacts({ ...call, survey: {} } as CallRecord).facts, { surveyed: 1, notRated: 1 }, 'asked, no key: not rated');
  const row = callRow('x', 'y', 'center', { ...emptyCounters(), offered: 4, shortAbandons: 1, answered: 2, answeredWithin: 2, abandoned: 1, answerWaitUs: 10e6 }, { ...emptyFacts(), handled: 2, talkUs: 150e6 });
  t.match(row, { counted: 3, rate15s: 0.667, answerRate: 0.667, abandonRate: 0.333, asaSec: 5, ahtSec: 75, satisfactionRate: null });
  const sat = callRow('x', 'y', 'center', emptyCounters(), { ...emptyFacts(), surveyed: 5, satisfied: 2, basicallySatisfied: 1, notSatisfied: 1, notRated: 1 });
  t.match(sat, { surveyed: 5, notRated: 1, satisfactionRate: 0.75 }, 'satisfaction rate: (satisfied + basically) / rated, not-rated left out');
});

t.test("an agent's hold time in a call: its legs' closed holds, and one still open when the leg ended", async (t) => {
  const call = {
    legs: [
      { uuid: 'c1', role: 'caller', createdUs: 0, lastSeq: 0, holdUs: 9_000_000 },
      { uuid: 'a1', role: 'agent', agentId: '1001', createdUs: 0, lastSeq: 0, holdUs: 12_000_000 },
      { uuid: 'a2', role: 'agent', agentId: '1001', createdUs: 0, lastSeq: 0, holdSinceUs: 50_000_000, endedUs: 53_500_000 },
      { uuid: 'a3', role: 'agent', agentId: '1002', createdUs: 0, lastSeq: 0 },
    ],
  } as unknown as CallRecord;
  t.same([...agentHolds(call)], [['1001', 15_500]], "the caller's hold is not an agent's; an agent never on hold is left out");
});

t.test('CSV cells: quoting and no formulas', async (t) => {
  t.equal(toCsv(['a'], [['x,y'], ['say "hi"'], ['=1+1'], [-3], [null]]), '\uFEFFa\r\n"x,y"\r\n"say ""hi"""\r\n\'=1+1\r\n-3\r\n\r\n');
});
