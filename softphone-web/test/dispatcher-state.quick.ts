// The dispatcher console's state: a snapshot replaces every handoff held, `handoff:update` replaces
// one, call deltas change nothing it shows; and its words exist in both languages with the same
// placeholders.
import t from 'tap';
import type { Handoff } from '../../server/src/handoff/handoff.ts';
import { applyDispatcher, type DispatcherState } from '../src/dispatcher/connection.ts';
import { dispatcherEn, dispatcherZh } from '../src/dispatcher/messages.ts';

const handoff = (id: string, state: Handoff['state']): Handoff => ({
  id, partner: '110', direction: 'in', caseId: `C-${id}`, callerNumber: '13800000000', category: '咨询', summary: 's', location: '', dispatcherName: 'w', dispatcherCallback: '110', by: 'dispatcher:d', createdMs: 1, state,
});

t.test('snapshot, deltas, reconnect', async (t) => {
  const s: DispatcherState = { handoffs: new Map(), snapshots: 0, seq: 0 };
  t.ok(applyDispatcher(s, 'snapshot', { seq: 1, calls: [], handoffs: [handoff('a', 'queued'), handoff('b', 'ended')] }));
  t.same([...s.handoffs.keys()], ['a', 'b']);
  t.ok(applyDispatcher(s, 'handoff:update', { seq: 2, handoff: handoff('a', 'ringing') }));
  t.equal(s.handoffs.get('a')?.state, 'ringing');
  t.ok(applyDispatcher(s, 'handoff:update', { seq: 3, handoff: handoff('c', 'announced') }), 'a new one is added');
  t.notOk(applyDispatcher(s, 'call:update', { seq: 4, call: {} }), 'call deltas are not what the console draws');
  t.equal(s.seq, 3);
  applyDispatcher(s, 'snapshot', { seq: 9, calls: [], handoffs: [handoff('a', 'answered')] });
  t.same([...s.handoffs.values()].map((h) => h.state), ['answered'], 'a reconnect snapshot replaces everything');
  t.equal(s.snapshots, 2);
});

t.test('both languages, same placeholders', async (t) => {
  const names = (x: string) => [...x.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const k of Object.keys(dispatcherZh) as (keyof typeof dispatcherZh)[]) t.same(names(dispatcherEn[k]), names(dispatcherZh[k]), k);
});
