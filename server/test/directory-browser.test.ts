// The department directory in the softphone, in real Chromium against the whole service, fsim and
// Redis: an admin keeps the directory over REST; an agent on a call searches it (pinyin initials,
// a number), presses 转接 on the fire brigade's entry, the transfer dialog opens with that number
// as the external target, and the blind transfer bridges the caller to it. When the call completes
// its transfer to 119 counts in 119's `out` diversion figures. Screenshots in artifacts/softphone/.
import t from 'tap';
import { haveChromium, openBrowser } from './helpers/browser.ts';
import { eventually, startHarness } from './helpers/service.ts';
import { bearer } from './helpers/tokens.ts';

const tid = (id: string): string => `[data-testid="${id}"]`;

t.test('softphone directory panel: search, 转接 through the transfer dialog, counted as a transfer out', async (t) => {
  t.ok(haveChromium(), 'chromium is installed');
  const h = await startHarness(t, { timeScale: 1, env: { HOTLINE_ACD_WRAP_UP_SEC: '120' }, fsimSwitch: { gateways: [{ name: 'gw_dept', numbers: { '*': { answerAfterMs: 500 } } }] } });
  const calls = h.service.calls!;
  const app = h.service.app;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const admin = await bearer(h.service.auth, 'admin');
  const ids: Record<string, string> = {};
  for (const e of [
    { name: '市城市管理局', number: '02162345678', hours: '工作日 9:00-17:00', tags: ['城管'], notes: '占道经营、违章搭建' },
    { name: '消防救援支队', number: '119', hours: '24小时', tags: ['消防'] },
    { name: '住房公积金管理中心', number: '12329', hours: '工作日 8:30-17:30' },
  ]) {
    const res = await app.inject({ method: 'POST', url: '/api/directory', headers: admin, payload: e });
    t.equal(res.statusCode, 201, e.name);
    ids[e.name] = (res.json() as { id: string }).id;
  }
  await calls.acd.agents.create({ id: '1001', name: '王芳', phone: 'user/1001', skills: { general: 5 } });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  const a = await openBrowser(t, 'directory1001');
  await a.page.goto(`${base}/`);
  await a.page.fill(tid('login-username'), '1001');
  await a.page.fill(tid('login-password'), 'demo12345');
  await a.page.press(tid('login-password'), 'Enter');
  await a.page.waitForSelector(tid('directory-panel'));
  await a.page.waitForSelector(tid(`directory-entry-${ids['市城市管理局']}`));
  t.equal(await a.page.locator(`${tid('directory-list')} li`).count(), 3, 'all departments at first');
  t.ok(await a.page.isDisabled(tid(`directory-transfer-${ids['消防救援支队']}`)), 'no call: nothing to transfer');

  await a.page.fill(tid('directory-search'), 'csgl');
  await a.page.waitForFunction(() => document.querySelectorAll('[data-testid="directory-list"] li').length === 1);
  t.match(await a.page.textContent(tid('directory-list')), /市城市管理局02162345678/, 'pinyin initials find 城市管理');
  await a.shot('search-pinyin');
  await a.page.fill(tid('directory-search'), '没有');
  await a.page.waitForFunction(() => document.querySelectorAll('[data-testid="directory-list"] li').length === 0);
  t.match(await a.page.textContent(tid('directory-status')), /无匹配的部门/);

  // A citizen calls; the agent answers.
  await a.page.click(tid('btn-ready'));
  await eventually('1001 ready', async () => (await calls.acd.agents.get('1001'))?.state === 'ready');
  const { uuid: callId } = (await h.control('/calls', { from: '13800138000', to: '12345', profile: 'external' })).json as { uuid: string };
  await a.page.waitForSelector(tid('screen-pop'), { timeout: 20_000 });
  await a.page.click(tid('btn-answer'));
  await a.page.waitForSelector(tid('call-panel'));
  await eventually('connected on the server', () => calls.registry.get(callId)?.connectedUs);

  // The fire brigade by its number; 转接 opens the dialog with it preset.
  await a.page.fill(tid('directory-search'), '119');
  await a.page.waitForSelector(tid(`directory-entry-${ids['消防救援支队']}`));
  t.equal(await a.page.locator(`${tid('directory-list')} li`).count(), 1);
  await a.page.waitForFunction((id) => !(document.querySelector(`[data-testid="directory-transfer-${id}"]`) as HTMLButtonElement | null)?.disabled, ids['消防救援支队']);
  await a.page.click(tid(`directory-transfer-${ids['消防救援支队']}`));
  await a.page.waitForSelector(`${tid('transfer-dialog')}[open]`);
  t.equal(await a.page.inputValue(tid('transfer-kind')), 'external', 'an external transfer');
  t.equal(await a.page.inputValue(tid('transfer-number')), '119', "to the department's number");
  await a.shot('transfer-dialog');
  await a.page.click(tid('transfer-submit'));
  await eventually('caller bridged to 119', () => {
    const c = h.fsim.sw.channels.get(callId);
    const p = c?.bridgedTo ? h.fsim.sw.channels.get(c.bridgedTo) : undefined;
    return p?.name.includes('/119');
  }, 15_000);
  t.match(calls.registry.get(callId)?.transfers.at(-1), { kind: 'blind', from: '1001', to: 'number:119' }, 'the transfer is on the call record');
  await a.shot('transferred');

  // The call ends: its CDR's transfer to 119 is 119's transfer out.
  h.fsim.sw.hangupCall(callId, 'NORMAL_CLEARING');
  const sv = await bearer(h.service.auth, 'supervisor');
  const out = await eventually('119 out figures', async () => {
    const f = ((await app.inject({ url: '/api/handoffs/figures', headers: sv })).json() as { figures: { partner: string; out: { transferred: number; accepted: number } }[] }).figures.find((x) => x.partner === '119');
    return f && f.out.transferred > 0 ? f.out : undefined;
  }, 10_000);
  t.match(out, { transferred: 1, accepted: 1, returned: 0 }, "counted in 119's out figures");

  await a.page.click(tid('lang-toggle'));
  await a.page.waitForFunction(() => document.querySelector('#directory-title')?.textContent === 'Department directory');
  t.equal(await a.page.getAttribute(tid('directory-search'), 'placeholder'), 'Search: name, pinyin initials, number', 'in English too');
  t.same(a.errors, [], 'no uncaught errors in the page');
});
