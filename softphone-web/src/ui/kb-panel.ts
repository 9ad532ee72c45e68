// The knowledge base beside the call (热线百科): a search box (each keystroke searches, after a
// short pause; pinyin initials such as "gjj" work), suggestions from the live call's context (its
// line, the 110 case summary of the screen pop, the wrap-up text as the agent types it), and one
// entry's view with "use for this call", which the wrap-up form carries as answered from the KB.
// Searches go to GET /api/kb/search with the agent's token; only entries shown today come back.
import type { CallView } from '../../../server/src/realtime/events.ts';
import { t } from '../i18n/i18n.ts';
import { lineName } from './caller-info.ts';
import { button, h, setText, show } from './dom.ts';

export interface KbEntryView {
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
}

interface SearchReply {
  total: number;
  hits: { score: number; entry: KbEntryView }[];
}

const TYPE_PAUSE_MS = 150;
const CONTEXT_PAUSE_MS = 400;

/**
 * The queries a call gives the knowledge base, freshest first: the wrap-up typed so far, then the
 * call itself (its line, the 110 case data). Searched apart, so that the agent's own words are not
 * drowned by a long case summary.
 */
export function contextQueries(call: CallView | undefined, typed: string): string[] {
  const parts: string[] = [];
  if (call) {
    // The main line says nothing about the topic; the enterprise line (12345+7) and 110 do.
    if (call.line !== 'main') parts.push(lineName(call.line));
    for (const [k, v] of Object.entries(call.case110 ?? {})) if (!/id$/i.test(k)) parts.push(v);
  }
  return [typed.trim(), parts.join(' ')].filter(Boolean).map((q) => q.slice(0, 200));
}

export class KbPanel {
  readonly el: HTMLElement;
  readonly input: HTMLInputElement;
  private readonly status = h('p', { class: 'kb-status', attrs: { role: 'status' } });
  private readonly results = h('ul', { class: 'kb-list', testid: 'kb-results' });
  private readonly suggestTitle = h('h3', { text: 'kb.suggest' });
  private readonly suggestions = h('ul', { class: 'kb-list', testid: 'kb-suggestions' });
  private readonly entryView = h('article', { class: 'kb-entry', testid: 'kb-entry' });
  private typeTimer: ReturnType<typeof setTimeout> | undefined;
  private contextTimer: ReturnType<typeof setTimeout> | undefined;
  private lastContext = '';
  private seq = 0;
  private chosen: KbEntryView | undefined;
  private open: KbEntryView | undefined;
  private canUse = false;

  constructor(
    private readonly token: () => string,
    /** The agent chose an entry as the answer to the current call (undefined: none). */
    private readonly onUse: (entry: KbEntryView | undefined) => void,
  ) {
    this.input = h('input', { testid: 'kb-search', label: 'kb.search', attrs: { type: 'search', id: 'kb-search', autocomplete: 'off', maxlength: '200' } });
    this.input.placeholder = t('kb.placeholder');
    this.input.addEventListener('input', () => {
      clearTimeout(this.typeTimer);
      this.typeTimer = setTimeout(() => void this.search(), TYPE_PAUSE_MS);
    });
    this.el = h(
      'section',
      { class: 'panel kb-panel', testid: 'kb-panel', attrs: { 'aria-labelledby': 'kb-title' } },
      h('h2', { text: 'kb.title', attrs: { id: 'kb-title' } }),
      h('label', { class: 'visually-hidden', text: 'kb.search', attrs: { for: 'kb-search' } }),
      this.input,
      this.status,
      this.results,
      this.suggestTitle,
      this.suggestions,
      this.entryView,
    );
    show(this.suggestTitle, false);
    show(this.entryView, false);
  }

  relabel(): void {
    this.input.placeholder = t('kb.placeholder');
    if (this.open) this.showEntry(this.open);
  }

  /** Each render: the call in hand (ringing, talking or being wrapped up) and the wrap-up text. */
  update(call: CallView | undefined, typed: string, inWrapUp: boolean): void {
    this.canUse = call !== undefined || inWrapUp;
    if (!this.canUse && this.chosen) this.use(undefined);
    const qs = contextQueries(call, typed);
    const q = qs.join('\n');
    if (q === this.lastContext) return;
    this.lastContext = q;
    clearTimeout(this.contextTimer);
    if (!qs.length) {
      this.suggestions.replaceChildren();
      show(this.suggestTitle, false);
      return;
    }
    this.contextTimer = setTimeout(() => void this.suggest(qs, q), CONTEXT_PAUSE_MS);
  }

  /** The wrap-up was filed or dropped: the next call starts with no entry chosen. */
  clearChoice(): void {
    this.use(undefined);
  }

  private async fetchHits(q: string, limit: number): Promise<SearchReply | undefined> {
    try {
      const res = await fetch(`/api/kb/search?q=${encodeURIComponent(q)}&limit=${limit}`, { headers: { authorization: `Bearer ${this.token()}` } });
      if (!res.ok) throw new Error(String(res.status));
      return (await res.json()) as SearchReply;
    } catch {
      setText(this.status, t('kb.failed'));
      return undefined;
    }
  }

  private async search(): Promise<void> {
    const q = this.input.value.trim();
    const mine = ++this.seq;
    if (!q) {
      this.results.replaceChildren();
      setText(this.status, '');
      return;
    }
    const r = await this.fetchHits(q, 8);
    // A slower answer to an earlier keystroke must not replace a newer one.
    if (!r || mine !== this.seq) return;
    setText(this.status, r.total ? t('kb.results', { n: r.total }) : t('kb.none'));
    this.results.replaceChildren(...r.hits.map((x) => this.item(x.entry, 'kb-hit')));
  }

  private async suggest(queries: readonly string[], key: string): Promise<void> {
    const replies = await Promise.all(queries.map((q) => this.fetchHits(q, 3)));
    if (key !== this.lastContext) return;
    const seen = new Set<string>();
    const entries = replies.flatMap((r) => r?.hits ?? []).map((x) => x.entry).filter((e) => !seen.has(e.id) && seen.add(e.id));
    this.suggestions.replaceChildren(...entries.slice(0, 5).map((e) => this.item(e, 'kb-suggest')));
    show(this.suggestTitle, entries.length > 0);
  }

  private item(e: KbEntryView, kind: 'kb-hit' | 'kb-suggest'): HTMLElement {
    const b = h('button', { class: 'kb-item', testid: `${kind}-${e.id}`, attrs: { type: 'button' } }, h('span', { class: 'kb-q' }, e.question), h('span', { class: 'kb-cat' }, e.category));
    b.addEventListener('click', () => this.showEntry(e));
    return h('li', {}, b);
  }

  private showEntry(e: KbEntryView): void {
    this.open = e;
    const used = this.chosen?.id === e.id;
    const use = button(used ? 'kb.used' : 'kb.use', { class: `btn ${used ? '' : 'btn-primary'}`, testid: 'kb-use', on: { click: () => (this.use(used ? undefined : e), this.showEntry(e)) } });
    use.disabled = !this.canUse && !used;
    use.setAttribute('aria-pressed', String(used));
    const back = button('kb.back', { class: 'btn', testid: 'kb-back', on: { click: () => (show(this.entryView, false), (this.open = undefined)) } });
    this.entryView.replaceChildren(
      h('h3', { attrs: { 'data-entry-id': e.id } }, e.question),
      h('p', { class: 'kb-answer', testid: 'kb-answer' }, e.answer),
      h('dl', { class: 'facts' },
        e.department ? h('div', { class: 'kv' }, h('dt', { text: 'kb.department' }), h('dd', {}, e.department)) : null,
        e.source ? h('div', { class: 'kv' }, h('dt', { text: 'kb.source' }), h('dd', {}, e.source)) : null,
      ),
      h('p', { class: 'kb-valid' }, t('kb.valid', { from: e.validFrom ?? '', to: e.validTo ?? t('kb.noEnd') })),
      h('div', { class: 'actions' }, use, back),
    );
    show(this.entryView, true);
  }

  private use(e: KbEntryView | undefined): void {
    this.chosen = e;
    this.onUse(e);
  }
}
