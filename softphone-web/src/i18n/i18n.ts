// Message lookup with {name} placeholders, and the chosen language, persisted per browser.
import { en } from './en.ts';
import { zhCN, type MessageKey } from './zh-CN.ts';

export type Lang = 'zh-CN' | 'en';
export type { MessageKey };

export const TABLES: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };

const STORAGE_KEY = 'softphone.lang';
let current: Lang = 'zh-CN';
const listeners = new Set<() => void>();

export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return format(TABLES[current][key], params);
}

/** A key built from data (a line, queue or state name): falls back to the raw value when unknown. */
export function tOr(key: string, fallback: string, params?: Record<string, string | number>): string {
  const table = TABLES[current] as Record<string, string>;
  const template = table[key];
  return template === undefined ? fallback : format(template, params);
}

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    // Private mode or no storage (tests): the choice lasts for this page only.
  }
  for (const f of listeners) f();
}

export function loadLang(): void {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh-CN') current = saved;
  } catch {
    // Keep the default.
  }
}

export function onLangChange(f: () => void): void {
  listeners.add(f);
}
