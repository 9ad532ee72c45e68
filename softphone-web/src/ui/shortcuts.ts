// Keyboard shortcuts. Alt+letter (matched on the physical key, so macOS Option-characters and
// input methods do not matter) works even while typing, because Alt combinations do not type text
// on Windows and Linux; each shortcut presses the same button a click would, so a disabled or
// hidden button means the shortcut does nothing.
import type { MessageKey } from '../i18n/i18n.ts';
import { h } from './dom.ts';

export interface Shortcut {
  code: string;
  label: string;
  name: MessageKey;
  target: () => HTMLElement | undefined;
}

function usable(el: HTMLElement | undefined): el is HTMLElement {
  if (!el || !el.isConnected) return false;
  if (el instanceof HTMLButtonElement && el.disabled) return false;
  // Hidden itself or inside a hidden panel.
  return el.closest('[hidden]') === null;
}

export function installShortcuts(shortcuts: Shortcut[]): () => void {
  const onKey = (e: KeyboardEvent): void => {
    if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.repeat) return;
    const s = shortcuts.find((x) => x.code === e.code);
    const el = s?.target();
    if (!s || !usable(el)) return;
    e.preventDefault();
    if (el instanceof HTMLButtonElement) el.click();
    else el.focus();
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}

/** The legend shown on screen, so nobody has to remember them. */
export function shortcutLegend(shortcuts: Shortcut[]): HTMLElement {
  return h(
    'section',
    { class: 'panel shortcuts', attrs: { 'aria-labelledby': 'keys-title' } },
    h('h2', { text: 'shortcut.hint', attrs: { id: 'keys-title' } }),
    h('dl', {}, ...shortcuts.map((s) => h('div', { class: 'kv' }, h('dt', {}, h('kbd', {}, s.label)), h('dd', { text: s.name })))),
  );
}
