// One handoff as the dispatcher follows it: the steps it went through (announced, queued, ringing,
// answered, ended) with their times, where it is now (position and wait, the agent ringing, who
// answered and when), the warning when nobody answered in time with the take-back button, and the
// outcome from the agent's wrap-up (ticket id and result).
import type { Handoff } from '../../../server/src/handoff/handoff.ts';
import { dt, dtOr } from './messages.ts';

export function el(tag: string, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

const hms = (ms: number | undefined): string => (ms === undefined ? '' : new Date(ms).toLocaleTimeString('zh-CN', { hour12: false }));
export const mmss = (sec: number): string => {
  const s = Math.max(0, Math.floor(sec));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * The actions area of a card. The three-way call start (the xfer work) registers its button here:
 * `handoffActions.push((h, area) => ...)` is called for every card on every render.
 */
export type HandoffAction = (h: Handoff, area: HTMLElement) => void;
export const handoffActions: HandoffAction[] = [];

const STEPS = ['announced', 'queued', 'ringing', 'answered', 'ended'] as const;

function stepTime(h: Handoff, step: (typeof STEPS)[number]): number | undefined {
  return { announced: h.matchedBy === 'unannounced' ? undefined : h.createdMs, queued: h.queuedMs, ringing: h.ringingMs, answered: h.answeredMs, ended: h.endedMs ?? h.returnedMs }[step];
}

function now(h: Handoff, nowMs: number): string {
  switch (h.state) {
    case 'queued': {
      const pos = h.position !== undefined ? `${dt('dp.position', { n: h.position })} · ` : '';
      return pos + dt('dp.waited', { t: mmss((nowMs - (h.queuedMs ?? nowMs)) / 1000) });
    }
    case 'ringing':
      return `${dt('dp.ringingAgent', { agent: h.ringingAgent ?? '?' })} · ${dt('dp.waited', { t: mmss((nowMs - (h.queuedMs ?? nowMs)) / 1000) })}`;
    case 'answered':
      return dt('dp.answeredBy', { agent: h.answeredBy ?? '?', time: hms(h.answeredMs), wait: mmss(((h.answeredMs ?? 0) - (h.queuedMs ?? h.answeredMs ?? 0)) / 1000) });
    case 'ended':
      return (h.answeredBy ? `${dt('dp.answeredBy', { agent: h.answeredBy, time: hms(h.answeredMs), wait: mmss(((h.answeredMs ?? 0) - (h.queuedMs ?? h.answeredMs ?? 0)) / 1000) })} · ` : '') + dt('dp.endedAt', { time: hms(h.endedMs) });
    case 'returned':
      return dt('dp.takenBack');
    default:
      return '';
  }
}

export function handoffCard(h: Handoff, opts: { nowMs: number; partnerName: string; onTakeBack: (h: Handoff) => void }): HTMLElement {
  const reached = STEPS.indexOf(h.state as (typeof STEPS)[number]);
  const steps = el(
    'ol',
    { class: 'hf-steps' },
    ...STEPS.map((s, i) => {
      const at = stepTime(h, s);
      const done = at !== undefined || i <= reached;
      return el('li', { 'data-step': s, 'data-done': String(done), 'data-current': String(s === h.state) }, dt(`dp.step.${s}`), at !== undefined ? el('time', {}, hms(at)) : '');
    }),
  );
  const card = el(
    'article',
    { class: 'panel handoff', 'data-testid': `handoff-${h.caseId || h.id}`, 'data-state': h.state, 'data-warned': String(h.warnedMs !== undefined) },
    el(
      'header',
      { class: 'hf-head' },
      el('strong', { class: 'hf-case' }, h.caseId || dt('dp.unannounced')),
      el('span', { class: 'badge' }, opts.partnerName),
      el('span', { class: 'hf-state badge', 'data-testid': 'handoff-state', 'data-state': h.state }, dtOr(`dp.state.${h.state}`, h.state)),
      el('span', { class: 'hf-caller' }, h.callerNumber),
    ),
    h.summary ? el('p', { class: 'hf-summary' }, [h.category, h.summary, h.location].filter(Boolean).join(' · ')) : '',
    steps,
    el('p', { class: 'hf-now', 'data-testid': 'handoff-now' }, now(h, opts.nowMs)),
  );
  if (h.warnedMs !== undefined && (h.state === 'queued' || h.state === 'ringing')) {
    const back = el('button', { class: 'btn btn-danger', type: 'button', 'data-testid': 'handoff-take-back' }, dt('dp.takeBack', { partner: h.partner }));
    back.addEventListener('click', () => opts.onTakeBack(h));
    card.append(el('div', { class: 'hf-warn', role: 'alert', 'data-testid': 'handoff-warning' }, el('span', {}, dt('dp.warn')), back));
  }
  if (h.state === 'answered' || h.state === 'ended') {
    const o = h.outcome;
    card.append(
      el(
        'div',
        { class: 'hf-outcome', 'data-testid': 'handoff-outcome', 'data-known': String(o !== undefined) },
        el('span', { class: 'hf-label' }, dt('dp.outcome')),
        o ? el('span', {}, [o.ticketRef ? dt('dp.outcome.ticket', { ticket: o.ticketRef }) : dt('dp.outcome.none'), o.category, o.summary].join(' · ')) : el('span', { class: 'muted' }, dt('dp.outcome.pending')),
      ),
    );
  }
  // Marked place for the three-way call start (xfer): filled by whatever registered in handoffActions.
  const area = el('div', { class: 'hf-actions', 'data-slot': 'three-way', 'data-testid': `handoff-actions-${h.caseId || h.id}` });
  for (const f of handoffActions) f(h, area);
  card.append(area);
  return card;
}
