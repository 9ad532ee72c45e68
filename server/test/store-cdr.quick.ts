import t from 'tap';
import { Redis } from 'ioredis';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { redisKeys } from '../src/store/keys.ts';
import { CdrSink } from '../src/store/cdr-sink.ts';
import { CallStore } from '../src/store/call-store.ts';
import { buildCdr } from '../src/calls/cdr.ts';
import type { CallRecord } from '../src/calls/call-record.ts';

const call = (id: string): CallRecord => ({
  id, node: 'fs1', line: 'main', callerNumber: '13800138000', callerName: '', destination: '12345', state: 'ended',
  legs: [{ uuid: id, role: 'caller', createdUs: 1e15, endedUs: 1e15 + 5e6, lastSeq: 1 }],
  createdUs: 1e15, endedUs: 1e15 + 5e6, ivrPath: ['welcome'], flags: [], transfers: [], held: false, holdSeq: 0,
});

t.test('CDRs go to the Redis stream and the JSONL file, once per call across instances', async (t) => {
  const r = await withRedis(t);
  const a = new Redis(r.url);
  const b = new Redis(r.url);
  t.teardown(() => Promise.all([a.quit(), b.quit()]));
  const dir = await mkdtemp(path.join(tmpdir(), 'cdr-'));
  const jsonlPath = path.join(dir, 'sub', 'cdr.jsonl');
  const keys = redisKeys('t1');
  const sinkA = new CdrSink({ redis: a, keys, streamMaxLen: 1000, jsonlPath });
  const sinkB = new CdrSink({ redis: b, keys, streamMaxLen: 1000, jsonlPath });
  const cdrs = ['c1', 'c2', 'c3'].map((id) => buildCdr(call(id)));
  const results = await Promise.all(cdrs.flatMap((c) => [sinkA.write(c), sinkB.write(c)]));
  t.equal(results.filter(Boolean).length, 3, 'each call written by exactly one instance');
  await Promise.all([sinkA.flush(), sinkB.flush()]);
  const entries = await a.xrange(keys.cdrStream, '-', '+');
  t.equal(entries.length, 3);
  const first = JSON.parse(entries[0]![1][3]!);
  t.equal(first.callId, 'c1');
  t.equal(first.durationSec, 5);
  const lines = (await readFile(jsonlPath, 'utf8')).trim().split('\n');
  t.equal(lines.length, 3);
  t.same(lines.map((l) => JSON.parse(l).callId).sort(), ['c1', 'c2', 'c3']);
});

t.test('live call snapshots survive a restart and are removed on completion', async (t) => {
  const r = await withRedis(t);
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  const keys = redisKeys('t2');
  const store = new CallStore(redis, keys);
  await store.save({ ...call('x'), state: 'queued' });
  await store.save({ ...call('y'), state: 'talking' });
  const again = new CallStore(redis, keys);
  const live = await again.loadLive();
  t.same(live.map((c) => c.id).sort(), ['x', 'y']);
  t.equal(live.find((c) => c.id === 'x')?.state, 'queued');
  await again.remove('x');
  t.same((await store.loadLive()).map((c) => c.id), ['y']);
  t.ok((await redis.ttl(keys.call('y'))) > 0, 'snapshots expire if never updated');
});

t.test('key prefixes are validated', async (t) => {
  t.throws(() => redisKeys('bad prefix'), /invalid Redis key prefix/);
  t.equal(redisKeys('h').call('1'), 'h:call:1');
});
