// Intake by the dialplan (freeswitch/dialplan-intake.ts, freeswitch/intake-mode.ts) without a
// switch: which flows it can run, the call it builds from the intake event or a uuid_dump, and the
// lease commands. The switch suite (switch-dialplan-intake.test.ts) runs it on FreeSWITCH and fsim.
import t from 'tap';
import { DialplanIntakeUnsupported, dialplanIntakeCallOf, dumpedChannel, flowNeedsSocket } from '../src/freeswitch/dialplan-intake.ts';
import type { SwitchCommands } from '../src/freeswitch/commands.ts';
import type { RawEvent } from '../src/freeswitch/event-map.ts';
import { addedTaskId, IntakeLease, leaseCommand, renewEveryMs } from '../src/freeswitch/intake-mode.ts';
import { DEFAULT_FLOWS } from '../src/ivr/default-flows.ts';
import { parseFlowFile } from '../src/ivr/flow-store.ts';

const UUID = '3f0c6a52-8d1e-4a8e-9a4b-0c1d2e3f4a5b';
const view = (h: Record<string, string>): RawEvent => ({ get: (n) => h[n], headers: () => Object.entries(h)[Symbol.iterator]() });
const noCommands = {} as SwitchCommands;
const opts = { commands: noCommands, ended: () => false, keepVariables: new Set(['partner_case_id']) };

const event = (extra: Record<string, string> = {}): RawEvent =>
  view({
    'Event-Name': 'CUSTOM',
    'Event-Subclass': 'hotline::intake',
    'Unique-ID': UUID,
    'Event-Date-Timestamp': '1796668000500000',
    'Caller-Caller-ID-Number': '13800000001',
    'Caller-Caller-ID-Name': 'Citizen',
    'Caller-Destination-Number': '12345',
    'Caller-Channel-Created-Time': '1796667999000000',
    variable_hotline_line: 'main',
    variable_hotline_welcome: 'hotline/welcome-12345.wav',
    variable_hotline_110_case_id: 'C-FORGED',
    variable_sip_user_agent: 'softphone 1.0',
    variable_partner_case_id: 'P-9',
    ...extra,
  });

t.test('the embedded flows run behind the dialplan; menus, transfers, more prompts do not', async (t) => {
  t.equal(flowNeedsSocket(parseFlowFile(DEFAULT_FLOWS, 'embedded')), undefined, 'welcome, elder check, queue: fits');
  const flows = (nodes: Record<string, unknown>, start = 'a') => parseFlowFile({ version: 1, lines: { main: 'main' }, flows: { main: { start, nodes } } }, 'test');
  const q = { type: 'queue', queue: 'general' };
  t.match(flowNeedsSocket(flows({ a: { type: 'menu', prompt: 'm.wav', options: { 1: 'q' }, onFail: 'q' }, q })), /node "a" is a menu/);
  t.match(flowNeedsSocket(flows({ a: { type: 'transfer', target: '110', reason: 'to110' } })), /transfers out/);
  t.match(flowNeedsSocket(flows({ a: { type: 'play', prompt: 'a.wav', next: 'b' }, b: { type: 'play', prompt: 'b.wav', next: 'q' }, q })), /plays 2 prompts/);
  t.match(flowNeedsSocket(flows({ a: { type: 'set', name: 'language', value: 'en', next: 'b' }, b: { type: 'play', prompt: 'b.wav', next: 'q' }, q })), /after other steps/);
  t.match(flowNeedsSocket(flows({ a: { type: 'hangup', prompt: 'closed.wav' } })), /before hanging up/);
  t.equal(flowNeedsSocket(flows({ a: { type: 'set', name: 'language', value: 'en', next: 'q' }, q })), undefined, 'no prompt at all: fits');
});

t.test('the call from the intake event: who, which line, t0 at the event; the welcome already played', async (t) => {
  const call = dialplanIntakeCallOf(event(), 'fs1', opts);
  if (!call) return void t.fail('no call');
  t.match(call, { callId: UUID, node: 'fs1', line: 'main', callerNumber: '13800000001', callerName: 'Citizen', destination: '12345', createdUs: 1796667999000000, lastEventUs: 1796668000500000 });
  t.equal(call.case110, undefined, "110 case data is read only on the 110 line (the dialplan vetted it there)");
  t.equal(call.variable?.('partner_case_id'), 'P-9', "a partner's case-id variable is kept");
  t.equal(call.variable?.('sip_user_agent'), undefined, 'the rest of the channel data is not kept');
  await call.answer();
  await call.wait();
  await call.play('welcome-12345.wav');
  t.pass('answer, wait and the welcome are already done by the dialplan');
  for (const [what, p] of [['a second prompt', call.play('other.wav')], ['a menu', call.collectDigit('menu.wav', 1000)], ['a transfer out', call.transferOut('110', 'to110')]] as const) {
    const err = await p.then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof DialplanIntakeUnsupported && /hotline_intake=socket/.test(err.message), `${what} is refused: needs the socket`);
  }
});

t.test('the 110 line: case data decoded from the vetted variables', async (t) => {
  const call = dialplanIntakeCallOf(event({ variable_hotline_line: 'from110', variable_hotline_110_case_id: 'C20261207-1', variable_hotline_110_summary: '%E5%99%AA%E9%9F%B3' }), 'fs1', opts);
  t.same(call?.case110, { 'Case-Id': 'C20261207-1', Summary: '噪音' });
});

t.test('an event without a proper channel id or time is refused', async (t) => {
  t.equal(dialplanIntakeCallOf(event({ 'Unique-ID': 'not-a-uuid' }), 'fs1', opts), undefined);
  t.equal(dialplanIntakeCallOf(event({ 'Event-Date-Timestamp': 'x' }), 'fs1', opts), undefined);
  t.equal(dialplanIntakeCallOf(event({ 'Event-Date-Timestamp': 'x' }), 'fs1', { ...opts, t0Us: 5 })?.lastEventUs, 5, 'unless t0 is given');
});

t.test('a caller found waiting: its uuid_dump, t0 at its answer', async (t) => {
  const dump = dumpedChannel(JSON.stringify({ 'Unique-ID': UUID, 'Event-Date-Timestamp': '1796668009000000', 'Caller-Channel-Answered-Time': '1796667999200000', variable_hotline_line: 'enterprise', n: 5 }));
  t.equal(dump.answeredUs, 1796667999200000);
  const call = dialplanIntakeCallOf(dump.view, 'fs2', { ...opts, t0Us: dump.answeredUs });
  t.match(call, { callId: UUID, line: 'enterprise', lastEventUs: 1796667999200000 });
  t.throws(() => dumpedChannel('[1]'), /not a JSON object/);
  t.throws(() => dumpedChannel('-ERR No such channel!'));
});

t.test('the lease: a new task before the mode, the old task deleted after; "socket" clears every task', async (t) => {
  t.equal(leaseCommand(20), 'sched_api +20 hotline_intake_lease global_setvar hotline_intake=socket');
  t.equal(addedTaskId('+OK Added: 12\n'), '12');
  t.equal(addedTaskId('-ERR Invalid syntax'), undefined);
  t.equal(renewEveryMs(20), 5000, 'renewed every 5 s at most');
  t.equal(renewEveryMs(4), 1000, 'four times per lease');

  // A switch that keeps its scheduled tasks: at every point of the command sequence, "dialplan"
  // is set only while a task that takes it back is pending.
  const sent: string[] = [];
  const pending = new Set<string>();
  let mode = 'socket';
  let next = 4;
  const problems: string[] = [];
  const api = async (c: string): Promise<string> => {
    sent.push(c);
    if (c.startsWith('sched_api ')) {
      pending.add(String(next));
      return `+OK Added: ${next++}\n`;
    }
    if (c.startsWith('sched_del ')) {
      const key = c.slice(10);
      const n = key === 'hotline_intake_lease' ? pending.size : Number(pending.delete(key));
      if (key === 'hotline_intake_lease') pending.clear();
      return `+OK Deleted: ${n}\n`;
    }
    mode = c.split('=')[1] ?? mode;
    return '+OK';
  };
  const check = (c: string): void => void (mode === 'dialplan' && pending.size === 0 && problems.push(`after "${c}" nothing would take "dialplan" back`));
  const watched = async (c: string): Promise<string> => {
    const r = await api(c);
    check(c);
    return r;
  };
  const lease = new IntakeLease('dialplan', 20, watched, () => true, (err) => problems.push(String(err)));
  await lease.apply();
  await (lease as unknown as { renew(): Promise<void> }).renew();
  lease.stop();
  t.same(sent, [leaseCommand(20), 'global_setvar hotline_intake=dialplan', leaseCommand(20), 'global_setvar hotline_intake=dialplan', 'sched_del 4'], 'add, set; then add, set, delete the first');
  t.same([...pending], ['5'], 'one task left: the last one');
  t.same(problems, []);

  sent.length = 0;
  const toSocket = new IntakeLease('socket', 20, watched, () => true, (err) => problems.push(String(err)));
  await toSocket.apply();
  t.same(sent, ['sched_del hotline_intake_lease', 'global_setvar hotline_intake=socket']);
  t.equal(mode, 'socket');
  t.equal(pending.size, 0, "a service in socket mode removes every instance's lease tasks");
});
