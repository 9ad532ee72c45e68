// The state reducer: snapshots replace everything, deltas apply in seq order, stale ones are ignored.
import t from 'tap';
import { findCall, initialState, reduce, type SoftphoneState } from '../src/state/store.ts';
import { agent, call } from './fixtures.ts';

function snap(seq: number, calls = [call('c1')], a = agent()): SoftphoneState {
  return reduce(initialState, { type: 'snapshot', data: { seq, agent: a, calls } });
}

t.test('a snapshot sets the whole state', async (t) => {
  const s = snap(3, [call('c1'), call('c2')]);
  t.equal(s.synced, true);
  t.equal(s.seq, 3);
  t.same(Object.keys(s.calls).sort(), ['c1', 'c2']);
  t.equal(s.agent?.state, 'ready');
});

t.test('deltas with a larger seq apply; equal or smaller ones are ignored', async (t) => {
  let s = snap(5);
  s = reduce(s, { type: 'call:update', data: { seq: 6, call: call('c1', { state: 'talking' }) } });
  t.equal(s.calls.c1?.state, 'talking');
  t.equal(s.seq, 6);
  const stale = reduce(s, { type: 'call:update', data: { seq: 6, call: call('c1', { state: 'held' }) } });
  t.equal(stale, s, 'a repeated seq changes nothing');
  const older = reduce(s, { type: 'agent:state', data: { seq: 4, agent: agent({ state: 'wrap-up' }) } });
  t.equal(older, s, 'an older seq changes nothing');
  s = reduce(s, { type: 'agent:state', data: { seq: 7, agent: agent({ state: 'on-call', callId: 'c1' }) } });
  t.equal(s.agent?.state, 'on-call');
});

t.test('deltas before the first snapshot, or after a disconnect, are ignored', async (t) => {
  const before = reduce(initialState, { type: 'call:update', data: { seq: 1, call: call('c9') } });
  t.equal(before, initialState);
  const s = reduce(snap(2), { type: 'disconnected' });
  t.equal(s.synced, false);
  const after = reduce(s, { type: 'call:update', data: { seq: 3, call: call('c9') } });
  t.equal(after, s, 'no delta until the reconnect snapshot');
});

t.test('a reconnect snapshot replaces all state, even with a smaller seq', async (t) => {
  let s = snap(40, [call('c1'), call('c2')]);
  s = reduce(s, { type: 'disconnected' });
  // The new connection counts from scratch: its snapshot's seq is lower than what we held.
  s = reduce(s, { type: 'snapshot', data: { seq: 1, agent: agent({ state: 'not-ready', reason: 'break' }), calls: [call('c3')] } });
  t.equal(s.synced, true);
  t.equal(s.seq, 1);
  t.same(Object.keys(s.calls), ['c3'], 'calls absent from the snapshot are gone');
  t.equal(s.agent?.reason, 'break');
  t.ok(findCall(s, 'c1'), 'a vanished call is still known for the wrap-up form');
  s = reduce(s, { type: 'call:update', data: { seq: 2, call: call('c3', { state: 'talking' }) } });
  t.equal(s.calls.c3?.state, 'talking', 'deltas of the new connection apply');
});

t.test('call:removed drops the call but remembers it briefly', async (t) => {
  let s = snap(1, [call('c1'), call('c2')]);
  s = reduce(s, { type: 'call:removed', data: { seq: 2, callId: 'c1' } });
  t.same(Object.keys(s.calls), ['c2']);
  t.equal(findCall(s, 'c1')?.id, 'c1');
  // Removing an unknown call is harmless.
  const again = reduce(s, { type: 'call:removed', data: { seq: 3, callId: 'nope' } });
  t.same(Object.keys(again.calls), ['c2']);
  t.equal(again.seq, 3);
  // The memory is bounded.
  let many = snap(1, []);
  for (let i = 0; i < 10; i++) {
    many = reduce(many, { type: 'call:update', data: { seq: 2 + 2 * i, call: call(`x${i}`) } });
    many = reduce(many, { type: 'call:removed', data: { seq: 3 + 2 * i, callId: `x${i}` } });
  }
  t.equal(many.recent.length, 5);
  t.equal(many.recent[0]?.id, 'x9', 'newest first');
});

t.test('a snapshot with no agent record is kept as null', async (t) => {
  const s = reduce(initialState, { type: 'snapshot', data: { seq: 1, agent: null, calls: [] } });
  t.equal(s.agent, null);
  t.equal(s.synced, true);
});
