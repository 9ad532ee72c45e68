import t from 'tap';
import { Redis } from 'ioredis';
import { startTestRedis, withRedis } from '../test-redis.ts';

t.test('withRedis gives a real, empty, writable Redis', async (t) => {
  const redis = await withRedis(t);
  t.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  t.teardown(() => client.quit());
  t.equal(await client.dbsize(), 0, 'starts empty');
  await client.set('k', 'v');
  t.equal(await client.get('k'), 'v');
  const info = await client.info('server');
  t.match(info, /redis_version:/, 'it is a real redis-server');
});

t.test('two test servers are independent and stop cleanly', async (t) => {
  const a = await startTestRedis();
  const b = await startTestRedis();
  t.not(a.url, b.url);
  const ca = new Redis(a.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  await ca.set('only-in-a', '1');
  const cb = new Redis(b.url);
  t.equal(await cb.get('only-in-a'), null);
  await cb.quit();
  ca.disconnect();
  await a.stop();
  await b.stop();
  const after = new Redis(a.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  after.on('error', () => {});
  await t.rejects(after.connect(), 'stopped server refuses connections');
  after.disconnect();
});

t.test('HOTLINE_TEST_REDIS_URL is used as is', async (t) => {
  const r = await startTestRedis({ HOTLINE_TEST_REDIS_URL: 'redis://127.0.0.1:1' });
  t.equal(r.source, 'env');
  t.equal(r.url, 'redis://127.0.0.1:1');
});
