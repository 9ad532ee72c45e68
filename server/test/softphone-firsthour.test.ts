// The softphone bugs a new user met in the first hour, each shown fixed in chromium against the
// whole service, fsim and Redis (issue "The first hour"). Screenshots: artifacts/softphone/firsthour-*.png.
import t from 'tap';
import type { Page } from 'playwright-core';
import { eventually, startHarness } from './helpers/service.ts';
import { haveChromium, openBrowser } from './helpers/browser.ts';

const tid = (id: string): string => `[data-testid="${id}"]`;

async function logIn(page: Page, base: string, user: string, password = 'demo12345'): Promise<void> {
  await page.fill(tid('login-username'), user);
  await page.fill(tid('login-password'), password);
  await page.press(tid('login-password'), 'Enter');
}

t.test('softphone: the first hour', async (t) => {
  t.ok(haveChromium(), 'chromium is installed (apt-get install chromium)');
  const h = await startHarness(t, { timeScale: 1, env: { HOTLINE_ACD_WRAP_UP_SEC: '300' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const acd = calls.acd;
  await acd.agents.create({ id: '1001', name: '王芳', phone: 'user/1001', skills: { general: 5 } });
  for (const id of ['1002', '1003', '1004']) await acd.agents.create({ id, name: `同事${id}`, phone: `user/${id}`, skills: { other: 5 } });
  await acd.agents.apply('1002', { type: 'login' }, 'test');
  await acd.agents.apply('1003', { type: 'login' }, 'test');
  await acd.agents.apply('1003', { type: 'notReady', reason: 'meal' }, 'test');
  const base = `http://127.0.0.1:${(h.service.app.server.address() as { port: number }).port}`;
  const a = await openBrowser(t, 'firsthour');
  const page = a.page;
  await page.goto(`${base}/`);

  await t.test('the user name field is plain text: no numeric keypad on touch devices', async (t) => {
    t.equal(await page.getAttribute(tid('login-username'), 'inputmode'), null, 'no inputmode=numeric');
    t.equal(await page.getAttribute(tid('login-username'), 'autocapitalize'), 'none');
  });

  await t.test('a failed login\'s message follows a language switch', async (t) => {
    await logIn(page, base, '1001', 'wrong-password');
    await page.waitForFunction(() => !/正在登录|Signing in/.test(document.querySelector('#login-error')?.textContent ?? '') && (document.querySelector('#login-error')?.textContent ?? '') !== '');
    const zh = await page.textContent(tid('login-error'));
    t.match(zh, /[\u4e00-\u9fff]/, `Chinese first: ${zh}`);
    await page.click(tid('lang-toggle'));
    const en = await page.textContent(tid('login-error'));
    t.notMatch(en, /[\u4e00-\u9fff]/, `English after the switch: ${en}`);
    t.match(en, /[a-z]/i);
    await a.shot('login-error-en');
    await page.click(tid('lang-toggle'));
  });

  await logIn(page, base, '1001');
  await page.waitForSelector(tid('agent-state'));

  await t.test('after a reload, the reason box shows the agent\'s reason', async (t) => {
    await page.selectOption(tid('not-ready-reason'), 'meeting');
    await page.click(tid('btn-not-ready'));
    await eventually('1001 not ready (meeting)', async () => (await acd.agents.get('1001'))?.reason === 'meeting');
    await page.reload();
    await page.waitForSelector(`${tid('agent-state')}[data-state="not-ready"]`);
    t.equal(await page.inputValue(tid('not-ready-reason')), 'meeting', 'the box shows meeting, not the first option');
    await a.shot('reason-after-reload');
  });

  await t.test('the English header fits one row at 1280 px', async (t) => {
    await page.click(tid('lang-toggle'));
    const rows = await page.evaluate(() => {
      const bar = document.querySelector('header.state-bar')!;
      return new Set([...bar.children].filter((c) => (c as HTMLElement).offsetWidth > 1).map((c) => Math.round(c.getBoundingClientRect().top / 10))).size;
    });
    await a.shot('header-en-1280');
    t.equal(rows, 1, 'every part of the header on one row');
    await page.click(tid('lang-toggle'));
  });

  await page.click(tid('btn-ready'));
  await eventually('1001 ready', async () => (await acd.agents.get('1001'))?.state === 'ready');
  await h.control('/calls', { from: '13800138000', to: '12345', profile: 'external', hangupAfterMs: 25_000 });
  await page.waitForSelector(tid('screen-pop'), { timeout: 20_000 });

  await t.test('the screen pop names the IVR steps in the agent\'s language', async (t) => {
    const steps = await page.$$eval('.screen-pop .ivr-path li', (els) => els.map((e) => e.textContent ?? ''));
    t.same(steps, ['欢迎语', '长者识别', '排队'], 'no internal node ids');
    await a.shot('screen-pop-ivr');
  });

  const answeredBefore = Number(await page.textContent('[data-stat="answered"]').then((x) => (x === '–' ? '0' : x)));
  await page.click(tid('btn-answer'));
  await page.waitForSelector(tid('call-panel'));

  await t.test('my figures count the call while I am still on it', async (t) => {
    await page.waitForFunction((n) => Number(document.querySelector('[data-stat="answered"]')?.textContent) === n + 1, answeredBefore, { timeout: 10_000 });
    t.equal((await acd.agents.get('1001'))?.state, 'on-call', 'still on the call');
    await a.shot('figures-during-call');
  });

  await t.test('the transfer dialog offers ready colleagues only', async (t) => {
    await page.click(tid('btn-transfer'));
    await page.waitForSelector(tid('transfer-dialog'));
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="transfer-agent"] option')].some((o) => (o as HTMLOptionElement).value === '1002'));
    const options = await page.$$eval(`${tid('transfer-agent')} option`, (els) => els.map((e) => (e as HTMLOptionElement).value));
    t.same(options, ['1002'], '1003 (not ready) and 1004 (logged out) are not listed');
    await a.shot('transfer-ready-only');
    await page.keyboard.press('Escape');
  });

  await t.test('not ready after this call', async (t) => {
    t.notOk(await page.isVisible(tid('btn-not-ready')), 'plain not-ready is hidden during the call');
    await page.selectOption(tid('not-ready-reason'), 'training');
    await page.click(tid('btn-not-ready-after'));
    t.equal(await page.getAttribute(tid('btn-not-ready-after'), 'aria-pressed'), 'true');
    t.match(await page.textContent(tid('agent-state')), /本通话结束后示忙（培训）/);
    await a.shot('not-ready-after-armed');
    await page.click(tid('btn-hangup'));
    await eventually('1001 not ready (training) after the call', async () => {
      const ag = await acd.agents.get('1001');
      return ag?.state === 'not-ready' && ag.reason === 'training';
    }, 15_000);
    // Newest first: not-ready came straight from the wrap-up, with no ready in between.
    const trail = (await acd.agents.audit('1001', 3)).map((x) => `${x.from}>${x.to}`);
    t.equal(trail[0], 'wrap-up>not-ready', `straight from wrap-up to not ready (${trail.join(', ')})`);
    await a.shot('not-ready-after-call');
  });

  t.same(a.errors, [], 'no uncaught errors in the page');
});
