// The revisit preview call in a real browser (Debian chromium via playwright-core) against the
// whole service, fsim and Redis: a supervisor creates a revisit over REST, the agent goes ready in
// the softphone and gets the preview card (reason, case, the citizen's number), clicks 回拨, its
// simulated phone is answered by the softphone, the citizen's phone rings through the carrier and
// the two are bridged; the agent hangs up from the card and records the outcome. Then, without the
// revisit skill, the agent takes one with the "take a revisit" button. Screenshots in
// artifacts/softphone/revisit-*.png.
import t from 'tap';
import type { Page } from 'playwright-core';
import type { RevisitTask } from '../src/realtime/revisit-events.ts';
import { eventually, startHarness, type Harness } from './helpers/service.ts';
import { haveChromium, openBrowser } from './helpers/browser.ts';
import { bearer } from './helpers/tokens.ts';

const tid = (id: string): string => `[data-testid="${id}"]`;
const CITIZEN = '13800000001';
const GATEWAYS = { gateways: [{ name: 'gw_carrier', numbers: { '*': { answerAfterMs: 800 } } }] };

async function logIn(page: Page, base: string, user: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.fill(tid('login-username'), user);
  await page.fill(tid('login-password'), 'demo12345');
  await page.press(tid('login-password'), 'Enter');
  await page.waitForSelector(tid('agent-state'));
  // The simulated phone registers with fsim after the page loads; a revisit rung before that
  // is refused (USER_NOT_REGISTERED) and the card goes back to "offered", as it would for an agent
  // who went ready with a phone unplugged. The test picks up only once its phone is there.
  await page.waitForSelector(`${tid('phone-badge')}[data-status="ready"]`, { timeout: 20_000 });
}

async function createTask(h: Harness, summary: string): Promise<RevisitTask> {
  const res = await h.service.app.inject({ method: 'POST', url: '/api/revisits', headers: await bearer(h.service.auth, 'supervisor'), payload: { number: CITIZEN, summary, reason: 'complaint', ticketId: 'GD-0042' } });
  if (res.statusCode !== 201) throw new Error(`create: ${res.statusCode} ${res.body}`);
  return res.json() as RevisitTask;
}

t.test('an agent previews a revisit, calls the citizen back from the card and records the outcome', async (t) => {
  t.ok(haveChromium(), 'chromium is installed (apt-get install chromium)');
  const h = await startHarness(t, { timeScale: 1, fsimSwitch: GATEWAYS, env: { HOTLINE_REVISIT_HOURS: '["00:00-24:00"]', HOTLINE_ACD_WRAP_UP_SEC: '300' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  await calls.acd.agents.create({ id: '1001', name: '王芳', phone: 'user/1001', skills: { general: 5, revisit: 5 } });
  const task = await createTask(h, '投诉：小区夜间施工噪音扰民，已转城管处理，回访处理结果');
  const base = `http://127.0.0.1:${(h.service.app.server.address() as { port: number }).port}`;

  const a = await openBrowser(t, 'revisit');
  await logIn(a.page, base, '1001');
  await a.page.click(tid('btn-ready'));
  await a.page.waitForSelector(tid('revisit-card'), { timeout: 20_000 });
  t.equal((await a.page.textContent(tid('revisit-number')))?.trim(), CITIZEN, 'the agent sees the citizen\'s whole number');
  t.match(await a.page.textContent(tid('revisit-summary')), /夜间施工噪音/, 'and the case');
  t.match(await a.page.textContent(tid('revisit-reason')), /投诉回访/, 'and why (zh-CN)');
  t.equal((await calls.acd.agents.get('1001'))?.state, 'reserved', 'reserved for the revisit: no queue call meanwhile');
  await a.shot('preview-card');

  await a.page.click(tid('revisit-call'));
  await a.page.waitForSelector(`${tid('revisit-card')}[data-phase="talking"]`, { timeout: 20_000 });
  const agentLeg = await eventually('agent leg bridged', () => h.fsim.sw.listChannels().find((c) => c.name.includes('1001') && c.bridgedTo));
  const citizen = h.fsim.sw.listChannels().find((c) => c.uuid === agentLeg.bridgedTo);
  t.match(citizen?.name, /gw_carrier\/13800000001/, 'the agent is bridged to the citizen through the carrier');
  t.equal((await calls.acd.agents.get('1001'))?.state, 'on-call');
  t.match(await a.page.textContent(tid('revisit-status')), /通话中/);
  await a.shot('talking');

  await a.page.click(tid('revisit-hangup'));
  await a.page.waitForSelector(tid('revisit-outcome-form'), { state: 'visible', timeout: 10_000 });
  t.equal(await a.page.$(tid('wrapup-form')), null, 'the work-order form stays away: this wrap-up is the revisit outcome');
  await a.page.check(tid('revisit-outcome-resolved'));
  await a.page.fill(tid('revisit-note'), '市民表示施工已停止，满意');
  await a.shot('outcome-form');
  await a.page.click(tid('revisit-outcome-submit'));
  await a.page.waitForSelector(tid('revisit-card'), { state: 'detached', timeout: 10_000 });
  t.match(await calls.revisits.get(task.id), { state: 'done', outcome: 'resolved', attempts: 1, history: [{ reached: true, note: '市民表示施工已停止，满意' }] }, 'the outcome is recorded');
  await eventually('agent ready', async () => (await calls.acd.agents.get('1001'))?.state === 'ready');
  await a.shot('done');

  // Without the revisit skill nothing is offered by itself: the agent takes one.
  await calls.acd.agents.update('1001', { skills: { general: 5 } });
  const second = await createTask(h, '回访：路灯维修是否完成');
  await a.page.waitForSelector(tid('revisit-take'), { timeout: 10_000 });
  await a.shot('take-button');
  await a.page.click(tid('revisit-take'));
  await a.page.waitForSelector(tid('revisit-card'), { timeout: 10_000 });
  t.match(await a.page.textContent(tid('revisit-summary')), /路灯维修/, 'the taken revisit is shown');
  t.match(await calls.revisits.get(second.id), { state: 'offered', agentId: '1001' });
  await a.page.click(tid('revisit-skip'));
  await a.page.waitForSelector(tid('revisit-card'), { state: 'detached', timeout: 10_000 });
  t.match(await calls.revisits.get(second.id), { state: 'pending' }, 'skipped: back in the list');
  await eventually('agent ready after skip', async () => (await calls.acd.agents.get('1001'))?.state === 'ready');
  t.same(a.errors, [], 'no uncaught errors in the page');
});
