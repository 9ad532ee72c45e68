// The supervisor console's actions on live calls (listen, whisper, barge on the supervisor's own
// phone; the mode switched while it runs), on waiting callers (move to another queue, to the head
// of its class) and messages to agents. Each is one REST call under /api/supervise,
// /api/queues/calls/:id/move or /api/agents/messages; the server checks the groups and audits it.
import type { CallView, QueueView } from '../../../server/src/realtime/events.ts';
import { mmss } from '../console/board-model.ts';
import { ct, ctOr } from '../console/messages.ts';

export type Mode = 'listen' | 'whisper' | 'barge';
export const MODES: readonly Mode[] = ['listen', 'whisper', 'barge'];

export interface Session {
  agentId: string;
  callId: string;
  mode: string;
  since: number;
}

type El = (tag: string, attrs?: Record<string, string>, ...children: (Node | string)[]) => HTMLElement;

/** REST with the console's token; resolves to the body, or throws the server's message. */
export async function api<T>(token: string, method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = (await res.json().catch(() => ({}))) as T & { message?: string };
  if (!res.ok) throw new Error(data.message ?? String(res.status));
  return data;
}

/** What the actions do: the console supplies its token, a notice line and a re-render. */
export interface ActionContext {
  token: string;
  /** Run an action: the notice shows its result or the server's refusal. */
  run(work: () => Promise<string>): void;
  session: Session | null;
  setSession(s: Session | null): void;
}

export function listenButtons(h: El, ctx: ActionContext, agentId: string, onCall: boolean): HTMLElement[] {
  if (!onCall || ctx.session) return [];
  return MODES.map((mode) => {
    const b = h('button', { type: 'button', 'data-testid': `sv-${mode}-${agentId}` }, ct(`sv.${mode}`));
    b.addEventListener('click', () =>
      ctx.run(async () => {
        const { session } = await api<{ session: Session }>(ctx.token, 'POST', '/api/supervise/listen', { agentId, mode });
        ctx.setSession(session);
        return ct('sv.done', { agent: agentId, action: ct(`sv.${mode}`) });
      }),
    );
    return b;
  });
}

/** The running session: its mode, buttons to switch it, and stop. */
export function sessionBar(h: El, ctx: ActionContext): HTMLElement | string {
  const s = ctx.session;
  if (!s) return '';
  const buttons = MODES.filter((m) => m !== s.mode).map((mode) => {
    const b = h('button', { type: 'button', 'data-testid': `sv-mode-${mode}` }, ct(`sv.${mode}`));
    b.addEventListener('click', () =>
      ctx.run(async () => {
        const { session } = await api<{ session: Session }>(ctx.token, 'POST', '/api/supervise/mode', { mode });
        ctx.setSession(session);
        return ct('sv.done', { agent: s.agentId, action: ct(`sv.${mode}`) });
      }),
    );
    return b;
  });
  const stop = h('button', { type: 'button', 'data-testid': 'sv-stop' }, ct('sv.stop'));
  stop.addEventListener('click', () =>
    ctx.run(async () => {
      ctx.setSession(null);
      await api(ctx.token, 'POST', '/api/supervise/stop');
      return ct('sv.done', { agent: s.agentId, action: ct('sv.stop') });
    }),
  );
  const mode = ctOr(`sv.mode.${s.mode}`, s.mode);
  return h('section', { class: 'panel sv-session', 'data-testid': 'sv-session', 'data-mode': s.mode }, h('span', {}, ct('sv.session', { mode, agent: s.agentId })), ...buttons, stop);
}

/** Waiting callers with a queue choice, move and to-the-head. */
export function waitingPanel(h: El, ctx: ActionContext, calls: readonly CallView[], queues: readonly QueueView[], chosen: Map<string, string>, now: number): HTMLElement {
  const names = queues.map((q) => q.name);
  const rows = calls
    .filter((c) => c.state === 'queued' && c.queue !== undefined)
    .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || (a.queuedMs ?? 0) - (b.queuedMs ?? 0))
    .map((c) => {
      const select = h('select', { 'data-testid': `sv-move-queue-${c.id}`, 'aria-label': ct('sv.moveTo') }, ...names.filter((n) => n !== c.queue).map((n) => h('option', { value: n }, ctOr(`queue.${n}`, n)))) as HTMLSelectElement;
      const pick = chosen.get(c.id);
      if (pick && names.includes(pick) && pick !== c.queue) select.value = pick;
      select.addEventListener('change', () => chosen.set(c.id, select.value));
      const move = h('button', { type: 'button', 'data-testid': `sv-move-${c.id}` }, ct('sv.move'));
      move.addEventListener('click', () =>
        ctx.run(async () => {
          const r = await api<{ queue: string }>(ctx.token, 'POST', `/api/queues/calls/${encodeURIComponent(c.id)}/move`, { queue: select.value });
          return ct('sv.done', { agent: c.callerNumber, action: `${ct('sv.move')} → ${ctOr(`queue.${r.queue}`, r.queue)}` });
        }),
      );
      const head = h('button', { type: 'button', 'data-testid': `sv-head-${c.id}` }, ct('sv.head'));
      head.addEventListener('click', () =>
        ctx.run(async () => {
          await api(ctx.token, 'POST', `/api/queues/calls/${encodeURIComponent(c.id)}/move`, { head: true });
          return ct('sv.done', { agent: c.callerNumber, action: ct('sv.head') });
        }),
      );
      const waited = c.queuedMs === undefined ? null : (now - c.queuedMs) / 1000;
      return h(
        'tr',
        { 'data-testid': `sv-waiting-${c.id}`, 'data-queue': c.queue ?? '' },
        h('td', {}, c.callerNumber),
        h('td', { 'data-testid': `sv-waiting-queue-${c.id}` }, ctOr(`queue.${c.queue ?? ''}`, c.queue ?? '')),
        h('td', {}, mmss(waited)),
        h('td', { class: 'actions' }, select, move, head),
      );
    });
  return h(
    'section',
    { class: 'panel' },
    h('h2', {}, ct('sv.waitingTitle')),
    rows.length
      ? h('table', { class: 'queues sv', 'data-testid': 'sv-waiting' }, h('thead', {}, h('tr', {}, h('th', {}, ct('sv.call')), h('th', {}, ct('sv.queue')), h('th', {}, ct('sv.waited')), h('th', {}, ct('sv.actions')))), h('tbody', {}, ...rows))
      : h('p', {}, ct('sv.noWaiting')),
  );
}

/** A message to one of the supervisor's agents or to all of them. Built once: typing survives re-renders. */
export function messageForm(h: El, ctx: () => ActionContext, agentIds: () => readonly string[]): { el: HTMLElement; refresh: () => void } {
  const to = h('select', { 'data-testid': 'sv-message-to', 'aria-label': ct('sv.messageTo') }) as HTMLSelectElement;
  const text = h('input', { type: 'text', maxlength: '500', 'data-testid': 'sv-message-text', 'aria-label': ct('sv.messageText'), placeholder: ct('sv.messageText') }) as HTMLInputElement;
  const send = h('button', { type: 'submit', 'data-testid': 'sv-message-send' }, ct('sv.send'));
  const form = h('form', { class: 'panel sv-message', 'data-testid': 'sv-message' }, h('h2', {}, ct('sv.messageTitle')), to, text, send) as HTMLFormElement;
  const refresh = (): void => {
    const keep = to.value;
    const ids = ['all', ...agentIds()];
    if ([...to.options].map((o) => o.value).join() !== ids.join()) to.replaceChildren(...ids.map((id) => h('option', { value: id }, id === 'all' ? ct('sv.messageAll') : id)));
    if (ids.includes(keep)) to.value = keep;
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = { to: to.value, text: text.value };
    ctx().run(async () => {
      const r = await api<{ to: string[] }>(ctx().token, 'POST', '/api/agents/messages', body);
      // Only the text that was sent: the next message may already be typed by now (a CI run
      // wiped it so and then sent an empty one).
      if (text.value === body.text) text.value = '';
      return ct('sv.sent', { count: r.to.length });
    });
  });
  return { el: form, refresh };
}
