// The dispatcher console (/dispatcher) of a partner hotline (110, 119, 120, 122, 12388): the
// dispatcher files a pre-announcement, transfers the caller from its own switch, and follows the
// call live over /dispatcher (queued with position and wait, ringing, answered by whom and when,
// ended, the outcome from the agent's wrap-up). When nobody answers in time the card warns and
// offers the take-back. A dispatcher sees its own partner's handoffs only (its token's groups name
// the partner; the server filters). Today's diversion figures sit beside, with a CSV download.
import type { DayFigures } from '../../../server/src/handoff/service.ts';
import { lang, loadLang, setLang } from '../i18n/i18n.ts';
import { consoleLogin, loadConsoleSession, saveConsoleSession, type ConsoleSession } from '../console/session.ts';
import { announceForm, type PartnerInfo } from './announce-form.ts';
import { DispatcherConnection, type DispatcherStatus } from './connection.ts';
import { figuresPanel } from './figures-panel.ts';
import { el, handoffCard } from './handoff-card.ts';
import { dt, type DispatcherKey } from './messages.ts';
import { registerThreeWayActions } from './three-way-actions.ts';
import '../styles.css';
import './dispatcher.css';

const ROLES = ['dispatcher', 'supervisor'];
const root = document.getElementById('app') as HTMLElement;
let session: ConsoleSession | undefined;
let conn: DispatcherConnection | undefined;
let status: DispatcherStatus = 'connecting';
let partners: PartnerInfo[] = [];
let figures: DayFigures[] = [];
let pending = false;
let figuresTimer: ReturnType<typeof setTimeout> | undefined;
const listEl = el('div', { class: 'hf-list', 'data-testid': 'handoff-list' });
const figuresEl = el('div');
const statusEl = el('span', { class: 'conn', 'data-testid': 'dp-conn' });
const noticeEl = el('p', { class: 'form-error', role: 'status', 'data-testid': 'dp-notice' });

async function api(method: string, url: string, body?: unknown): Promise<Response> {
  return fetch(url, { method, headers: { authorization: `Bearer ${session!.token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
}
const messageOf = async (res: Response): Promise<string> => ((await res.json().catch(() => ({}))) as { message?: string }).message ?? `HTTP ${res.status}`;

async function loadFigures(): Promise<void> {
  const res = await api('GET', '/api/handoffs/figures').catch(() => undefined);
  if (!res?.ok) return;
  figures = ((await res.json()) as { figures: DayFigures[] }).figures;
  schedule();
}
/** Figures move with the handoffs: reload a moment after a burst of updates settles. */
function figuresSoon(): void {
  clearTimeout(figuresTimer);
  figuresTimer = setTimeout(() => void loadFigures(), 800);
}

async function downloadCsv(): Promise<void> {
  const res = await api('GET', '/api/handoffs/figures?format=csv');
  if (!res.ok) {
    noticeEl.textContent = dt('dp.failed', { message: await messageOf(res) });
    noticeEl.dataset.ok = 'false';
    return;
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'diversion.csv';
  const a = el('a', { href: URL.createObjectURL(await res.blob()), download: name }) as HTMLAnchorElement;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function takeBack(id: string): Promise<void> {
  const res = await api('POST', `/api/handoffs/${encodeURIComponent(id)}/take-back`);
  noticeEl.textContent = res.ok ? dt('dp.takenBack') : dt('dp.failed', { message: await messageOf(res) });
  noticeEl.dataset.ok = String(res.ok);
}

function render(): void {
  pending = false;
  if (!conn) return;
  const names = new Map(partners.map((p) => [p.id, p.name]));
  const nowMs = Date.now();
  statusEl.textContent = dt(`dp.conn.${status}` as DispatcherKey);
  statusEl.dataset.status = status;
  const list = [...conn.state.handoffs.values()].sort((a, b) => b.createdMs - a.createdMs);
  listEl.replaceChildren(...(list.length ? list.map((h) => handoffCard(h, { nowMs, partnerName: names.get(h.partner) ?? h.partner, onTakeBack: session?.role === 'dispatcher' ? (x) => void takeBack(x.id) : undefined })) : [el('p', { class: 'idle' }, dt('dp.none'))]));
  figuresEl.replaceChildren(figuresPanel(figures, names, () => void downloadCsv()));
}

registerThreeWayActions({
  canAct: () => session?.role === 'dispatcher',
  post: (url, body) => api('POST', url, body),
  notice: (text, ok) => {
    noticeEl.textContent = text;
    noticeEl.dataset.ok = String(ok);
  },
  messageOf,
  refresh: () => schedule(),
});

function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(render);
}

function signOut(notice?: string): void {
  conn?.close();
  conn = undefined;
  session = undefined;
  saveConsoleSession(undefined);
  showLogin(notice);
}

async function start(s: ConsoleSession): Promise<void> {
  session = s;
  const res = await api('GET', '/api/handoffs').catch(() => undefined);
  if (res?.status === 401 || res?.status === 403) return signOut(dt('dp.conn.expired'));
  partners = res?.ok ? ((await res.json()) as { partners: PartnerInfo[] }).partners : [];
  const langBtn = el('button', { class: 'btn btn-quiet', type: 'button', 'data-testid': 'lang-toggle' }, dt('dp.lang'));
  langBtn.addEventListener('click', () => {
    setLang(lang() === 'en' ? 'zh-CN' : 'en');
    void start(session!);
  });
  const out = el('button', { class: 'btn', type: 'button', 'data-testid': 'dp-sign-out' }, dt('dp.signOut'));
  out.addEventListener('click', () => signOut());
  document.title = dt('dp.title');
  const form = s.role === 'dispatcher' && partners.length
    ? announceForm(partners, async (body) => {
        const r = await api('POST', '/api/handoffs', body);
        return { ok: r.ok, message: r.ok ? '' : await messageOf(r) };
      })
    : '';
  root.replaceChildren(
    el(
      'header',
      { class: 'state-bar' },
      el('h1', {}, dt('dp.title')),
      el('span', { class: 'who', 'data-testid': 'dp-partners' }, dt('dp.partners', { names: partners.map((p) => p.name).join('、') })),
      el('span', { class: 'who' }, s.username),
      el('div', { class: 'status' }, statusEl, langBtn, out),
    ),
    el('main', { class: 'layout dp-layout' }, el('div', { class: 'work' }, noticeEl, el('h2', {}, dt('dp.list')), listEl), el('aside', { class: 'side' }, form, figuresEl)),
  );
  conn?.close();
  conn = new DispatcherConnection(s.token, () => (schedule(), figuresSoon()), (st) => {
    status = st;
    if (st === 'expired') return signOut(dt('dp.conn.expired'));
    schedule();
  });
  void loadFigures();
  render();
}

function showLogin(notice?: string): void {
  const form = el('form', { class: 'login', 'data-testid': 'dp-login' }) as HTMLFormElement;
  const user = el('input', { name: 'username', autocomplete: 'username', required: '', 'data-testid': 'login-username', id: 'dp-user' });
  const pass = el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: '', 'data-testid': 'login-password', id: 'dp-pass' });
  const error = el('p', { class: 'form-error', role: 'alert' }, notice ?? '');
  form.append(
    el('h1', {}, dt('dp.login.title')),
    el('div', { class: 'field' }, el('label', { for: 'dp-user' }, dt('dp.login.username')), user),
    el('div', { class: 'field' }, el('label', { for: 'dp-pass' }, dt('dp.login.password')), pass),
    error,
    el('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'login-submit' }, dt('dp.login.submit')),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const data = new FormData(form);
    void consoleLogin(String(data.get('username') ?? '').trim(), String(data.get('password') ?? ''), ROLES).then((res) => {
      if (res.ok) void start(res.session);
      else error.textContent = dt(`dp.login.error.${res.error}` as DispatcherKey);
    });
  });
  document.title = dt('dp.title');
  root.replaceChildren(el('div', { class: 'login-page' }, form));
}

loadLang();
document.documentElement.lang = lang();
// Waits and positions move by themselves; figures are refreshed now and then as well.
setInterval(() => conn && schedule(), 1000);
setInterval(() => conn && void loadFigures(), 30_000);
const resumed = loadConsoleSession(ROLES);
if (resumed) void start(resumed);
else showLogin();
