// Issue 14, knowledge base in the softphone, in a real browser (Debian chromium via playwright-core)
// against the whole service, fsim and Redis: the agent searches (Chinese words and pinyin
// initials), a 110 transfer's case summary brings a suggestion while the call rings, the wrap-up
// text typed brings another, the agent marks the call answered from the KB with that entry, and
// the KB answer rate counts it (the ops board and the day report, per queue). Also the editor
// page: an editor publishes a draft and the agent finds it. Screenshots in artifacts/softphone/.
import t from 'tap';
import type { Page } from 'playwright-core';
import { DEMO_KB_ENTRIES } from '../../scripts/lib/demo-kb.ts';
import { eventually, startHarness } from './helpers/service.ts';
import { haveChromium, openBrowser } from './helpers/browser.ts';
import { bearer } from './helpers/tokens.ts';

const tid = (id: string): string => `[data-testid="${id}"]`;

async function logIn(page: Page, url: string, user: string, ready: string): Promise<void> {
  await page.goto(url);
  await page.fill(tid('login-username'), user);
  await page.fill(tid('login-password'), 'demo12345');
  await page.press(tid('login-password'), 'Enter');
  await page.waitForSelector(tid(ready));
}

const hitIds = (page: Page, list: string): Promise<string[]> =>
  page.$$eval(`${tid(list)} button`, (bs) => bs.map((b) => (b as HTMLElement).dataset.testid!.replace(/^kb-(hit|suggest)-/, '')));

t.test('the KB in the softphone: search, a suggestion from the call, answered from the KB in the figures', async (t) => {
  t.ok(haveChromium(), 'chromium is installed (apt-get install chromium)');
  const h = await startHarness(t, { timeScale: 1, dialplanVars: { gw_110_addr_regex: '^127\\.0\\.0\\.1$' }, env: { HOTLINE_ACD_WRAP_UP_SEC: '300' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  t.same(await h.service.kb!.import('json', JSON.stringify(DEMO_KB_ENTRIES), 'test:seed'), { added: DEMO_KB_ENTRIES.length, updated: 0 });
  await calls.acd.agents.create({ id: '1001', name: '王芳', phone: 'user/1001', skills: { general: 5 } });
  const base = `http://127.0.0.1:${(h.service.app.server.address() as { port: number }).port}`;

  const a = await openBrowser(t, 'kb-agent1001');
  await logIn(a.page, `${base}/`, '1001', 'agent-state');
  await a.page.waitForSelector(tid('kb-panel'));

  // Typing searches (no button): Chinese words through the synonym table, and pinyin initials.
  await a.page.fill(tid('kb-search'), '社保卡丢了');
  await a.page.waitForSelector(tid('kb-hit-sb-001'));
  t.equal((await hitIds(a.page, 'kb-results'))[0], 'sb-001', '"社保卡丢了" finds 社会保障卡挂失补办 first');
  await a.shot('kb-search-chinese');
  await a.page.fill(tid('kb-search'), 'gjj');
  await a.page.waitForFunction(() => document.querySelector('[data-testid="kb-results"] button')?.getAttribute('data-testid')?.startsWith('kb-hit-gjj-'));
  const gjj = await hitIds(a.page, 'kb-results');
  t.ok(gjj.length >= 4 && gjj.every((id) => id.startsWith('gjj-')), `"gjj" (pinyin initials) finds the 公积金 entries: ${gjj.join(' ')}`);
  t.notOk(gjj.includes('gjj-900'), 'an entry effective next year is not shown');
  await a.page.fill(tid('kb-search'), '2025年度灵活就业人员社保缴费基数');
  await a.page.waitForSelector(`${tid('kb-results')} button`);
  t.notOk((await hitIds(a.page, 'kb-results')).includes('sb-900'), 'an expired entry is not shown');
  await a.page.fill(tid('kb-search'), '');
  await a.shot('kb-search-pinyin');

  await a.page.click(tid('btn-ready'));
  await eventually('1001 ready', async () => (await calls.acd.agents.get('1001'))?.state === 'ready');

  // A 110 transfer: its case summary (from the screen pop) brings the noise-complaint entry.
  const summary = encodeURIComponent('楼上邻居深夜装修噪音扰民');
  const { uuid: callId } = (await h.control('/calls', { from: '13900002222', to: '12345110', profile: 'external', sipHeaders: { 'X-110-Case-Id': 'JJ20261206-0042', 'X-110-Summary': summary } })).json as { uuid: string };
  await a.page.waitForSelector(tid('screen-pop'), { timeout: 20_000 });
  await a.page.waitForSelector(`${tid('kb-suggestions')} ${tid('kb-suggest-cs-001')}`, { timeout: 10_000 });
  t.pass('the 110 case summary suggests 噪音扰民投诉 while the call rings');
  await a.shot('kb-suggest-110');
  await a.page.click(tid('btn-answer'));
  await a.page.waitForSelector(tid('call-panel'));
  await eventually('connected on the server', () => calls.registry.get(callId)?.connectedUs);
  await a.page.click(tid('btn-hangup'));

  // The wrap-up text as typed brings its own suggestion; the agent opens it and uses it.
  await a.page.waitForSelector(tid('wrapup-form'));
  await a.page.check(tid('wrapup-category-consultation'));
  await a.page.fill(tid('wrapup-summary'), '市民另询问公积金怎么取，已按知识库答复');
  await a.page.waitForSelector(tid('kb-suggest-gjj-001'), { timeout: 10_000 });
  await a.page.click(tid('kb-suggest-gjj-001'));
  await a.page.waitForSelector(tid('kb-entry'));
  t.match(await a.page.textContent(tid('kb-answer')), /购买、建造、翻建、大修自住住房/, 'the entry view shows the answer');
  await a.page.click(tid('kb-use'));
  t.ok(await a.page.isChecked(tid('wrapup-kb')), 'the wrap-up is marked answered from the KB');
  t.match(await a.page.textContent(tid('wrapup-kb-entry')), /gjj-001 住房公积金提取条件/);
  await a.shot('kb-wrapup-marked');
  await a.page.click(tid('wrapup-submit'));
  await a.page.waitForSelector(tid('wrapup-form'), { state: 'detached' });

  const filed = await h.redis.xrange('hotline:desk:wrapups', '-', '+');
  t.match(JSON.parse(filed.at(-1)![1][3]!), { callId, agentId: '1001', kbEntryId: 'gjj-001' }, 'the wrap-up record carries the entry');

  // The figure: answered calls, those answered from the KB, and the rate, today and per queue.
  const ops = await bearer(h.service.auth, 'ops');
  const board = await eventually('the board counts it', async () => {
    const b = (await h.service.app.inject({ method: 'GET', url: '/api/ops/board', headers: ops })).json() as { kb: { answered: number; kbAnswered: number; rate: number | null } };
    return b.kb.kbAnswered === 1 && b.kb.answered === 1 ? b : undefined;
  });
  t.same(board.kb, { answered: 1, kbAnswered: 1, rate: 1 }, 'KB answer rate on the ops board: 1 of 1 answered');
  const queue = await h.redis.hget(`hotline:desk:call:${callId}`, 'queue');
  t.ok(queue, `the call's queue: ${queue}`);
  for (const scope of ['center', `queue:${queue}`]) {
    const day = (await h.service.app.inject({ method: 'GET', url: `/api/reports/days?format=json&scope=${encodeURIComponent(scope)}`, headers: ops })).json() as { rows: { answered: number; kbAnswered: number; kbAnswerRate: number }[] };
    t.match(day.rows, [{ answered: 1, kbAnswered: 1, kbAnswerRate: 1 }], `the day report, ${scope}`);
  }
  const csv = (await h.service.app.inject({ method: 'GET', url: '/api/reports/days?scope=center', headers: ops })).body;
  t.match(csv, /知识库解答率 kbAnswerRate/, 'the CSV report has the column');

  // The wallboard shows it.
  const w = await openBrowser(t, 'kb-wallboard');
  await logIn(w.page, `${base}/wallboard`, 'ops', 'wb-kb-rate');
  await w.page.waitForFunction(() => /100/.test(document.querySelector('[data-testid="wb-kb-rate"]')?.textContent ?? ''));
  t.match(await w.page.textContent(tid('wb-kb-rate')), /100/, 'the wallboard shows the KB answer rate');
  await w.shot('kb-rate-wallboard');
  t.same([...a.errors, ...w.errors], [], 'no uncaught errors');
});

t.test('the editor page: an editor publishes a draft, an agent finds it', async (t) => {
  t.ok(haveChromium());
  const h = await startHarness(t, { env: {} });
  const base = `http://127.0.0.1:${(h.service.app.server.address() as { port: number }).port}`;
  await h.service.kb!.import('json', JSON.stringify(DEMO_KB_ENTRIES.slice(0, 10)), 'test:seed');
  const e = await openBrowser(t, 'kb-editor');
  await logIn(e.page, `${base}/kb`, 'editor', 'kb-table');
  t.equal(await e.page.locator(`${tid('kb-table')} tbody tr`).count(), 10, 'the list shows the entries');
  await e.shot('kb-editor-list');

  await e.page.click(tid('kb-new'));
  await e.page.fill(tid('kb-f-id'), 'jzz-001');
  await e.page.fill(tid('kb-f-question'), '居住证办理条件');
  await e.page.fill(tid('kb-f-answer'), '在本市居住半年以上，有合法稳定就业、住所或连续就读之一的，可到居住地派出所申领居住证。');
  await e.page.fill(tid('kb-f-category'), '户籍');
  await e.page.fill(tid('kb-f-tags'), '居住证, 暂住证');
  await e.page.click(tid('kb-save'));
  await e.page.waitForSelector(`${tid('kb-row-jzz-001')}[data-status="draft"]`);
  t.equal(h.service.kb!.get('jzz-001')?.status, 'draft', 'saved as a draft');
  const agent = await bearer(h.service.auth, '1000');
  const find = async () => ((await h.service.app.inject({ method: 'GET', url: `/api/kb/search?q=${encodeURIComponent('暂住证怎么办')}`, headers: agent })).json() as { hits: { entry: { id: string } }[] }).hits.map((x) => x.entry.id);
  t.notOk((await find()).includes('jzz-001'), 'agents do not see a draft');
  await e.page.click(tid('kb-publish'));
  await e.page.waitForSelector(`${tid('kb-row-jzz-001')}[data-status="published"]`);
  t.match(await e.page.textContent(tid('kb-notice')), /已发布 jzz-001/);
  t.equal((await find())[0], 'jzz-001', 'published today: the agent finds it');
  await e.shot('kb-editor-published');

  await e.page.click(tid('kb-new'));
  await e.page.click(tid('kb-save'));
  await e.page.waitForFunction(() => /操作失败/.test(document.querySelector('[data-testid="kb-notice"]')?.textContent ?? ''));
  t.match(await e.page.textContent(tid('kb-notice')), /question/, 'an empty question is refused with the reason');
  t.equal(h.service.kb!.size, 11, 'and nothing was added');

  // Import: a file with a bad row is refused whole, its problems listed by row; a good one goes in.
  const header = 'id,question,answer,category,validFrom,status';
  const bad = [header, 'cz-001,出租车投诉,请拨打12345反映。,交通,2026-01-01,published', 'cz-002,,没有问题,交通,,draft'].join('\r\n');
  await e.page.setInputFiles(tid('kb-import-file'), { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await e.page.waitForSelector(tid('kb-problems'));
  t.match(await e.page.textContent(tid('kb-problems')), /第 3 行：question/, 'the problem is shown with its row');
  t.notOk(h.service.kb!.get('cz-001'), 'nothing imported');
  await e.shot('kb-editor-import-refused');
  await e.page.setInputFiles(tid('kb-import-file'), { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(bad.split('\r\n').slice(0, 2).join('\r\n')) });
  await e.page.waitForSelector(tid('kb-row-cz-001'));
  t.match(await e.page.textContent(tid('kb-notice')), /导入完成：新增 1 条/);
  t.same(e.errors, [], 'no uncaught errors');
});
