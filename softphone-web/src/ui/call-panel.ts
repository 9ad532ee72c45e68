// The call in progress: who it is, how long we talk, and what the agent can do with it (hold, mute,
// keypad, hang up, transfer), plus the consultation panel while an attended transfer runs.
import type { CallView, TransferTarget } from '../../../server/src/realtime/events.ts';
import { t } from '../i18n/i18n.ts';
import { formatDuration } from '../state/format.ts';
import { myConsult, ownsCaller, type Ringing } from '../state/selectors.ts';
import { callerName, callFacts, case110Table, flagBadges, queueName } from './caller-info.ts';
import type { Ctx, View } from './context.ts';
import { button, h, Mount, setAttr, setButtonLabel, setText, show } from './dom.ts';
import { PartnerBar } from './partner-bar.ts';

const DTMF_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

export interface CallPanelActions {
  openTransfer(callId: string, returnFocus: HTMLElement): void;
  /** The call whose transfer is waiting for its ack, if any. */
  transferPending(): string | undefined;
  agentName(id: string): string;
}

export class CallPanel {
  readonly el: HTMLElement;
  private readonly heading = h('h2', { attrs: { id: 'call-title' } });
  private readonly number = h('div', { class: 'caller-number' });
  private readonly name = h('div', { class: 'caller-name' });
  private readonly flags = h('div', { class: 'flags' });
  private readonly state = h('div', { class: 'call-state', testid: 'call-state', attrs: { 'aria-live': 'polite' } });
  private readonly timer = h('div', { class: 'talk-timer', attrs: { 'aria-live': 'off' } });
  private readonly details = h('div', { class: 'call-details' });
  private readonly pending = h('p', { class: 'pending', attrs: { role: 'status' } });
  private readonly digits = h('output', { class: 'dtmf-sent', attrs: { 'aria-live': 'polite' } });
  readonly hold: HTMLButtonElement;
  readonly mute: HTMLButtonElement;
  readonly hangup: HTMLButtonElement;
  readonly transfer: HTMLButtonElement;
  private readonly consult: HTMLElement;
  private readonly consultMount: Mount;
  readonly mount: Mount;
  private readonly consultState = h('p', { class: 'consult-state' });
  private readonly consultTarget = h('p', { class: 'consult-target' });
  private readonly consultComplete: HTMLButtonElement;
  private readonly consultCancel: HTMLButtonElement;
  private readonly consultConference: HTMLButtonElement;
  private readonly partnerBar: PartnerBar;
  private current: Ringing | undefined;
  private shownCall: CallView | undefined;
  private busy = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly actions: CallPanelActions,
  ) {
    this.hold = button(null, { class: 'btn', testid: 'btn-hold', shortcut: 'Alt+P', on: { click: () => void this.onHold() } });
    this.mute = button(null, { class: 'btn', testid: 'btn-mute', shortcut: 'Alt+M', on: { click: () => this.onMute() } });
    this.transfer = button('btn.transfer', { class: 'btn', testid: 'btn-transfer', shortcut: 'Alt+T', on: { click: () => this.onTransfer() } });
    this.hangup = button('btn.hangup', { class: 'btn btn-danger', testid: 'btn-hangup', shortcut: 'Alt+H', on: { click: () => void this.onHangup() } });
    const pad = h(
      'div',
      { class: 'dtmf-pad', testid: 'dtmf-pad', label: 'dtmf.label', attrs: { role: 'group' } },
      ...DTMF_KEYS.map((d) => {
        const b = h('button', { class: 'key', attrs: { type: 'button', 'data-digit': d }, on: { click: () => void this.onDigit(d) } }, d);
        b.setAttribute('aria-label', t('dtmf.key', { d }));
        return b;
      }),
    );
    this.consultComplete = button('btn.consultComplete', { class: 'btn btn-primary', testid: 'btn-consult-complete', on: { click: () => void this.onConsult('complete') } });
    this.consultCancel = button('btn.consultCancel', { class: 'btn', testid: 'btn-consult-cancel', on: { click: () => void this.onConsult('cancel') } });
    this.consultConference = button('btn.consultConference', { class: 'btn', testid: 'btn-consult-conference', on: { click: () => void this.onConsult('conference') } });
    this.partnerBar = new PartnerBar(ctx);
    this.consult = h(
      'section',
      { class: 'consult-panel', testid: 'consult-panel', attrs: { 'aria-labelledby': 'consult-title' } },
      h('h3', { text: 'consult.title', attrs: { id: 'consult-title' } }),
      this.consultTarget,
      this.consultState,
      h('div', { class: 'actions' }, this.consultComplete, this.consultConference, this.consultCancel),
    );
    this.consultMount = new Mount(this.consult);
    this.el = h(
      'section',
      { class: 'panel call-panel', testid: 'call-panel', attrs: { 'aria-labelledby': 'call-title', tabindex: '-1' } },
      h('header', { class: 'call-head' }, this.heading, this.state, this.timer),
      h('div', { class: 'call-caller' }, this.number, this.name, this.flags),
      this.consultMount.anchor,
      this.pending,
      h('div', { class: 'actions' }, this.hold, this.mute, this.transfer, this.hangup),
      this.partnerBar.el,
      h('div', { class: 'call-body' }, this.details, h('div', { class: 'keypad' }, pad, this.digits)),
    );
    this.mount = new Mount(this.el);
  }

  update(view: View, active: Ringing | undefined): void {
    const was = this.current;
    this.current = active;
    this.mount.set(active !== undefined);
    if (!active) {
      this.shownCall = undefined;
      return;
    }
    const { call, leg } = active;
    if (was?.leg.uuid !== leg.uuid) {
      // A new call: start unmuted with an empty keypad readout, and move focus here (not onto a
      // button, so a stray Enter cannot hang up).
      if (this.ctx.phone.muted) this.ctx.phone.setMute(false);
      setText(this.digits, '');
      this.busy = false;
      queueMicrotask(() => this.el.focus());
    }
    if (call !== this.shownCall) this.renderCall(active);
    this.shownCall = call;

    const me = this.ctx.me;
    const owns = ownsCaller(active, me);
    const consult = myConsult(call, me);
    const pendingTransfer = this.actions.transferPending() === call.id;
    const muted = this.ctx.phone.muted;

    setText(this.heading, owns ? t('call.title') : t('call.withColleague'));
    const stateText = [t(`call.state.${call.held ? 'held' : call.state}`), muted ? t('call.muted') : ''].filter(Boolean).join(' · ');
    setText(this.state, stateText);
    setAttr(this.state, 'data-state', call.held ? 'held' : call.state);
    setAttr(this.state, 'data-muted', String(muted));
    setText(this.timer, `${t('call.talk')} ${formatDuration((view.now - (leg.answeredMs ?? view.now)) / 1000)}`);

    setButtonLabel(this.hold, call.held ? t('btn.resume') : t('btn.hold'));
    setAttr(this.hold, 'data-on', String(call.held));
    // In a three-way the room's own hold (partner bar) applies, not uuid_hold.
    this.hold.disabled = !owns || consult !== undefined || this.busy || call.conference !== undefined;
    this.partnerBar.update(active, owns, consult !== undefined);
    setButtonLabel(this.mute, muted ? t('btn.unmute') : t('btn.mute'));
    setAttr(this.mute, 'data-on', String(muted));
    this.transfer.disabled = !owns || consult !== undefined || pendingTransfer;
    this.hangup.disabled = this.busy;
    setText(this.pending, pendingTransfer ? t('transfer.pending') : '');
    show(this.pending, pendingTransfer);

    this.consultMount.set(consult !== undefined);
    if (consult) {
      setText(this.consultTarget, t('consult.target', { target: this.describeTarget(consult.target) }));
      setText(this.consultState, t(`consult.state.${consult.state}`));
      setAttr(this.consult, 'data-state', consult.state);
      // Completing before the colleague answers would hand the caller to a ringing phone.
      this.consultComplete.disabled = consult.state !== 'talking' || this.busy;
      this.consultCancel.disabled = this.busy;
      this.consultConference.disabled = consult.state !== 'talking' || this.busy;
    }
  }

  relabel(): void {
    this.shownCall = undefined;
    this.el.querySelectorAll<HTMLButtonElement>('.key').forEach((b) => b.setAttribute('aria-label', t('dtmf.key', { d: b.dataset.digit ?? '' })));
  }

  private describeTarget(target: TransferTarget): string {
    if (target.kind === 'agent') return this.actions.agentName(target.agentId);
    if (target.kind === 'queue') return queueName(target.queue);
    if (target.kind === 'partner') return t('partner.name', { id: target.partner });
    return target.number;
  }

  private renderCall({ call }: Ringing): void {
    setText(this.number, call.callerNumber || t('pop.unknownCaller'));
    setText(this.name, callerName(call));
    this.flags.replaceChildren(...flagBadges(call.flags));
    this.details.replaceChildren(callFacts(call), case110Table(call) ?? '');
  }

  private async withBusy(f: () => Promise<unknown>): Promise<boolean> {
    this.busy = true;
    this.ctx.refresh();
    try {
      return await this.ctx.attempt(f);
    } finally {
      this.busy = false;
      this.ctx.refresh();
    }
  }

  private async onHold(): Promise<void> {
    const call = this.current?.call;
    if (!call) return;
    await this.withBusy(() => this.ctx.conn.send('call:hold', { callId: call.id, on: !call.held }));
  }

  private onMute(): void {
    this.ctx.phone.setMute(!this.ctx.phone.muted);
    this.ctx.refresh();
  }

  private onTransfer(): void {
    const call = this.current?.call;
    if (call && !this.transfer.disabled) this.actions.openTransfer(call.id, this.transfer);
  }

  private async onHangup(): Promise<void> {
    const call = this.current?.call;
    if (call) await this.withBusy(() => this.ctx.conn.send('call:hangup', { callId: call.id }));
  }

  private async onDigit(d: string): Promise<void> {
    const leg = this.current?.leg;
    if (!leg) return;
    if (await this.ctx.attempt(() => this.ctx.phone.sendDtmf(leg.uuid, d))) setText(this.digits, ((this.digits.textContent ?? '') + d).slice(-24));
  }

  private async onConsult(action: 'complete' | 'cancel' | 'conference'): Promise<void> {
    const call = this.current?.call;
    if (!call) return;
    const ok = await this.withBusy(() => this.ctx.conn.send('call:consult', { callId: call.id, action }));
    if (ok) this.ctx.toast.info(t(action === 'complete' ? 'consult.completed' : action === 'cancel' ? 'consult.cancelled' : 'partner.joined'));
  }
}
