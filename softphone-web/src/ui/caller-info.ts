// The caller's particulars as both the screen pop and the call panel show them: line, queue,
// priority flags, the 110 case data and the IVR path. Rebuilt only when the call record changes.
import type { CallFlag, CallView } from '../../../server/src/realtime/events.ts';
import { t, tOr } from '../i18n/i18n.ts';
import { h } from './dom.ts';

export const lineName = (line: string): string => tOr(`line.${line}`, line);
export const queueName = (queue: string): string => tOr(`queue.${queue}`, queue);
/** An IVR node in the agent's language: the built-in flows' nodes are named; a site's own show as given. */
export const ivrStep = (node: string): string => tOr(`ivr.${node}`, node);

/** The caller's name, unless the switch only repeated the number there (no caller name sent). */
export function callerName(call: CallView): string {
  return call.callerName && call.callerName !== call.callerNumber ? call.callerName : '';
}

export function flagBadges(flags: readonly CallFlag[]): HTMLElement[] {
  return flags.map((f) => h('span', { class: `badge badge-${f}`, attrs: { 'data-flag': f } }, tOr(`flag.${f}`, f)));
}

function row(label: string, value: Node | string): HTMLElement {
  return h('div', { class: 'kv' }, h('dt', {}, label), h('dd', {}, value));
}

/** Line, queue, priority and IVR path as a compact definition list. */
export function callFacts(call: CallView): HTMLElement {
  const ivr = call.ivrPath.length ? h('ol', { class: 'ivr-path' }, ...call.ivrPath.map((s) => h('li', { attrs: { 'data-node': s } }, ivrStep(s)))) : t('pop.ivrNone');
  return h(
    'dl',
    { class: 'facts' },
    row(t('pop.line'), lineName(call.line)),
    call.queue ? row(t('pop.queue'), queueName(call.queue)) : null,
    // Priority 0 is the ordinary case; only a raised priority is worth the agent's attention.
    call.priority ? row(t('pop.priority'), String(call.priority)) : null,
    row(t('pop.ivr'), ivr),
  );
}

/** The case data 110 handed over with the call, as a table (keys as 110 named them). */
export function case110Table(call: CallView): HTMLElement | null {
  const entries = Object.entries(call.case110 ?? {});
  if (!entries.length) return null;
  return h(
    'table',
    { class: 'case110' },
    h('caption', {}, t('pop.case110')),
    // Known field names (the X-110-* headers) in the agent's language; others as 110 sent them.
    h('tbody', {}, ...entries.map(([k, v]) => h('tr', {}, h('th', { attrs: { scope: 'row' } }, tOr(`case110.${k}`, k)), h('td', {}, v)))),
  );
}
