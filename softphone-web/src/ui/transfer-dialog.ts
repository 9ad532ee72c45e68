// The transfer dialog: blind or attended, to a colleague, a queue (blind only) or a department's
// number. A native <dialog> gives focus trapping and Escape for free. Submitting closes the dialog
// at once: the ack only comes when the target answers, and the call panel shows that wait.
import type { DirectoryView, TransferPayload } from '../../../server/src/realtime/events.ts';
import { transferPayload } from '../../../server/src/realtime/events.ts';
import { t, tOr } from '../i18n/i18n.ts';
import { queueName } from './caller-info.ts';
import type { Ctx } from './context.ts';
import { button, h, setText } from './dom.ts';

type Kind = TransferPayload['target']['kind'];

export class TransferDialog {
  readonly el: HTMLDialogElement;
  private readonly blind: HTMLInputElement;
  private readonly attended: HTMLInputElement;
  private readonly kind: HTMLSelectElement;
  private readonly agent: HTMLSelectElement;
  private readonly queue: HTMLSelectElement;
  private readonly number: HTMLInputElement;
  private readonly agentRow: HTMLElement;
  private readonly queueRow: HTMLElement;
  private readonly numberRow: HTMLElement;
  private readonly error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
  private readonly submit: HTMLButtonElement;
  private callId: string | undefined;
  private returnFocus: HTMLElement | undefined;
  private directory: DirectoryView | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly onSubmit: (p: TransferPayload) => void,
  ) {
    const radio = (value: 'blind' | 'attended', testid: string): HTMLInputElement =>
      h('input', { testid, attrs: { type: 'radio', name: 'transfer-mode', value, id: `transfer-mode-${value}` }, on: { change: () => this.sync() } });
    this.blind = radio('blind', 'transfer-mode-blind');
    this.attended = radio('attended', 'transfer-mode-attended');
    this.blind.checked = true;
    this.kind = h('select', { testid: 'transfer-kind', attrs: { id: 'transfer-kind' }, on: { change: () => this.sync() } });
    for (const k of ['agent', 'queue', 'external'] as const) this.kind.append(h('option', { text: `transfer.kind.${k}`, attrs: { value: k } }));
    this.agent = h('select', { testid: 'transfer-agent', attrs: { id: 'transfer-agent' } });
    this.queue = h('select', { testid: 'transfer-queue', attrs: { id: 'transfer-queue' } });
    this.number = h('input', { testid: 'transfer-number', attrs: { id: 'transfer-number', type: 'tel', inputmode: 'tel', autocomplete: 'off', pattern: '\\+?[0-9]{3,20}' } });
    const field = (id: string, key: 'transfer.agent' | 'transfer.queue' | 'transfer.number', input: HTMLElement): HTMLElement =>
      h('div', { class: 'field' }, h('label', { text: key, attrs: { for: id } }), input);
    this.agentRow = field('transfer-agent', 'transfer.agent', this.agent);
    this.queueRow = field('transfer-queue', 'transfer.queue', this.queue);
    this.numberRow = field('transfer-number', 'transfer.number', this.number);
    this.submit = h('button', { class: 'btn btn-primary', testid: 'transfer-submit', text: 'transfer.submit', attrs: { type: 'submit' } });
    const close = button('transfer.close', { class: 'btn', on: { click: () => this.close() } });
    const form = h(
      'form',
      { attrs: { novalidate: '' }, on: { submit: (e) => (e.preventDefault(), this.send()) } },
      h('h2', { text: 'transfer.title', attrs: { id: 'transfer-title' } }),
      h(
        'fieldset',
        { class: 'radio-row' },
        h('legend', { text: 'transfer.mode' }),
        h('label', {}, this.blind, h('span', { text: 'transfer.blind' })),
        h('label', {}, this.attended, h('span', { text: 'transfer.attended' })),
      ),
      h('div', { class: 'field' }, h('label', { text: 'transfer.kind', attrs: { for: 'transfer-kind' } }), this.kind),
      this.agentRow,
      this.queueRow,
      this.numberRow,
      this.error,
      h('div', { class: 'actions' }, this.submit, close),
    );
    this.el = h('dialog', { class: 'dialog', testid: 'transfer-dialog', attrs: { 'aria-labelledby': 'transfer-title' } }, form);
    this.el.addEventListener('close', () => {
      this.returnFocus?.focus();
      this.callId = undefined;
    });
  }

  get isOpen(): boolean {
    return this.el.open;
  }

  /** `number`: a department's number chosen in the directory, preset as the external target. */
  async open(callId: string, returnFocus: HTMLElement, number?: string): Promise<void> {
    this.callId = callId;
    this.returnFocus = returnFocus;
    setText(this.error, '');
    // Every transfer starts from the same defaults: blind, to a colleague (or to the number given).
    this.blind.checked = true;
    this.kind.value = number ? 'external' : 'agent';
    this.number.value = number ?? '';
    this.fillAgents();
    this.el.showModal();
    this.sync();
    (number ? this.submit : this.kind).focus();
    // Fresh states every time: who is ready changes by the second.
    try {
      const { directory } = await this.ctx.conn.send('directory:get', {});
      this.directory = directory;
      this.fillAgents();
      this.fillQueues();
      this.sync();
    } catch (err) {
      setText(this.error, err instanceof Error ? err.message : String(err));
    }
  }

  close(): void {
    if (this.el.open) this.el.close();
  }

  agentName(id: string): string {
    const a = this.directory?.agents.find((x) => x.id === id);
    return a ? `${a.name}（${a.id}）` : id;
  }

  private get mode(): 'blind' | 'attended' {
    return this.attended.checked ? 'attended' : 'blind';
  }

  /** Show the field of the chosen kind; a queue cannot be consulted, a non-ready agent neither. */
  private sync(): void {
    const attended = this.mode === 'attended';
    const queueOpt = this.kind.querySelector<HTMLOptionElement>('option[value=queue]');
    if (queueOpt) queueOpt.disabled = attended;
    if (attended && this.kind.value === 'queue') this.kind.value = 'agent';
    const kind = this.kind.value as Kind;
    this.agentRow.hidden = kind !== 'agent';
    this.queueRow.hidden = kind !== 'queue';
    this.numberRow.hidden = kind !== 'external';
    for (const opt of this.agent.options) opt.disabled = opt.value === '' || (attended && opt.dataset.state !== 'ready') || opt.dataset.state === 'logged-out';
    const selected = this.agent.selectedOptions[0];
    if (!selected || selected.disabled) {
      const first = [...this.agent.options].find((o) => !o.disabled);
      this.agent.value = first ? first.value : '';
    }
  }

  private fillAgents(): void {
    const keep = this.agent.value;
    // Only ready colleagues can take a caller (a blind transfer reserves the target, an attended
    // one rings it): busy and logged-out colleagues are not offered at all.
    const agents = (this.directory?.agents ?? []).filter((a) => a.id !== this.ctx.me && a.state === 'ready');
    if (!agents.length) {
      this.agent.replaceChildren(h('option', { attrs: { value: '' } }, this.directory ? t('transfer.noReadyAgents') : t('transfer.loading')));
      return;
    }
    const sorted = [...agents].sort((a, b) => a.id.localeCompare(b.id));
    this.agent.replaceChildren(
      ...sorted.map((a) => h('option', { attrs: { value: a.id, 'data-state': a.state } }, t('transfer.agentOption', { name: a.name, id: a.id, state: tOr(`agent.state.${a.state}`, a.state) }))),
    );
    if (keep && agents.some((a) => a.id === keep)) this.agent.value = keep;
  }

  private fillQueues(): void {
    const queues = this.directory?.queues ?? [];
    this.queue.replaceChildren(...queues.map((q) => h('option', { attrs: { value: q } }, queueName(q))));
  }

  private send(): void {
    if (!this.callId) return;
    const kind = this.kind.value as Kind;
    const target = kind === 'agent' ? { kind, agentId: this.agent.value } : kind === 'queue' ? { kind, queue: this.queue.value } : { kind, number: this.number.value.trim() };
    if (this.mode === 'attended' && kind === 'agent' && this.agent.selectedOptions[0]?.dataset.state !== 'ready') {
      setText(this.error, t('transfer.attendedNeedsReady'));
      return;
    }
    if (kind === 'external' && !/^\+?[0-9]{3,20}$/.test(this.number.value.trim())) {
      setText(this.error, t('transfer.badNumber'));
      return this.number.focus();
    }
    if (kind === 'agent' && !this.agent.value) return void setText(this.error, t('transfer.noAgents'));
    // The contract's own schema: the agent sees a bad number before anything is sent.
    const parsed = transferPayload.safeParse({ callId: this.callId, mode: this.mode, target });
    if (!parsed.success) {
      setText(this.error, parsed.error.issues.map((i) => i.message).join('; '));
      return;
    }
    this.close();
    this.onSubmit(parsed.data);
  }
}
