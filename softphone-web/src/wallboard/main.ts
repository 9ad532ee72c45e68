// The wallboard (/wallboard, /ops): a 1920x1080 wall screen for ops staff, zh-CN first. Everything
// arrives over Socket.IO /ops (snapshot, then deltas); the one-second timer only redraws the clock
// and the waits from data already held.
import { lang, loadLang, setLang } from '../i18n/i18n.ts';
import { boardModel, belowTarget, mmss, pct, type ScopeFigures } from '../console/board-model.ts';
import { todayChart } from '../console/chart.ts';
import { consoleLoginForm } from '../console/login-form.ts';
import { ct, ctOr } from '../console/messages.ts';
import { OpsConnection, type OpsStatus } from '../console/ops-connection.ts';
import type { BoardSatisfaction } from '../../../server/src/realtime/ops-events.ts';
import { loadConsoleSession, saveConsoleSession, type ConsoleSession } from '../console/session.ts';
import './wallboard.css';

const ROLES = ['ops', 'supervisor'];
const root = document.getElementById('app') as HTMLElement;
let conn: OpsConnection | undefined;
let status: OpsStatus = 'connecting';
let pending = false;

function h(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

const beijing = (ms: number): string => new Date(ms + 8 * 3_600_000).toISOString().slice(11, 19);

function rateTile(id: string, label: string, rate: number | null | undefined, target: number, sub: string): HTMLElement {
  const cls = rate === null || rate === undefined ? 'tile' : belowTarget(rate, target) ? 'tile below' : 'tile ok';
  return h('div', { class: cls, 'data-testid': id, 'data-value': rate === null || rate === undefined ? '' : String(rate) }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, pct(rate)), h('div', { class: 'sub' }, sub));
}

function tile(id: string, label: string, value: string, raw: string, sub = ''): HTMLElement {
  return h('div', { class: 'tile', 'data-testid': id, 'data-value': raw }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), h('div', { class: 'sub' }, sub));
}

function rateCell(rate: number | null | undefined, target: number): HTMLElement {
  return h('td', { class: rate === null || rate === undefined ? '' : belowTarget(rate, target) ? 'below' : 'ok' }, pct(rate));
}

function queueRow(f: ScopeFigures, target: number, sat: BoardSatisfaction | undefined, center = false): HTMLElement {
  const name = f.queue === undefined ? ct('wb.center') : ctOr(`queue.${f.queue}`, f.queue);
  const s = f.sla;
  return h(
    'tr',
    { class: center ? 'center' : '', 'data-testid': `wb-row-${f.scope}` },
    h('td', {}, name),
    h('td', { 'data-testid': `wb-waiting-${f.scope}` }, String(f.waiting)),
    h('td', {}, mmss(f.longestWaitSec)),
    h('td', {}, String(f.agents.ready)),
    h('td', {}, String(f.agents.onCall)),
    h('td', {}, String(f.agents.wrapUp)),
    h('td', {}, String(f.agents.notReady)),
    rateCell(s?.interval.rate15s, target),
    rateCell(s?.today.rate15s, target),
    rateCell(s?.rolling24h.rate15s, target),
    h('td', {}, pct(s?.today.answerRate)),
    h('td', {}, pct(s && s.today.counted > 0 ? s.today.abandoned / s.today.counted : null)),
    h('td', {}, mmss(s?.today.asaSec)),
    // Today's survey: (satisfied + basically) / rated, with how many were asked.
    h('td', { 'data-testid': `wb-satisfaction-${f.scope}`, 'data-value': sat?.rate === null || sat?.rate === undefined ? '' : String(sat.rate) }, sat?.surveyed ? `${pct(sat.rate)} (${sat.surveyed})` : '—'),
  );
}

function render(): void {
  pending = false;
  if (!conn) return;
  const now = Date.now();
  const { state } = conn;
  const board = state.board;
  const target = board?.target ?? 0.95;
  const m = boardModel(state.calls, state.agents, board, now);
  const c = m.center.sla;
  const langBtn = h('button', { class: 'lang', 'data-testid': 'lang-toggle', type: 'button' }, ct('lang.toggle'));
  langBtn.addEventListener('click', () => {
    setLang(lang() === 'en' ? 'zh-CN' : 'en');
    document.documentElement.lang = lang();
    render();
  });
  const head = h('header', { class: 'wb-head' }, h('h1', {}, ct('wb.title')), h('span', { class: `wb-conn ${status}`, 'data-testid': 'wb-conn' }, ct(`wb.conn.${status}`)), h('span', { class: 'wb-clock' }, beijing(now)), langBtn);
  const targetText = ct('wb.target', { target: pct(target) });
  const tiles = h(
    'section',
    { class: 'tiles' },
    rateTile('wb-rate-interval', ct('wb.rate.interval'), c?.interval.rate15s, target, targetText),
    rateTile('wb-rate-today', ct('wb.rate.today'), c?.today.rate15s, target, targetText),
    rateTile('wb-rate-rolling', ct('wb.rate.rolling'), c?.rolling24h.rate15s, target, targetText),
    tile('wb-waiting', ct('wb.waiting'), String(m.center.waiting), String(m.center.waiting), `${ct('wb.longest')} ${mmss(m.center.longestWaitSec)}`),
    tile('wb-offered', ct('wb.offered'), String(c?.today.offered ?? 0), String(c?.today.offered ?? 0)),
    tile('wb-answer-rate', ct('wb.answerRate'), pct(c?.today.answerRate), String(c?.today.answerRate ?? '')),
    tile('wb-abandon-rate', ct('wb.abandonRate'), pct(c && c.today.counted > 0 ? c.today.abandoned / c.today.counted : null), c && c.today.counted > 0 ? String(c.today.abandoned / c.today.counted) : ''),
    tile('wb-asa', ct('wb.asa'), mmss(c?.today.asaSec), String(c?.today.asaSec ?? '')),
  );
  const th = (k: Parameters<typeof ct>[0]) => h('th', {}, ct(k));
  const table = h(
    'table',
    { class: 'queues', 'data-testid': 'wb-queues' },
    h('thead', {}, h('tr', {}, th('wb.queue'), th('wb.waiting'), th('wb.longest'), th('wb.ready'), th('wb.onCall'), th('wb.wrapUp'), th('wb.notReady'), th('wb.rate.interval'), th('wb.rate.today'), th('wb.rate.rolling'), th('wb.answerRate'), th('wb.abandonRate'), th('wb.asa'), th('wb.satisfaction'))),
    h('tbody', {}, queueRow(m.center, target, board?.satisfaction, true), ...m.queues.map((q) => queueRow(q, target, board?.queueSatisfaction?.[q.scope]))),
  );
  const a = m.center.agents;
  const reasons = Object.entries(a.notReadyByReason).map(([r, n]) => `${ctOr(`reason.${r}`, r)} ${n}`).join(' · ');
  const stateBox = (id: string, n: number, label: string) => h('div', { class: 'state', 'data-testid': id, 'data-value': String(n) }, h('div', { class: 'n' }, String(n)), h('div', { class: 'l' }, label));
  const agentsPanel = h(
    'section',
    { class: 'panel' },
    h('h2', {}, `${ct('wb.agents')} · ${ct('wb.loggedIn')} ${a.loggedIn}`),
    h('div', { class: 'states' }, stateBox('wb-agents-ready', a.ready, ct('wb.ready')), stateBox('wb-agents-oncall', a.onCall, ct('wb.onCall')), stateBox('wb-agents-wrapup', a.wrapUp, ct('wb.wrapUp')), stateBox('wb-agents-notready', a.notReady, ct('wb.notReady'))),
    h('div', { class: 'reasons', 'data-testid': 'wb-reasons' }, reasons || '\u00a0'),
  );
  const fc = board?.forecast;
  const forecastPanel = h(
    'section',
    { class: 'panel', 'data-testid': 'wb-forecast' },
    h('h2', {}, `${ct('wb.forecast')}${fc && fc.ok ? ` · ${ct(`wb.model.${fc.model}`)} · ${ct('wb.aht', { sec: fc.ahtSec })}` : ''}`),
    fc && fc.ok && m.need.now !== null
      ? h(
          'div',
          { class: 'need' },
          h('span', {}, `${ct('wb.need.now')} `, h('span', { class: 'big', 'data-testid': 'wb-need-now', 'data-value': String(m.need.now) }, String(m.need.now))),
          h('span', {}, `${ct('wb.need.have')} `, h('span', { class: `big ${a.loggedIn < m.need.now ? 'below' : ''}`, 'data-testid': 'wb-need-have' }, String(a.loggedIn))),
          h('span', { class: 'next' }, m.need.next.map((x) => `${beijing(x.start).slice(0, 5)} ${x.agents}`).join('  ')),
        )
      : h('div', { class: 'need', 'data-testid': 'wb-need-none' }, ct('wb.need.none')),
  );
  const transfers = board?.transfers ?? { from110: 0, to110: 0, toPartner: 0 };
  const alerts = board?.alerts ?? [];
  const sat = board?.satisfaction ?? { surveyed: 0, notSatisfied: 0, notRated: 0, rate: null };
  const alertsPanel = h(
    'section',
    { class: 'panel alerts', 'data-testid': 'wb-alerts' },
    h('h2', {}, `${ct('wb.transfers')}: ${ct('wb.from110')} ${transfers.from110} · ${ct('wb.to110')} ${transfers.to110} · ${ct('wb.toPartner')} ${transfers.toPartner}`),
    h('h2', { 'data-testid': 'wb-satisfaction' }, `${ct('wb.satisfaction')}: ${sat.rate === null ? '—' : `${Math.round(sat.rate * 1000) / 10}%`} · ${ct('wb.surveyed')} ${sat.surveyed} · ${ct('wb.notSatisfied')} ${sat.notSatisfied} · ${ct('wb.notRated')} ${sat.notRated}`),
    // Answered today from the knowledge base (agents' wrap-up mark) over answered today.
    h('h2', { 'data-testid': 'wb-kb-rate' }, ct('wb.kbRate', { rate: pct(board?.kb?.rate), n: board?.kb?.kbAnswered ?? 0, of: board?.kb?.answered ?? 0 })),
    ...(alerts.length ? alerts.map((x) => h('div', { class: 'alert' }, `⚠ ${ct('wb.alert.scope', { scope: x.scope === 'center' ? ct('wb.center') : ctOr(`queue.${x.scope.slice(6)}`, x.scope) })}`)) : [h('div', {}, ct('wb.noAlerts'))]),
  );
  const dayStart = Math.floor((now + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000;
  const chartPanel = h('section', { class: 'panel', 'data-testid': 'wb-chart' }, h('h2', {}, ct('wb.chart')));
  chartPanel.append(todayChart(board?.series ?? [], dayStart, target, 1040, 250));
  root.replaceChildren(
    head,
    tiles,
    h('div', { class: 'main' }, h('section', { class: 'panel' }, table), h('div', { class: 'right' }, agentsPanel, forecastPanel, alertsPanel)),
    h('div', { class: 'bottom' }, chartPanel),
  );
}

function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(render);
}

function start(session: ConsoleSession): void {
  conn = new OpsConnection(session.token, schedule, (s) => {
    status = s;
    if (s === 'expired') {
      conn?.close();
      conn = undefined;
      saveConsoleSession(undefined);
      showLogin(ct('wb.conn.expired'));
      return;
    }
    schedule();
  });
  render();
}

function showLogin(notice?: string): void {
  root.replaceChildren(consoleLoginForm(ROLES, start, notice));
}

loadLang();
document.documentElement.lang = lang();
document.title = ct('wb.title');
setInterval(() => conn && schedule(), 1000);
const resumed = loadConsoleSession(ROLES);
if (resumed) start(resumed);
else showLogin();
