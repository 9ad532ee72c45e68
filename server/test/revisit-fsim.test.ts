// Revisit calls end to end over fsim and a real Redis, two service instances on one switch: a task
// created over REST is offered to a ready agent with the revisit skill (once, by one instance),
// the preview call rings the agent's phone first, then the citizen through the carrier, and
// bridges them; the outcome closes the task or (not reached) schedules the retry at the right
// time; the ticket system's signed request creates a task; the due-claim never hands one task out
// twice under concurrent claims.
import t from 'tap';
import type { Socket } from 'socket.io-client';
import type { RevisitCard, RevisitTask } from '../src/realtime/revisit-events.ts';
import { RevisitStore } from '../src/store/revisit-store.ts';
import { redisKeys } from '../src/store/keys.ts';
import { signatureHeaders } from '../src/webhook-signature.ts';
import { eventually, startHarness, startSecondInstance, type Harness } from './helpers/service.ts';
import { connected, login, socketTo } from './helpers/realtime.ts';
import { bearer } from './helpers/tokens.ts';

const REACHABLE = '13800000001';
const BUSY = '13800000002';
// The citizen who answers talks until the test hangs up; the busy one refuses at once.
const GATEWAYS = { gateways: [{ name: 'gw_carrier', numbers: { [REACHABLE]: { answerAfterMs: 400 }, [BUSY]: { rejectCause: 'USER_BUSY' }, '*': { answerAfterMs: 400 } } }] };
const SECRET = 'ticket-shared-secret-0123456789';
const ENV = {
  HOTLINE_REVISIT_HOURS: '["00:00-24:00"]',
  HOTLINE_REVISIT_RETRY_AFTER_MIN: '30',
  HOTLINE_REVISIT_MAX_ATTEMPTS: '3',
  // Long enough that the agent is still in wrap-up when it records the outcome.
  HOTLINE_ACD_WRAP_UP_SEC: '120',
  HOTLINE_DESK_TICKET_WEBHOOK_SECRET: SECRET,
};

type Ack<T> = ({ ok: true } & T) | { error: { code: string; message: string } };
const send = async <T extends object = object>(socket: Socket, event: string, payload: unknown): Promise<T> => {
  const a = (await socket.timeout(10_000).emitWithAck(event, payload)) as Ack<T>;
  if ('error' in a) throw new Error(`${event}: ${a.error.code} ${a.error.message}`);
  return a;
};

async function createTask(h: Harness, number: string, summary: string): Promise<RevisitTask> {
  const res = await h.service.app.inject({ method: 'POST', url: '/api/revisits', headers: await bearer(h.service.auth, 'supervisor'), payload: { number, summary } });
  if (res.statusCode !== 201) throw new Error(`create: ${res.statusCode} ${res.body}`);
  return res.json() as RevisitTask;
}

t.test('preview dialing: offered once, agent first, then the citizen, bridged; outcomes and retries', async (t) => {
  const h = await startHarness(t, { timeScale: 0.1, fsimSwitch: GATEWAYS, env: ENV });
  const second = await startSecondInstance(t, h);
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected && second.calls?.nodeStatus()[0]?.connected);
  h.fsim.sw.registerUser('1001', { answerAfterMs: 300 });
  await calls.acd.agents.create({ id: '1001', name: '王芳', phone: 'user/1001', skills: { general: 5, revisit: 5 } });
  const socket = socketTo(t, h.service, '/agent', await login(h.service, '1001'));
  const cards: (RevisitCard | null)[] = [];
  socket.on('revisit:update', (d: { card: RevisitCard | null }) => void cards.push(d.card));
  await connected(socket);

  // Bad input is refused and creates nothing.
  const sup = await bearer(h.service.auth, 'supervisor');
  const bad = await h.service.app.inject({ method: 'POST', url: '/api/revisits', headers: sup, payload: { number: '1380000;bgapi', summary: 'x' } });
  t.equal(bad.statusCode, 400, 'a number that is not a number: 400');
  const agentTry = await h.service.app.inject({ method: 'POST', url: '/api/revisits', headers: await bearer(h.service.auth, '1001'), payload: { number: REACHABLE, summary: 'x' } });
  t.equal(agentTry.statusCode, 403, 'an agent may not create revisits');

  const created = await createTask(h, REACHABLE, '投诉：小区噪音，已转环保局处理');
  t.equal(created.number, '138****0001', 'the REST answer masks the number');
  t.equal(created.state, 'pending');

  await calls.acd.agents.apply('1001', { type: 'login' }, 'test');
  calls.acd.agentBecameReady('1001');
  const offered = await eventually('offered to 1001', async () => {
    const task = await calls.revisits.get(created.id);
    return task?.state === 'offered' && task;
  }, 15_000);
  t.equal(offered.agentId, '1001');
  const agent = await calls.acd.agents.get('1001');
  t.match(agent, { state: 'reserved', callId: `revisit-${created.id}` }, 'the agent is reserved for the revisit: the ACD offers it no queue call');
  // Both instances review every second: let a few pass, then count the offers.
  await new Promise((r) => setTimeout(r, 2500));
  const audit = await new RevisitStore(h.redis, redisKeys('hotline')).auditOf(created.id);
  t.equal(audit.filter((e) => e.action === 'offer').length, 1, 'offered once, by one of the two instances');

  const { card } = await send<{ card: RevisitCard }>(socket, 'revisit:current', {});
  t.equal(card.task.number, REACHABLE, 'the agent sees the whole number');
  t.equal(card.task.summary, '投诉：小区噪音，已转环保局处理');

  const order: string[] = [];
  h.fsim.sw.onEndpointEvent((ev) => void (ev.type === 'answered' && order.push(ev.uuid)));
  const { agentLeg } = await send<{ agentLeg: string }>(socket, 'revisit:call', { taskId: created.id });
  const talking = await eventually('talking', () => cards.find((c) => c?.task.id === created.id && c.phase === 'talking'), 20_000);
  const agentCh = h.fsim.sw.listChannels().find((c) => c.uuid === agentLeg);
  t.ok(agentCh?.bridgedTo, 'the agent leg is bridged');
  const citizen = h.fsim.sw.listChannels().find((c) => c.uuid === agentCh?.bridgedTo);
  t.match(citizen?.name, /gw_carrier\/13800000001/, 'to the citizen through the carrier gateway');
  t.equal(order[0], agentLeg, "the agent's phone answered first");
  t.equal(order[1], citizen?.uuid, 'then the citizen');
  t.equal(talking?.agentLeg, agentLeg);
  await eventually('agent on-call', async () => (await calls.acd.agents.get('1001'))?.state === 'on-call', 5000);
  await t.rejects(send(socket, 'revisit:outcome', { taskId: created.id, outcome: 'resolved' }), /still on/, 'no outcome while talking');

  await h.control(`/calls/${citizen!.uuid}/hangup`, { cause: 'NORMAL_CLEARING' });
  await eventually('agent in wrap-up', async () => (await calls.acd.agents.get('1001'))?.state === 'wrap-up', 10_000);
  await eventually('card ended', () => cards.some((c) => c?.task.id === created.id && c.phase === 'ended'), 5000);
  await send(socket, 'revisit:outcome', { taskId: created.id, outcome: 'resolved', note: '市民表示满意' });
  const done = await calls.revisits.get(created.id);
  t.match(done, { state: 'done', outcome: 'resolved', attempts: 1 }, 'resolved closes the task');
  t.match(done?.history, [{ agentId: '1001', reached: true, outcome: 'resolved', note: '市民表示满意' }]);
  await eventually('agent ready again', async () => (await calls.acd.agents.get('1001'))?.state === 'ready', 5000);

  // Not reached: the retry is due retryAfterMin later (calling hours are all day here).
  const busy = await createTask(h, BUSY, '回访：道路维修进度');
  await eventually('second offered', async () => (await calls.revisits.get(busy.id))?.state === 'offered', 15_000);
  await send(socket, 'revisit:call', { taskId: busy.id });
  const ended = await eventually('citizen not reached', () => cards.find((c) => c?.task.id === busy.id && c.phase === 'ended'), 20_000);
  t.equal(ended?.cause, 'USER_BUSY', 'the card says why');
  await eventually('agent in wrap-up', async () => (await calls.acd.agents.get('1001'))?.state === 'wrap-up', 10_000);
  const before = Date.now();
  await send(socket, 'revisit:outcome', { taskId: busy.id, outcome: 'not-reached' });
  const after = Date.now();
  const retry = await calls.revisits.get(busy.id);
  t.equal(retry?.state, 'pending', 'not reached: back in the list');
  t.equal(retry?.attempts, 1);
  t.ok(retry!.dueMs >= before + 30 * 60_000 && retry!.dueMs <= after + 30 * 60_000, `due 30 minutes after the outcome (${retry!.dueMs - before} ms)`);
  t.equal(retry?.agentId, undefined, 'no longer anyone\'s');
  await eventually('agent ready', async () => (await calls.acd.agents.get('1001'))?.state === 'ready', 5000);
  await new Promise((r) => setTimeout(r, 1500));
  t.equal((await calls.revisits.get(busy.id))?.state, 'pending', 'not offered again before its time');

  const fig = await h.service.app.inject({ method: 'GET', url: '/api/revisits/figures', headers: await bearer(h.service.auth, 'ops') });
  t.match(fig.json(), { created: 2, attempted: 2, reached: 1, resolved: 1, notResolved: 0, notReached: 1, refused: 0, meanAttempts: 1 }, 'figures of the day');
  const csv = await h.service.app.inject({ method: 'GET', url: '/api/revisits/figures?format=csv', headers: await bearer(h.service.auth, 'ops') });
  t.match(csv.body, /^\uFEFFday,created,attempted,reached,resolved,not_resolved,not_reached,refused,mean_attempts\r\n\d{4}-\d{2}-\d{2},2,2,1,1,0,1,0,1\r\n$/, 'CSV');
  const list = await h.service.app.inject({ method: 'GET', url: '/api/revisits?state=pending', headers: sup });
  t.same((list.json() as { revisits: RevisitTask[] }).revisits.map((r) => [r.id, r.number]), [[busy.id, '138****0002']], 'filtered list, numbers masked');
  socket.disconnect();
});

t.test('the ticket system creates a revisit with a signed request', async (t) => {
  const h = await startHarness(t, { timeScale: 0.1, env: ENV });
  const body = JSON.stringify({ number: REACHABLE, summary: '工单回访', ticketId: 'GD-2026-0001' });
  const post = (headers: Record<string, string>, payload = body) => h.service.app.inject({ method: 'POST', url: '/webhooks/ticket-system/revisits', headers: { 'content-type': 'application/json', ...headers }, payload });
  t.equal((await post({})).statusCode, 401, 'unsigned: 401');
  t.equal((await post(signatureHeaders('another-secret-0123456789', body, Date.now()))).statusCode, 401, 'wrong secret: 401');
  t.equal((await post(signatureHeaders(SECRET, body, Date.now() - 3_600_000))).statusCode, 401, 'an hour-old signature: 401');
  t.equal((await post(signatureHeaders(SECRET, body, Date.now()), body.replace('工单', '改单'))).statusCode, 401, 'a body changed after signing: 401');
  const ok = await post(signatureHeaders(SECRET, body, Date.now()));
  t.equal(ok.statusCode, 201, ok.body);
  t.match(ok.json(), { reason: 'ticket', ticketId: 'GD-2026-0001', by: 'ticket-system', number: '138****0001' });
  const list = await h.service.app.inject({ method: 'GET', url: '/api/revisits', headers: await bearer(h.service.auth, 'supervisor') });
  t.equal((list.json() as { revisits: unknown[] }).revisits.length, 1, 'exactly one task');
});

t.test('two stores claiming due tasks at once never get the same task', async (t) => {
  const h = await startHarness(t, { timeScale: 0.1, env: ENV });
  const { Redis } = await import('ioredis');
  const keys = redisKeys('claimtest');
  const a = new Redis(h.config.redis.url!);
  const b = new Redis(h.config.redis.url!);
  t.teardown(() => Promise.all([a.quit(), b.quit()]));
  const sa = new RevisitStore(a, keys);
  const sb = new RevisitStore(b, keys);
  const now = Date.now();
  for (let i = 0; i < 40; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    await sa.create({ id, number: REACHABLE, reason: 'requested', summary: 's', createdMs: now, dueMs: now - i, deadlineMs: now + 3_600_000, attempts: 0, state: 'pending', history: [], by: 'test', rev: 1 }, '2026-12-07');
  }
  const claims = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? sa : sb).claimDue(now)));
  const got = claims.filter((c): c is string => c !== undefined);
  t.equal(got.length, 40, 'every due task claimed');
  t.equal(new Set(got).size, 40, 'none twice');
});
