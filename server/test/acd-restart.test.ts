// Issue "ACD", must show: SIGKILL the service with 50 callers queued, start it again: all 50 are
// still queued, in order, with their original t0, and all get answered. Queue membership lives in
// Redis, the waiting callers in the switch (the dialplan's hotline_wait extension), so nothing the
// killed process held is needed.
import t from 'tap';
import { Redis } from 'ioredis';
import { freePort } from '../../scripts/lib/free-port.ts';
import { withRedis } from '../../scripts/lib/test-redis.ts';
import { redisKeys } from '../src/store/keys.ts';
import { QueueStore } from '../src/store/queue-store.ts';
import { ESL_PASSWORD, withFsim } from './helpers/fsim.ts';
import { FsimLog } from './helpers/fsim-log.ts';
import { startServer } from './helpers/server-process.ts';
import { eventually } from './helpers/service.ts';
import { bearerAt } from './helpers/tokens.ts';

t.test('SIGKILL with 50 callers queued: after a restart all are still queued, in order, and answered', async (t) => {
  const r = await withRedis(t);
  const outboundPort = await freePort();
  const fsim = await withFsim(t, { serviceSocket: `127.0.0.1:${outboundPort}`, timeScale: 0.1 });
  const log = new FsimLog(fsim);
  t.teardown(() => log.close());
  const env = {
    HOTLINE_HTTP_PORT: '0',
    HOTLINE_LOG_LEVEL: 'info',
    HOTLINE_REDIS_URL: r.url,
    HOTLINE_FS_NODES: JSON.stringify([{ name: 'fs1', host: '127.0.0.1', port: fsim.eslPort, password: ESL_PASSWORD }]),
    HOTLINE_FS_OUTBOUND_PORT: String(outboundPort),
    HOTLINE_ACD_WRAP_UP_SEC: '0',
  };
  const redis = new Redis(r.url);
  t.teardown(() => redis.quit());
  const queues = new QueueStore(redis, redisKeys('hotline'));

  const first = startServer(env);
  t.teardown(() => first.child.kill('SIGKILL'));
  await first.listening;
  await eventually('first instance connected to the switch', () => first.logs().some((l) => l.msg === 'ESL connected'), 15_000);

  const placed: string[] = [];
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`http://127.0.0.1:${fsim.controlPort}/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: `1390000${String(i).padStart(4, '0')}`, to: '12345', profile: 'external' }),
    });
    placed.push(((await res.json()) as { uuid: string }).uuid);
  }
  const before = await eventually('50 callers queued', async () => {
    const ids = await queues.list('general');
    return ids.length === 50 && ids;
  }, 30_000);
  const t0Before = await Promise.all(before.map(async (id) => (await queues.get(id))?.t0Us));

  first.child.kill('SIGKILL');
  const exit = await first.exited;
  t.equal(exit.signal, 'SIGKILL', 'the service was killed, no graceful shutdown');
  await new Promise((res) => setTimeout(res, 300));
  t.equal(fsim.sw.listChannels().length, 50, 'the 50 callers are still on the line, waiting in the switch');

  const second = startServer(env);
  t.teardown(() => second.child.kill('SIGKILL'));
  const url = await second.listening;
  await eventually('ready', async () => (await fetch(`${url}/readyz`)).status === 200, 15_000);
  const after = await queues.list('general');
  t.same(after, before, 'all 50 still queued, in the same order');
  t.same(await Promise.all(after.map(async (id) => (await queues.get(id))?.t0Us)), t0Before, 'with their original t0');

  const admin = await bearerAt(url, 'admin');
  for (let i = 0; i < 10; i++) {
    const id = String(1000 + i);
    fsim.sw.registerUser(id, { answerAfterMs: 500, hangupAfterMs: 3000 });
    const post = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify(body) });
    t.equal((await post('/api/agents', { id, name: `坐席${id}`, phone: `user/${id}`, skills: { general: 5 } })).status, 201);
    t.equal((await post(`/api/agents/${id}/state`, { action: 'login' })).status, 200);
  }
  await eventually('all 50 answered', () => placed.every((id) => log.callers.get(id)?.answeredUs !== undefined), 60_000);
  t.pass('every caller queued before the kill was answered after the restart');
  // In queue order: nobody was offered before a caller with an earlier t0 (callers sharing one
  // 20 ms switch tick have the same t0 and may go either way).
  t.same(log.fifoViolations(), [], 'in queue order');
});
