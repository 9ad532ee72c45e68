// Issue #12 on fsim, the dispatcher's side of a three-way: a 110 call an agent answered becomes a
// three-way from the dispatcher console's REST call (the dispatcher's callback number through the
// 110 gateway joins the room); the dispatcher says 110 takes the case; the handoff (the dispatcher's
// console) and the call's CDR (ours) both record it. Bad input and the wrong roles change nothing.
import t from 'tap';
import { eventually, startHarness } from './helpers/service.ts';
import { bearer } from './helpers/tokens.ts';

t.test('a dispatcher joins its 110 call as a three-way and records who takes the case', async (t) => {
  const h = await startHarness(t, {
    timeScale: 1,
    dialplanVars: { gw_110_addr_regex: '^127\\.0\\.0\\.1$' },
    fsimSwitch: { gateways: [{ name: 'gw_110', numbers: { '*': { answerAfterMs: 300 } } }] },
    env: { HOTLINE_ACD_WRAP_UP_SEC: '0' },
  });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const app = h.service.app;
  const dispatcher = await bearer(h.service.auth, 'dispatcher');
  const agent = await bearer(h.service.auth, '1000');

  const announced = await app.inject({
    method: 'POST', url: '/api/handoffs', headers: dispatcher,
    payload: { partner: '110', caseId: 'JJ20261206-0099', callerNumber: '13900003333', category: '纠纷', summary: '邻里纠纷，需联动', location: '', dispatcherName: '李警官', dispatcherCallback: '02188880111' },
  });
  t.equal(announced.statusCode, 201);
  const id = (announced.json() as { id: string }).id;

  // Too early: nobody talks on the call yet.
  const early = await app.inject({ method: 'POST', url: `/api/handoffs/${id}/three-way`, headers: dispatcher, payload: {} });
  t.equal(early.statusCode, 409, 'no three-way before an agent talks on the call');

  const callId = ((await h.control('/calls', { from: '13900003333', to: '12345110', profile: 'external', sipHeaders: { 'X-110-Case-Id': 'JJ20261206-0099' } })).json as { uuid: string }).uuid;
  h.fsim.sw.registerUser('1001', { answerAfterMs: 300 });
  await calls.acd.agents.create({ id: '1001', name: '1001', phone: 'user/1001', skills: { general: 8 } });
  await calls.acd.agents.apply('1001', { type: 'login' }, 'test');
  calls.acd.agentBecameReady('1001');
  await eventually('talking', () => calls.registry.get(callId)?.state === 'talking', 20_000);
  await eventually('handoff answered', async () => (await calls.handoffs.get(id))?.state === 'answered', 10_000);

  for (const [payload, why] of [
    [{ target: { kind: 'external', number: 'abc' } }, 'a number that is no number'],
    [{ target: { kind: 'partner', number: '110;x=1' } }, 'a number with dial-string syntax'],
    [{ target: { kind: 'queue' } }, 'an unknown kind'],
  ] as const) {
    const r = await app.inject({ method: 'POST', url: `/api/handoffs/${id}/three-way`, headers: dispatcher, payload });
    t.equal(r.statusCode, 400, `refused: ${why}`);
  }
  t.equal((await app.inject({ method: 'POST', url: `/api/handoffs/${id}/three-way`, headers: agent, payload: {} })).statusCode, 403, 'an agent cannot use the dispatcher route');
  t.equal(calls.registry.get(callId)?.conference, undefined, 'nothing changed');

  const r = await app.inject({ method: 'POST', url: `/api/handoffs/${id}/three-way`, headers: dispatcher, payload: {} });
  t.equal(r.statusCode, 200, r.body);
  const { legUuid } = r.json() as { legUuid: string };
  await eventually('three in the room', () => calls.registry.get(callId)?.conference?.members.length === 3, 10_000);
  t.match(calls.registry.get(callId)?.legs.find((l) => l.uuid === legUuid), { role: 'external', purpose: 'conference' }, "the dispatcher's leg");
  t.match(h.fsim.sw.channels.get(legUuid)?.name, /gw_110\/02188880111/, "dialled the dispatcher's callback number through the 110 gateway");
  await eventually('handoff marked three-way', async () => (await calls.handoffs.get(id))?.threeWay === true);

  const bad = await app.inject({ method: 'POST', url: `/api/handoffs/${id}/case-owner`, headers: dispatcher, payload: { owner: '119' } });
  t.equal(bad.statusCode, 400, 'another partner cannot take it from here');
  const owned = await app.inject({ method: 'POST', url: `/api/handoffs/${id}/case-owner`, headers: dispatcher, payload: { owner: '110' } });
  t.equal(owned.statusCode, 200, owned.body);
  t.match(owned.json(), { owner: '110', by: 'dispatcher:dispatcher' });
  await eventually('on the handoff (the dispatcher console)', async () => (await calls.handoffs.get(id))?.caseOwner?.owner === '110');
  t.match(calls.registry.get(callId)?.conference?.caseOwner, { owner: '110' }, 'on the call (the agent console)');

  // The caller hangs up: agent and dispatcher go on; the agent hangs up too: the dispatcher, alone
  // in the room, is hung up by the service; the CDR records the parties and the owner.
  await calls.acd.killLeg(callId);
  await eventually('agent and dispatcher go on', () => calls.registry.get(callId)?.conference?.members.length === 2, 10_000);
  const agentLeg = calls.registry.get(callId)!.legs.find((l) => l.role === 'agent')!.uuid;
  await calls.acd.killLeg(agentLeg);
  const cdr = await eventually('CDR', async () => {
    const entries = await h.redis.xrange(`${h.config.redis.keyPrefix}:cdr`, '-', '+');
    const e = entries.find(([, f]) => f[1] === callId);
    return e && (JSON.parse(e[1][3]!) as { conference: { parties: { role: string }[]; caseOwner: { owner: string } } });
  }, 15_000);
  t.same(cdr.conference.parties.map((p) => p.role).sort(), ['agent', 'caller', 'external']);
  t.equal(cdr.conference.caseOwner.owner, '110');
  const figures = await calls.handoffs.figures('110', new Intl.DateTimeFormat('en-CA', { timeZone: h.config.desk.timeZone }).format(Date.now()));
  t.equal(figures.in.threeWay, 1, "the day's figures count the three-way once");
});
