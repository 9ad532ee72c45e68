// Which legs ring my phone, which call I am on, and what I may do with it.
import t from 'tap';
import { activeForMe, myConsult, ownsCaller, ringingForMe } from '../src/state/selectors.ts';
import { initialState, reduce } from '../src/state/store.ts';
import { agent, call, leg, ME, T0 } from './fixtures.ts';

const state = (calls: ReturnType<typeof call>[]) => reduce(initialState, { type: 'snapshot', data: { seq: 1, agent: agent(), calls } });

t.test('a leg of mine without answeredMs rings; the longest-waiting caller comes first', async (t) => {
  const younger = call('c1', { queuedMs: T0 + 5000, legs: [leg({ uuid: 'l1' })] });
  const older = call('c2', { queuedMs: T0 + 1000, legs: [leg({ uuid: 'l2' })] });
  const other = call('c3', { legs: [leg({ uuid: 'l3', agentId: '2002' })] });
  const ended = call('c4', { legs: [leg({ uuid: 'l4', endedMs: T0 })] });
  const r = ringingForMe(state([younger, older, other, ended]), ME);
  t.same(r.map((x) => x.leg.uuid), ['l2', 'l1']);
  t.equal(activeForMe(state([younger]), ME), undefined);
});

t.test('an answered leg of mine is the active call; a consult leg does not own the caller', async (t) => {
  const talking = call('c1', { state: 'talking', agentId: ME, legs: [leg({ uuid: 'l1', answeredMs: T0 + 3000 })] });
  const a = activeForMe(state([talking]), ME);
  t.equal(a?.call.id, 'c1');
  t.equal(ringingForMe(state([talking]), ME).length, 0);
  t.ok(a && ownsCaller(a, ME));
  const consulted = call('c2', { state: 'held', agentId: '2002', legs: [leg({ uuid: 'l2', purpose: 'consult', answeredMs: T0 })] });
  const b = activeForMe(state([consulted]), ME);
  t.ok(b && !ownsCaller(b, ME));
  // Once the consulting agent completes, the service makes me the call's agent: I own it now.
  const completed = call('c3', { state: 'talking', agentId: ME, legs: [leg({ uuid: 'l3', purpose: 'consult', answeredMs: T0 })] });
  const c = activeForMe(state([completed]), ME);
  t.ok(c && ownsCaller(c, ME));
});

t.test('the consult panel shows only for the agent who started it', async (t) => {
  const c = call('c1', { consult: { agentId: ME, target: { kind: 'agent', agentId: '2002' }, legUuid: 'l9', state: 'ringing' } });
  t.equal(myConsult(c, ME)?.legUuid, 'l9');
  t.equal(myConsult(c, '2002'), undefined);
  t.equal(myConsult(call('c2'), ME), undefined);
});
