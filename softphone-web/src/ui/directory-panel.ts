// The department directory (部门通讯录) beside the call: the agent types a name, a tag, a number or
// the name's pinyin initials ("csgl" for 城市管理) and gets the departments with their numbers and
// hours; "转接" opens the transfer dialog with that number as an external target, so the agent
// still chooses blind or attended and confirms. Searching is the server's (GET /api/directory).
import type { DirectoryEntry } from '../../../server/src/directory/entry.ts';
import { t } from '../i18n/i18n.ts';
import { h, setText } from './dom.ts';

const DEBOUNCE_MS = 200;

export class DirectoryPanel {
  readonly el: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly list = h('ul', { class: 'directory-list', testid: 'directory-list' });
  private readonly status = h('p', { class: 'directory-status', testid: 'directory-status', attrs: { role: 'status' } });
  private entries: DirectoryEntry[] = [];
  private callId: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private asked = 0;

  constructor(
    private readonly token: string,
    /** Open the transfer dialog for this call with the number as an external target. */
    private readonly transfer: (callId: string, number: string, back: HTMLElement) => void,
  ) {
    this.input = h('input', { testid: 'directory-search', label: 'directory.search', attrs: { type: 'search', autocomplete: 'off', id: 'directory-search' }, on: { input: () => this.soon() } });
    const placeholder = () => this.input.setAttribute('placeholder', t('directory.search'));
    placeholder();
    this.el = h(
      'section',
      { class: 'panel directory-panel', testid: 'directory-panel', attrs: { 'aria-labelledby': 'directory-title' } },
      h('h2', { text: 'directory.title', attrs: { id: 'directory-title' } }),
      this.input,
      this.status,
      this.list,
    );
    this.relabel = () => (placeholder(), this.draw());
  }

  /** After a language switch. */
  readonly relabel: () => void;

  /** Load the first page (all departments, by name). */
  start(): void {
    void this.search('');
  }

  /** The call a transfer would move, if the agent is on one: the buttons follow it. */
  update(callId: string | undefined): void {
    if (callId === this.callId) return;
    this.callId = callId;
    for (const b of this.list.querySelectorAll<HTMLButtonElement>('button[data-number]')) b.disabled = callId === undefined;
  }

  private soon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.search(this.input.value.trim()), DEBOUNCE_MS);
  }

  private async search(q: string): Promise<void> {
    const mine = ++this.asked;
    try {
      const res = await fetch(`/api/directory?q=${encodeURIComponent(q.slice(0, 64))}&limit=30`, { headers: { authorization: `Bearer ${this.token}` } });
      if (!res.ok) throw new Error(String(res.status));
      const { entries } = (await res.json()) as { entries: DirectoryEntry[] };
      // An older answer arriving after a newer one must not replace it.
      if (mine !== this.asked) return;
      this.entries = entries;
      this.draw();
    } catch {
      if (mine === this.asked) setText(this.status, t('directory.error'));
    }
  }

  private draw(): void {
    setText(this.status, this.entries.length ? '' : t('directory.none'));
    this.list.replaceChildren(
      ...this.entries.map((e) => {
        const go = h('button', { class: 'btn btn-small', testid: `directory-transfer-${e.id}`, attrs: { type: 'button', 'data-number': e.number, title: t('directory.needCall') } }, t('directory.transfer'));
        go.disabled = this.callId === undefined;
        go.addEventListener('click', () => this.callId && this.transfer(this.callId, e.number, go));
        return h(
          'li',
          { class: 'directory-entry', testid: `directory-entry-${e.id}` },
          h('div', { class: 'directory-line' }, h('strong', {}, e.name), h('span', { class: 'directory-number' }, e.number), go),
          h('div', { class: 'directory-meta' }, t('directory.hours', { hours: e.hours }), ...e.tags.map((tag) => h('span', { class: 'badge' }, tag))),
          e.notes ? h('div', { class: 'directory-notes' }, e.notes) : null,
        );
      }),
    );
  }
}
