// After-call work: the 12345 work order (category, summary, optional ticket reference). Shown while
// the server holds the agent in wrap-up for a call; if wrap-up time runs out with a summary typed,
// the draft stays on screen (marked late) rather than silently losing the agent's words. "Answered
// from the knowledge base" carries the entry the agent chose in the KB panel (kb-panel.ts): the
// server counts the call in the KB answer rate.
import { WRAP_UP_CATEGORIES, wrapUpPayload, type AgentView, type WrapUpCategory } from '../../../server/src/realtime/events.ts';
import { isRevisitCall } from '../../../server/src/realtime/revisit-events.ts';
import { t } from '../i18n/i18n.ts';
import { CommandFailed } from '../net/connection.ts';
import { findCall, type SoftphoneState } from '../state/store.ts';
import { lineName } from './caller-info.ts';
import type { Ctx } from './context.ts';
import { button, h, Mount, setText, show, typingIn } from './dom.ts';
import { describeError } from './notify.ts';

const TICKET_RE = /^[A-Za-z0-9_/-]*$/;

export class WrapUpForm {
  readonly el: HTMLFormElement;
  private readonly call = h('p', { class: 'wrapup-call' });
  private readonly late = h('p', { class: 'late', attrs: { role: 'status' } });
  private readonly radios: Record<WrapUpCategory, HTMLInputElement>;
  readonly summary: HTMLTextAreaElement;
  private readonly ticket: HTMLInputElement;
  private readonly kbBox: HTMLInputElement;
  private readonly kbEntryText = h('span', { class: 'kb-entry-used', testid: 'wrapup-kb-entry' });
  /** The entry chosen in the KB panel (kept across the call and its wrap-up). */
  private kbEntry: { id: string; question: string } | undefined;
  private readonly error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  private readonly submit: HTMLButtonElement;
  private readonly discard: HTMLButtonElement;
  /** Offered only when the server refused the order as conflicting (say, already filed for this call). */
  private readonly endWrapUp: HTMLButtonElement;
  readonly mount: Mount;
  /** The call this form is for; undefined when hidden. */
  private callId: string | undefined;
  /**
   * The wrap-up it belongs to (call id and when the agent entered wrap-up): the same call can come
   * back to the same agent (a failed transfer puts the caller back in the queue), and each time
   * it ends the agent owes a new work order.
   */
  private episode: string | undefined;
  private sending = false;
  private conflicted = false;
  /** Wrap-ups whose order went in: the agent:state leaving wrap-up may arrive after the ack. */
  private readonly submitted = new Set<string>();

  constructor(
    private readonly ctx: Ctx,
    private readonly onDone: () => void,
  ) {
    const radios = {} as Record<WrapUpCategory, HTMLInputElement>;
    const labels = WRAP_UP_CATEGORIES.map((c) => {
      radios[c] = h('input', { testid: `wrapup-category-${c}`, attrs: { type: 'radio', name: 'wrapup-category', value: c, required: '' } });
      return h('label', { class: 'radio' }, radios[c], h('span', { text: `wrapup.cat.${c}` }));
    });
    this.radios = radios;
    this.summary = h('textarea', { testid: 'wrapup-summary', attrs: { id: 'wrapup-summary', rows: '4', maxlength: '2000', required: '', 'aria-required': 'true' } });
    this.ticket = h('input', { testid: 'wrapup-ticket', attrs: { id: 'wrapup-ticket', maxlength: '64', autocomplete: 'off' } });
    this.kbBox = h('input', { testid: 'wrapup-kb', attrs: { type: 'checkbox', id: 'wrapup-kb' } });
    this.kbBox.addEventListener('change', () => this.showKb());
    this.submit = h('button', { class: 'btn btn-primary', testid: 'wrapup-submit', text: 'wrapup.submit', attrs: { type: 'submit' } });
    this.endWrapUp = button('wrapup.end', { class: 'btn', testid: 'btn-end-wrapup', on: { click: () => void this.onEndWrapUp() } });
    this.discard = button('wrapup.discard', { class: 'btn', on: { click: () => this.reset(undefined, undefined) } });
    this.el = h(
      'form',
      { class: 'panel wrapup-form', testid: 'wrapup-form', attrs: { novalidate: '', 'aria-labelledby': 'wrapup-title' }, on: { submit: (e) => (e.preventDefault(), void this.send()) } },
      h('h2', { text: 'wrapup.title', attrs: { id: 'wrapup-title' } }),
      this.call,
      this.late,
      h('fieldset', { class: 'radio-row' }, h('legend', { text: 'wrapup.category' }), ...labels),
      h('div', { class: 'field' }, h('label', { text: 'wrapup.summary', attrs: { for: 'wrapup-summary' } }), this.summary),
      h('div', { class: 'field' }, h('label', { text: 'wrapup.ticket', attrs: { for: 'wrapup-ticket' } }), this.ticket),
      h('div', { class: 'field kb-mark' }, h('label', { class: 'check' }, this.kbBox, h('span', { text: 'wrapup.kb' })), this.kbEntryText),
      this.error,
      h('div', { class: 'actions' }, this.submit, this.endWrapUp, this.discard),
    );
    this.mount = new Mount(this.el);
  }

  update(state: SoftphoneState): void {
    const agent: AgentView | null = state.agent;
    // A revisit call's wrap-up is the revisit outcome form's (revisit-card.ts), not a work order.
    const episode = agent?.state === 'wrap-up' && agent.callId && !isRevisitCall(agent.callId) ? `${agent.callId}@${agent.since}` : undefined;
    const wrapping = episode && !this.submitted.has(episode) ? episode : undefined;
    if (wrapping && wrapping !== this.episode) {
      this.reset(agent?.callId, wrapping);
      // Straight to the category: the agent fills the order while the call is fresh in mind.
      if (!typingIn(document.activeElement)) queueMicrotask(() => this.radios.consultation.focus());
    } else if (!wrapping && this.callId && !this.summary.value.trim()) {
      // Wrap-up ended (submitted, timed out or ended elsewhere) with nothing typed: nothing to keep.
      this.reset(undefined, undefined);
    }
    this.mount.set(this.callId !== undefined);
    if (!this.callId) return;
    const call = findCall(state, this.callId);
    setText(this.call, call ? t('wrapup.call', { number: call.callerNumber, line: lineName(call.line) }) : '');
    const late = wrapping !== this.episode;
    setText(this.late, late ? t('wrapup.late') : '');
    show(this.late, late);
    show(this.discard, late);
    show(this.endWrapUp, this.conflicted && !late);
    this.submit.disabled = this.sending;
  }

  /** The entry chosen in the KB panel: marks the order answered from the knowledge base. */
  setKbEntry(entry: { id: string; question: string } | undefined): void {
    this.kbEntry = entry;
    this.kbBox.checked = entry !== undefined;
    this.showKb();
  }

  /** What the agent has typed as the summary (the KB panel suggests from it). */
  typed(): string {
    return this.mount.mounted ? this.summary.value : '';
  }

  private showKb(): void {
    const e = this.kbEntry;
    setText(this.kbEntryText, !this.kbBox.checked ? '' : e ? t('wrapup.kbEntry', { entry: `${e.id} ${e.question}` }) : t('wrapup.kbNone'));
  }

  /** Move focus into the form (keyboard shortcut). */
  focus(): void {
    if (!this.mount.mounted) return;
    const chosen = WRAP_UP_CATEGORIES.some((c) => this.radios[c].checked);
    (chosen ? this.summary : this.radios.consultation).focus();
  }

  private reset(callId: string | undefined, episode: string | undefined): void {
    this.callId = callId;
    this.episode = episode;
    this.el.reset();
    this.kbBox.checked = this.kbEntry !== undefined;
    this.showKb();
    setText(this.error, '');
    this.conflicted = false;
    this.sending = false;
    this.mount.set(callId !== undefined);
  }

  private async send(): Promise<void> {
    const { callId, episode } = this;
    if (!callId || !episode || this.sending) return;
    const category = WRAP_UP_CATEGORIES.find((c) => this.radios[c].checked);
    const summary = this.summary.value.trim();
    const ticketRef = this.ticket.value.trim();
    // Local checks first, in the agent's language, each focusing the field at fault.
    if (!category) return this.fail(t('wrapup.needCategory'), this.radios.consultation);
    if (!summary) return this.fail(t('wrapup.needSummary'), this.summary);
    if (!TICKET_RE.test(ticketRef)) return this.fail(t('wrapup.badTicket'), this.ticket);
    const kbEntryId = this.kbBox.checked ? this.kbEntry?.id : undefined;
    if (this.kbBox.checked && !kbEntryId) return this.fail(t('wrapup.kbNeedEntry'), this.kbBox);
    const parsed = wrapUpPayload.safeParse({ callId, category, summary, ...(ticketRef ? { ticketRef } : {}), ...(kbEntryId ? { kbEntryId } : {}) });
    if (!parsed.success) return this.fail(parsed.error.issues.map((i) => i.message).join('; '), this.summary);
    this.sending = true;
    this.submit.disabled = true;
    setText(this.error, '');
    try {
      await this.ctx.conn.send('call:wrap-up', parsed.data);
    } catch (err) {
      this.sending = false;
      this.submit.disabled = false;
      this.conflicted = err instanceof CommandFailed && err.code === 'conflict';
      show(this.endWrapUp, this.conflicted);
      return this.fail(describeError(err), this.submit);
    }
    this.submitted.add(episode);
    if (this.submitted.size > 50) this.submitted.delete(this.submitted.values().next().value as string);
    this.ctx.toast.info(t('wrapup.done'));
    this.ctx.announcer.say(t('wrapup.done'));
    this.reset(undefined, undefined);
    this.onDone();
  }

  /** Leave wrap-up without an order, when the server will not take one for this call. */
  private async onEndWrapUp(): Promise<void> {
    const { episode } = this;
    if (!episode) return;
    if (!(await this.ctx.attempt(() => this.ctx.conn.send('agent:set-state', { action: 'end-wrap-up' })))) return;
    this.submitted.add(episode);
    this.reset(undefined, undefined);
  }

  private fail(message: string, focus: HTMLElement): void {
    setText(this.error, message);
    focus.focus();
  }
}
