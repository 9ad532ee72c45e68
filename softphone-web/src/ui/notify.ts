// Two ways to tell the agent something: the toast (visible, one message at a time, for errors and
// confirmations) and the announcer (screen-reader only, for changes seen elsewhere on screen).
import { t } from '../i18n/i18n.ts';
import { CommandFailed } from '../net/connection.ts';
import { h, setText, show } from './dom.ts';

const ERROR_MS = 10_000;
const INFO_MS = 5_000;

export class Toast {
  readonly el: HTMLElement;
  private readonly text: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.text = h('span', { class: 'toast-text' });
    const close = h('button', { class: 'toast-close', label: 'toast.dismiss', attrs: { type: 'button' }, on: { click: () => this.clear() } }, '×');
    // role=status (polite) for notices; errors switch to role=alert in show().
    this.el = h('div', { class: 'toast', testid: 'toast', attrs: { role: 'status', 'aria-live': 'polite' } }, this.text, close);
    this.el.hidden = true;
  }

  info(message: string): void {
    this.show(message, 'info', INFO_MS);
  }

  error(message: string): void {
    this.show(message, 'error', ERROR_MS);
  }

  clear(): void {
    clearTimeout(this.timer);
    show(this.el, false);
    setText(this.text, '');
  }

  private show(message: string, kind: 'info' | 'error', ms: number): void {
    clearTimeout(this.timer);
    this.el.dataset.kind = kind;
    this.el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    this.el.setAttribute('aria-live', kind === 'error' ? 'assertive' : 'polite');
    this.text.textContent = message;
    show(this.el, true);
    this.timer = setTimeout(() => this.clear(), ms);
  }
}

/** A failed command or phone action in the agent's language. */
export function describeError(err: unknown): string {
  if (err instanceof CommandFailed) return t(`error.${err.code}`, { message: err.message });
  return t('error.phone', { message: err instanceof Error ? err.message : String(err) });
}

/** Visually hidden live regions; the text is cleared first so a repeated message is announced again. */
export class Announcer {
  readonly el: HTMLElement;
  private readonly polite: HTMLElement;
  private readonly assertive: HTMLElement;

  constructor() {
    this.polite = h('div', { class: 'sr-only', attrs: { 'aria-live': 'polite', 'aria-atomic': 'true' } });
    this.assertive = h('div', { class: 'sr-only', attrs: { 'aria-live': 'assertive', 'aria-atomic': 'true' } });
    this.el = h('div', {}, this.polite, this.assertive);
  }

  say(message: string, urgent = false): void {
    const region = urgent ? this.assertive : this.polite;
    region.textContent = '';
    setTimeout(() => (region.textContent = message), 50);
  }
}
