// Issue 12 on fsim: a call 110 pre-announced arrives while 5 ordinary callers have waited longer;
// it is offered first, followed through queued, ringing, answered and ended; the agent's wrap-up
// is its outcome, POSTed signed to the 110 side; the day's figures count it; the CSV has a BOM.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { verifySignature } from '../src/webhook-signature.ts';
import { eventually, startHarness } from './helpers/service.ts';
import { bearer } from './helpers/tokens.ts';
import { connected, login, socketTo, waitFor } from './helpers/realtime.ts';

t.test('a pre-announced 110 call is served before longer-waiting ordinary callers, and its outcome goes back signed', async (t) => {
  const SECRET = 'outcome-secret-0123456789';
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
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/outcome`;
  const partners = [
    { id: '110', name: '公安110', line: 'from110', caseIdVariable: 'hotline_110_case_id', gateway: 'gw_110', number: '110', outcomeWebhookUrl: url, outcomeWebhookSecret: SECRET },
    { id: '119', name: '消防119', line: 'from119', preAnnounce: false, gateway: 'gw_119', number: '119' },
  ];
  const h = await startHarness(t, { dialplanVars: { gw_110_addr_regex: '^127\\.0\\.0\\.1$' }, env: { HOTLINE_HANDOFF_PARTNERS: JSON.stringify(partners), HOTLINE_ACD_WRAP_UP_SEC: '600' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const app = h.service.app;
  const dispatcher = await bearer(h.service.auth, 'dispatcher');

  // The dispatcher console's live feed: a 110 dispatcher, and a 119 one who must hear nothing of it.
  const [token110, token119] = [await login(h.service, 'dispatcher'), await login(h.service, 'dispatcher119')];
  const live = socketTo(t, h.service, '/dispatcher', token110);
  const other119 = socketTo(t, h.service, '/dispatcher', token119);
  const states: string[] = [];
  const seen119: unknown[] = [];
  live.on('handoff:update', (m: { handoff: { state: string; position?: number } }) => states.push(m.handoff.state));
  other119.on('handoff:update', (m: unknown) => seen119.push(m));
  const snap = waitFor<{ handoffs: unknown[] }>(live, 'snapshot');
  await Promise.all([connected(live), connected(other119)]);
  t.same((await snap).handoffs, [], 'the snapshot lists the partner\'s handoffs (none yet)');

  // Five ordinary callers wait first.
  const ordinary: string[] = [];
  for (let i = 0; i < 5; i++) ordinary.push(((await h.control('/calls', { from: `1380000100${i}`, to: '12345', profile: 'external' })).json as { uuid: string }).uuid);
  for (const id of ordinary) await eventually('ordinary caller queued', () => calls.queues.get(id), 20_000);

  const announced = await app.inject({
    method: 'POST', url: '/api/handoffs', headers: dispatcher,
    payload: { partner: '110', caseId: 'JJ20261206-0017', callerNumber: '13900002222', category: '噪音扰民', summary: '楼上装修噪音，非警情', location: '解放路12号', dispatcherName: '王警官', dispatcherCallback: '02188880110' },
  });
  t.equal(announced.statusCode, 201, 'announced');
  const handoffId = (announced.json() as { id: string }).id;
  const bad = await app.inject({ method: 'POST', url: '/api/handoffs', headers: dispatcher, payload: { partner: '110', caseId: 'x y', callerNumber: '1', category: '', summary: '', dispatcherName: '', dispatcherCallback: '' } });
  t.equal(bad.statusCode, 400, 'bad input is refused');
  const other = await app.inject({ method: 'POST', url: '/api/handoffs', headers: await bearer(h.service.auth, 'dispatcher119'), payload: { ...(announced.json() as object), partner: '110' } });
  t.ok(other.statusCode === 400 || other.statusCode === 403, "a 119 dispatcher cannot announce 110's cases");

  const p110 = ((await h.control('/calls', { from: '13900002222', to: '12345110', profile: 'external', sipHeaders: { 'X-110-Case-Id': 'JJ20261206-0017' } })).json as { uuid: string }).uuid;
  const q = await eventually('110 caller queued', () => calls.queues.get(p110), 20_000);
  t.equal(q.priority, 3, 'queued in the from-110 class');
  const get = async () => (await app.inject({ method: 'GET', url: `/api/handoffs/${handoffId}`, headers: dispatcher })).json() as Record<string, unknown>;
  await eventually('handoff queued', async () => (await get()).state === 'queued');
  t.match(await get(), { callId: p110, matchedBy: 'case-id' });

  // One agent comes: the 110 caller is offered first although five others waited longer.
  h.fsim.sw.registerUser('1001', { answerAfterMs: 300, hangupAfterMs: 3000 });
  const acd = calls.acd;
  await acd.agents.create({ id: '1001', name: '1001', phone: 'user/1001', skills: { general: 8 } });
  await acd.agents.apply('1001', { type: 'login' }, 'test');
  acd.agentBecameReady('1001');
  const talking = await eventually('110 call answered', () => {
    const c = calls.registry.get(p110);
    return c?.agentId === '1001' && c.connectedUs !== undefined ? c : undefined;
  }, 20_000);
  t.ok(talking.case110?.['Case-Id'] === 'JJ20261206-0017', 'the case reaches the call record (screen pop)');
  for (const id of ordinary) t.ok(await calls.queues.get(id), 'ordinary callers still wait');
  await eventually('handoff answered', async () => (await get()).state === 'answered', 10_000).catch(async (err: unknown) => { t.comment(JSON.stringify({ states, now: await get() })); throw err; });
  t.equal((await get()).answeredBy, '1001');
  await eventually('handoff ended', async () => (await get()).state === 'ended', 20_000);
  await eventually('console saw the end', () => states.includes('ended'), 5_000);
  t.same([...new Set(states)], ['announced', 'queued', 'ringing', 'answered', 'ended'], 'the console followed it live, in order');
  t.same(seen119, [], "a 119 dispatcher hears nothing of 110's handoffs");

  await calls.desk.wrapUp('1001', { callId: p110, category: 'complaint', summary: '已派单至城管', ticketRef: 'GD-20261206-0042' });
  const hook = await eventually('outcome webhook', () => received[0], 10_000);
  t.same(verifySignature(SECRET, hook.headers, hook.body, Date.now()), { ok: true }, 'signed, timestamp inside the signature');
  t.match(JSON.parse(hook.body), { type: 'handoff-outcome', handoff: { id: handoffId, caseId: 'JJ20261206-0017', answeredBy: '1001', outcome: { ticketRef: 'GD-20261206-0042', category: 'complaint' } } });
  t.match(await get(), { outcome: { ticketRef: 'GD-20261206-0042' } });

  const fig = (await app.inject({ method: 'GET', url: '/api/handoffs/figures', headers: dispatcher })).json() as { figures: { partner: string; in: Record<string, unknown> }[] };
  t.equal(fig.figures.length, 1, 'a 110 dispatcher sees 110 only');
  t.match(fig.figures[0], { partner: '110', in: { announced: 1, transferred: 1, accepted: 1, returned: 0 } });
  const csv = await app.inject({ method: 'GET', url: '/api/handoffs/figures?format=csv', headers: dispatcher });
  t.ok(csv.body.startsWith('\uFEFFpartner,day,direction'), 'CSV in UTF-8 with a BOM');
  const agent = await app.inject({ method: 'GET', url: '/api/handoffs', headers: await bearer(h.service.auth, '1001') });
  t.equal(agent.statusCode, 403, 'agents do not read handoffs');
});
