// The QA page (/qa, 质检): the day's sample (per agent every complaint, every unsatisfied rating and a
// random share), each call's recording played in an <audio> element, and a form per call to score
// it on the site's scorecard. The recording is fetched with the bearer token (an <audio src> could
// not send it) and played from a blob URL; the server audits every fetch.
import { lang, loadLang, setLang } from '../i18n/i18n.ts';
import { consoleLoginForm } from '../console/login-form.ts';
import { loadConsoleSession, saveConsoleSession, type ConsoleSession } from '../console/session.ts';
import { qt, qtOr } from './messages.ts';
import '../wallboard/wallboard.css';
import './qa.css';

const ROLES = ['qa', 'supervisor', 'admin'];
const root = document.getElementById('app') as HTMLElement;
let session: ConsoleSession | undefined;

interface ScorecardItem { id: string; label: string; labelEn?: string; weight: number }
interface SampleItem {
  callId: string; agentId: string; queue: string | null; startedAt: string; recordingPath: string | null;
  rating: string | null; reason: string; score: { total: number; items: Record<string, number> } | null;
}
interface AgentQaRow { agentId: string; sampled: number; scored: number; avgScore: number | null }

let scorecard: ScorecardItem[] = [];
let items: SampleItem[] = [];
let report: AgentQaRow[] = [];
let notice = '';
let day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
/** Blob URLs of recordings fetched so far, by call: kept across re-renders. */
const audioUrls = new Map<string, string>();

function h(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

async function api<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, { ...init, headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), authorization: `Bearer ${session!.token}` } });
  if (res.status === 401) {
    saveConsoleSession(undefined);
    root.replaceChildren(consoleLoginForm(ROLES, start));
    throw new Error('session expired');
  }
  if (!res.ok) throw new Error(((await res.json().catch(() => ({}))) as { message?: string }).message ?? String(res.status));
  return (await res.json()) as T;
}

async function load(): Promise<void> {
  try {
    const [card, sample, rep] = await Promise.all([
      scorecard.length ? Promise.resolve({ items: scorecard }) : api<{ items: ScorecardItem[] }>('/api/qa/scorecard'),
      api<{ items: SampleItem[] }>(`/api/qa/sample?date=${day}`),
      api<{ rows: AgentQaRow[] }>(`/api/qa/report?date=${day}`),
    ]);
    scorecard = card.items;
    items = sample.items;
    report = rep.rows;
  } catch (err) {
    notice = qt('qa.failed', { message: (err as Error).message });
  }
  render();
}

async function play(callId: string): Promise<void> {
  try {
    let url = audioUrls.get(callId);
    if (!url) {
      const res = await fetch(`/api/recordings/${callId}`, { headers: { authorization: `Bearer ${session!.token}` } });
      if (!res.ok) throw new Error(((await res.json().catch(() => ({}))) as { message?: string }).message ?? String(res.status));
      url = URL.createObjectURL(await res.blob());
      audioUrls.set(callId, url);
    }
    render();
    const audio = document.querySelector<HTMLAudioElement>(`[data-testid="qa-audio-${callId}"]`);
    await audio?.play().catch(() => undefined);
  } catch (err) {
    notice = qt('qa.failed', { message: (err as Error).message });
    render();
  }
}

async function submit(callId: string, form: HTMLFormElement): Promise<void> {
  const data = new FormData(form);
  const scores: Record<string, number> = {};
  for (const i of scorecard) scores[i.id] = Number(data.get(i.id));
  const comment = String(data.get('comment') ?? '').trim();
  try {
    const s = await api<{ total: number }>('/api/qa/scores', { method: 'POST', body: JSON.stringify({ callId, items: scores, ...(comment ? { comment } : {}) }) });
    notice = qt('qa.saved', { total: s.total });
    await load();
  } catch (err) {
    notice = qt('qa.failed', { message: (err as Error).message });
    render();
  }
}

function scoreForm(it: SampleItem): HTMLElement {
  const form = h('form', { class: 'qa-score', 'data-testid': `qa-form-${it.callId}` }) as HTMLFormElement;
  for (const i of scorecard) {
    const input = h('input', { type: 'number', min: '0', max: '100', step: '1', name: i.id, required: '', 'data-testid': `qa-item-${it.callId}-${i.id}`, value: String(it.score?.items[i.id] ?? '') });
    form.append(h('label', {}, `${lang() === 'en' ? (i.labelEn ?? i.label) : i.label} (${i.weight})`, input));
  }
  form.append(h('label', {}, qt('qa.comment'), h('input', { name: 'comment', maxlength: '500' })));
  form.append(h('button', { type: 'submit', 'data-testid': `qa-submit-${it.callId}` }, qt('qa.submit')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void submit(it.callId, form);
  });
  return form;
}

function render(): void {
  if (!session) return;
  const langBtn = h('button', { class: 'lang', 'data-testid': 'lang-toggle', type: 'button' }, qt('lang.toggle'));
  langBtn.addEventListener('click', () => {
    setLang(lang() === 'en' ? 'zh-CN' : 'en');
    document.title = qt('qa.title');
    render();
  });
  const dateInput = h('input', { type: 'date', value: day, 'data-testid': 'qa-date' }) as HTMLInputElement;
  const loadBtn = h('button', { type: 'button', 'data-testid': 'qa-load' }, qt('qa.load'));
  loadBtn.addEventListener('click', () => {
    day = dateInput.value || day;
    void load();
  });
  const th = (k: Parameters<typeof qt>[0]) => h('th', {}, qt(k));
  const rows = items.flatMap((it) => {
    const url = audioUrls.get(it.callId);
    const playBtn = h('button', { type: 'button', 'data-testid': `qa-play-${it.callId}` }, qt('qa.play'));
    playBtn.addEventListener('click', () => void play(it.callId));
    const media = it.recordingPath ? (url ? h('audio', { controls: '', src: url, 'data-testid': `qa-audio-${it.callId}` }) : playBtn) : h('span', {}, qt('qa.noRecording'));
    return [
      h(
        'tr',
        { 'data-testid': `qa-row-${it.callId}`, 'data-reason': it.reason },
        h('td', {}, it.agentId),
        h('td', {}, new Date(it.startedAt).toLocaleString(lang() === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai' })),
        h('td', {}, it.queue ?? '—'),
        h('td', { 'data-testid': `qa-reason-${it.callId}` }, qtOr(`reason.${it.reason}`, it.reason)),
        h('td', {}, it.rating ? qtOr(`rating.${it.rating}`, it.rating) : '—'),
        h('td', { 'data-testid': `qa-total-${it.callId}` }, it.score ? String(it.score.total) : '—'),
        h('td', {}, media),
      ),
      h('tr', { class: 'qa-form-row' }, h('td', { colspan: '7' }, scoreForm(it))),
    ];
  });
  const reportRows = report.map((r) => h('tr', { 'data-testid': `qa-report-${r.agentId}` }, h('td', {}, r.agentId), h('td', {}, String(r.sampled)), h('td', {}, String(r.scored)), h('td', {}, r.avgScore === null ? '—' : String(r.avgScore))));
  root.replaceChildren(
    h('header', { class: 'wb-head' }, h('h1', {}, qt('qa.title')), h('label', {}, `${qt('qa.date')} `, dateInput), loadBtn, langBtn),
    h('p', { class: 'sv-notice', role: 'status', 'data-testid': 'qa-notice' }, notice),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, qt('qa.sample')),
      h('table', { class: 'queues qa', 'data-testid': 'qa-sample' }, h('thead', {}, h('tr', {}, th('qa.agent'), th('qa.time'), th('qa.queue'), th('qa.reason'), th('qa.rating'), th('qa.score'), th('qa.play'))), h('tbody', {}, ...rows)),
      items.length ? '' : h('p', { 'data-testid': 'qa-empty' }, qt('qa.empty')),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, qt('qa.report')),
      h('table', { class: 'queues', 'data-testid': 'qa-report' }, h('thead', {}, h('tr', {}, th('qa.agent'), th('qa.sampled'), th('qa.scored'), th('qa.avg'))), h('tbody', {}, ...reportRows)),
    ),
  );
}

function start(s: ConsoleSession): void {
  session = s;
  render();
  void load();
}

loadLang();
document.documentElement.lang = lang();
document.title = qt('qa.title');
const resumed = loadConsoleSession(ROLES);
if (resumed) start(resumed);
else root.replaceChildren(consoleLoginForm(ROLES, start));
