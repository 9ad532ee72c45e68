// A supervisor's message to this agent (or to all its team), pushed on /agent as agent:notice:
// shown until the agent dismisses it (unlike the toast, it does not time out: the agent may be
// talking when it comes), announced politely to screen readers.
import type { AgentNoticeEvent } from '../../../server/src/realtime/events.ts';
import { t } from '../i18n/i18n.ts';
import { h, setText, show } from './dom.ts';

export class SupervisorNotice {
  readonly el: HTMLElement;
  private readonly head: HTMLElement;
  private readonly text: HTMLElement;
  private last: AgentNoticeEvent['notice'] | undefined;

  constructor() {
    this.head = h('strong', { class: 'notice-from', testid: 'supervisor-notice-from' });
    this.text = h('span', { class: 'notice-text', testid: 'supervisor-notice-text' });
    const close = h('button', { class: 'toast-close', label: 'notice.dismiss', attrs: { type: 'button' }, testid: 'supervisor-notice-close', on: { click: () => show(this.el, false) } }, '×');
    this.el = h('div', { class: 'supervisor-notice', testid: 'supervisor-notice', attrs: { role: 'status', 'aria-live': 'polite' } }, this.head, this.text, close);
    this.el.hidden = true;
  }

  show(n: AgentNoticeEvent['notice']): void {
    this.last = n;
    this.relabel();
    this.text.textContent = n.text;
    show(this.el, true);
  }

  relabel(): void {
    if (!this.last) return;
    // The browser's own time zone, as the header clock shows it.
    const time = new Date(this.last.at).toLocaleTimeString('zh-CN', { hour12: false });
    setText(this.head, t(this.last.all ? 'notice.fromAll' : 'notice.from', { from: this.last.from, time }));
  }
}
