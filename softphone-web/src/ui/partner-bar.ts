// Partner hotlines and three-way calls on the call panel: one key to hand the caller to 110 (blind),
// one to consult the 110 dispatcher first (warm), one to bring 110 or a number (a department) into a
// three-way call; in the three-way, the agent's own controls (leave, hold, mute) and who takes the
// case. The server does the switching; this only sends the commands and shows the room.
import type { CallView } from '../../../server/src/realtime/events.ts';
import { t } from '../i18n/i18n.ts';
import type { Ringing } from '../state/selectors.ts';
import type { Ctx } from './context.ts';
import { button, h, Mount, setAttr, setButtonLabel, setText } from './dom.ts';

/** The partner the one-key buttons reach (a configured partner id; 110 by the national rule). */
const PARTNER = '110';
const NUMBER = /^\+?[0-9]{3,20}$/;

export class PartnerBar {
  readonly el: HTMLElement;
  private readonly summary = h('input', { class: 'partner-summary', testid: 'partner-summary', label: 'partner.summary', attrs: { type: 'text', maxlength: '200' } });
  private readonly number = h('input', { class: 'threeway-number', testid: 'threeway-number', label: 'partner.threeWayNumber', attrs: { type: 'tel', inputmode: 'numeric', maxlength: '21' } });
  private readonly to110: HTMLButtonElement;
  private readonly consult110: HTMLButtonElement;
  private readonly threeWay110: HTMLButtonElement;
  private readonly threeWayNumber: HTMLButtonElement;
  private readonly status = h('p', { class: 'partner-status', testid: 'partner-status', attrs: { role: 'status' } });
  private readonly conf: HTMLElement;
  private readonly confMount: Mount;
  private readonly confMembers = h('p', { class: 'conf-members', testid: 'conf-members' });
  private readonly confOwner = h('p', { class: 'conf-owner', testid: 'conf-owner' });
  private readonly leave: HTMLButtonElement;
  private readonly hold: HTMLButtonElement;
  private readonly mute: HTMLButtonElement;
  private readonly owner12345: HTMLButtonElement;
  private readonly ownerPartner: HTMLButtonElement;
  private call: CallView | undefined;
  private busy = false;

  constructor(private readonly ctx: Ctx) {
    const send = (f: () => Promise<void>) => () => void this.run(f);
    this.to110 = button('partner.to110', { class: 'btn btn-danger', testid: 'btn-to110', on: { click: send(() => this.transfer('blind')) } });
    this.consult110 = button('partner.consult110', { class: 'btn', testid: 'btn-consult110', on: { click: send(() => this.transfer('attended')) } });
    this.threeWay110 = button('partner.threeWay110', { class: 'btn', testid: 'btn-threeway110', on: { click: send(() => this.threeWay({ kind: 'partner', partner: PARTNER, ...this.summaryOf() })) } });
    this.threeWayNumber = button('partner.threeWay', { class: 'btn', testid: 'btn-threeway-number', on: { click: send(() => this.threeWayTo()) } });
    this.leave = button('conf.leave', { class: 'btn btn-danger', testid: 'btn-conf-leave', on: { click: send(() => this.member('leave')) } });
    this.hold = button(null, { class: 'btn', testid: 'btn-conf-hold', on: { click: send(() => this.member(this.mine()?.held ? 'unhold' : 'hold')) } });
    this.mute = button(null, { class: 'btn', testid: 'btn-conf-mute', on: { click: send(() => this.member(this.mine()?.muted ? 'unmute' : 'mute')) } });
    this.owner12345 = button('conf.owner12345', { class: 'btn', testid: 'btn-owner-12345', on: { click: send(() => this.setOwner('12345')) } });
    this.ownerPartner = button(null, { class: 'btn', testid: 'btn-owner-partner', on: { click: send(() => this.setOwner(PARTNER)) } });
    this.conf = h(
      'section',
      { class: 'conf-panel', testid: 'conf-panel', attrs: { 'aria-labelledby': 'conf-title' } },
      h('h3', { text: 'conf.title', attrs: { id: 'conf-title' } }),
      this.confMembers,
      h('div', { class: 'actions' }, this.hold, this.mute, this.leave),
      h('div', { class: 'actions' }, h('span', { text: 'conf.owner' }), this.owner12345, this.ownerPartner),
      this.confOwner,
    );
    this.confMount = new Mount(this.conf);
    this.el = h(
      'section',
      { class: 'partner-bar', testid: 'partner-bar', label: 'partner.bar' },
      h('div', { class: 'actions' }, this.summary, this.to110, this.consult110, this.threeWay110),
      h('div', { class: 'actions' }, this.number, this.threeWayNumber),
      this.status,
      this.confMount.anchor,
    );
  }

  update(active: Ringing | undefined, owns: boolean, consulting: boolean): void {
    const call = active?.call;
    this.call = call;
    const inRoom = this.mine() !== undefined;
    const idle = !call || !owns || consulting || this.busy;
    this.to110.disabled = idle || inRoom;
    this.consult110.disabled = idle || inRoom;
    this.threeWay110.disabled = idle;
    this.threeWayNumber.disabled = idle;
    this.confMount.set(inRoom);
    if (!call?.conference || !inRoom) return;
    const me = this.mine()!;
    setText(this.confMembers, t('conf.members', { n: call.conference.members.length }));
    setButtonLabel(this.hold, me.held ? t('conf.unhold') : t('conf.hold'));
    setAttr(this.hold, 'data-on', String(me.held === true));
    setButtonLabel(this.mute, me.muted ? t('conf.unmute') : t('conf.mute'));
    setAttr(this.mute, 'data-on', String(me.muted === true));
    setButtonLabel(this.ownerPartner, t('conf.ownerPartner', { id: PARTNER }));
    const o = call.conference.caseOwner;
    setText(this.confOwner, o ? t('conf.ownerShown', { owner: o.owner, by: o.by }) : '');
    for (const b of [this.hold, this.mute, this.leave, this.owner12345, this.ownerPartner]) b.disabled = this.busy;
  }

  /** My place in the room: an answered agent leg of mine that is a member now. */
  private mine(): { held?: boolean; muted?: boolean } | undefined {
    const c = this.call;
    if (!c?.conference) return undefined;
    const legs = new Set(c.legs.filter((l) => l.role === 'agent' && l.agentId === this.ctx.me && l.endedMs === undefined).map((l) => l.uuid));
    return c.conference.parties.find((p) => legs.has(p.uuid) && p.leftMs === undefined && c.conference!.members.includes(p.uuid));
  }

  private summaryOf(): { summary?: string } {
    const s = this.summary.value.trim();
    return s ? { summary: s } : {};
  }

  private async run(f: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    setText(this.status, t('partner.pending'));
    this.ctx.refresh();
    try {
      await f();
    } finally {
      this.busy = false;
      if (this.status.textContent === t('partner.pending')) setText(this.status, '');
      this.ctx.refresh();
    }
  }

  private async transfer(mode: 'blind' | 'attended'): Promise<void> {
    const call = this.call;
    if (!call) return;
    const ok = await this.ctx.attempt(() => this.ctx.conn.send('call:transfer', { callId: call.id, mode, target: { kind: 'partner', partner: PARTNER, ...this.summaryOf() } }));
    if (ok && mode === 'blind') this.ctx.toast.info(t('partner.transferred'));
  }

  private async threeWay(target: { kind: 'partner'; partner: string; summary?: string } | { kind: 'external'; number: string }): Promise<void> {
    const call = this.call;
    if (!call) return;
    const ok = await this.ctx.attempt(() => this.ctx.conn.send('call:three-way', { callId: call.id, target }));
    if (ok) setText(this.status, t('partner.joined'));
  }

  private async threeWayTo(): Promise<void> {
    const n = this.number.value.trim();
    if (!NUMBER.test(n)) {
      this.ctx.toast.error(t('transfer.badNumber'));
      this.number.focus();
      return;
    }
    await this.threeWay(n === PARTNER ? { kind: 'partner', partner: PARTNER, ...this.summaryOf() } : { kind: 'external', number: n });
  }

  private async member(action: 'leave' | 'hold' | 'unhold' | 'mute' | 'unmute'): Promise<void> {
    const call = this.call;
    if (!call) return;
    const ok = await this.ctx.attempt(() => this.ctx.conn.send('call:conference', { callId: call.id, action }));
    if (ok && action === 'leave') this.ctx.toast.info(t('conf.left'));
  }

  private async setOwner(owner: string): Promise<void> {
    const call = this.call;
    if (!call) return;
    const ok = await this.ctx.attempt(() => this.ctx.conn.send('call:case-owner', { callId: call.id, owner }));
    if (ok) this.ctx.toast.info(t('conf.ownerSet', { owner }));
  }
}
