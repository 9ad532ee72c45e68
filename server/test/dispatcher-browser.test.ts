// The dispatcher console in real Chromium against the whole service, fsim and Redis (issue 12): a
// 110 dispatcher signs in on the softphone's page and lands on /dispatcher, files the
// pre-announcement in the console's form, and the caller 110 transfers arrives while five ordinary
// callers have waited longer. The console follows it through queued (with position), ringing,
// answered (by whom) and ended, then shows the outcome from the agent's wrap-up; the partner's
// test receiver gets the outcome webhook, signed. A second caller nobody answers raises the
// warning and the dispatcher takes it back. A 119 dispatcher's console shows none of it.
// Screenshots in artifacts/softphone/.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import type { Page } from 'playwright-core';
import { verifySignature } from '../src/webhook-signature.ts';
import { haveChromium, openBrowser } from './helpers/browser.ts';
import { eventually, startHarness } from './helpers/service.ts';

const tid = (id: string): string => `[data-testid="${id}"]`;
const SECRET = 'outcome-secret-0123456789';

/** Record every state the page shows for a case's card (renders coalesce; this sees each one drawn). */
function watchStates(page: Page, caseId: string): Promise<void> {
  return page.evaluate((id) => {
    const w = window as unknown as { __states: Record<string, string[]> };
    w.__states ??= {};
    const seen = (w.__states[id] = [] as string[]);
    const look = () => {
      const s = document.querySelector(`[data-testid="handoff-${id}"]`)?.getAttribute('data-state');
      if (s && seen[seen.length - 1] !== s) seen.push(s);
    };
    new MutationObserver(look).observe(document.body, { childList: true, subtree: true, attributes: true });
    look();
  }, caseId);
}
const statesOf = (page: Page, caseId: string) => page.evaluate((id) => (window as unknown as { __states: Record<string, string[]> }).__states[id] ?? [], caseId);
const cardState = (page: Page, caseId: string, state: string, timeout = 20_000) =>
  page.waitForSelector(`${tid(`handoff-${caseId}`)}[data-state="${state}"]`, { timeout });

t.test('dispatcher console: pre-announce, follow the call to its outcome, warning and take-back', async (t) => {
  t.ok(haveChromium(), 'chromium is installed');
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
  const h = await startHarness(t, {
    timeScale: 1,
    dialplanVars: { gw_110_addr_regex: '^127\\.0\\.0\\.1$' },
    env: { HOTLINE_HANDOFF_PARTNERS: JSON.stringify(partners), HOTLINE_ACD_WRAP_UP_SEC: '600', HOTLINE_HANDOFF_ANSWER_WARN_SEC: '5' },
  });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  const base = `http://127.0.0.1:${(h.service.app.server.address() as { port: number }).port}`;

  // The 110 dispatcher signs in where everyone does and is sent to its console.
  const d = await openBrowser(t, 'dispatcher110');
  await d.page.goto(`${base}/`);
  await d.page.fill(tid('login-username'), 'dispatcher');
  await d.page.fill(tid('login-password'), 'demo12345');
  await d.page.press(tid('login-password'), 'Enter');
  await d.page.waitForURL(/\/dispatcher$/);
  await d.page.waitForSelector(tid('announce-form'));
  t.match(await d.page.textContent(tid('dp-partners')), /公安110/, 'the console names its partner');
  await d.page.waitForSelector(`${tid('dp-conn')}[data-status="online"]`);
  const other = await openBrowser(t, 'dispatcher119');
  await other.page.goto(`${base}/dispatcher`);
  await other.page.fill(tid('login-username'), 'dispatcher119');
  await other.page.fill(tid('login-password'), 'demo12345');
  await other.page.press(tid('login-password'), 'Enter');
  await other.page.waitForSelector(`${tid('dp-conn')}[data-status="online"]`);

  // Five ordinary callers wait first.
  const ordinary: string[] = [];
  for (let i = 0; i < 5; i++) ordinary.push(((await h.control('/calls', { from: `1380000100${i}`, to: '12345', profile: 'external' })).json as { uuid: string }).uuid);
  for (const id of ordinary) await eventually('ordinary caller queued', () => calls.queues.get(id), 20_000);

  // The pre-announcement, through the form: a bad number is caught before anything is sent.
  const CASE = 'JJ20261206-0017';
  const fill = async (values: Record<string, string>) => {
    for (const [k, v] of Object.entries(values)) await d.page.fill(tid(`announce-${k}`), v);
  };
  await fill({ caseId: CASE, callerNumber: '1390000222a', category: '噪音扰民', summary: '楼上装修噪音，非警情', location: '解放路12号', dispatcherName: '王警官', dispatcherCallback: '02188880110' });
  await d.page.click(tid('announce-submit'));
  t.match(await d.page.textContent(tid('announce-message')), /来电号码：请填写3至20位数字/, 'a bad caller number is refused in the form');
  await fill({ callerNumber: '13900002222' });
  await d.page.click(tid('announce-submit'));
  await cardState(d.page, CASE, 'announced', 10_000);
  await watchStates(d.page, CASE);
  t.match(await d.page.textContent(tid('announce-message')), /已预告/, 'the dispatcher is told to transfer now');
  await d.shot('announced');

  // 110 transfers the caller with the case id in its SIP header.
  const p110 = ((await h.control('/calls', { from: '13900002222', to: '12345110', profile: 'external', sipHeaders: { 'X-110-Case-Id': CASE } })).json as { uuid: string }).uuid;
  await cardState(d.page, CASE, 'queued');
  await d.page.waitForFunction((c) => /第1位/.test(document.querySelector(`[data-testid="handoff-${c}"] [data-testid="handoff-now"]`)?.textContent ?? ''), CASE, { timeout: 10_000 });
  t.match(await d.page.textContent(`${tid(`handoff-${CASE}`)} ${tid('handoff-now')}`), /第1位 · 已等待 00:0\d/, 'queued first, with the wait');
  await d.shot('queued');

  // One agent becomes ready: the 110 caller is offered first. The phone answers after 2 s.
  h.fsim.sw.registerUser('1001', { answerAfterMs: 2000, hangupAfterMs: 3000 });
  await calls.acd.agents.create({ id: '1001', name: '王芳', phone: 'user/1001', skills: { general: 8 } });
  await calls.acd.agents.apply('1001', { type: 'login' }, 'test');
  calls.acd.agentBecameReady('1001');
  await cardState(d.page, CASE, 'ringing');
  t.match(await d.page.textContent(`${tid(`handoff-${CASE}`)} ${tid('handoff-now')}`), /坐席 1001 振铃中/);
  await d.shot('ringing');
  await cardState(d.page, CASE, 'answered');
  t.match(await d.page.textContent(`${tid(`handoff-${CASE}`)} ${tid('handoff-now')}`), /坐席 1001 于 \d\d:\d\d:\d\d 接听/, 'answered by whom and when');
  t.ok(calls.registry.get(p110)?.case110?.['Case-Id'] === CASE, "the case reaches the agent's call record (screen pop)");
  for (const id of ordinary) t.ok(await calls.queues.get(id), 'the ordinary callers still wait');
  t.match(await d.page.textContent(`${tid(`handoff-${CASE}`)} ${tid('handoff-outcome')}`), /等待坐席填写处理结果/);
  await d.shot('answered');
  await cardState(d.page, CASE, 'ended');
  await d.shot('ended');

  await calls.desk.wrapUp('1001', { callId: p110, category: 'complaint', summary: '已派单至城管', ticketRef: 'GD-20261206-0042' });
  await d.page.waitForSelector(`${tid(`handoff-${CASE}`)} ${tid('handoff-outcome')}[data-known="true"]`, { timeout: 10_000 });
  t.match(await d.page.textContent(`${tid(`handoff-${CASE}`)} ${tid('handoff-outcome')}`), /工单号 GD-20261206-0042 · complaint · 已派单至城管/, 'the outcome: ticket id and result');
  t.same(await statesOf(d.page, CASE), ['announced', 'queued', 'ringing', 'answered', 'ended'], 'the console showed every state, in order');
  const hook = await eventually('outcome webhook', () => received[0], 10_000);
  t.same(verifySignature(SECRET, hook.headers, hook.body, Date.now()), { ok: true }, 'the outcome webhook is signed');
  t.match(JSON.parse(hook.body), { type: 'handoff-outcome', handoff: { caseId: CASE, answeredBy: '1001', outcome: { ticketRef: 'GD-20261206-0042' } } });
  await d.page.waitForFunction(() => document.querySelector('[data-testid="fig-110-in"] [data-col="accepted"]')?.textContent === '1', undefined, { timeout: 10_000 });
  t.equal(await d.page.textContent(`${tid('fig-110-in')} [data-col="transferred"]`), '1', 'the figures panel counts it');
  await d.shot('outcome');

  // A second caller: the agent is in wrap-up, nobody answers; after 5 s the console warns.
  const CASE2 = 'JJ20261206-0018';
  await fill({ caseId: CASE2, callerNumber: '13900003333', category: '咨询', summary: '非警情咨询' });
  await d.page.click(tid('announce-submit'));
  await cardState(d.page, CASE2, 'announced', 10_000);
  const p2 = ((await h.control('/calls', { from: '13900003333', to: '12345110', profile: 'external', sipHeaders: { 'X-110-Case-Id': CASE2 } })).json as { uuid: string }).uuid;
  await cardState(d.page, CASE2, 'queued');
  await d.page.waitForSelector(`${tid(`handoff-${CASE2}`)} ${tid('handoff-warning')}`, { timeout: 15_000 });
  t.match(await d.page.textContent(`${tid(`handoff-${CASE2}`)} ${tid('handoff-warning')}`), /无人接听/, 'the console warns');
  await d.shot('warning');
  await d.page.click(`${tid(`handoff-${CASE2}`)} ${tid('handoff-take-back')}`);
  await cardState(d.page, CASE2, 'returned', 10_000);
  await eventually('caller left the queue', async () => !(await calls.queues.get(p2)), 10_000);
  await d.shot('taken-back');

  t.same(await other.page.$$(`${tid('handoff-list')} article`), [], "a 119 dispatcher's console shows none of 110's handoffs");
  t.equal(await other.page.$(`${tid('fig-110-in')}`), null, "nor 110's figures");
  await other.shot('other-partner');

  // English is one click away.
  await d.page.click(tid('lang-toggle'));
  await d.page.waitForFunction(() => /Dispatcher console/.test(document.title));
  t.match(await d.page.textContent(`${tid(`handoff-${CASE}`)} ${tid('handoff-outcome')}`), /ticket GD-20261206-0042/);
  await d.shot('english');
  t.same(d.errors, [], 'no uncaught errors in the page');
  t.same(other.errors, []);
});
