// The softphone in real browsers (Debian chromium, headless, via playwright-core) against the whole
// service, fsim and Redis: two agents log in, one goes ready, a simulated citizen calls, the screen
// pop shows the caller and the 15-second countdown, the agent answers in time, consults a second
// browser agent (attended transfer), who sees and takes the call, and both file their wrap-ups.
// Screenshots of every step are kept in artifacts/softphone/.
import t from 'tap';
import type { Page } from 'playwright-core';
import { callView } from '../src/realtime/views.ts';
import { eventually, startHarness } from './helpers/service.ts';
import { haveChromium, openBrowser } from './helpers/browser.ts';

const tid = (id: string): string => `[data-testid="${id}"]`;

async function logIn(page: Page, base: string, user: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.fill(tid('login-username'), user);
  await page.fill(tid('login-password'), 'demo12345');
  await page.press(tid('login-password'), 'Enter');
  await page.waitForSelector(tid('agent-state'));
}

async function wrapUp(page: Page, category: string, summary: string): Promise<void> {
  await page.waitForSelector(tid('wrapup-form'));
  await page.check(tid(`wrapup-category-${category}`));
  await page.fill(tid('wrapup-summary'), summary);
  await page.click(tid('wrapup-submit'));
  await page.waitForSelector(tid('wrapup-form'), { state: 'detached' });
}

t.test('two agents in chromium: answer within 15 s, attended transfer, both wrap up', async (t) => {
  // Not skipped without a browser: a UI test that silently does not run proves nothing.
  t.ok(haveChromium(), 'chromium is installed (apt-get install chromium)');
  // Real time (timeScale 1): the countdown compares the switch's t0 with the browser's clock.
  const h = await startHarness(t, { timeScale: 1, env: { HOTLINE_ACD_WRAP_UP_SEC: '300' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  for (const id of ['1001', '1002']) await calls.acd.agents.create({ id, name: id === '1001' ? '王芳' : '李娜', phone: `user/${id}`, skills: { general: 5 } });
  const base = `http://127.0.0.1:${(h.service.app.server.address() as { port: number }).port}`;

  const a = await openBrowser(t, 'agent1001');
  const b = await openBrowser(t, 'agent1002');
  await logIn(a.page, base, '1001');
  await logIn(b.page, base, '1002');
  t.match(await a.page.textContent(tid('phone-badge')), /模拟音频/, 'the simulated phone is labelled on screen');
  await a.shot('logged-in');

  // 1001 goes ready; 1002 logs in but stays not ready, so the citizen's call goes to 1001.
  await a.page.click(tid('btn-ready'));
  await eventually('1001 ready', async () => (await calls.acd.agents.get('1001'))?.state === 'ready');
  await b.page.selectOption(tid('not-ready-reason'), 'training');
  await b.page.click(tid('btn-not-ready'));
  await eventually('1002 not ready', async () => (await calls.acd.agents.get('1002'))?.state === 'not-ready');
  await a.shot('ready');

  const { uuid: callId } = (await h.control('/calls', { from: '13800138000', to: '12345', profile: 'external' })).json as { uuid: string };
  await a.page.waitForSelector(tid('screen-pop'), { timeout: 20_000 });
  t.match(await a.page.textContent(tid('pop-caller-number')), /13800138000/, 'the screen pop shows the caller number');
  const first = Number((await a.page.textContent(tid('pop-countdown')))?.match(/\d+/)?.[0]);
  t.ok(first > 0 && first <= 15, `the countdown shows the seconds left of 15 (${first})`);
  await a.page.waitForTimeout(1200);
  const later = Number((await a.page.textContent(tid('pop-countdown')))?.match(/\d+/)?.[0]);
  t.ok(later < first, `the countdown runs (${first} -> ${later})`);
  await a.shot('screen-pop');

  await a.page.click(tid('btn-answer'));
  await a.page.waitForSelector(tid('call-panel'));
  const answered = await eventually('connected on the server', () => calls.registry.get(callId)?.connectedUs);
  const waitedSec = (answered - calls.registry.get(callId)!.queuedUs!) / 1e6;
  t.ok(waitedSec < 15, `answered ${waitedSec.toFixed(1)} s after t0, within 15 s`);
  await a.shot('talking');

  // 1002 becomes ready to be consulted; 1001 opens the transfer dialog and consults 1002.
  await b.page.click(tid('btn-ready'));
  await eventually('1002 ready', async () => (await calls.acd.agents.get('1002'))?.state === 'ready');
  await a.page.click(tid('btn-transfer'));
  await a.page.waitForSelector(tid('transfer-dialog'));
  await a.page.check(tid('transfer-mode-attended'));
  await a.page.selectOption(tid('transfer-kind'), 'agent');
  await a.page.selectOption(tid('transfer-agent'), '1002');
  await a.shot('transfer-dialog');
  await a.page.click(tid('transfer-submit'));

  // 1002's browser rings with the same caller; 1002 answers the consultation.
  await b.page.waitForSelector(tid('screen-pop'), { timeout: 20_000 });
  t.match(await b.page.textContent(tid('pop-caller-number')), /13800138000/, 'the second agent sees the call');
  await b.shot('consult-offered');
  await b.page.click(tid('btn-answer'));
  await a.page.waitForSelector(tid('consult-panel'));
  await eventually('consultation talking', () => calls.registry.get(callId)?.consult?.state === 'talking');
  await a.shot('consulting');
  await a.page.click(tid('btn-consult-complete'));

  await eventually('the caller is with 1002', () => {
    const c = calls.registry.get(callId);
    return c && !c.consult && c.agentId === '1002' && callView(c).state === 'talking';
  });
  await b.page.waitForSelector(tid('call-panel'));
  t.match(await b.page.textContent(tid('call-panel')), /13800138000/, "1002's call panel shows the caller");
  await b.shot('talking-after-transfer');

  // Both wrap up with a category: 1001 now, 1002 after hanging up.
  await wrapUp(a.page, 'consultation', '咨询公积金提取，已转交李娜');
  await a.shot('wrapped-up');
  await b.page.click(tid('btn-hangup'));
  await wrapUp(b.page, 'help', '已协助办理公积金提取预约');
  await b.shot('wrapped-up');

  const filed = await h.redis.xrange('hotline:desk:wrapups', '-', '+');
  const byAgent = Object.fromEntries(filed.map(([, f]) => JSON.parse(f[3]!) as { agentId: string; category: string; callId: string }).map((w) => [w.agentId, w]));
  t.match(byAgent, { '1001': { category: 'consultation', callId }, '1002': { category: 'help', callId } }, 'both wrap-ups are filed for the call');
  await eventually('both agents ready again', async () => (await calls.acd.agents.get('1001'))?.state === 'ready' && (await calls.acd.agents.get('1002'))?.state === 'ready');
  t.same([...a.errors, ...b.errors], [], 'no uncaught errors in either page');
});
