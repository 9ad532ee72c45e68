// Both languages carry every message, with the same placeholders, and none is left empty.
import t from 'tap';
import { en } from '../src/i18n/en.ts';
import { format } from '../src/i18n/i18n.ts';
import { zhCN } from '../src/i18n/zh-CN.ts';

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

t.test('zh-CN and en have the same keys', async (t) => {
  t.same(Object.keys(en).sort(), Object.keys(zhCN).sort());
});

t.test('each message has the same placeholders in both languages and is not empty', async (t) => {
  for (const [key, zh] of Object.entries(zhCN)) {
    const other = (en as Record<string, string>)[key] ?? '';
    t.same(placeholders(other), placeholders(zh), key);
    t.ok(zh.trim() && other.trim(), `${key} is not empty`);
  }
});

t.test('the contract vocabularies all have messages', async (t) => {
  const { WRAP_UP_CATEGORIES, NOT_READY_REASONS, CALL_FLAGS } = await import('../../server/src/realtime/events.ts');
  const keys = new Set(Object.keys(zhCN));
  for (const c of WRAP_UP_CATEGORIES) t.ok(keys.has(`wrapup.cat.${c}`), c);
  for (const r of NOT_READY_REASONS) t.ok(keys.has(`reason.${r}`), r);
  for (const f of CALL_FLAGS) t.ok(keys.has(`flag.${f}`), f);
  for (const s of ['logged-out', 'ready', 'not-ready', 'reserved', 'on-call', 'wrap-up']) t.ok(keys.has(`agent.state.${s}`), s);
  for (const s of ['new', 'ivr', 'queued', 'offering', 'talking', 'held', 'ended']) t.ok(keys.has(`call.state.${s}`), s);
});

t.test('format fills placeholders and leaves unknown ones visible', async (t) => {
  t.equal(format('{s} 秒内接听', { s: 7 }), '7 秒内接听');
  t.equal(format('{a}-{b}', { a: 'x' }), 'x-{b}');
});
