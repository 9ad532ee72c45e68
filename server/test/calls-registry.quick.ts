import t from 'tap';
import { CallRegistry } from '../src/calls/registry.ts';
import { buildCdr } from '../src/calls/cdr.ts';
import type { CallRecord } from '../src/calls/call-record.ts';
import type { SwitchEvent } from '../src/calls/switch-events.ts';

const T0 = 1_795_316_440_000_000;
let seq = 100;
const base = (uuid: string, ms: number) => ({ node: 'fs1', uuid, seq: ++seq, tsUs: T0 + ms * 1000 });
const create = (uuid: string, ms: number, extra: Partial<Extract<SwitchEvent, { type: 'channel-create' }>> = {}): SwitchEvent => ({
  ...base(uuid, ms),
  type: 'channel-create',
  direction: 'inbound',
  callerNumber: '13800138000',
  callerName: 'citizen',
  destination: '12345',
  context: 'public',
  channelName: 'sofia/external/13800138000@carrier',
  vars: { hotline_line: 'main' },
  ...extra,
});
const simple = (type: 'channel-answer' | 'channel-hold' | 'channel-unhold', uuid: string, ms: number): SwitchEvent => ({ ...base(uuid, ms), type });
const hangup = (uuid: string, ms: number, cause = 'NORMAL_CLEARING'): SwitchEvent => ({ ...base(uuid, ms), type: 'channel-hangup-complete', cause });
const bridge = (uuid: string, other: string, ms: number): SwitchEvent => ({ ...base(uuid, ms), type: 'channel-bridge', otherLeg: other });

function setup() {
  const completed: CallRecord[] = [];
  const reg = new CallRegistry({ onCompleted: (c) => void completed.push(structuredClone(c) as CallRecord) });
  return { reg, completed };
}

t.test('an answered call: caller, IVR, queue, agent leg, talk, hangup, one CDR', async (t) => {
  const { reg, completed } = setup();
  reg.apply(create('A', 0, { vars: { hotline_line: 'enterprise' } }));
  t.equal(reg.get('A')?.line, 'unknown', 'an inbound CHANNEL_CREATE names no line (it comes before routing)');
  reg.admit({ id: 'A', node: 'fs1', line: 'enterprise', callerNumber: '13800138000', callerName: 'citizen', destination: '123457', createdUs: T0 });
  t.equal(reg.get('A')?.state, 'new');
  reg.apply(simple('channel-answer', 'A', 100));
  reg.recordIvrStep('A', 'welcome');
  t.equal(reg.get('A')?.state, 'ivr');
  reg.recordQueued('A', { queue: 'enterprise', priority: 0, atUs: T0 + 3_000_000 });
  t.equal(reg.get('A')?.state, 'queued');
  reg.apply(create('B', 4000, { direction: 'outbound', destination: '1001', vars: { hotline_call_id: 'A', hotline_leg_role: 'agent', hotline_agent_id: 'agent-7' } }));
  t.equal(reg.get('A')?.state, 'offering', 'agent leg ringing');
  reg.apply(simple('channel-answer', 'B', 9000));
  reg.apply(bridge('A', 'B', 9020));
  t.equal(reg.get('A')?.state, 'talking');
  t.equal(reg.get('A')?.agentId, 'agent-7');
  reg.apply(simple('channel-hold', 'A', 10000));
  t.equal(reg.get('A')?.state, 'held');
  reg.apply(simple('channel-unhold', 'A', 11000));
  t.equal(reg.get('A')?.state, 'talking');
  reg.apply(hangup('A', 20000));
  t.equal(completed.length, 0, 'not complete while the agent leg is up');
  reg.apply(hangup('B', 20020));
  t.equal(completed.length, 1);
  t.equal(reg.get('A'), undefined, 'completed calls leave the live registry');
  const cdr = buildCdr(completed[0]!);
  t.equal(cdr.line, 'enterprise');
  t.equal(cdr.outcome, 'answered');
  t.equal(cdr.waitSec, 6.02, 'wait is t0 -> bridge, from switch timestamps');
  t.equal(cdr.talkSec, 10.98);
  t.equal(cdr.agentId, 'agent-7');
  t.same(cdr.ivrPath, ['welcome']);
  t.equal(cdr.legs.length, 2);
});

t.test('duplicates and late events change nothing', async (t) => {
  const { reg, completed } = setup();
  const c = create('A', 0);
  reg.apply(c);
  reg.apply(c);
  t.equal(reg.live().length, 1, 'a repeated CHANNEL_CREATE opens no second call');
  const ans = simple('channel-answer', 'A', 100);
  reg.apply(ans);
  const hold = simple('channel-hold', 'A', 500);
  const unhold = simple('channel-unhold', 'A', 600);
  reg.recordQueued('A', { queue: 'general', priority: 0, atUs: T0 + 200_000 });
  reg.apply(create('B', 300, { direction: 'outbound', vars: { hotline_call_id: 'A', hotline_leg_role: 'agent' } }));
  reg.apply(simple('channel-answer', 'B', 400));
  reg.apply(bridge('B', 'A', 420));
  reg.apply(unhold);
  reg.apply(hold); // arrives late: its sequence is older than the unhold's
  t.equal(reg.get('A')?.held, false, 'a stale hold does not flip the call back to held');
  reg.apply({ ...ans, tsUs: T0 + 999_000 });
  t.equal(reg.get('A')?.answeredUs, T0 + 100_000, 'first answer time wins');
  reg.recordQueued('A', { queue: 'elder', priority: 2, atUs: T0 + 900_000 });
  t.equal(reg.get('A')?.queuedUs, T0 + 200_000, 't0 stays at the first queue entry');
  reg.apply(hangup('A', 2000));
  reg.apply(hangup('B', 2000));
  reg.apply(hangup('A', 2100));
  reg.apply(hangup('A', 2200));
  reg.apply(create('A', 2300));
  t.equal(completed.length, 1, 'one CDR, and late events for a completed call are dropped');
  t.equal(reg.live().length, 0);
});

t.test('110 case data comes only from the dialplan hand-over; forged headers are ignored (defect 1)', async (t) => {
  const { reg, completed } = setup();
  // A carrier call to 12345 with forged X-110 headers: CHANNEL_CREATE carries them, nothing reads them.
  reg.apply(create('F', 0, { vars: { 'sip_h_X-110-Case-Id': 'FAKE-0001' } }));
  reg.admit({ id: 'F', node: 'fs1', line: 'main', callerNumber: '13800138000', callerName: '', destination: '12345', createdUs: T0 });
  t.equal(reg.get('F')?.case110, undefined, 'forged case data is not on the call');
  reg.apply(hangup('F', 1000));
  t.equal(buildCdr(completed[0]!).case110, null, 'nor in its CDR');

  reg.apply(create('C', 0));
  reg.admit({ id: 'C', node: 'fs1', line: 'from110', callerNumber: '110', callerName: '', destination: '12345110', createdUs: T0, case110: { 'Case-Id': 'C20261122-0001', Summary: 'noise complaint' } });
  t.same(reg.get('C')?.case110, { 'Case-Id': 'C20261122-0001', Summary: 'noise complaint' });
  reg.apply(simple('channel-answer', 'C', 50));
  reg.recordQueued('C', { queue: 'from110', priority: 3, atUs: T0 + 1_000_000 });
  reg.apply(hangup('C', 4000, 'ORIGINATOR_CANCEL'));
  const cdr = buildCdr(completed[1]!);
  t.equal(cdr.outcome, 'abandoned');
  t.equal(cdr.waitSec, 3);
  t.equal(cdr.hangupCause, 'ORIGINATOR_CANCEL');
  t.same(cdr.case110, { 'Case-Id': 'C20261122-0001', Summary: 'noise complaint' });
});

t.test('the hand-over opens a call CHANNEL_CREATE has not reached yet; the line cannot be lost (defect 5)', async (t) => {
  const { reg, completed } = setup();
  reg.admit({ id: 'L', node: 'fs1', line: 'enterprise', callerNumber: '13800138000', callerName: '', destination: '123457', createdUs: T0 });
  reg.recordQueued('L', { queue: 'enterprise', priority: 0, atUs: T0 + 2_000_000 });
  // The resync (or a late CHANNEL_CREATE) finds the call known: nothing is reset.
  reg.apply(create('L', 0));
  t.equal(reg.live().length, 1);
  reg.apply(hangup('L', 5000));
  const cdr = buildCdr(completed[0]!);
  t.equal(cdr.line, 'enterprise');
  t.equal(cdr.queue, 'enterprise');
});

t.test('a call the dialplan fallback served: learnt at hang-up, overflow leg and outcome (defect 4)', async (t) => {
  const { reg, completed } = setup();
  reg.apply(create('D', 0));
  reg.apply({ ...base('D', 9000), type: 'channel-hangup-complete', cause: 'NORMAL_CLEARING', facts: { line: 'enterprise', fallback: 'service_unreachable', fallbackNumber: '4000012345', answeredUs: T0 + 100_000, bridgedUs: T0 + 2_000_000, bridgedTo: 'B-overflow', disposition: 'SUCCESS' } });
  t.equal(completed.length, 1);
  const cdr = buildCdr(completed[0]!);
  t.equal(cdr.line, 'enterprise', 'line from the dialplan');
  t.equal(cdr.outcome, 'overflow');
  t.equal(cdr.agentId, null);
  t.match(cdr.fallback, { reason: 'service_unreachable', number: '4000012345' });
  t.match(cdr.legs, [{ role: 'caller' }, { uuid: 'B-overflow', role: 'external', answered: true }], 'the overflow leg is in the CDR');
  t.match(cdr.transfers, [{ kind: 'blind', from: 'fallback', to: '4000012345' }]);
});

t.test('CHANNEL_HANGUP comes first: the call waits for HANGUP_COMPLETE and its fallback facts (defect 4)', async (t) => {
  const { reg, completed } = setup();
  reg.apply(create('H', 0));
  reg.apply({ ...base('H', 9000), type: 'channel-hangup', cause: 'NORMAL_CLEARING' });
  t.equal(completed.length, 0, 'no CDR without the variables of HANGUP_COMPLETE');
  t.ok(reg.awaitingEnd('H'));
  reg.apply({ ...base('H', 9010), type: 'channel-hangup-complete', cause: 'NORMAL_CLEARING', facts: { fallback: 'service_unreachable', fallbackNumber: '4000012345', answeredUs: T0 + 100_000, bridgedUs: T0 + 2_000_000, disposition: 'SUCCESS' } });
  t.equal(completed.length, 1);
  t.equal(reg.awaitingEnd('H'), false);
  t.equal(buildCdr(completed[0]!).outcome, 'overflow');
  // HANGUP_COMPLETE lost in a disconnect: the resync completes the call.
  reg.apply(create('G', 0));
  reg.apply({ ...base('G', 9000), type: 'channel-hangup', cause: 'NORMAL_CLEARING' });
  reg.closeLeg('G', T0 + 10_000_000, 'RESYNC_GONE');
  t.equal(completed.length, 2);
  t.equal(completed[1]?.hangupCause, 'NORMAL_CLEARING');
});

t.test('a transfer to an outside number from the queue is an overflow, not an answer', async (t) => {
  const { reg, completed } = setup();
  reg.apply(create('O', 0));
  reg.admit({ id: 'O', node: 'fs1', line: 'main', callerNumber: '13800138000', callerName: '', destination: '12345', createdUs: T0 });
  reg.recordQueued('O', { queue: 'elder', priority: 2, atUs: T0 + 1_000_000 });
  reg.apply(create('X', 3000, { direction: 'outbound', destination: '4000012345', vars: { hotline_call_id: 'O', hotline_leg_role: 'external' } }));
  reg.apply(simple('channel-answer', 'X', 4000));
  reg.apply(bridge('O', 'X', 4020));
  reg.apply(hangup('O', 9000));
  reg.apply(hangup('X', 9000));
  const cdr = buildCdr(completed[0]!);
  t.equal(cdr.outcome, 'overflow');
  t.equal(cdr.agentId, null);
});

t.test('unknown outbound legs and events for unknown channels are ignored', async (t) => {
  const { reg } = setup();
  t.equal(reg.apply(create('X', 0, { direction: 'outbound', vars: {} })), undefined);
  t.equal(reg.apply(simple('channel-answer', 'nope', 0)), undefined);
  t.equal(reg.live().length, 0);
});

t.test('a leg that vanished during a disconnect is closed out at resync', async (t) => {
  const { reg, completed } = setup();
  reg.apply(create('R', 0));
  reg.closeLeg('R', T0 + 5_000_000, 'RESYNC_GONE');
  t.equal(completed.length, 1);
  t.equal(completed[0]?.hangupCause, 'RESYNC_GONE');
});
