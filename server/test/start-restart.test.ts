// `npm start` runs Redis, fsim and the service as their own processes: restarting the service
// alone (SIGHUP to the launcher) keeps every waiting caller, in order, and they are then answered
// in that order. Ctrl-C (SIGINT) then stops the service first, fsim and Redis after it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { startLauncher } from './helpers/launcher.ts';

interface QueuesBody {
  queues: { name: string; classes: { calls: { callId: string }[] }[] }[];
}

const waiting = (body: QueuesBody, queue: string): string[] => body.queues.find((q) => q.name === queue)?.classes.flatMap((c) => c.calls.map((x) => x.callId)) ?? [];

t.test('restarting the service alone keeps 5 waiting callers in order; then they are answered in order', async (t) => {
  const l = await startLauncher(t, { HOTLINE_DEMO_TRAFFIC: '0', HOTLINE_ACD_WRAP_UP_SEC: '0' });
  const admin = await l.login('admin');
  t.equal((await l.api(admin, 'POST', '/api/agents', { id: '2001', name: 'Test', phone: 'user/2001', skills: { general: 5 } })).status, 201);

  const placed: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${l.controlUrl}/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: `1381000000${i}`, to: '12345', profile: 'external' }) });
    placed.push(((await res.json()) as { uuid: string }).uuid);
    await new Promise((r) => setTimeout(r, 400));
  }
  const queued = async (): Promise<string[]> => waiting((await l.api<QueuesBody>(admin, 'GET', '/api/queues')).json, 'general');
  const until = async (what: string, f: () => Promise<boolean>, ms: number): Promise<void> => {
    const end = Date.now() + ms;
    while (!(await f().catch(() => false))) {
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await until('5 callers queued', async () => (await queued()).length === 5, 30_000);
  const before = await queued();
  t.same([...before].sort(), [...placed].sort(), 'the 5 callers wait in general');

  const mark = l.output().length;
  process.kill(l.child.pid, 'SIGHUP');
  await l.waitFor('the service is back', 60_000, mark);
  t.ok(l.output().slice(mark).includes('restarting the service alone'), 'the launcher restarted the service');
  const admin2 = await l.login('admin');
  t.same(await (async () => waiting((await l.api<QueuesBody>(admin2, 'GET', '/api/queues')).json, 'general'))(), before, 'after the restart: all 5 still waiting, same order');
  const channels = (await (await fetch(`${l.controlUrl}/channels`)).json()) as unknown;
  for (const uuid of placed) t.ok(JSON.stringify(channels).includes(uuid), `caller ${uuid.slice(0, 8)} still on the switch`);

  // An agent arrives: the callers are answered, first come first served.
  await fetch(`${l.controlUrl}/users/2001`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answerAfterMs: 200, hangupAfterMs: 400 }) });
  t.equal((await l.api(admin2, 'POST', '/api/agents/2001/state', { action: 'login' })).status, 200);
  const cdrs = async (): Promise<{ callId: string; outcome: string; connectedAt: string }[]> =>
    (await readFile(path.join(l.dataDir, 'cdr.jsonl'), 'utf8')).trim().split('\n').map((x) => JSON.parse(x) as { callId: string; outcome: string; connectedAt: string });
  await until('5 answered calls', async () => (await cdrs()).filter((c) => c.outcome === 'answered').length === 5, 60_000);
  const answered = (await cdrs()).filter((c) => c.outcome === 'answered').sort((a, b) => a.connectedAt.localeCompare(b.connectedAt));
  t.same(answered.map((c) => c.callId), before, 'answered in the order they waited');

  const stopMark = l.output().length;
  const started = Date.now();
  process.kill(l.child.pid, 'SIGINT');
  const code = await l.child.exited;
  t.equal(code, 0, 'Ctrl-C: the launcher exits 0');
  const tail = l.output().slice(stopMark);
  t.ok(tail.indexOf('stopping the service') < tail.indexOf('stopping fsim and Redis'), 'the service stops first, then fsim and Redis');
  t.notMatch(tail, /ECONNREFUSED/, 'no connection errors while stopping');
  t.ok(Date.now() - started < 10_000, `stopped in ${Date.now() - started} ms`);
});

t.test('without redis-server, npm start says what to install instead of a spawn stack trace', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: { ...process.env, PATH: '/nonexistent', HOTLINE_DEMO_BUILD: '0', HOTLINE_REDIS_URL: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(res.status, 1, 'exits 1');
  t.match(res.stderr, /redis-server is not installed[\s\S]*sudo apt-get install -y redis-server/, 'names the apt-get line');
  t.notMatch(res.stderr, /ENOENT|at .*\.ts:\d+/, 'no stack trace');
});
