// Issue #12, a three-way call started from the dispatcher console (real Chromium, the whole
// service, fsim, Redis): a pre-announced 110 caller is answered by an agent; the 110 dispatcher
// clicks 发起三方通话 on the card, the service rings the dispatcher's callback number through the
// 110 gateway into the call's conference room (caller, agent, dispatcher), the card shows the
// three-way; the dispatcher says 110 takes the case and the card, the call record (the agent's
// console) and, after the call, the CDR all name 110. A supervisor watching sees no buttons.
// Screenshots in artifacts/softphone/.
import t from 'tap';
import { haveChromium, openBrowser } from './helpers/browser.ts';
import { eventually, startHarness } from './helpers/service.ts';

const tid = (id: string): string => `[data-testid="${id}"]`;

t.test('dispatcher console: three-way from the card, then who takes the case', async (t) => {
  t.ok(haveChromium(), 'chromium is installed');
  const h = await startHarness(t, {
    timeScale: 1,
    dialplanVars: { gw_110_addr_regex: '^127\\.0\\.0\\.1$' },
    fsimSwitch: { gateways: [{ name: 'gw_110', numbers: { '*': { answerAfterMs: 300 } } }] },
    env: { HOTLINE_ACD_WRAP_UP_SEC: '0' },
  });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const base = `http://127.0.0.1:${(h.service.app.server.address() as { port: number }).port}`;

  const login = async (name: string, user: string) => {
    const b = await openBrowser(t, name);
    await b.page.goto(`${base}/dispatcher`);
    await b.page.fill(tid('login-username'), user);
    await b.page.fill(tid('login-password'), 'demo12345');
    await b.page.press(tid('login-password'), 'Enter');
    await b.page.waitForSelector(`${tid('dp-conn')}[data-status="online"]`);
    return b;
  };
  const d = await login('dispatcher110-threeway', 'dispatcher');
  const sup = await login('supervisor-threeway', 'supervisor');

  const CASE = 'JJ20261206-0201';
  for (const [k, v] of Object.entries({ caseId: CASE, callerNumber: '13900004444', category: '纠纷', summary: '邻里纠纷，职责不清', location: '中山路8号', dispatcherName: '赵警官', dispatcherCallback: '02188880112' }))
    await d.page.fill(tid(`announce-${k}`), v);
  await d.page.click(tid('announce-submit'));
  const card = tid(`handoff-${CASE}`);
  await d.page.waitForSelector(`${card}[data-state="announced"]`, { timeout: 10_000 });
  t.equal(await d.page.$(`${card} ${tid('handoff-three-way-start')}`), null, 'no three-way before an agent talks on the call');

  const callId = ((await h.control('/calls', { from: '13900004444', to: '12345110', profile: 'external', sipHeaders: { 'X-110-Case-Id': CASE } })).json as { uuid: string }).uuid;
  h.fsim.sw.registerUser('1001', { answerAfterMs: 300 });
  await calls.acd.agents.create({ id: '1001', name: '1001', phone: 'user/1001', skills: { general: 8 } });
  await calls.acd.agents.apply('1001', { type: 'login' }, 'test');
  calls.acd.agentBecameReady('1001');
  await d.page.waitForSelector(`${card}[data-state="answered"] ${tid('handoff-three-way-start')}`, { timeout: 20_000 });
  await sup.page.waitForSelector(`${card}[data-state="answered"]`, { timeout: 10_000 });
  t.equal(await sup.page.$(`${card} ${tid('handoff-three-way-start')}`), null, 'a supervisor watching has no button');
  await d.shot('threeway-answered');

  await d.page.click(`${card} ${tid('handoff-three-way-start')}`);
  await d.page.waitForSelector(`${card} ${tid('handoff-three-way')}`, { timeout: 15_000 });
  t.match(await d.page.textContent(tid('dp-notice')), /三方通话已接通/, 'the dispatcher is told it is connected');
  const conf = calls.registry.get(callId)?.conference;
  t.equal(conf?.members.length, 3, 'caller, agent and the dispatcher in one room');
  const leg = calls.registry.get(callId)?.legs.find((l) => l.purpose === 'conference');
  t.match(leg && h.fsim.sw.channels.get(leg.uuid)?.name, /gw_110\/02188880112/, "the dispatcher's callback number through the 110 gateway");
  await sup.page.waitForSelector(`${card} ${tid('handoff-three-way')}`, { timeout: 10_000 });
  await d.shot('threeway-on');

  await d.page.click(`${card} ${tid('handoff-owner-110')}`);
  await d.page.waitForSelector(`${card} ${tid('handoff-case-owner')}[data-owner="110"]`, { timeout: 10_000 });
  t.match(await d.page.textContent(`${card} ${tid('handoff-case-owner')}`), /承办方：110/, 'the card names the owner');
  t.match(calls.registry.get(callId)?.conference?.caseOwner, { owner: '110', by: 'dispatcher:dispatcher' }, "the call record (the agent's console) names it too");
  t.ok(await d.page.$eval(`${card} ${tid('handoff-owner-110')}`, (b) => (b as HTMLButtonElement).disabled), 'the chosen owner cannot be chosen twice');
  await sup.page.waitForSelector(`${card} ${tid('handoff-case-owner')}[data-owner="110"]`, { timeout: 10_000 });
  await d.shot('threeway-owner');

  // Everyone hangs up: the CDR records the room's parties and the owner.
  await calls.acd.killLeg(callId);
  const agentLeg = calls.registry.get(callId)?.legs.find((l) => l.role === 'agent')?.uuid;
  if (agentLeg) await calls.acd.killLeg(agentLeg);
  const cdr = await eventually('CDR', async () => {
    const entries = await h.redis.xrange(`${h.config.redis.keyPrefix}:cdr`, '-', '+');
    const e = entries.find(([, f]) => f[1] === callId);
    return e && (JSON.parse(e[1][3]!) as { conference: { parties: { role: string }[]; caseOwner: { owner: string } } });
  }, 15_000);
  t.same(cdr.conference.parties.map((p) => p.role).sort(), ['agent', 'caller', 'external'], 'the CDR names who was in the call');
  t.equal(cdr.conference.caseOwner.owner, '110');
  t.same(d.errors, [], 'no uncaught errors in the page');
  t.same(sup.errors, []);
});
