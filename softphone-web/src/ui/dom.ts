// A few DOM helpers: build elements declaratively, bind static labels to the current language, and
// write text only when it changes (screen readers re-announce live regions on every write).
import { t, type MessageKey } from '../i18n/i18n.ts';

type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  testid?: string;
  /** Text content from the messages table, kept in the current language. */
  text?: MessageKey;
  /** aria-label from the messages table. */
  label?: MessageKey;
  attrs?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (ev: HTMLElementEventMap[K]) => void };
}

/**
 * Static labels to re-apply after a language switch. The element is held weakly: a panel that is
 * only detached for now (it comes back with the next call) keeps its binding, while the elements
 * of a closed login form or an old workspace are collected, and their bindings with them.
 */
let bindings: { el: WeakRef<Element>; f: (el: Element) => void }[] = [];

export function relabel(): void {
  bindings = bindings.filter((b) => b.el.deref() !== undefined);
  for (const b of bindings) {
    const el = b.el.deref();
    if (el) b.f(el);
  }
}

/** Keep a piece of an element in the current language. */
export function bind<E extends Element>(el: E, f: (el: E) => void): void {
  f(el);
  bindings.push({ el: new WeakRef(el), f: f as (el: Element) => void });
}

/**
 * A panel that is in the document only while it applies (screen pop, call panel, wrap-up form):
 * absent rather than hidden, so tests and assistive technology see exactly what is live. The
 * anchor (an empty comment) keeps its place among its siblings.
 */
export class Mount {
  readonly anchor = document.createComment('');
  constructor(private readonly el: HTMLElement) {}
  get mounted(): boolean {
    return this.el.parentNode !== null;
  }
  set(on: boolean): void {
    if (on && !this.mounted) this.anchor.after(this.el);
    else if (!on && this.mounted) this.el.remove();
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.testid) el.dataset.testid = props.testid;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  const { text, label } = props;
  if (text) bind(el, (e) => (e.textContent = t(text)));
  if (label) bind(el, (e) => e.setAttribute('aria-label', t(label)));
  for (const [ev, f] of Object.entries(props.on ?? {})) el.addEventListener(ev, f as EventListener);
  for (const c of children) if (c) el.append(c);
  return el;
}

export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function show(el: HTMLElement, visible: boolean): void {
  if (el.hidden === visible) el.hidden = !visible;
}

export function setAttr(el: HTMLElement, name: string, value: string | undefined): void {
  if (value === undefined) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/** True when the keyboard focus is in a field that takes typing. */
export function typingIn(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || target.matches('input:not([type=radio]):not([type=checkbox]), textarea, select'));
}

/**
 * A button whose label is a message and that shows its shortcut. A null key leaves the label to
 * the component (buttons that toggle, such as hold/resume).
 */
export function button(key: MessageKey | null, props: Props & { shortcut?: string } = {}): HTMLButtonElement {
  const b = h('button', { ...props, attrs: { type: 'button', ...props.attrs } });
  const label = key ? h('span', { text: key }) : h('span');
  b.append(label);
  if (props.shortcut) {
    b.setAttribute('aria-keyshortcuts', props.shortcut);
    b.append(h('kbd', {}, props.shortcut));
  }
  return b;
}

/** Replace a button's label text (the first span), keeping its shortcut hint. */
export function setButtonLabel(b: HTMLButtonElement, text: string): void {
  const span = b.querySelector('span');
  if (span) setText(span, text);
}
