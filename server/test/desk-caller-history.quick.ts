// Issue 10: callers without a number (withheld, "anonymous", empty, zeros) used to share one caller
// history and one "seen before" marker: an agent's screen pop showed other people's calls and
// their wrap-ups, and every anonymous caller after the first was served as a repeat caller. Now
// only a number keys a history. Real Redis.
import t from 'tap';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { callerKey } from '../src/calls/caller-number.ts';
import { DeskStore, type StoredWrapUp } from '../src/store/desk-store.ts';
import { redisKeys } from '../src/store/keys.ts';
import { QueueStore } from '../src/store/queue-store.ts';
import { connect, freshPrefix } from './helpers/acd-agents.ts';

const NO_NUMBER = ['', ' ', 'anonymous', 'Anonymous', 'unknown', 'private', '0000000000', '+000', 'sip:anonymous@anonymous.invalid'];

t.test('callerKey: only digits (with an optional +) name a caller', async (t) => {
  for (const n of NO_NUMBER) t.equal(callerKey(n), undefined, JSON.stringify(n));
  for (const n of ['13812345678', '+8613812345678', '110', '057112345']) t.equal(callerKey(n), n);
});

t.test('no shared history and no shared repeat marker for callers without a number', async (t) => {
  const { url } = await withRedis(t);
  const redis = connect(t, url);
  const keys = redisKeys(freshPrefix());
  const desk = new DeskStore(redis, keys);
  const queues = new QueueStore(redis, keys);
  const wrapUp = (callId: string): StoredWrapUp => ({ id: `w-${callId}`, callId, agentId: '1001', category: 'complaint', summary: `私人投诉 ${callId}`, atMs: 1 });

  for (const [i, number] of NO_NUMBER.entries()) {
    t.ok(await desk.fileWrapUp(wrapUp(`anon${i}`), 1, { callId: `anon${i}`, callerNumber: number, line: 'main', createdMs: i }), 'the wrap-up is still filed');
  }
  for (const number of NO_NUMBER) t.same(await desk.history(number), [], `${JSON.stringify(number)}: no history to show`);
  t.same(await redis.keys(keys.callerHistory('*')), [], 'no history list was written for them');
  t.equal(await redis.xlen(keys.wrapUpStream), NO_NUMBER.length, 'every wrap-up is in the stream');

  for (const number of NO_NUMBER) {
    t.equal(await queues.seenBefore(number), false, `${JSON.stringify(number)} first call`);
    t.equal(await queues.seenBefore(number), false, `${JSON.stringify(number)} again: still not a repeat caller`);
  }

  // A caller with a number keeps its own history and repeat status.
  await desk.fileWrapUp(wrapUp('n1'), 1, { callId: 'n1', callerNumber: '13900000001', line: 'main', createdMs: 5 });
  t.match(await desk.history('13900000001', 'n2'), [{ callId: 'n1', category: 'complaint' }]);
  t.same(await desk.history('13900000002'), [], 'nobody else sees it');
  t.equal(await queues.seenBefore('13900000001'), false);
  t.equal(await queues.seenBefore('13900000001'), true, 'a numbered caller is a repeat caller the second time');
});
