// The control API as the softphone's simulated phone uses it from a browser page on another
// origin: CORS (preflight and headers on every JSON answer), and the endpoint feed of a registered
// phone - an ESL `bgapi originate ... user/1001 &park()` rings it (ringing, to 1001), the page
// answers it (POST /calls/<uuid>/answer: answered), and the hangup is reported.
import t from 'tap';
import { WebSocket } from 'ws';
import { startFsim } from '../src/fsim.ts';
import { EslTestClient } from './helpers/esl-test-client.ts';
import { CAPTURE_DIALPLAN } from './helpers/replay.ts';

const ORIGIN = 'http://softphone.example:5173';

async function mk(t: { teardown(fn: () => unknown): void }, timeScale = 0.05): Promise<{ base: string; eslPort: number; uuidCount: () => number }> {
  const fsim = await startFsim({
    esl: { port: 0, password: 'ClueCon' },
    control: { port: 0 },
    dialplan: { files: [CAPTURE_DIALPLAN] },
    timeScale,
    switch: { heartbeatSec: 0 },
  });
  t.teardown(() => fsim.close());
  return { base: `http://127.0.0.1:${fsim.controlPort ?? 0}`, eslPort: fsim.eslPort, uuidCount: () => fsim.sw.liveCount() };
}

t.test('CORS: preflight answered with 204, every JSON answer allows any origin', async (t) => {
  const { base } = await mk(t);
  const pre = await fetch(`${base}/users/1001`, {
    method: 'OPTIONS',
    headers: { origin: ORIGIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
  });
  t.equal(pre.status, 204);
  t.equal(pre.headers.get('access-control-allow-origin'), '*');
  t.equal(pre.headers.get('access-control-allow-methods'), 'GET,POST,PUT,DELETE,OPTIONS');
  t.equal(pre.headers.get('access-control-allow-headers'), 'content-type');
  t.equal(await pre.text(), '', 'no body');
  // Any path: the browser preflights before it knows whether the route exists.
  t.equal((await fetch(`${base}/calls/x/answer`, { method: 'OPTIONS' })).status, 204);
  for (const [method, path, body, status] of [
    ['GET', '/health', undefined, 200],
    ['PUT', '/users/1001', '{"manual":true}', 200],
    ['POST', '/calls/00000000-0000-4000-8000-000000000000/answer', undefined, 404],
    ['GET', '/no/such/route', undefined, 404],
    ['PUT', '/users/1001', '{"manual":', 400],
  ] as const) {
    const r = await fetch(`${base}${path}`, { method, headers: { origin: ORIGIN, 'content-type': 'application/json' }, ...(body ? { body } : {}) });
    t.equal(r.status, status, `${method} ${path}`);
    t.equal(r.headers.get('access-control-allow-origin'), '*', `${method} ${path}: allow-origin`);
    t.equal(r.headers.get('content-type'), 'application/json');
    await r.text();
  }
});

t.test('originate to user/1001 rings the registered manual phone: ringing, answered, hangup on /events?user=1001', async (t) => {
  const { base, eslPort, uuidCount } = await mk(t);
  const reg = await fetch(`${base}/users/1001`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"manual":true}' });
  t.equal(reg.status, 200);
  const feed: Record<string, unknown>[] = [];
  const other: Record<string, unknown>[] = [];
  const open = (user: string, into: Record<string, unknown>[]): Promise<WebSocket> => new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/events?user=${user}`, { headers: { origin: ORIGIN } });
    ws.on('message', (d) => into.push(JSON.parse(String(d)) as Record<string, unknown>));
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
  const ws = await open('1001', feed);
  const ws2 = await open('1002', other);
  t.teardown(() => { ws.terminate(); ws2.terminate(); });
  const waitFeed = async (type: string): Promise<Record<string, unknown> | undefined> => {
    for (let i = 0; i < 500 && !feed.some((e) => e.type === type); i++) await new Promise((r) => setTimeout(r, 5));
    return feed.find((e) => e.type === type);
  };

  const esl = await EslTestClient.connect(eslPort);
  t.teardown(() => esl.close());
  await esl.next();
  await esl.command('auth ClueCon');
  const uuid = '10010000-0000-4000-8000-000000000001';
  const job = await esl.command(`bgapi originate {origination_uuid=${uuid}}user/1001 &park()`);
  t.match(job.header('Reply-Text'), /^\+OK Job-UUID: /);

  const ringing = await waitFeed('ringing');
  t.match(ringing, { type: 'ringing', uuid, to: '1001' }, 'the phone of 1001 rings with the originate uuid');
  // The manual phone does not answer by itself.
  await new Promise((r) => setTimeout(r, 100));
  t.notOk(feed.some((e) => e.type === 'answered'), 'no answer before the page answers');

  const ans = await fetch(`${base}/calls/${uuid}/answer`, { method: 'POST', headers: { origin: ORIGIN } });
  t.equal(ans.status, 200);
  t.equal(ans.headers.get('access-control-allow-origin'), '*');
  t.same(await waitFeed('answered'), { type: 'answered', uuid });

  const api = await esl.command(`api uuid_kill ${uuid}`);
  t.equal(api.body, '+OK\n');
  t.match(await waitFeed('hangup'), { type: 'hangup', uuid, cause: 'NORMAL_CLEARING' });
  t.same(feed.map((e) => e.type), ['ringing', 'answered', 'hangup'], 'only the events of this call (no bridge, no media), in order');
  t.same(other, [], 'another user\'s feed sees none of it');
  for (let i = 0; i < 200 && uuidCount() > 0; i++) await new Promise((r) => setTimeout(r, 5));
  t.equal(uuidCount(), 0);
});

// Found by the revisit browser test: the ringing event goes out with the INVITE, the 180 follows
// 20 ms later, and a page that answered inside those 20 ms found no manual handler yet, so the
// originate waited for its timeout. A phone may answer before it sends a 180 (a 200 with no 180
// is valid SIP): the originate then succeeds at once.
t.test('a manual phone that answers the instant it rings (before its 180) answers the originate', async (t) => {
  const { base, eslPort } = await mk(t, 1);
  await fetch(`${base}/users/1001`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"manual":true}' });
  const answers: Promise<number>[] = [];
  const ws = await new Promise<WebSocket>((resolve, reject) => {
    const w = new WebSocket(`${base.replace('http', 'ws')}/events?user=1001`);
    w.on('message', (d) => {
      const ev = JSON.parse(String(d)) as { type: string; uuid: string };
      if (ev.type === 'ringing') answers.push(fetch(`${base}/calls/${ev.uuid}/answer`, { method: 'POST' }).then((r) => r.status));
    });
    w.once('open', () => resolve(w));
    w.once('error', reject);
  });
  t.teardown(() => ws.terminate());
  const esl = await EslTestClient.connect(eslPort);
  t.teardown(() => esl.close());
  await esl.next();
  await esl.command('auth ClueCon');
  await esl.command('event plain BACKGROUND_JOB');
  const started = Date.now();
  await esl.command('bgapi originate {origination_uuid=10010000-0000-4000-8000-000000000002,originate_timeout=5}user/1001 &park()');
  const job = await esl.waitFor((m) => m.header('Content-Type') === 'text/event-plain' && /BACKGROUND_JOB/.test(m.raw), 6000);
  t.match(job.body, /\n\+OK 10010000-0000-4000-8000-000000000002/, 'the originate succeeded');
  t.ok(Date.now() - started < 2000, `answered at once, not at the 5 s timeout (${Date.now() - started} ms)`);
  t.same(await Promise.all(answers), [200], 'the early answer was accepted');
});
