// The pure agent state machine, with a fake clock: every legal transition, every illegal one.
import t from 'tap';
import {
  AGENT_STATES,
  AgentTransitionError,
  createAgentMachine,
  type AgentCommand,
  type AgentRecord,
  type AgentState,
} from '../src/acd/agent-state.ts';

const T0 = 1_795_000_000_000;

function setup(wrapUpSec = 30, wrapUpExtendSec = 20) {
  const clock = { now: T0 };
  const machine = createAgentMachine({ clock: () => clock.now, wrapUpSec, wrapUpExtendSec });
  return { clock, machine };
}

const profile = { id: '1001', name: 'Li Lei', phone: 'user/1001', skills: { general: 7, enterprise: 3 } };

/** A record in each state, as the machine itself would leave it. */
function recordIn(state: AgentState): AgentRecord {
  const base = { ...profile, since: T0 - 60_000, wrapExtended: false };
  switch (state) {
    case 'logged-out':
      return { ...base, state };
    case 'ready':
      return { ...base, state, idleSince: T0 - 60_000 };
    case 'not-ready':
      return { ...base, state, reason: 'break', idleSince: T0 - 90_000 };
    case 'reserved':
    case 'on-call':
      return { ...base, state, callId: 'call-1', idleSince: T0 - 90_000 };
    case 'wrap-up':
      return { ...base, state, callId: 'call-1', wrapUntil: T0 + 10_000, idleSince: T0 - 90_000 };
  }
}

t.test('legal transitions: new record, timestamps and audit entry', async (t) => {
  const { clock, machine } = setup();

  const login = machine.apply(recordIn('logged-out'), { type: 'login' }, { by: 'supervisor:wang' });
  t.same(login.agent, { ...profile, state: 'ready', since: T0, idleSince: T0, wrapExtended: false });
  t.same(login.audit, { event: 'login', from: 'logged-out', to: 'ready', reason: 'login', at: T0, by: 'supervisor:wang' });

  clock.now = T0 + 1_000;
  const brk = machine.apply(login.agent, { type: 'notReady', reason: 'break' });
  t.match(brk.agent, { state: 'not-ready', reason: 'break', since: T0 + 1_000 });
  t.same(brk.audit, { event: 'notReady', from: 'ready', to: 'not-ready', reason: 'break', at: T0 + 1_000, by: 'system' }, 'by defaults to system');

  clock.now = T0 + 2_000;
  const meal = machine.apply(brk.agent, { type: 'notReady', reason: 'meal' });
  t.match(meal.agent, { state: 'not-ready', reason: 'meal', since: T0 + 2_000 }, 'a not-ready agent may change its reason');
  t.match(meal.audit, { from: 'not-ready', to: 'not-ready', reason: 'meal' });

  clock.now = T0 + 3_000;
  const ready = machine.apply(meal.agent, { type: 'ready' });
  t.match(ready.agent, { state: 'ready', since: T0 + 3_000, idleSince: T0 + 3_000 });
  t.notOk('reason' in ready.agent, 'the not-ready reason is cleared');

  clock.now = T0 + 4_000;
  const reserved = machine.apply(ready.agent, { type: 'reserve', callId: 'c1' }, { by: 'acd' });
  t.same(reserved.agent, { ...profile, state: 'reserved', since: T0 + 4_000, idleSince: T0 + 3_000, callId: 'c1', wrapExtended: false });
  t.same(reserved.audit, { event: 'reserve', from: 'ready', to: 'reserved', reason: 'offer', at: T0 + 4_000, by: 'acd', callId: 'c1' });

  clock.now = T0 + 5_000;
  const rna = machine.apply(reserved.agent, { type: 'ringNoAnswer', callId: 'c1' });
  t.same(rna.agent, { ...profile, state: 'not-ready', reason: 'ring-no-answer', since: T0 + 5_000, idleSince: T0 + 3_000, wrapExtended: false });
  t.match(rna.audit, { event: 'ringNoAnswer', from: 'reserved', to: 'not-ready', reason: 'ring-no-answer', callId: 'c1' });
  const broken = machine.apply(reserved.agent, { type: 'phoneFailure', callId: 'c1' });
  t.same(broken.agent, { ...profile, state: 'not-ready', reason: 'phone-failure', since: T0 + 5_000, idleSince: T0 + 3_000, wrapExtended: false });
  t.match(broken.audit, { event: 'phoneFailure', from: 'reserved', to: 'not-ready', reason: 'phone-failure', callId: 'c1' });

  clock.now = T0 + 6_000;
  const cancelled = machine.apply(reserved.agent, { type: 'cancelReservation' });
  t.same(cancelled.agent, { ...profile, state: 'ready', since: T0 + 6_000, idleSince: T0 + 3_000, wrapExtended: false }, 'a cancelled offer keeps the idle position');
  t.match(cancelled.audit, { from: 'reserved', to: 'ready', reason: 'offer-cancelled', callId: 'c1' });

  clock.now = T0 + 7_000;
  const onCall = machine.apply(reserved.agent, { type: 'connect', callId: 'c1' });
  t.match(onCall.agent, { state: 'on-call', callId: 'c1', since: T0 + 7_000 });
  t.match(onCall.audit, { event: 'connect', from: 'reserved', to: 'on-call', reason: 'answered', callId: 'c1' });

  clock.now = T0 + 67_000;
  const wrap = machine.apply(onCall.agent, { type: 'endCall' });
  t.match(wrap.agent, { state: 'wrap-up', callId: 'c1', since: T0 + 67_000, wrapUntil: T0 + 97_000, wrapExtended: false });
  t.same(wrap.audit, { event: 'endCall', from: 'on-call', to: 'wrap-up', reason: 'call-ended', at: T0 + 67_000, by: 'system', callId: 'c1', wrapUntil: T0 + 97_000 });

  clock.now = T0 + 70_000;
  const early = machine.apply(wrap.agent, { type: 'endWrapUp' });
  t.same(early.agent, { ...profile, state: 'ready', since: T0 + 70_000, idleSince: T0 + 70_000, wrapExtended: false }, 'ending early: idle from now, call cleared');
  t.match(early.audit, { from: 'wrap-up', to: 'ready', reason: 'wrap-up-ended' });

  const toBreak = machine.apply(wrap.agent, { type: 'notReady', reason: 'training' });
  t.same(toBreak.agent, { ...profile, state: 'not-ready', reason: 'training', since: T0 + 70_000, idleSince: T0 + 3_000, wrapExtended: false }, 'wrap-up straight into not-ready');

  for (const from of ['ready', 'not-ready', 'wrap-up'] as const) {
    const out = machine.apply(recordIn(from), { type: 'logout' });
    t.same(out.agent, { ...profile, state: 'logged-out', since: T0 + 70_000, wrapExtended: false }, `logout from ${from}`);
    t.match(out.audit, { from, to: 'logged-out', reason: 'logout' });
  }
});

t.test('wrap-up: extend once, expiry dated at its end, 0 s goes straight to ready', async (t) => {
  const { clock, machine } = setup(30, 20);
  const wrap = machine.apply(recordIn('on-call'), { type: 'endCall', callId: 'call-1' }).agent;
  t.equal(wrap.wrapUntil, T0 + 30_000);

  clock.now = T0 + 25_000;
  const ext = machine.apply(wrap, { type: 'extendWrapUp' }, { by: 'agent' });
  t.same(ext.agent, { ...wrap, wrapUntil: T0 + 50_000, wrapExtended: true }, 'end moves by 20 s; since stays');
  t.same(ext.audit, { event: 'extendWrapUp', from: 'wrap-up', to: 'wrap-up', reason: 'wrap-up-extended', at: T0 + 25_000, by: 'agent', callId: 'call-1', wrapUntil: T0 + 50_000 });
  t.throws(() => machine.apply(ext.agent, { type: 'extendWrapUp' }), new AgentTransitionError('1001', 'wrap-up', 'extendWrapUp', 'wrap-up already extended once'));
  t.throws(() => machine.apply(ext.agent, { type: 'extendWrapUp' }), { message: 'agent 1001: wrap-up already extended once' });

  clock.now = T0 + 49_999;
  t.throws(() => machine.apply(ext.agent, { type: 'wrapUpExpired' }), { message: /^agent 1001: wrap-up runs until .*, not expired$/ }, 'not before its end');
  clock.now = T0 + 52_000;
  const expired = machine.apply(ext.agent, { type: 'wrapUpExpired' });
  t.same(expired.agent, { ...profile, state: 'ready', since: T0 + 50_000, idleSince: T0 + 50_000, wrapExtended: false }, 'idle from the end of wrap-up, not from when the timer ran');
  t.same(expired.audit, { event: 'wrapUpExpired', from: 'wrap-up', to: 'ready', reason: 'wrap-up-expired', at: T0 + 50_000, by: 'system', callId: 'call-1' });
  clock.now = T0 + 45_000;
  t.equal(machine.apply(ext.agent, { type: 'wrapUpExpired' }, { now: T0 + 60_000 }).agent.state, 'ready', 'meta.now overrides the clock');
});

t.test('wrap-up of 0 s: on-call straight to ready', async (t) => {
  const { machine } = setup(0);
  const out = machine.apply(recordIn('on-call'), { type: 'endCall' });
  t.same(out.agent, { ...profile, state: 'ready', since: T0, idleSince: T0, wrapExtended: false });
  t.same(out.audit, { event: 'endCall', from: 'on-call', to: 'ready', reason: 'call-ended', at: T0, by: 'system', callId: 'call-1' });
});

t.test('a call that ends before its connect is recorded: wrap-up, and the late connect is refused', async (t) => {
  // The agent's phone answered and hung up before the router's connect landed (a short call on a
  // busy host): before, endCall was refused from reserved, the connect then put the agent on-call,
  // and the agent stayed there with no call.
  const { machine } = setup();
  const out = machine.apply(recordIn('reserved'), { type: 'endCall', callId: 'call-1' });
  t.same(out.agent, { ...profile, state: 'wrap-up', since: T0, callId: 'call-1', wrapUntil: T0 + 30_000, idleSince: T0 - 90_000, wrapExtended: false });
  t.equal(out.audit.from, 'reserved');
  t.throws(() => machine.apply(out.agent, { type: 'connect', callId: 'call-1' }), { name: 'AgentTransitionError' }, 'the late connect changes nothing');
  t.throws(() => machine.apply(recordIn('reserved'), { type: 'endCall', callId: 'call-2' }), { name: 'AgentTransitionError' }, 'not for another call');
});

t.test('every illegal transition is refused with a clear message', async (t) => {
  const { machine } = setup();
  // Written independently of the machine's own tables: the legal (state, command) pairs.
  const legal: Record<AgentState, readonly AgentCommand['type'][]> = {
    'logged-out': ['login'],
    ready: ['notReady', 'reserve', 'logout'],
    'not-ready': ['ready', 'notReady', 'logout'],
    reserved: ['ringNoAnswer', 'phoneFailure', 'cancelReservation', 'connect', 'endCall'],
    'on-call': ['endCall'],
    'wrap-up': ['notReady', 'endWrapUp', 'extendWrapUp', 'wrapUpExpired', 'logout'],
  };
  const target: Record<AgentCommand['type'], AgentState> = {
    login: 'ready', ready: 'ready', notReady: 'not-ready', reserve: 'reserved', ringNoAnswer: 'not-ready', phoneFailure: 'not-ready', cancelReservation: 'ready',
    connect: 'on-call', endCall: 'wrap-up', endWrapUp: 'ready', extendWrapUp: 'wrap-up', wrapUpExpired: 'ready', logout: 'logged-out',
  };
  const already: Record<AgentState, string> = {
    'logged-out': 'logged out', ready: 'ready', 'not-ready': 'not ready (break)', reserved: 'reserved for a call', 'on-call': 'on a call', 'wrap-up': 'in wrap-up',
  };
  const commands: AgentCommand[] = [
    { type: 'login' }, { type: 'ready' }, { type: 'notReady', reason: 'meal' }, { type: 'reserve', callId: 'c9' }, { type: 'ringNoAnswer' }, { type: 'phoneFailure' },
    { type: 'cancelReservation' }, { type: 'connect' }, { type: 'endCall' }, { type: 'endWrapUp' }, { type: 'extendWrapUp' }, { type: 'wrapUpExpired' }, { type: 'logout' },
  ];
  let refused = 0;
  for (const state of AGENT_STATES) {
    for (const c of commands) {
      const agent = recordIn(state);
      if (legal[state].includes(c.type)) {
        // wrapUpExpired is legal from wrap-up once due; recordIn('wrap-up') ends 10 s after T0.
        const now = c.type === 'wrapUpExpired' ? T0 + 10_000 : undefined;
        t.doesNotThrow(() => machine.apply(agent, c, { now }), `${c.type} from ${state} is legal`);
        continue;
      }
      const to = target[c.type];
      const why = c.type === 'login' ? `cannot log in: already logged in (${state})` : to === state ? `already ${already[state]}` : `cannot go from ${state} to ${to}`;
      t.throws(() => machine.apply(agent, c), { name: 'AgentTransitionError', message: `agent 1001: ${why}`, agentId: '1001', from: state, event: c.type }, `${c.type} from ${state}`);
      refused++;
    }
  }
  t.equal(refused, 6 * 13 - Object.values(legal).flat().length, 'all the other pairs were refused');
  t.equal(refused, 60);
  t.throws(() => machine.apply(recordIn('on-call'), { type: 'ready' }), { message: 'agent 1001: cannot go from on-call to ready' });
  t.throws(() => machine.apply(recordIn('not-ready'), { type: 'notReady', reason: 'break' }), { message: 'agent 1001: already not ready (break)' }, 'same reason again');
});

t.test('events about another call are refused', async (t) => {
  const { machine } = setup();
  for (const type of ['ringNoAnswer', 'phoneFailure', 'cancelReservation', 'connect'] as const) {
    t.throws(() => machine.apply(recordIn('reserved'), { type, callId: 'old-call' }), { message: "agent 1001: call old-call is not the agent's call (call-1)" }, type);
  }
  t.throws(() => machine.apply(recordIn('on-call'), { type: 'endCall', callId: 'old-call' }), { message: "agent 1001: call old-call is not the agent's call (call-1)" });
  t.throws(() => machine.apply(recordIn('ready'), { type: 'reserve', callId: '' }), { message: 'agent 1001: cannot reserve without a call id' });
});

t.test('the input record is never modified', async (t) => {
  const { machine } = setup();
  const agent = Object.freeze(recordIn('on-call'));
  const copy = structuredClone(agent);
  machine.apply(agent, { type: 'endCall' });
  t.same(agent, copy);
});
