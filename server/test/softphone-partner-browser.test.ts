// The softphone's 110 and three-way keys in chromium (playwright-core) against the whole service,
// fsim and Redis: an agent brings 110 into a three-way call, mutes, holds, says who takes the case,
// leaves the caller and 110 talking; a second call is handed to 110 with the one key (转110).
// Screenshots of every step are kept in artifacts/softphone/.
import t from 'tap';
import type { Page } from 'playwright-core';
import { eventually, startHarness } from './helpers/service.ts';
import { haveChromium, openBrowser } from './helpers/browser.ts';

const tid = (id: string): string => `[data-testid="${id}"]`;
const GATEWAYS = {
  gateways: [
    { name: 'gw_110', numbers: { '*': { answerAfterMs: 300 } } },
    { name: 'gw_dept', numbers: { '*': { answerAfterMs: 300 } } },
  ],
};

async function logIn(page: Page, base: string, user: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.fill(tid('login-username'), user);
  await page.fill(tid('login-password'), 'demo12345');
  await page.press(tid('login-password'), 'Enter');
  await page.waitForSelector(tid('agent-state'));
}

t.test('softphone: three-way with 110 (mute, hold, case owner, leave) and the one-key transfer to 110', async (t) => {
  t.ok(haveChromium(), 'chromium is installed (apt-get install chromium)');
  const h = await startHarness(t, { timeScale: 1, fsimSwitch: GATEWAYS, env: { HOTLINE_ACD_WRAP_UP_SEC: '0' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  await calls.acd.agents.create({ id: '1001', name: '王芳', phone: 'user/1001', skills: { general: 5 } });
  const base = `http://127.0.0.1:${(h.service.app.server.address() as { port: number }).port}`;
  const a = await openBrowser(t, 'partner1001');
  await logIn(a.page, base, '1001');
  await a.page.click(tid('btn-ready'));
  await eventually('1001 ready', async () => (await calls.acd.agents.get('1001'))?.state === 'ready');

  // A call; the agent answers and brings 110 into a three-way.
  const { uuid: callId } = (await h.control('/calls', { from: '13800138001', to: '12345', profile: 'external' })).json as { uuid: string };
  await a.page.waitForSelector(tid('screen-pop'), { timeout: 20_000 });
  await a.page.click(tid('btn-answer'));
  await a.page.waitForSelector(tid('partner-bar'));
  await eventually('talking', () => calls.registry.get(callId)?.state === 'talking');
  t.match(await a.page.textContent(tid('btn-to110')), /转110/, 'the one-key button, in Chinese');
  await a.shot('partner-bar');
  await a.page.fill(tid('partner-summary'), '邻居纠纷');
  await a.page.click(tid('btn-threeway110'));
  await a.page.waitForSelector(tid('conf-panel'), { timeout: 20_000 });
  await eventually('three in the room', () => calls.registry.get(callId)?.conference?.members.length === 3);
  t.match(await a.page.textContent(tid('conf-members')), /3/, 'the panel counts three parties');
  t.ok(await a.page.isDisabled(tid('btn-to110')), 'no blind transfer from inside the three-way');
  await a.shot('three-way');

  await a.page.click(tid('btn-conf-mute'));
  await a.page.waitForSelector(`${tid('btn-conf-mute')}[data-on="true"]`);
  t.pass('muted in the room (the switch said mute-member)');
  await a.page.click(tid('btn-conf-hold'));
  await a.page.waitForSelector(`${tid('btn-conf-hold')}[data-on="true"]`);
  await a.shot('held');
  await a.page.click(tid('btn-conf-hold'));
  await a.page.waitForSelector(`${tid('btn-conf-hold')}[data-on="false"]`);
  await a.page.click(tid('btn-owner-partner'));
  await eventually('case owner on the call', () => calls.registry.get(callId)?.conference?.caseOwner?.owner === '110');
  await a.page.waitForFunction((sel) => /110/.test(document.querySelector(sel)?.textContent ?? ''), tid('conf-owner'));
  await a.shot('case-owner');

  await a.page.click(tid('btn-conf-leave'));
  await eventually('two left in the room', () => calls.registry.get(callId)?.conference?.members.length === 2);
  const conf = calls.registry.get(callId)!.conference!;
  t.notOk(conf.members.some((m) => calls.registry.get(callId)!.legs.find((l) => l.uuid === m)?.role === 'agent'), 'the agent left; caller and 110 remain');
  await a.page.waitForSelector(tid('conf-panel'), { state: 'detached' });
  await a.shot('left');

  // English: the same keys, labelled in English.
  await a.page.click(tid('lang-toggle'));

  // A second call: the one key hands it to 110.
  await eventually('1001 ready again', async () => (await calls.acd.agents.get('1001'))?.state === 'ready', 20_000);
  const { uuid: second } = (await h.control('/calls', { from: '13800138002', to: '12345', profile: 'external' })).json as { uuid: string };
  await a.page.waitForSelector(tid('screen-pop'), { timeout: 20_000 });
  await a.page.click(tid('btn-answer'));
  await a.page.waitForSelector(tid('btn-to110'));
  await eventually('talking', () => calls.registry.get(second)?.state === 'talking');
  t.match(await a.page.textContent(tid('btn-to110')), /Transfer to 110/, 'the same key in English');
  await a.shot('second-call');
  await a.page.click(tid('btn-to110'));
  await eventually('transferred to 110', () => calls.registry.get(second)?.transfers.some((x) => x.kind === 'to110'), 20_000);
  await eventually('caller bridged to 110', () => {
    const c = calls.registry.get(second);
    return c?.legs.some((l) => l.role === 'external' && l.bridgedUs !== undefined && l.endedUs === undefined);
  }, 20_000);
  await a.shot('to110');
  t.same(a.errors, [], 'no errors in the page');
});
