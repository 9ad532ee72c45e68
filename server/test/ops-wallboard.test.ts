// The wallboard in real Chromium against the whole service, fsim and Redis: a scripted run (three
// calls answered, one abandoned), then the figures on the wall equal GET /api/sla, the CSV reports
// for the same day, and the Prometheus counters; the board survives a server-side disconnect.
// Screenshots at 1920x1080 in artifacts/softphone/.
import t, { type Test } from 'tap';
import { localDate } from '../src/sla/windows.ts';
import { eventually, startHarness, type Harness } from './helpers/service.ts';
import { haveChromium, openBrowser } from './helpers/browser.ts';
import { bearerAt } from './helpers/tokens.ts';

const tid = (id: string): string => `[data-testid="${id}"]`;

async function addAgent(h: Harness, id: string): Promise<void> {
  h.fsim.sw.registerUser(id, { answerAfterMs: 300, hangupAfterMs: 1500 });
  const acd = h.service.calls!.acd;
  await acd.agents.create({ id, name: `坐席${id}`, phone: `user/${id}`, skills: { general: 5 } });
  await acd.agents.apply(id, { type: 'login' }, 'test');
  acd.agentBecameReady(id);
}

/** A CSV download (UTF-8 with BOM, CRLF) as objects keyed by each column's English key (the last word of its heading). */
async function csvOf(tt: Test, res: Response): Promise<Record<string, string>[]> {
  tt.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  const bytes = new Uint8Array(await res.arrayBuffer());
  tt.same([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'the CSV starts with a UTF-8 BOM');
  const text = new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes);
  const [head, ...rows] = text.trimEnd().split('\r\n').map((l) => l.split(','));
  const keys = head!.map((hd) => hd.split(' ').at(-1)!);
  return rows.map((r) => Object.fromEntries(keys.map((k, i) => [k, r[i] ?? ''])));
}

t.test('wallboard: live figures equal /api/sla and the CSV; survives a reconnect', async (t) => {
  t.ok(haveChromium(), 'chromium is installed');
  const h = await startHarness(t, { timeScale: 1, env: { HOTLINE_ACD_WRAP_UP_SEC: '1', HOTLINE_SLA_UPDATE_THROTTLE_MS: '100', HOTLINE_OPS_BOARD_THROTTLE_MS: '200' } });
  const calls = h.service.calls!;
  await eventually('connected', () => calls.nodeStatus()[0]?.connected);
  await addAgent(h, '1001');
  await addAgent(h, '1002');
  const base = `http://127.0.0.1:${(h.service.app.server.address() as { port: number }).port}`;

  // The ops user logs in on the softphone's page and lands on the wallboard.
  const b = await openBrowser(t, 'wallboard');
  await b.page.setViewportSize({ width: 1920, height: 1080 });
  await b.page.goto(`${base}/`);
  await b.page.fill(tid('login-username'), 'ops');
  await b.page.fill(tid('login-password'), 'demo12345');
  await b.page.press(tid('login-password'), 'Enter');
  await b.page.waitForURL(/\/wallboard$/);
  await b.page.waitForSelector(`${tid('wb-conn')}.online`);
  await b.shot('wallboard-empty');

  // Three callers answered (two at once, the third after a wrap-up), then one who gives up after 9 s (after the welcome prompt: more than 5 s in the queue).
  const ids: string[] = [];
  for (const n of ['13800000101', '13800000102', '13800000103']) ids.push(((await h.control('/calls', { from: n, to: '12345', profile: 'external' })).json as { uuid: string }).uuid);
  await eventually('three answered', () => ids.every((id) => calls.registry.get(id)?.connectedUs !== undefined || calls.registry.get(id) === undefined) && ids.length === 3, 30_000);
  await eventually('both agents ready', async () => (await calls.acd.agents.list()).every((a) => a.state === 'ready'), 20_000);
  for (const id of ['1001', '1002']) await calls.acd.agents.apply(id, { type: 'notReady', reason: 'break' }, 'test');
  await h.control('/calls', { from: '13800000104', to: '12345', profile: 'external', patienceMs: 9000 });
  await b.page.waitForFunction(() => document.querySelector('[data-testid="wb-waiting"]')?.getAttribute('data-value') === '1', undefined, { timeout: 15_000 });
  await b.shot('wallboard-waiting');

  const headers = await bearerAt(base, 'ops');
  let last: unknown;
  const sla = await eventually('four offered in /api/sla', async () => {
    const s = (await (await fetch(`${base}/api/sla`, { headers })).json()) as { today: Record<string, number | null>; interval: Record<string, number | null>; rolling24h: Record<string, number | null> };
    last = s.today;
    return s.today.offered === 4 && s.today.abandoned === 1 && s;
  }, 20_000).catch((err: unknown) => {
    t.comment(JSON.stringify(last));
    throw err;
  });
  t.match(sla.today, { offered: 4, answered: 3, abandoned: 1 }, 'the scripted run as /api/sla counts it');

  await b.page.waitForFunction(() => document.querySelector('[data-testid="wb-offered"]')?.getAttribute('data-value') === '4', undefined, { timeout: 15_000 });
  const value = async (id: string): Promise<string | null> => b.page.getAttribute(tid(id), 'data-value');
  t.equal(Number(await value('wb-rate-today')), sla.today.rate15s, 'today 15 s rate on the wall = /api/sla');
  t.equal(Number(await value('wb-rate-rolling')), sla.rolling24h.rate15s, 'rolling 24 h rate on the wall = /api/sla');
  t.equal(Number(await value('wb-rate-interval')), sla.interval.rate15s, 'this interval on the wall = /api/sla');
  t.equal(Number(await value('wb-answer-rate')), sla.today.answerRate, 'answer rate');
  t.equal(Number(await value('wb-asa')), sla.today.asaSec, 'ASA');
  t.equal(Number(await value('wb-abandon-rate')), 1 / 4, 'abandon rate: 1 of 4 counted');
  t.match(await b.page.getAttribute(tid('wb-rate-today'), 'class'), /below/, 'below the 95 % target: coloured');
  t.equal(await value('wb-agents-notready'), '2', 'both agents not ready');
  t.match(await b.page.textContent(tid('wb-reasons')), /休息 2/, 'by reason, in Chinese');
  const noScroll = await b.page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight && document.documentElement.scrollWidth <= window.innerWidth);
  t.ok(noScroll, 'the board fits 1920x1080 without scrolling');
  await b.shot('wallboard-figures');

  // The same day in the CSV reports.
  const day = localDate(Date.now());
  const dayCsv = await csvOf(t, await fetch(`${base}/api/reports/days?from=${day}&to=${day}`, { headers }));
  t.match(dayCsv[0], { period: day, offered: '4', answered: '3', abandoned: '1', rate15s: String(Math.round(sla.today.rate15s! * 1000) / 1000) }, 'the day row = /api/sla today');
  const intervals = await csvOf(t, await fetch(`${base}/api/reports/intervals?date=${day}`, { headers }));
  t.equal(intervals.reduce((s, r) => s + Number(r.offered), 0), 4, 'the intervals add up to the day');
  t.equal(intervals.reduce((s, r) => s + Number(r.answeredWithin), 0), sla.today.answeredWithin, 'answered within 15 s, summed');
  const agents = await csvOf(t, await fetch(`${base}/api/reports/agents?date=${day}`, { headers }));
  t.equal(agents.reduce((s, r) => s + Number(r.calls), 0), 3, 'agents took three calls between them');
  t.ok(agents.every((r) => Number(r.talkSec) > 0 && Number(r.loggedInSec) > 0), 'talk and logged-in time per agent');

  const metrics = await (await fetch(`${base}/metrics`)).text();
  t.match(metrics, /^hotline_calls_offered_total\{queue="general"\} 4$/m, 'offered counter');
  t.match(metrics, /^hotline_calls_answered_total\{queue="general"\} 3$/m, 'answered counter');
  t.match(metrics, /^hotline_call_wait_seconds_count\{queue="general",outcome="answered"\} 3$/m, 'wait histogram');
  t.match(metrics, /^hotline_sla_window_rate15s\{scope="center",window="today"\} /m, 'today gauge');
  t.match(metrics, /^hotline_realtime_clients\{namespace="\/ops"\} 1$/m, 'the wallboard counted as a client');
  t.match(metrics, /^hotline_esl_events_total\{node="fs1",event="CHANNEL_ANSWER"\} \d+$/m, 'ESL events counted');
  t.match(metrics, /^hotline_esl_command_duration_seconds_count\{node="fs1",command="originate",result="ok"\} \d+$/m, 'ESL command latency');

  // A server-side disconnect: the wall reconnects, gets a fresh snapshot and follows new changes.
  h.service.realtime!.io.of('/ops').disconnectSockets(true);
  await b.page.waitForSelector(`${tid('wb-conn')}:not(.online)`, { timeout: 5000 });
  await b.page.waitForSelector(`${tid('wb-conn')}.online`, { timeout: 15_000 });
  await calls.acd.agents.apply('1001', { type: 'ready' }, 'test');
  await b.page.waitForFunction(() => document.querySelector('[data-testid="wb-agents-ready"]')?.getAttribute('data-value') === '1', undefined, { timeout: 10_000 });
  t.pass('after the reconnect the wall follows agent changes');
  await b.page.click(tid('lang-toggle'));
  t.match(await b.page.textContent('h1'), /Hotline wallboard/, 'English on demand');
  await b.shot('wallboard-english');
  t.same(b.errors, [], 'no uncaught errors in the page');
});
