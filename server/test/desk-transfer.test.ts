// Call commands over a real call through fsim and real Socket.IO clients: hold and resume, an
// attended transfer (consult, then complete; consult, then cancel), a blind transfer to a queue and
// to an outside number, the wrap-up filed once and POSTed (signed) to the ticket webhook, the
// agent's own figures and the repeat caller's history.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import type { Socket } from 'socket.io-client';
import type { Ack, AgentSnapshot, AgentStats, CallView, PastCall } from '../src/realtime/events.ts';
import { verifySignature } from '../src/webhook-signature.ts';
import { eventually, startHarness, type Harness } from './helpers/service.ts';
import { connected, login, mirror, socketTo, waitFor, type Mirror } from './helpers/realtime.ts';

const SECRET = 'ticket-secret-0123456789';

async function agentClient(t: { teardown(fn: () => unknown): void }, h: Harness, id: string): Promise<{ socket: Socket; m: Mirror }> {
  const socket = socketTo(t, h.service, '/agent', await login(h.service, id));
  const m = mirror(socket, '/agent');
  const snap = waitFor<AgentSnapshot>(socket, 'snapshot');
  await connected(socket);
  await snap;
  return { socket, m };
}

const send = <T extends object = object>(socket: Socket, event: string, payload: unknown, ms = 15_000): Promise<Ack<T>> =>
  socket.timeout(ms).emitWithAck(event, payload) as Promise<Ack<T>>;

/** A tiny ticket system: records what it receives. */
async function ticketSystem(t: { teardown(fn: () => unknown): void }): Promise<{ url: string; posts: { body: string; headers: Record<string, string | undefined> }[] }> {
  const posts: { body: string; headers: Record<string, string | undefined> }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      posts.push({ body, headers: req.headers as Record<string, string | undefined> });
      res.writeHead(201).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tickets`, posts };
}

/** The one live leg of an agent on the call. */
const liveLeg = (c: CallView | undefined, agentId: string) => c?.legs.find((l) => l.role === 'agent' && l.agentId === agentId && l.endedMs === undefined);

t.test('hold, attended transfer, blind transfers, wrap-up and figures', async (t) => {
  const tickets = await ticketSystem(t);
  const h = await startHarness(t, {
    timeScale: 0.1,
    env: { HOTLINE_ACD_WRAP_UP_SEC: '120', HOTLINE_DESK_TICKET_WEBHOOK_URL: tickets.url, HOTLINE_DESK_TICKET_WEBHOOK_SECRET: SECRET },
    fsimSwitch: { gateways: [{ name: 'gw_dept', numbers: { '*': { answerAfterMs: 300 } } }] },
  });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const ids = ['1001', '1002', '1003'];
  for (const id of ids) {
    h.fsim.sw.registerUser(id, { answerAfterMs: 300 });
    await calls.acd.agents.create({ id, name: `Agent ${id}`, phone: `user/${id}`, skills: { general: 5 } });
  }
  const [a1, a2, a3] = await Promise.all(ids.map((id) => agentClient(t, h, id)));
  for (const a of [a1!, a2!, a3!]) t.ok('ok' in (await send(a.socket, 'agent:set-state', { action: 'login' })));
  // Only 1001 takes the queue call; the others wait not-ready until needed.
  for (const a of [a2!, a3!]) t.ok('ok' in (await send(a.socket, 'agent:set-state', { action: 'not-ready', reason: 'training' })));

  const { uuid: callId } = (await h.control('/calls', { from: '13900000077', to: '12345', profile: 'external' })).json as { uuid: string };
  await eventually('1001 talking', () => a1!.m.calls.get(callId)?.state === 'talking', 15_000);
  t.equal(liveLeg(a1!.m.calls.get(callId), '1001')?.purpose, 'offer', 'the queue offer is marked as such');

  // Hold and resume: the caller hears music while held.
  t.same(await send(a1!.socket, 'call:hold', { callId, on: true }), { ok: true });
  await eventually('held', () => a1!.m.calls.get(callId)?.state === 'held');
  t.same(await send(a1!.socket, 'call:hold', { callId, on: false }), { ok: true });
  await eventually('resumed', () => a1!.m.calls.get(callId)?.state === 'talking');
  const foreignHold = await send(a2!.socket, 'call:hold', { callId, on: true });
  t.equal('error' in foreignHold && foreignHold.error.code, 'forbidden', "another agent cannot hold the call");

  // Attended transfer to a not-ready colleague is refused; once ready, 1002 is consulted.
  const notReady = await send(a1!.socket, 'call:transfer', { callId, mode: 'attended', target: { kind: 'agent', agentId: '1002' } });
  t.equal('error' in notReady && notReady.error.code, 'conflict', 'a not-ready colleague cannot be consulted');
  t.ok('ok' in (await send(a2!.socket, 'agent:set-state', { action: 'ready' })));
  // 1002 must not get the call from the queue meanwhile: the call is not queued, 1002 is reserved.
  const consulted = await send(a1!.socket, 'call:transfer', { callId, mode: 'attended', target: { kind: 'agent', agentId: '1002' } });
  t.same(consulted, { ok: true }, 'the consultation is connected once 1002 answers');
  const during = a1!.m.calls.get(callId)!;
  t.equal(during.state, 'held', 'the caller waits on hold during the consultation');
  t.match(during.consult, { agentId: '1001', target: { kind: 'agent', agentId: '1002' }, state: 'talking' });
  await eventually('1002 sees the call', () => liveLeg(a2!.m.calls.get(callId), '1002')?.purpose === 'consult');
  t.equal(h.fsim.sw.channels.get(callId)?.isHungUp, false, 'the caller is still there');

  t.same(await send(a1!.socket, 'call:consult', { callId, action: 'complete' }), { ok: true }, 'complete');
  await eventually('1002 talking with the caller', () => {
    const c = a2!.m.calls.get(callId);
    return c?.state === 'talking' && c.agentId === '1002' && !c.consult && !liveLeg(c, '1001');
  });
  await eventually('1001 in wrap-up', () => a1!.m.agent?.state === 'wrap-up' && a1!.m.agent.callId === callId);
  await eventually('1002 on-call', () => a2!.m.agent?.state === 'on-call' && a2!.m.agent.callId === callId);
  const caller = h.fsim.sw.channels.get(callId);
  const peer = caller?.bridgedTo ? h.fsim.sw.channels.get(caller.bridgedTo) : undefined;
  t.equal(peer?.vars.get('hotline_agent_id'), '1002', "on the switch the caller is bridged to 1002's leg");
  t.equal(calls.registry.get(callId)?.onHoldSinceUs, undefined, 'the caller is no longer counted as waiting in a transfer hold');

  // 1001 files its wrap-up: once only; it goes to the ticket system signed; 1001 is ready again.
  const wrap = await send<{ wrapUp: { id: string; category: string } }>(a1!.socket, 'call:wrap-up', { callId, category: 'consultation', summary: '咨询社保卡补办流程', ticketRef: 'WO-2026-0001' });
  t.ok('ok' in wrap && wrap.wrapUp.category === 'consultation', 'wrap-up filed');
  await eventually('1001 ready after its wrap-up', () => a1!.m.agent?.state === 'ready');
  const again = await send(a1!.socket, 'call:wrap-up', { callId, category: 'help', summary: 'twice' });
  t.equal('error' in again && again.error.code, 'conflict', 'a second wrap-up of the same call is refused');
  await eventually('ticket delivered', () => tickets.posts.length === 1);
  const post = tickets.posts[0]!;
  t.same(verifySignature(SECRET, post.headers, post.body, Date.now()), { ok: true }, 'the webhook body is signed, with its time');
  t.match(JSON.parse(post.body), { type: 'wrap-up', wrapUp: { callId, agentId: '1001', category: 'consultation', summary: '咨询社保卡补办流程', ticketRef: 'WO-2026-0001' }, call: { callerNumber: '13900000077', line: 'main' } });

  // Consult 1001 again and cancel: the caller is back with 1002.
  t.same(await send(a2!.socket, 'call:transfer', { callId, mode: 'attended', target: { kind: 'agent', agentId: '1001' } }), { ok: true });
  t.same(await send(a2!.socket, 'call:consult', { callId, action: 'cancel' }), { ok: true }, 'cancel');
  await eventually('back with 1002', () => {
    const c = a2!.m.calls.get(callId);
    return c?.state === 'talking' && !c.consult && liveLeg(c, '1002') && !liveLeg(c, '1001');
  });
  // uuid_bridge answers +OK before the legs are joined (on the real switch too), and the view is
  // back once the consultation is over, so the switch's side is waited for, not sampled.
  const bridgedAgent = (): string | undefined => {
    const back = h.fsim.sw.channels.get(callId);
    return back?.bridgedTo ? h.fsim.sw.channels.get(back.bridgedTo)?.vars.get('hotline_agent_id') : undefined;
  };
  await eventually('the switch bridged the caller back', () => bridgedAgent() !== undefined);
  t.equal(bridgedAgent(), '1002', 'the switch bridged the caller back to 1002');
  // 1001 talked during the consultation: it wraps that up too.
  await eventually('1001 in wrap-up after the consultation', () => a1!.m.agent?.state === 'wrap-up');
  t.ok('ok' in (await send(a1!.socket, 'agent:set-state', { action: 'end-wrap-up' })));

  // Consult 1001 once more, and 1002 simply hangs up: as on a desk phone, that completes the transfer.
  t.same(await send(a2!.socket, 'call:transfer', { callId, mode: 'attended', target: { kind: 'agent', agentId: '1001' } }), { ok: true });
  t.same(await send(a2!.socket, 'call:hangup', { callId }), { ok: true });
  await eventually('the caller is with 1001', () => {
    const c = a1!.m.calls.get(callId);
    return c?.state === 'talking' && c.agentId === '1001' && !c.consult && !liveLeg(c, '1002') && liveLeg(c, '1001');
  });
  await eventually('1002 in wrap-up', () => a2!.m.agent?.state === 'wrap-up');
  t.ok('ok' in (await send(a2!.socket, 'agent:set-state', { action: 'end-wrap-up' })));
  t.ok('ok' in (await send(a2!.socket, 'agent:set-state', { action: 'not-ready', reason: 'meeting' })));

  // Blind to a queue: the caller leaves 1001 and reaches 1003, the only ready agent.
  t.ok('ok' in (await send(a3!.socket, 'agent:set-state', { action: 'ready' })));
  t.same(await send(a1!.socket, 'call:transfer', { callId, mode: 'blind', target: { kind: 'queue', queue: 'general' } }), { ok: true });
  await eventually('1001 in wrap-up after the blind transfer', () => a1!.m.agent?.state === 'wrap-up');
  await eventually('1003 talking', () => a3!.m.calls.get(callId)?.state === 'talking' && a3!.m.calls.get(callId)?.agentId === '1003', 15_000);

  // Blind to an outside number (a department): the caller is bridged to the gateway leg.
  t.same(await send(a3!.socket, 'call:transfer', { callId, mode: 'blind', target: { kind: 'external', number: '057112345' } }), { ok: true });
  await eventually('caller bridged to the department', () => {
    const c = h.fsim.sw.channels.get(callId);
    const p = c?.bridgedTo ? h.fsim.sw.channels.get(c.bridgedTo) : undefined;
    return p?.name.includes('gw_dept/057112345');
  });
  await eventually('1003 in wrap-up', () => a3!.m.agent?.state === 'wrap-up');
  const record = calls.registry.get(callId)!;
  t.same(record.transfers.map((x) => [x.kind, x.from, x.to]), [
    ['attended', '1001', 'agent:1002'],
    ['attended', '1002', 'agent:1001'],
    ['queue', '1001', 'queue:general'],
    ['blind', '1003', 'number:057112345'],
  ], 'every transfer is on the call record');

  // Figures: 1001 answered one queue offer within 15 s, transferred the call twice, filed one consultation.
  const stats = await send<{ stats: AgentStats }>(a1!.socket, 'stats:get', {});
  t.ok('ok' in stats);
  if ('ok' in stats) {
    t.match(stats.stats, { offered: 1, answered: 1, answeredIn15s: 1, transfers: 1, wrapUps: { consultation: 1, help: 0 } }, "1001's figures today (a call counts once)");
    t.ok(stats.stats.talkSec >= 0);
  }

  // The citizen calls again: the screen pop's history shows the earlier call and its wrap-up.
  h.fsim.sw.hangupCall(callId, 'NORMAL_CLEARING');
  t.ok('ok' in (await send(a1!.socket, 'agent:set-state', { action: 'end-wrap-up' })));
  const { uuid: second } = (await h.control('/calls', { from: '13900000077', to: '12345', profile: 'external' })).json as { uuid: string };
  const offered = await eventually('the repeat call reaches 1001', () => a1!.m.calls.get(second), 15_000);
  t.ok(offered.flags.includes('repeat'), 'flagged as a repeat caller');
  const hist = await send<{ calls: PastCall[] }>(a1!.socket, 'caller:history', { callId: second });
  t.ok('ok' in hist && hist.calls.length === 1 && hist.calls[0]!.callId === callId && hist.calls[0]!.category === 'consultation', 'history: the earlier call with its category');
  const foreignHistory = await send(a2!.socket, 'caller:history', { callId: second });
  t.equal('error' in foreignHistory && foreignHistory.error.code, 'forbidden', "another agent cannot read this caller's history");
});

t.test('a blind transfer nobody answers: the caller is back in the queue, the call comes back, each handling gets its wrap-up', async (t) => {
  const h = await startHarness(t, { timeScale: 0.1, env: { HOTLINE_ACD_WRAP_UP_SEC: '120' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  h.fsim.sw.registerUser('1001', { answerAfterMs: 300 });
  h.fsim.sw.registerUser('1002', { neverAnswer: true });
  for (const id of ['1001', '1002']) await calls.acd.agents.create({ id, name: `Agent ${id}`, phone: `user/${id}`, skills: { general: 5 } });
  const [a1, a2] = await Promise.all(['1001', '1002'].map((id) => agentClient(t, h, id)));
  t.ok('ok' in (await send(a1!.socket, 'agent:set-state', { action: 'login' })));
  t.ok('ok' in (await send(a2!.socket, 'agent:set-state', { action: 'login' })));
  t.ok('ok' in (await send(a2!.socket, 'agent:set-state', { action: 'not-ready', reason: 'break' })));

  const { uuid: callId } = (await h.control('/calls', { from: '13900000088', to: '12345', profile: 'external' })).json as { uuid: string };
  await eventually('1001 talking', () => a1!.m.calls.get(callId)?.state === 'talking', 15_000);
  t.ok('ok' in (await send(a2!.socket, 'agent:set-state', { action: 'ready' })));
  const missed = await send(a1!.socket, 'call:transfer', { callId, mode: 'blind', target: { kind: 'agent', agentId: '1002' } }, 30_000);
  t.match(missed, { error: { code: 'conflict', message: /did not answer.*back in the queue/ } }, 'the ack says the target did not answer');
  await eventually('1002 not ready after ringing out', async () => (await calls.acd.agents.get('1002'))?.reason === 'ring-no-answer');
  t.equal(calls.registry.get(callId)?.state, 'queued', 'the caller waits in the queue again');
  t.equal(h.fsim.sw.channels.get(callId)?.isHungUp, false, 'the caller is still there');

  // 1001 files the first handling's wrap-up and is ready: the call comes back to it.
  t.ok('ok' in (await send(a1!.socket, 'call:wrap-up', { callId, category: 'help', summary: '转接未接通' })));
  await eventually('the call is back with 1001', () => a1!.m.agent?.state === 'on-call' && a1!.m.calls.get(callId)?.state === 'talking', 15_000);
  const early = await send(a1!.socket, 'call:wrap-up', { callId, category: 'help', summary: 'during the call' });
  t.equal('error' in early && early.error.code, 'conflict', 'no wrap-up while still on the call');
  t.same(await send(a1!.socket, 'call:hangup', { callId }), { ok: true });
  await eventually('1001 in wrap-up again', () => a1!.m.agent?.state === 'wrap-up');
  t.ok('ok' in (await send(a1!.socket, 'call:wrap-up', { callId, category: 'consultation', summary: '第二次处理' })), 'the second handling has its own wrap-up');
  t.equal(await h.redis.xlen('hotline:desk:wrapups'), 2);
  await eventually('1001 ready', () => a1!.m.agent?.state === 'ready');
});
