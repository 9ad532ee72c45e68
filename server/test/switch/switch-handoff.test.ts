// Issue #12 on the real FreeSWITCH and on fsim: a call 110 pre-announced arrives through the 110
// gateway while five ordinary callers have waited longer. It is offered first (the switch's own
// events say which call the first agent leg was for); the agent's screen pop (its /agent feed)
// shows the case; the dispatcher's /dispatcher feed follows it through queued, ringing, answered
// and ended, then the outcome from the agent's wrap-up; the partner's test receiver gets the
// outcome webhook, signed. A 119 dispatcher hears nothing of it. The console itself in Chromium:
// dispatcher-browser.test.ts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import type { Handoff } from '../../src/handoff/handoff.ts';
import type { CallView } from '../../src/realtime/events.ts';
import { verifySignature } from '../../src/webhook-signature.ts';
import { connected, login, socketTo } from '../helpers/realtime.ts';
import { bearer } from '../helpers/tokens.ts';
import { switchSuite } from './helpers/suite.ts';
import { sleep, until } from './helpers/world.ts';

const suite = switchSuite(t);
const SECRET = 'outcome-secret-0123456789';
const CASE = 'JJ20261206-0101';

/** The partner's system: records each POST. Started at load so the world's settings can name it. */
const received: { headers: Record<string, string | undefined>; body: string }[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString('utf8')));
  req.on('end', () => {
    received.push({ headers: req.headers as Record<string, string | undefined>, body });
    res.end('ok');
  });
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
t.teardown(() => new Promise((r) => receiver.close(r)));
const partners = [
  { id: '110', name: '公安110', line: 'from110', caseIdVariable: 'hotline_110_case_id', gateway: 'gw_110', number: '110', outcomeWebhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/outcome`, outcomeWebhookSecret: SECRET },
  { id: '119', name: '消防119', line: 'from119', preAnnounce: false, gateway: 'gw_119', number: '119' },
];

suite.scenario('a pre-announced 110 call is offered before five longer-waiting callers and followed to its signed outcome', async (t, w) => {
  received.length = 0;
  const app = w.service.app;
  const dispatcher = await bearer(w.service.auth, 'dispatcher');
  const states: string[] = [];
  const live = socketTo(t, w.service, '/dispatcher', await login(w.service, 'dispatcher'));
  const other = socketTo(t, w.service, '/dispatcher', await login(w.service, 'dispatcher119'));
  const heard119: unknown[] = [];
  live.on('handoff:update', (m: { handoff: Handoff }) => m.handoff.caseId === CASE && states[states.length - 1] !== m.handoff.state && states.push(m.handoff.state));
  other.on('handoff:update', (m: unknown) => heard119.push(m));
  other.on('call:update', (m: unknown) => heard119.push(m));
  await Promise.all([connected(live), connected(other)]);

  // Five ordinary callers wait first; the agent is not there yet.
  const ordinary = [];
  for (let i = 0; i < 5; i++) {
    ordinary.push(await w.call({ from: `1380000130${i}`, to: '12345', hangupAfterMs: 25_000 }));
    await sleep(200);
  }
  const ordinaryIds = await Promise.all(ordinary.map((c) => c.uuid()));
  await until('5 queued', async () => (await w.calls.queues.list('general')).length === 5, 20_000);

  const announced = await app.inject({
    method: 'POST', url: '/api/handoffs', headers: dispatcher,
    payload: { partner: '110', caseId: CASE, callerNumber: '13900001111', category: '噪音扰民', summary: '楼上装修噪音，非警情', location: '解放路12号', dispatcherName: '王警官', dispatcherCallback: '02188880110' },
  });
  t.equal(announced.statusCode, 201, 'the dispatcher files the pre-announcement');
  const id = (announced.json() as Handoff).id;
  const p110 = await w.call({ from: '13900001111', to: '12345110', via: 'gw110', sipHeaders: { 'X-110-Case-Id': CASE } });
  const uuid = await p110.uuid();
  const q = await until('110 caller queued', () => w.calls.queues.get(uuid), 20_000);
  t.equal(q.queue, 'from110');
  const get = async () => (await app.inject({ url: `/api/handoffs/${id}`, headers: dispatcher })).json() as Handoff;
  await until('handoff queued', async () => (await get()).state === 'queued');
  t.match(await get(), { callId: uuid, matchedBy: 'case-id' }, 'matched to its announcement by the case id');
  const waitedLonger = ordinaryIds.filter((o) => (w.calls.registry.get(o)?.queuedUs ?? Infinity) < (w.calls.registry.get(uuid)?.queuedUs ?? 0));
  t.equal(waitedLonger.length, 5, 'all five ordinary callers reached the queue before it');

  // The agent's screen pop: its /agent feed shows the call with the case.
  const agentSock = socketTo(t, w.service, '/agent', await login(w.service, '1001'));
  const seen: CallView[] = [];
  agentSock.on('call:update', (m: { call: CallView }) => void seen.push(m.call));
  await connected(agentSock);
  // Level 8: the from110 queue wants level 7 or more at first (acd/queue-config.ts).
  await w.addAgent('1001', { general: 8 }, { answerAfterMs: 1500, hangupAfterMs: 3000 });
  const firstOffer = await until('first agent leg', () => w.tap.events.find((e) => e.name === 'CHANNEL_CREATE' && e.get('variable_hotline_leg_role') === 'agent'), 20_000);
  t.equal(firstOffer.get('variable_hotline_call_id'), uuid, 'the switch rang the agent for the 110 call first');
  const pop = await until('screen pop', () => seen.find((c) => c.id === uuid && c.case110));
  t.equal(pop.case110?.['Case-Id'], CASE, "the agent's screen pop shows the case");
  t.equal(pop.line, 'from110');

  await until('handoff ended', async () => (await get()).state === 'ended', 30_000);
  for (const o of ordinaryIds) t.ok(await w.calls.queues.get(o), 'the ordinary callers still wait (the agent is in wrap-up)');
  const done = await get();
  t.match(done, { answeredBy: '1001', ringingAgent: '1001' });
  const answerUs = w.tap.legsOf(uuid, 'agent').map((l) => w.tap.of(l.uuid, 'CHANNEL_ANSWER')[0]?.tsUs).find((x) => x !== undefined);
  // answeredMs is when the caller was connected (bridged) to the answered phone: just after its answer.
  const lag = done.answeredMs! - Math.floor((answerUs ?? 0) / 1000);
  t.ok(answerUs && lag >= 0 && lag < 1500, `answered by the switch's clock: connected ${lag} ms after the phone answered`);

  await w.calls.desk.wrapUp('1001', { callId: uuid, category: 'complaint', summary: '已派单至城管', ticketRef: 'GD-20261206-0101' });
  const hook = await until('outcome webhook', () => received[0], 10_000);
  t.same(verifySignature(SECRET, hook.headers, hook.body, Date.now()), { ok: true }, 'the outcome webhook is signed');
  t.match(JSON.parse(hook.body), { type: 'handoff-outcome', handoff: { id, caseId: CASE, answeredBy: '1001', outcome: { ticketRef: 'GD-20261206-0101', category: 'complaint', summary: '已派单至城管' } } });
  await until('console saw the outcome', async () => (await get()).outcome !== undefined);
  t.same(states, ['announced', 'queued', 'ringing', 'answered', 'ended'], 'the dispatcher feed followed it, in order');
  t.same(heard119, [], 'a 119 dispatcher hears nothing of it');
  await p110.done;
}, { world: { env: { HOTLINE_HANDOFF_PARTNERS: JSON.stringify(partners), HOTLINE_ACD_WRAP_UP_SEC: '600' } }, timeout: 120_000 });
