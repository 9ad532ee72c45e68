// 回访 preview dialing: the card of the revisit offered to me (reason, case, the citizen's number),
// 回拨 to have the service ring my phone and then the citizen, and the outcome form once the call
// is over. My phone's leg for the revisit is answered here at once: I asked for this call, so it
// is not a call to pick up. When nothing is offered and I am ready, "take a revisit" asks for one.
import { REVISIT_OUTCOMES, revisitOutcomePayload, type RevisitCard, type RevisitOutcome } from '../../../server/src/realtime/revisit-events.ts';
import type { AgentView } from '../../../server/src/realtime/events.ts';
import { t, tOr } from '../i18n/i18n.ts';
import { CommandFailed } from '../net/connection.ts';
import type { Ctx } from './context.ts';
import { button, h, Mount, setText, show } from './dom.ts';
import { describeError } from './notify.ts';

export class RevisitPanel {
  readonly el: HTMLElement;
  readonly mount: Mount;
  readonly takeMount: Mount;
  readonly take: HTMLButtonElement;
  private readonly reason = h('p', { class: 'revisit-reason', testid: 'revisit-reason' });
  private readonly number = h('strong', { class: 'revisit-number', testid: 'revisit-number' });
  private readonly summary = h('p', { class: 'revisit-summary', testid: 'revisit-summary' });
  private readonly meta = h('p', { class: 'revisit-meta' });
  private readonly status = h('p', { class: 'revisit-status', testid: 'revisit-status', attrs: { role: 'status' } });
  private readonly call: HTMLButtonElement;
  private readonly skip: HTMLButtonElement;
  private readonly hangup: HTMLButtonElement;
  private readonly form: HTMLFormElement;
  private readonly radios: Record<RevisitOutcome, HTMLInputElement>;
  private readonly note: HTMLInputElement;
  private readonly error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  private card: RevisitCard | null = null;
  /** The agent leg the service rings for my revisit call, and legs that rang before the ack told me. */
  private expectLeg: string | undefined;
  private readonly rang = new Set<string>();
  private busy = false;

  constructor(private readonly ctx: Ctx) {
    this.call = button('revisit.call', { class: 'btn btn-primary', testid: 'revisit-call', on: { click: () => void this.onCall() } });
    this.skip = button('revisit.skip', { class: 'btn', testid: 'revisit-skip', on: { click: () => void this.run('revisit:skip') } });
    this.hangup = button('revisit.hangup', { class: 'btn btn-danger', testid: 'revisit-hangup', on: { click: () => void this.run('revisit:hangup') } });
    this.take = button('revisit.take', { class: 'btn', testid: 'revisit-take', on: { click: () => void this.onTake() } });
    const radios = {} as Record<RevisitOutcome, HTMLInputElement>;
    const labels = REVISIT_OUTCOMES.map((o) => {
      radios[o] = h('input', { testid: `revisit-outcome-${o}`, attrs: { type: 'radio', name: 'revisit-outcome', value: o } });
      return h('label', { class: 'radio' }, radios[o], h('span', { text: `revisit.outcome.${o}` }));
    });
    this.radios = radios;
    this.note = h('input', { testid: 'revisit-note', attrs: { id: 'revisit-note', maxlength: '500', autocomplete: 'off' } });
    this.form = h(
      'form',
      { class: 'revisit-outcome', testid: 'revisit-outcome-form', attrs: { novalidate: '' }, on: { submit: (e) => (e.preventDefault(), void this.onOutcome()) } },
      h('fieldset', { class: 'radio-row' }, h('legend', { text: 'revisit.outcome' }), ...labels),
      h('div', { class: 'field' }, h('label', { text: 'revisit.note', attrs: { for: 'revisit-note' } }), this.note),
      this.error,
      h('div', { class: 'actions' }, h('button', { class: 'btn btn-primary', testid: 'revisit-outcome-submit', text: 'revisit.submit', attrs: { type: 'submit' } })),
    );
    this.el = h(
      'section',
      { class: 'panel revisit-card', testid: 'revisit-card', attrs: { 'aria-labelledby': 'revisit-title' } },
      h('h2', { text: 'revisit.title', attrs: { id: 'revisit-title' } }),
      this.reason,
      h('p', { class: 'revisit-line' }, h('span', { text: 'revisit.number' }), ' ', this.number),
      h('h3', { text: 'revisit.summary' }),
      this.summary,
      this.meta,
      this.status,
      h('div', { class: 'actions' }, this.call, this.skip, this.hangup),
      this.form,
    );
    this.mount = new Mount(this.el);
    this.takeMount = new Mount(h('div', { class: 'revisit-take' }, this.take));
    ctx.phone.on((ev) => {
      if (ev.type !== 'ringing') return;
      if (ev.uuid === this.expectLeg) void this.answer(ev.uuid);
      else this.rang.add(ev.uuid);
    });
  }

  /** The server pushed my card (or took it away). */
  set(card: RevisitCard | null): void {
    if (card?.task.id !== this.card?.task.id) this.form.reset();
    this.card = card;
    if (card?.agentLeg && card.phase === 'ringing-agent' && this.expectLeg !== card.agentLeg) this.expect(card.agentLeg);
    this.render();
  }

  /** Ask the server for my card: after a (re)connect, or when my state says I am reserved for something. */
  async reload(): Promise<void> {
    try {
      const { card } = await this.ctx.conn.send('revisit:current', {});
      this.set(card);
    } catch {
      // Offline or an older server: the next push or reconnect tries again.
    }
  }

  update(agent: AgentView | null, otherWork: boolean): void {
    this.takeMount.set(!this.card && !otherWork && agent?.state === 'ready');
    this.take.disabled = this.busy;
  }

  get active(): boolean {
    return this.card !== null;
  }

  private render(): void {
    const c = this.card;
    this.mount.set(c !== null);
    if (!c) return;
    const { task } = c;
    setText(this.reason, tOr(`revisit.reason.${task.reason}`, task.reason));
    setText(this.number, task.number);
    setText(this.summary, task.summary);
    setText(this.meta, [t('revisit.attempt', { n: task.attempts + (task.state === 'offered' ? 1 : 0) }), task.ticketId ? t('revisit.ticket', { ticket: task.ticketId }) : ''].filter(Boolean).join(' · '));
    const phase = task.state === 'offered' ? 'offered' : (c.phase ?? 'ended');
    const cause = c.cause === 'AGENT_NO_ANSWER' ? t('revisit.agentNoAnswer') : c.cause ? t('revisit.cause', { cause: c.cause }) : '';
    setText(this.status, [tOr(`revisit.phase.${phase}`, phase), cause].filter(Boolean).join(' · '));
    this.el.dataset.phase = phase;
    show(this.call, task.state === 'offered');
    show(this.skip, task.state === 'offered');
    show(this.hangup, task.state === 'dialing' && (phase === 'ringing-agent' || phase === 'ringing-citizen' || phase === 'talking'));
    show(this.form, task.state === 'dialing' && phase === 'ended');
    this.call.disabled = this.busy;
  }

  private expect(leg: string): void {
    this.expectLeg = leg;
    if (this.rang.has(leg)) void this.answer(leg);
  }

  private async answer(uuid: string): Promise<void> {
    this.rang.delete(uuid);
    this.expectLeg = undefined;
    await this.ctx.attempt(() => this.ctx.phone.answer(uuid));
  }

  private async onCall(): Promise<void> {
    const task = this.card?.task;
    if (!task || this.busy) return;
    this.busy = true;
    this.render();
    try {
      const { agentLeg } = await this.ctx.conn.send('revisit:call', { taskId: task.id });
      this.expect(agentLeg);
    } catch (err) {
      this.ctx.toast.error(describeError(err));
    } finally {
      this.busy = false;
      this.render();
    }
  }

  private async onTake(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { card } = await this.ctx.conn.send('revisit:take', {});
      this.set(card);
    } catch (err) {
      if (err instanceof CommandFailed && err.code === 'not-found') this.ctx.toast.info(t('revisit.takeNone'));
      else this.ctx.toast.error(describeError(err));
    } finally {
      this.busy = false;
      this.ctx.refresh();
    }
  }

  private async run(event: 'revisit:skip' | 'revisit:hangup'): Promise<void> {
    const task = this.card?.task;
    if (!task) return;
    await this.ctx.attempt(() => this.ctx.conn.send(event, { taskId: task.id }));
  }

  private async onOutcome(): Promise<void> {
    const task = this.card?.task;
    if (!task) return;
    const outcome = REVISIT_OUTCOMES.find((o) => this.radios[o].checked);
    if (!outcome) {
      setText(this.error, t('revisit.needOutcome'));
      this.radios.resolved.focus();
      return;
    }
    const note = this.note.value.trim();
    const parsed = revisitOutcomePayload.safeParse({ taskId: task.id, outcome, ...(note ? { note } : {}) });
    if (!parsed.success) return setText(this.error, parsed.error.issues.map((i) => i.message).join('; '));
    setText(this.error, '');
    if (!(await this.ctx.attempt(() => this.ctx.conn.send('revisit:outcome', parsed.data)))) return;
    this.ctx.toast.info(t('revisit.done'));
    this.ctx.announcer.say(t('revisit.done'));
    this.set(null);
    this.ctx.refresh();
  }
}
