// Three-way calls, unit level: the real call registry folded from switch events, a recording switch
// port and a fake clock. Who may start one, what is dialled (the partner's gateway with the case
// headers, a department's number), that the caller and agent move into the room once, that the
// room ends when one member is left, the agent's member commands, and the CDR's parties and case owner.
import t from 'tap';
import pino from 'pino';
import { buildCdr } from '../src/calls/cdr.ts';
import type { CallRecord } from '../src/calls/call-record.ts';
import { CallRegistry } from '../src/calls/registry.ts';
import type { SwitchEvent } from '../src/calls/switch-events.ts';
import type { OriginateOptions } from '../src/freeswitch/commands.ts';
import { roomOf, ThreeWay, type ThreeWaySwitch } from '../src/handoff/threeway.ts';

const SEC = 1e6;
const T0 = 1_800_000_000 * SEC;
const CALL = '11111111-1111-4111-8111-111111111111';
const AGENT_LEG = '22222222-2222-4222-8222-222222222222';

function setup(opts: { answer?: boolean } = {}) {
  let clock = T0;
  let seq = 0;
  const completed: Readonly<CallRecord>[] = [];
  const registry = new CallRegistry({ onCompleted: (c) => completed.push(c) });
  const ev = (e: Record<string, unknown> & { type: SwitchEvent['type']; uuid: string }): SwitchEvent => ({ node: 'fs1', seq: ++seq, tsUs: clock, ...e }) as SwitchEvent;
  const apply = (e: Record<string, unknown> & { type: SwitchEvent['type']; uuid: string }): SwitchEvent => {
    const x = ev(e);
    registry.apply(x);
    threeWay.onSwitchEvent(x);
    return x;
  };
  const cmds: string[] = [];
  const originates: OriginateOptions[] = [];
  const sw: ThreeWaySwitch = {
    async originateInBackground(o) {
      originates.push(o);
      if (opts.answer === false) throw new Error('NO_ANSWER');
      clock += 3 * SEC;
      // The switch: the new leg is created, answers and joins the room before the answer is reported.
      apply({ type: 'channel-create', uuid: o.uuid!, direction: 'outbound', callerNumber: '', callerName: '', destination: '110', context: 'default', channelName: 'sofia/external/110', vars: { ...o.vars } });
      apply({ type: 'channel-answer', uuid: o.uuid! });
      apply({ type: 'conference', uuid: o.uuid!, conference: roomOf(CALL), action: 'add-member', memberId: '1' });
      return o.uuid!;
    },
    transfer: async (uuid, ext, ctx, leg) => void cmds.push(`transfer ${uuid} ${leg ?? ''} ${ext} ${ctx}`.replace(/ +/g, ' ')),
    setVar: async (uuid, name, value) => void cmds.push(`setvar ${uuid} ${name}=${value}`),
    kill: async (uuid, cause) => void cmds.push(`kill ${uuid} ${cause ?? ''}`.trim()),
    conference: async (name, action, member) => void cmds.push(`conference ${name} ${action} ${member}`),
  };
  const owners: string[] = [];
  const threeWay = new ThreeWay({
    sw,
    calls: registry,
    partnerDialstring: (p, n) => (p === '110' ? `sofia/gateway/gw_110/${n ?? '110'}` : undefined),
    externalDialstring: (n) => `sofia/gateway/gw_dept/${n}`,
    ringSec: 12,
    nowUs: () => clock,
    logger: pino({ level: 'silent' }),
    delay: async (ms) => void (clock += ms * 1000),
    onCaseOwner: (_c, o) => void owners.push(`${o.owner} ${o.by} ${o.atUs}`),
  });
  // A caller talking to agent 1001.
  registry.admit({ id: CALL, node: 'fs1', line: 'main', callerNumber: '13800000000', callerName: '', destination: '12345', createdUs: clock });
  apply({ type: 'channel-answer', uuid: CALL });
  clock += 10 * SEC;
  apply({ type: 'channel-create', uuid: AGENT_LEG, direction: 'outbound', callerNumber: '', callerName: '', destination: '1001', context: 'default', channelName: 'sofia/internal/1001', vars: { hotline_call_id: CALL, hotline_leg_role: 'agent', hotline_agent_id: '1001', hotline_leg_purpose: 'offer' } });
  apply({ type: 'channel-answer', uuid: AGENT_LEG });
  apply({ type: 'channel-bridge', uuid: CALL, otherLeg: AGENT_LEG });
  return { registry, threeWay, apply, cmds, originates, owners, completed, tick: (s: number) => void (clock += s * SEC), now: () => clock };
}

t.test('who may start one', async (t) => {
  const s = setup();
  await t.rejects(s.threeWay.start(CALL, { kind: 'agent', agentId: '1002' }, { kind: 'partner', partner: '110' }), { code: 'forbidden' }, 'not the agent of the call');
  await t.rejects(s.threeWay.start(CALL, { kind: 'agent', agentId: '1001' }, { kind: 'partner', partner: '999' }), { code: 'not-found' }, 'no such partner');
  await t.rejects(s.threeWay.start(CALL, { kind: 'dispatcher', user: 'd1', partner: '119' }, { kind: 'partner', partner: '110' }), { code: 'forbidden' }, "another partner's dispatcher");
  await t.rejects(s.threeWay.start('nope', { kind: 'agent', agentId: '1001' }, { kind: 'external', number: '88001234' }), { code: 'not-found' });
  t.same(s.originates, [], 'nothing dialled');
  t.same(s.cmds, [], 'nothing sent');
});

t.test('the 110 dispatcher joins: case headers, then caller and agent move into the room once', async (t) => {
  const s = setup();
  const leg = await s.threeWay.start(CALL, { kind: 'agent', agentId: '1001' }, { kind: 'partner', partner: '110', summary: '打架 fight' });
  const o = s.originates[0]!;
  t.equal(o.dialstring, 'sofia/gateway/gw_110/110', "the partner's gateway and number");
  t.same(o.sipHeaders, { 'X-12345-Case-Id': CALL, 'X-12345-Caller-Number': '13800000000', 'X-12345-Summary': '打架 fight', 'X-12345-Agent-Id': '1001' });
  t.match(o.vars, { hotline_call_id: CALL, hotline_leg_role: 'external', hotline_leg_purpose: 'conference', hotline_conference: roomOf(CALL) });
  t.same(o.then, { extension: 'hotline_conference', context: 'hotline_queue' }, 'answered, the leg runs the room extension');
  t.same(s.cmds, [`setvar ${CALL} hotline_conference=${roomOf(CALL)}`, `setvar ${AGENT_LEG} hotline_conference=${roomOf(CALL)}`, `transfer ${CALL} -both hotline_conference hotline_queue`]);
  s.apply({ type: 'conference', uuid: AGENT_LEG, conference: roomOf(CALL), action: 'add-member', memberId: '2' });
  s.apply({ type: 'conference', uuid: CALL, conference: roomOf(CALL), action: 'add-member', memberId: '3' });
  s.cmds.length = 0;
  // A department joins the same room: only the new leg is dialled.
  await s.threeWay.start(CALL, { kind: 'agent', agentId: '1001' }, { kind: 'external', number: '88001234' });
  t.equal(s.originates[1]!.dialstring, 'sofia/gateway/gw_dept/88001234');
  t.equal(s.originates[1]!.sipHeaders, undefined, 'a department gets no case headers');
  t.same(s.cmds, [], 'caller and agent are in the room already');
  t.equal(s.registry.get(CALL)?.conference?.members.length, 4);
  t.ok(leg);
});

t.test('the third party not answering changes nothing', async (t) => {
  const s = setup({ answer: false });
  await t.rejects(s.threeWay.start(CALL, { kind: 'agent', agentId: '1001' }, { kind: 'external', number: '88001234' }), { code: 'conflict' });
  t.same(s.cmds, [], 'caller and agent stay bridged');
  t.equal(s.registry.get(CALL)?.state, 'talking');
});

t.test('member actions, the room ending with one member, the CDR', async (t) => {
  const s = setup();
  const third = await s.threeWay.start(CALL, { kind: 'agent', agentId: '1001' }, { kind: 'partner', partner: '110' });
  s.apply({ type: 'conference', uuid: AGENT_LEG, conference: roomOf(CALL), action: 'add-member', memberId: '2' });
  s.apply({ type: 'conference', uuid: CALL, conference: roomOf(CALL), action: 'add-member', memberId: '3' });
  s.cmds.length = 0;
  await s.threeWay.member(CALL, '1001', 'mute');
  await s.threeWay.member(CALL, '1001', 'hold');
  await t.rejects(s.threeWay.member(CALL, '1002', 'leave'), { code: 'conflict' }, 'not in the room');
  t.same(s.cmds, [`conference ${roomOf(CALL)} mute 2`, `conference ${roomOf(CALL)} hold 2`]);
  s.apply({ type: 'conference', uuid: AGENT_LEG, conference: roomOf(CALL), action: 'hold-member', memberId: '2' });
  t.equal(s.registry.get(CALL)?.conference?.parties?.find((p) => p.uuid === AGENT_LEG)?.held, true);

  s.tick(5);
  const owner = s.threeWay.caseOwner(CALL, { kind: 'dispatcher', user: 'd1', partner: '110' }, '110', ['12345', '110']);
  t.same(owner, { owner: '110', by: 'dispatcher:d1', atUs: s.now() }, 'recorded at the clock time');
  t.throws(() => s.threeWay.caseOwner(CALL, { kind: 'agent', agentId: '1001' }, '119', ['12345', '110']), { code: 'invalid' });
  t.same(s.owners, [`110 dispatcher:d1 ${s.now()}`]);

  s.cmds.length = 0;
  await s.threeWay.member(CALL, '1001', 'leave');
  t.same(s.cmds, [`conference ${roomOf(CALL)} kick 2`], 'leaving is a kick');
  s.tick(2);
  s.apply({ type: 'conference', uuid: AGENT_LEG, conference: roomOf(CALL), action: 'del-member', memberId: '2' });
  s.apply({ type: 'channel-hangup-complete', uuid: AGENT_LEG, cause: 'NORMAL_CLEARING' });
  t.same(s.cmds, [`conference ${roomOf(CALL)} kick 2`], 'two left: they go on');
  t.equal(s.registry.get(CALL)?.state, 'talking', 'the call goes on');
  s.tick(30);
  s.apply({ type: 'conference', uuid: CALL, conference: roomOf(CALL), action: 'del-member', memberId: '3' });
  s.apply({ type: 'channel-hangup-complete', uuid: CALL, cause: 'NORMAL_CLEARING' });
  t.same(s.cmds.slice(1), [`kill ${third} NORMAL_CLEARING`], 'the member left alone is hung up');
  s.tick(1);
  s.apply({ type: 'conference', uuid: third, conference: roomOf(CALL), action: 'del-member', memberId: '1' });
  s.apply({ type: 'channel-hangup-complete', uuid: third, cause: 'NORMAL_CLEARING' });

  const cdr = buildCdr(s.completed[0]!);
  const sec = (u: string) => cdr.conference?.parties.find((p) => p.uuid === u)?.sec;
  t.equal(sec(AGENT_LEG), 7, 'the agent: 7 s in the room');
  t.equal(sec(CALL), 37, 'the caller: 37 s');
  t.equal(sec(third), 38, '110: 38 s');
  t.match(cdr.conference?.parties.find((p) => p.uuid === AGENT_LEG), { role: 'agent', agentId: '1001' });
  t.match(cdr.conference?.caseOwner, { owner: '110', by: 'dispatcher:d1' });
});

t.test('a consultation becomes a three-way', async (t) => {
  const s = setup();
  const target = '33333333-3333-4333-8333-333333333333';
  s.registry.recordConsult(CALL, { agentId: '1001', target: { kind: 'partner', partner: '110' }, legUuid: target, agentLeg: AGENT_LEG, state: 'ringing' });
  await t.rejects(s.threeWay.fromConsult(CALL, '1001'), { code: 'conflict' }, 'not before the target answers');
  await t.rejects(s.threeWay.start(CALL, { kind: 'agent', agentId: '1001' }, { kind: 'partner', partner: '110' }), { code: 'conflict' }, 'no new three-way during a consultation');
  s.registry.recordConsult(CALL, { agentId: '1001', target: { kind: 'partner', partner: '110' }, legUuid: target, agentLeg: AGENT_LEG, state: 'talking' });
  await t.rejects(s.threeWay.fromConsult(CALL, '1002'), { code: 'forbidden' });
  await s.threeWay.fromConsult(CALL, '1001');
  t.equal(s.registry.get(CALL)?.consult, undefined);
  // (No leg of the consultation is in the registry here: both are transferred again, up to 3 times.)
  t.same(s.cmds.filter((c) => c.startsWith('transfer')).slice(0, 3), [CALL, target, AGENT_LEG].map((u) => `transfer ${u} hotline_conference hotline_queue`), 'each leg into the room');
  t.ok(s.cmds.includes(`setvar ${target} hotline_conference=${roomOf(CALL)}`), 'the target learns its room');
});
