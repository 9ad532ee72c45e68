// The knowledge-base editor (/kb), for role editor or admin: the entries (drafts too) with a text
// filter and a status filter, an edit form, the workflow (save draft -> publish with the effective
// dates -> back to draft), delete, and import / export as CSV or JSON. Everything goes through
// /api/kb (routes/kb.ts), which validates, audits and tells the other service instances.
import { lang, loadLang, setLang } from '../i18n/i18n.ts';
import { consoleLoginForm } from '../console/login-form.ts';
import { loadConsoleSession, saveConsoleSession, type ConsoleSession } from '../console/session.ts';
import { kt, type KbKey } from './messages.ts';
import '../wallboard/wallboard.css';
import './kb-editor.css';

interface Entry {
  id: string;
  question: string;
  answer: string;
  category: string;
  department: string;
  region: string;
  validFrom: string | null;
  validTo: string | null;
  source: string;
  tags: string[];
  status: 'draft' | 'published';
}

const ROLES = ['editor', 'admin'];
const root = document.getElementById('app') as HTMLElement;
let session: ConsoleSession | undefined;
let entries: Entry[] = [];
let total = 0;
let filter = '';
let status = '';
let editing: Entry | 'new' | undefined;
let notice = '';
let problems: { row: number; message: string }[] = [];

function h(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string | null)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== null) e.append(c);
  return e;
}

function btn(key: KbKey, testid: string, onClick: () => void, cls = ''): HTMLButtonElement {
  const b = h('button', { type: 'button', 'data-testid': testid, class: cls }, kt(key)) as HTMLButtonElement;
  b.addEventListener('click', onClick);
  return b;
}

const bjToday = (): string => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const visibleToday = (e: Entry): boolean => e.status === 'published' && e.validFrom !== null && e.validFrom <= bjToday() && (e.validTo === null || e.validTo >= bjToday());

async function api(method: string, url: string, body?: unknown, contentType = 'application/json'): Promise<{ ok: boolean; status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${session!.token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  if (res.status === 401) {
    signOut();
    return { ok: false, status: 401, json: {} };
  }
  const json = res.status === 204 ? {} : ((await res.json().catch(() => ({}))) as Record<string, unknown>);
  return { ok: res.ok, status: res.status, json };
}

async function load(): Promise<void> {
  if (!session) return;
  const q = new URLSearchParams({ limit: '200', ...(filter ? { q: filter } : {}), ...(status ? { status } : {}) });
  const r = await api('GET', `/api/kb/entries?${q}`);
  if (r.ok) {
    entries = r.json.entries as Entry[];
    total = r.json.total as number;
  }
  render();
}

function failed(r: { json: Record<string, unknown>; status: number }): void {
  notice = kt('failed', { message: String(r.json.message ?? r.status) });
  problems = (r.json.problems as typeof problems | undefined) ?? [];
}

async function run(work: () => Promise<{ ok: boolean; status: number; json: Record<string, unknown> }>, done: (json: Record<string, unknown>) => string): Promise<void> {
  const r = await work();
  problems = [];
  if (r.ok) notice = done(r.json);
  else failed(r);
  await load();
}

function formValues(form: HTMLFormElement): Record<string, unknown> {
  const d = new FormData(form);
  const s = (k: string) => String(d.get(k) ?? '').trim();
  return {
    question: s('question'),
    answer: s('answer'),
    category: s('category'),
    department: s('department'),
    region: s('region'),
    source: s('source'),
    tags: s('tags').split(/[,，、]/).map((x) => x.trim()).filter(Boolean),
    validFrom: s('validFrom') || null,
    validTo: s('validTo') || null,
  };
}

function field(key: KbKey, name: string, value: string, kind: 'input' | 'textarea' | 'date' = 'input'): HTMLElement {
  const input =
    kind === 'textarea'
      ? h('textarea', { name, rows: '8', 'data-testid': `kb-f-${name}` }, value)
      : h('input', { name, type: kind === 'date' ? 'date' : 'text', value, 'data-testid': `kb-f-${name}` });
  return h('label', { class: 'kb-field' }, h('span', {}, kt(key)), input);
}

function editor(): HTMLElement | null {
  if (!editing) return null;
  const e = editing === 'new' ? undefined : editing;
  const form = h('form', { class: 'kb-form panel', 'data-testid': 'kb-form' }) as HTMLFormElement;
  form.append(
    h('h2', {}, e ? kt('editing', { id: e.id, status: kt(`status.${e.status}`) }) : kt('creating')),
    e ? '' : field('f.id', 'id', ''),
    field('f.question', 'question', e?.question ?? ''),
    field('f.answer', 'answer', e?.answer ?? '', 'textarea'),
    h('div', { class: 'kb-row' }, field('f.category', 'category', e?.category ?? ''), field('f.department', 'department', e?.department ?? ''), field('f.region', 'region', e?.region ?? '')),
    h('div', { class: 'kb-row' }, field('f.source', 'source', e?.source ?? ''), field('f.tags', 'tags', (e?.tags ?? []).join(', '))),
    h('div', { class: 'kb-row' }, field('f.validFrom', 'validFrom', e?.validFrom ?? bjToday(), 'date'), field('f.validTo', 'validTo', e?.validTo ?? '', 'date')),
  );
  const save = () => {
    const v = formValues(form);
    const draft = { ...v, validFrom: e?.validFrom ?? null, validTo: e?.validTo ?? null };
    const id = String(new FormData(form).get('id') ?? '').trim();
    void run(
      () => (e ? api('PUT', `/api/kb/entries/${encodeURIComponent(e.id)}`, draft) : api('POST', '/api/kb/entries', { ...draft, ...(id ? { id } : {}) })),
      (json) => {
        editing = json.entry as Entry;
        return kt('saved', { id: editing.id });
      },
    );
  };
  const publish = () => {
    if (!e) return;
    const v = formValues(form);
    void run(
      () => api('POST', `/api/kb/entries/${encodeURIComponent(e.id)}/publish`, { validFrom: v.validFrom, validTo: v.validTo }),
      (json) => {
        editing = json.entry as Entry;
        return kt('published', { id: e.id, from: String(v.validFrom) });
      },
    );
  };
  const actions = h('div', { class: 'kb-actions' }, btn('save', 'kb-save', save, 'primary'));
  if (e) {
    actions.append(
      btn('publish', 'kb-publish', publish, 'primary'),
      btn('unpublish', 'kb-unpublish', () =>
        void run(() => api('POST', `/api/kb/entries/${encodeURIComponent(e.id)}/unpublish`), (json) => ((editing = json.entry as Entry), kt('unpublished', { id: e.id }))),
      ),
      btn('delete', 'kb-delete', () => {
        if (!confirm(kt('confirmDelete', { id: e.id }))) return;
        void run(() => api('DELETE', `/api/kb/entries/${encodeURIComponent(e.id)}`), () => ((editing = undefined), kt('deleted', { id: e.id })));
      }),
    );
  }
  actions.append(btn('close', 'kb-close', () => ((editing = undefined), render())));
  form.append(actions);
  form.addEventListener('submit', (ev) => (ev.preventDefault(), save()));
  return form;
}

async function download(format: 'csv' | 'json'): Promise<void> {
  const res = await fetch(`/api/kb/export?format=${format}`, { headers: { authorization: `Bearer ${session!.token}` } });
  const a = h('a', { href: URL.createObjectURL(await res.blob()), download: `kb-${bjToday()}.${format}` }) as HTMLAnchorElement;
  a.click();
  URL.revokeObjectURL(a.href);
}

async function upload(file: File): Promise<void> {
  const format = file.name.toLowerCase().endsWith('.csv') ? 'csv' : 'json';
  const text = await file.text();
  await run(
    () => api('POST', `/api/kb/import?format=${format}`, text, format === 'csv' ? 'text/csv' : 'application/json'),
    (json) => kt('import.ok', { added: Number(json.added), updated: Number(json.updated) }),
  );
}

function render(): void {
  if (!session) return;
  const langBtn = btn('lang', 'lang-toggle', () => (setLang(lang() === 'en' ? 'zh-CN' : 'en'), render()), 'lang');
  const search = h('input', { type: 'search', value: filter, placeholder: kt('filter'), 'aria-label': kt('filter'), 'data-testid': 'kb-filter' }) as HTMLInputElement;
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      filter = search.value.trim();
      void load().then(() => (root.querySelector<HTMLInputElement>('[data-testid=kb-filter]')?.focus()));
    }, 250);
  });
  const statusSel = h('select', { 'data-testid': 'kb-status-filter', 'aria-label': kt('col.status') }, ...['', 'draft', 'published'].map((s) => h('option', { value: s }, kt(s ? (`status.${s}` as KbKey) : 'status.all')))) as HTMLSelectElement;
  statusSel.value = status;
  statusSel.addEventListener('change', () => ((status = statusSel.value), void load()));
  const file = h('input', { type: 'file', accept: '.csv,.json,text/csv,application/json', 'data-testid': 'kb-import-file', class: 'visually-hidden', id: 'kb-import-file' }) as HTMLInputElement;
  file.addEventListener('change', () => void (file.files?.[0] && upload(file.files[0])));
  const rows = entries.map((e) => {
    const tr = h(
      'tr',
      { 'data-testid': `kb-row-${e.id}`, 'data-status': e.status, tabindex: '0' },
      h('td', {}, e.id),
      h('td', {}, e.question),
      h('td', {}, e.category),
      h('td', {}, kt(`status.${e.status}`)),
      h('td', {}, e.validFrom ? `${e.validFrom} ~ ${e.validTo ?? ''}` : ''),
      h('td', {}, kt(visibleToday(e) ? 'yes' : 'no')),
    );
    const open = () => ((editing = e), (problems = []), render());
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (ev) => ev.key === 'Enter' && open());
    return tr;
  });
  const th = (k: KbKey) => h('th', {}, kt(k));
  root.replaceChildren(
    h('header', { class: 'wb-head' }, h('h1', {}, kt('title')), h('span', {}, session!.username), langBtn, btn('logout', 'kb-logout', signOut)),
    h(
      'div',
      { class: 'kb-toolbar' },
      search,
      statusSel,
      btn('new', 'kb-new', () => ((editing = 'new'), render()), 'primary'),
      btn('export.csv', 'kb-export-csv', () => void download('csv')),
      btn('export.json', 'kb-export-json', () => void download('json')),
      h('label', { for: 'kb-import-file', class: 'button', 'data-testid': 'kb-import' }, kt('import')),
      file,
    ),
    h('div', { class: 'kb-notice', role: 'status', 'data-testid': 'kb-notice' }, notice, problems.length ? h('ul', { 'data-testid': 'kb-problems' }, ...problems.map((p) => h('li', {}, kt('import.row', { row: p.row, message: p.message })))) : null),
    h(
      'main',
      { class: 'kb-main' },
      h('section', { class: 'panel' }, h('p', {}, kt('count', { n: total })), h('table', { class: 'queues kb-table', 'data-testid': 'kb-table' }, h('thead', {}, h('tr', {}, th('col.id'), th('col.question'), th('col.category'), th('col.status'), th('col.valid'), th('col.today'))), h('tbody', {}, ...rows))),
      editor(),
    ),
  );
}

function signOut(): void {
  saveConsoleSession(undefined);
  session = undefined;
  showLogin();
}

function showLogin(): void {
  const form = consoleLoginForm(ROLES, (s) => {
    session = s;
    void load();
  });
  form.querySelector('h1')!.textContent = kt('login');
  root.replaceChildren(form);
}

loadLang();
document.documentElement.lang = lang();
document.title = kt('title');
session = loadConsoleSession(ROLES);
if (session) void load();
else showLogin();
