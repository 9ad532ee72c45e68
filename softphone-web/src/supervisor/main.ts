// The supervisor console (/supervisor): the agents of the supervisor's groups, live over /ops, with
// their state and time in it, the current call and how long its caller waited; forcing an agent
// not ready (with a reason) or logged out goes through POST /api/agents/:id/state, which checks the
// groups and audits the change as supervisor:<name> in the agent's trail. Listening, whispering
// and barging on the supervisor's phone, moving waiting callers and messaging agents are in
// live-actions.ts.
import { lang, loadLang, setLang } from '../i18n/i18n.ts';
import { mmss } from '../console/board-model.ts';
import { consoleLoginForm } from '../console/login-form.ts';
import { ct, ctOr } from '../console/messages.ts';
import { OpsConnection, type OpsStatus } from '../console/ops-connection.ts';
import { loadConsoleSession, saveConsoleSession, type ConsoleSession } from '../console/session.ts';
import '../wallboard/wallboard.css';
import { api, listenButtons, messageForm, sessionBar, waitingPanel, type ActionContext, type Session } from './live-actions.ts';
import './supervisor.css';

const ROLES = ['supervisor'];
const REASONS = ['break', 'meal', 'training', 'meeting'];
const root = document.getElementById('app') as HTMLElement;
let conn: OpsConnection | undefined;
let session: ConsoleSession | undefined;
let status: OpsStatus = 'connecting';
let notice = '';
let pending = false;
/** The reason chosen per agent: the table is rebuilt on every live update, the choice must survive it. */
const chosenReason = new Map<string, string>();
/** The queue chosen per waiting caller, for the same reason. */
const chosenQueue = new Map<string, string>();
let supervising: Session | null = null;
let visibleAgents: string[] = [];

const actions = (): ActionContext => ({
  token: session!.token,
  session: supervising,
  setSession: (s) => {
    supervising = s;
    schedule();
  },
  run: (work) =>
    void work()
      .then((done) => (notice = done))
      .catch((err: unknown) => (notice = ct('sv.failed', { message: (err as Error).message })))
      .finally(schedule),
});
const message = messageForm(h, actions, () => visibleAgents);

function h(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** The token's groups (its claims are not secret; the server checks them on every action). */
function groupsOf(token: string): string[] {
  try {
    const claims = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { groups?: unknown };
    return Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === 'string') : [];
  } catch {
    return [];
  }
}

async function force(agentId: string, body: { action: string; reason?: string }): Promise<void> {
  const res = await fetch(`/api/agents/${encodeURIComponent(agentId)}/state`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${session!.token}` },
    body: JSON.stringify(body),
  });
  const label = body.action === 'logout' ? ct('sv.forceLogout') : `${ct('sv.forceNotReady')} (${ctOr(`reason.${body.reason}`, body.reason ?? '')})`;
  notice = res.ok ? ct('sv.done', { agent: agentId, action: label }) : ct('sv.failed', { message: ((await res.json().catch(() => ({}))) as { message?: string }).message ?? String(res.status) });
  schedule();
}

function render(): void {
  pending = false;
  if (!conn || !session) return;
  const now = Date.now();
  const groups = groupsOf(session.token);
  const agents = [...conn.state.agents.values()].filter((a) => (a.groups ?? []).some((g) => groups.includes(g))).sort((a, b) => a.id.localeCompare(b.id));
  visibleAgents = agents.map((a) => a.id);
  // The switch ends the session with the call: no mode buttons for a call that is over.
  if (supervising && conn.state.agents.get(supervising.agentId)?.callId !== supervising.callId) supervising = null;
  message.refresh();
  const ctx = actions();
  const langBtn = h('button', { class: 'lang', 'data-testid': 'lang-toggle', type: 'button' }, ct('lang.toggle'));
  langBtn.addEventListener('click', () => {
    setLang(lang() === 'en' ? 'zh-CN' : 'en');
    render();
  });
  const rows = agents.map((a) => {
    const call = a.callId ? conn!.state.calls.get(a.callId) : undefined;
    const waited = call?.queuedMs !== undefined && call.connectedMs !== undefined ? (call.connectedMs - call.queuedMs) / 1000 : call?.queuedMs !== undefined ? (now - call.queuedMs) / 1000 : null;
    const reason = h('select', { 'data-testid': `sv-reason-${a.id}`, 'aria-label': ct('sv.forceNotReady') }, ...REASONS.map((r) => h('option', { value: r }, ctOr(`reason.${r}`, r)))) as HTMLSelectElement;
    reason.value = chosenReason.get(a.id) ?? REASONS[0]!;
    reason.addEventListener('change', () => chosenReason.set(a.id, reason.value));
    const notReady = h('button', { type: 'button', 'data-testid': `sv-not-ready-${a.id}` }, ct('sv.forceNotReady'));
    notReady.addEventListener('click', () => void force(a.id, { action: 'not-ready', reason: reason.value }));
    const logout = h('button', { type: 'button', 'data-testid': `sv-logout-${a.id}` }, ct('sv.forceLogout'));
    logout.addEventListener('click', () => void force(a.id, { action: 'logout' }));
    const state = ctOr(`state.${a.state}`, a.state) + (a.reason ? ` · ${ctOr(`reason.${a.reason}`, a.reason)}` : '');
    return h(
      'tr',
      { 'data-testid': `sv-agent-${a.id}`, 'data-state': a.state },
      h('td', {}, `${a.id} ${a.name}`),
      h('td', { 'data-testid': `sv-state-${a.id}` }, state),
      h('td', {}, mmss((now - a.since) / 1000)),
      h('td', { 'data-testid': `sv-call-${a.id}` }, call ? `${call.callerNumber} · ${ctOr(`queue.${call.queue ?? ''}`, call.queue ?? '')}` : '—'),
      h('td', {}, mmss(waited)),
      h('td', { class: 'actions' }, ...listenButtons(h, ctx, a.id, a.state === 'on-call' && call !== undefined), reason, notReady, logout),
    );
  });
  const th = (k: Parameters<typeof ct>[0]) => h('th', {}, ct(k));
  root.replaceChildren(
    h('header', { class: 'wb-head' }, h('h1', {}, ct('sv.title')), h('span', {}, ct('sv.groups', { groups: groups.join(', ') })), h('span', { class: `wb-conn ${status}`, 'data-testid': 'wb-conn' }, ct(`wb.conn.${status}`)), langBtn),
    h('p', { class: 'sv-notice', role: 'status', 'data-testid': 'sv-notice' }, notice),
    sessionBar(h, ctx),
    h(
      'section',
      { class: 'panel' },
      h('table', { class: 'queues sv', 'data-testid': 'sv-agents' }, h('thead', {}, h('tr', {}, th('sv.agent'), th('sv.state'), th('sv.inState'), th('sv.call'), th('sv.callerWait'), th('sv.actions'))), h('tbody', {}, ...rows)),
      rows.length ? '' : h('p', {}, ct('sv.noAgents')),
    ),
    waitingPanel(h, ctx, [...conn.state.calls.values()], conn.state.queues, chosenQueue, now),
    message.el,
  );
}

function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(render);
}

function start(s: ConsoleSession): void {
  session = s;
  conn = new OpsConnection(s.token, schedule, (st) => {
    status = st;
    if (st === 'expired') {
      conn?.close();
      conn = undefined;
      saveConsoleSession(undefined);
      root.replaceChildren(consoleLoginForm(ROLES, start, ct('wb.conn.expired')));
      return;
    }
    schedule();
  });
  render();
  // A session started earlier (another tab, before a reload) shows with its mode.
  void api<{ session: Session | null }>(s.token, 'GET', '/api/supervise')
    .then((r) => {
      supervising = r.session;
      schedule();
    })
    .catch(() => undefined);
}

loadLang();
document.documentElement.lang = lang();
document.title = ct('sv.title');
setInterval(() => conn && schedule(), 1000);
const resumed = loadConsoleSession(ROLES);
if (resumed) start(resumed);
else root.replaceChildren(consoleLoginForm(ROLES, start));
