import t from 'tap';
import { backoffDelay } from '../src/freeswitch/backoff.ts';
import { PendingCommands } from '../src/freeswitch/pending.ts';
import { FreeSwitchDisconnected, FreeSwitchTimeout } from '../src/freeswitch/errors.ts';
import { GAP_CAUSE, parseShowChannels, resync } from '../src/freeswitch/resync.ts';
import { CallRegistry } from '../src/calls/registry.ts';
import type { CallRecord } from '../src/calls/call-record.ts';

t.test('backoff grows exponentially to the cap, with bounded jitter', async (t) => {
  const o = { initialMs: 100, maxMs: 5000, jitter: 0.2 };
  t.same([0, 1, 2, 3, 10].map((a) => backoffDelay(a, o, () => 1)), [100, 200, 400, 800, 5000], 'no jitter drawn at random()=1');
  t.equal(backoffDelay(2, o, () => 0), 320, 'at most 20% earlier');
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(3, o);
    t.ok(d >= 640 && d <= 800, `jittered delay ${d} in range`);
  }
});

t.test('pending commands time out, and all reject at once on disconnect', async (t) => {
  const p = new PendingCommands('fs1');
  const slow = p.run<string>('api status', 50, () => {});
  await t.rejects(slow, FreeSwitchTimeout);
  let late: ((v: string) => void) | undefined;
  const a = p.run<string>('api a', 10_000, (done) => void (late = done));
  const b = p.run<string>('api b', 10_000, () => {});
  t.equal(p.size, 2);
  const started = Date.now();
  p.rejectAll('connection closed');
  await t.rejects(a, FreeSwitchDisconnected);
  await t.rejects(b, FreeSwitchDisconnected);
  t.ok(Date.now() - started < 100, 'rejected at once, not at their timeout');
  late?.('too late');
  t.equal(p.size, 0, 'a late answer is dropped');
  t.equal(await p.run<string>('api c', 1000, (done) => done('+OK')), '+OK');
});

t.test('resync closes calls that ended in the gap, keeps live ones, picks up new ones', async (t) => {
  const done: CallRecord[] = [];
  const reg = new CallRegistry({ onCompleted: (c) => void done.push(c as CallRecord) });
  const mk = (uuid: string) => ({
    type: 'channel-create' as const, node: 'fs1', uuid, seq: 1, tsUs: 1e15, direction: 'inbound' as const,
    callerNumber: '1', callerName: '', destination: '12345', context: 'public', channelName: 'x', vars: {},
  });
  reg.apply(mk('gone'));
  reg.apply(mk('alive'));
  const body = JSON.stringify({
    row_count: 2,
    rows: [
      { uuid: 'alive', direction: 'inbound', created_epoch: '1795317422', name: 'sofia/x', cid_name: '', cid_num: '1', dest: '12345', context: 'public', callstate: 'ACTIVE' },
      { uuid: 'new', direction: 'inbound', created_epoch: '1795317500', name: 'sofia/y', cid_name: '', cid_num: '2', dest: '123457', context: 'public', callstate: 'ACTIVE' },
    ],
  });
  const res = resync('fs1', parseShowChannels(body), {
    knownLegs: (node) => reg.live().filter((c) => c.node === node).flatMap((c) => c.legs.map((l) => l.uuid)),
    closeLeg: (u, ts, cause) => void reg.closeLeg(u, ts, cause),
    apply: (e) => void reg.apply(e),
  }, 2e15);
  t.same(res, { closed: ['gone'], kept: ['alive'], discovered: ['new'] });
  t.equal(done.length, 1);
  t.equal(done[0]?.hangupCause, GAP_CAUSE);
  t.same(reg.live().map((c) => c.id).sort(), ['alive', 'new']);
  t.same(parseShowChannels('{"row_count": 0}'), []);
  t.throws(() => parseShowChannels('{"row_count": 1, "rows": [{"uuid": 5}]}'), /uuid/);
});
