// The supervisor console in real Chromium against the whole service and fsim: the demo supervisor
// sees only the agents of its group, live (a call shows up with its caller), forces one not ready
// with a reason and then logs it out; both changes are in the agent's audit trail under the
// supervisor's name. Screenshots in artifacts/softphone/.
import t from 'tap';
import { eventually, startHarness, type Harness } from './helpers/service.ts';
import { haveChromium, openBrowser } from './helpers/browser.ts';

const tid = (id: string): string => `[data-testid="${id}"]`;

async function addAgent(h: Harness, id: string, groups: string[]): Promise<void> {
  h.fsim.sw.registerUser(id, { answerAfterMs: 300, hangupAfterMs: 4000 });
  const acd = h.service.calls!.acd;
  await acd.agents.create({ id, name: `坐席${id}`, phone: `user/${id}`, skills: { general: 5 }, groups });
  await acd.agents.apply(id, { type: 'login' }, 'test');
  acd.agentBecameReady(id);
}

t.test('supervisor console: own group only, live call, forced not-ready and logout, audited', async (t) => {
  t.ok(haveChromium(), 'chromium is installed');
  const h = await startHarness(t, { timeScale: 1, env: { HOTLINE_ACD_WRAP_UP_SEC: '1' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  await addAgent(h, '1001', ['demo']);
  await addAgent(h, '1002', ['north']);
  await calls.acd.agents.apply('1002', { type: 'notReady', reason: 'training' }, 'test');
  const base = `http://127.0.0.1:${(h.service.app.server.address() as { port: number }).port}`;

  const b = await openBrowser(t, 'supervisor');
  await b.page.setViewportSize({ width: 1600, height: 900 });
  await b.page.goto(`${base}/`);
  await b.page.fill(tid('login-username'), 'supervisor');
  await b.page.fill(tid('login-password'), 'demo12345');
  await b.page.press(tid('login-password'), 'Enter');
  await b.page.waitForURL(/\/supervisor$/);
  await b.page.waitForSelector(tid('sv-agent-1001'));
  t.equal(await b.page.$(tid('sv-agent-1002')), null, 'an agent of another group is not shown');

  const { uuid } = (await h.control('/calls', { from: '13800000201', to: '12345', profile: 'external' })).json as { uuid: string };
  await b.page.waitForFunction(() => document.querySelector('[data-testid="sv-agent-1001"]')?.getAttribute('data-state') === 'on-call', undefined, { timeout: 20_000 });
  t.match(await b.page.textContent(tid('sv-call-1001')), /13800000201/, 'the current call with its caller');
  t.ok(calls.registry.get(uuid)?.connectedUs, 'the call is connected');
  await b.shot('supervisor-on-call');

  await b.page.waitForFunction(() => document.querySelector('[data-testid="sv-agent-1001"]')?.getAttribute('data-state') === 'ready', undefined, { timeout: 20_000 });
  await b.page.selectOption(tid('sv-reason-1001'), 'meeting');
  await b.page.click(tid('sv-not-ready-1001'));
  await b.page.waitForFunction(() => document.querySelector('[data-testid="sv-agent-1001"]')?.getAttribute('data-state') === 'not-ready', undefined, { timeout: 10_000 });
  t.match(await b.page.textContent(tid('sv-state-1001')), /示忙 · 会议/, 'not ready, reason meeting, in Chinese');
  await b.shot('supervisor-forced-not-ready');
  await b.page.click(tid('sv-logout-1001'));
  await b.page.waitForFunction(() => document.querySelector('[data-testid="sv-agent-1001"]')?.getAttribute('data-state') === 'logged-out', undefined, { timeout: 10_000 });
  await b.shot('supervisor-forced-logout');

  const audit = await calls.acd.agents.audit('1001', 5);
  t.match(audit[0], { to: 'logged-out', by: 'supervisor:supervisor' }, 'the logout is audited under the supervisor');
  t.match(audit[1], { to: 'not-ready', reason: 'meeting', by: 'supervisor:supervisor' }, 'so is the forced not-ready');
  t.same(b.errors, [], 'no uncaught errors in the page');
});
