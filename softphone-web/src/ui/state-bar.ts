// The top bar, always visible: who I am, my state (with the reason or the wrap-up countdown), the
// state buttons, the phone and connection status, and the language switch.
import { NOT_READY_REASONS, type SetStatePayload } from '../../../server/src/realtime/events.ts';
import { lang, setLang, t, tOr } from '../i18n/i18n.ts';
import type { ConnStatus } from '../net/connection.ts';
import type { PhoneStatus } from '../phone/phone-base.ts';
import { allowedActions, notReadyCommands, readyCommands } from '../state/actions.ts';
import { wrapUpRemainingSec } from '../state/countdown.ts';
import { formatClock, formatDuration } from '../state/format.ts';
import type { Ctx, View } from './context.ts';
import { bind, button, h, setAttr, setText, show } from './dom.ts';

type Reason = (typeof NOT_READY_REASONS)[number];

const isReason = (r: string | undefined): r is Reason => (NOT_READY_REASONS as readonly string[]).includes(r ?? '');
const AFTER_KEY = 'softphone.notReadyAfter';

/** "Not ready after this call", kept per tab so a reload during the call does not lose it. */
function loadAfter(agentId: string): Reason | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(AFTER_KEY) ?? 'null') as { agentId: string; reason: string } | null;
    return saved?.agentId === agentId && isReason(saved.reason) ? saved.reason : undefined;
  } catch {
    return undefined;
  }
}

function saveAfter(agentId: string, reason: Reason | undefined): void {
  try {
    if (reason) sessionStorage.setItem(AFTER_KEY, JSON.stringify({ agentId, reason }));
    else sessionStorage.removeItem(AFTER_KEY);
  } catch {
    // No storage: the choice lasts for this page.
  }
}

export class StateBar {
  readonly el: HTMLElement;
  private readonly who = h('div', { class: 'who' });
  private readonly state = h('span', { class: 'agent-state', testid: 'agent-state', attrs: { 'aria-live': 'polite', 'aria-atomic': 'true' } });
  private readonly detail = h('span', { class: 'state-detail', attrs: { 'aria-live': 'off' } });
  private readonly phoneBadge = h('span', { class: 'badge phone-badge', testid: 'phone-badge' });
  private readonly conn = h('span', { class: 'conn', testid: 'conn-status', attrs: { role: 'status' } });
  private readonly clock = h('time', { class: 'clock', attrs: { 'aria-live': 'off' } });
  readonly ready: HTMLButtonElement;
  readonly notReady: HTMLButtonElement;
  private readonly reason: HTMLSelectElement;
  /** Toggles "not ready after this call" while a call rings or talks. */
  readonly notReadyAfter: HTMLButtonElement;
  private after: Reason | undefined;
  /** The state and reason the reason box last followed: it follows the server, not every render. */
  private synced: string | undefined;
  private readonly extend: HTMLButtonElement;
  private readonly logout: HTMLButtonElement;
  private readonly signOut: HTMLButtonElement;
  private busy = false;
  private connStatus: ConnStatus = 'connecting';

  constructor(
    private readonly ctx: Ctx,
    onSignOut: () => void,
  ) {
    this.ready = button('btn.ready', { class: 'btn btn-ready', testid: 'btn-ready', shortcut: 'Alt+R', on: { click: () => void this.onReady() } });
    this.reason = h('select', { testid: 'not-ready-reason', label: 'reason.label', attrs: { id: 'not-ready-reason' } });
    for (const r of NOT_READY_REASONS) this.reason.append(h('option', { text: `reason.${r}`, attrs: { value: r } }));
    this.notReady = button('btn.notReady', { class: 'btn', testid: 'btn-not-ready', shortcut: 'Alt+N', on: { click: () => void this.onNotReady() } });
    this.notReadyAfter = button('btn.notReadyAfter', { class: 'btn', testid: 'btn-not-ready-after', on: { click: () => this.toggleAfter() } });
    this.after = loadAfter(ctx.me);
    this.extend = button('btn.extend', { class: 'btn', testid: 'btn-extend', on: { click: () => void this.run([{ action: 'extend-wrap-up' }]) } });
    this.logout = button('btn.logout', { class: 'btn', testid: 'btn-logout', on: { click: () => void this.run([{ action: 'logout' }]) } });
    this.signOut = button('btn.signOut', { class: 'btn btn-quiet', testid: 'btn-sign-out', on: { click: onSignOut } });
    const langBtn = h('button', { class: 'btn btn-quiet', testid: 'lang-toggle', attrs: { type: 'button' }, on: { click: () => setLang(lang() === 'en' ? 'zh-CN' : 'en') } });
    bind(langBtn, (b) => {
      b.textContent = t('lang.toggle');
      b.setAttribute('aria-label', t('lang.toggleLabel'));
      // The button names the other language in that language.
      b.lang = lang() === 'en' ? 'zh-CN' : 'en';
    });
    this.el = h(
      'header',
      { class: 'state-bar' },
      h('h1', { class: 'app-title', text: 'app.title' }),
      this.who,
      h('div', { class: 'state-box' }, this.state, this.detail, this.extend),
      h('div', { class: 'state-actions', attrs: { role: 'group' } }, this.ready, this.reason, this.notReady, this.notReadyAfter, this.logout),
      h('div', { class: 'status' }, this.clock, this.phoneBadge, this.conn, langBtn, this.signOut),
    );
  }

  setConn(status: ConnStatus): void {
    this.connStatus = status;
  }

  update(view: View): void {
    const agent = view.state.agent;
    const me = this.ctx.me;
    setText(this.who, agent ? `${t('agent.label')} ${agent.name}（${agent.id}）` : `${t('agent.label')} ${me}`);

    const st = agent?.state;
    let stateText = st ? tOr(`agent.state.${st}`, st) : t('agent.state.unknown');
    if (st === 'not-ready' && agent?.reason) stateText += ` · ${tOr(`reason.${agent.reason}`, agent.reason)}`;
    if (this.after && (st === 'reserved' || st === 'on-call')) stateText += ` · ${t('agent.notReadyAfter', { reason: t(`reason.${this.after}`) })}`;
    setText(this.state, stateText);
    // The reason box shows the agent's reason (after a reload too), not the first option; it
    // follows the server when the state or reason changes there, and is the agent's choice between.
    const key = `${st ?? ''}:${agent?.reason ?? ''}`;
    if (key !== this.synced) {
      this.synced = key;
      if (st === 'not-ready' && agent?.reason && [...this.reason.options].some((o) => o.value === agent.reason)) this.reason.value = agent.reason;
    }
    this.applyAfter(st);
    setAttr(this.state, 'data-state', st ?? 'unknown');

    const wrapLeft = st === 'wrap-up' ? wrapUpRemainingSec(agent?.wrapUntil, view.now) : undefined;
    setText(this.detail, wrapLeft !== undefined ? t('agent.wrapLeft', { s: wrapLeft }) : agent ? t('agent.since', { d: formatDuration((view.now - agent.since) / 1000) }) : '');
    setAttr(this.detail, 'data-urgency', wrapLeft !== undefined && wrapLeft <= 10 ? 'urgent' : undefined);

    const allowed = allowedActions(st);
    const offline = this.connStatus !== 'online' || !view.state.synced;
    this.ready.disabled = offline || this.busy || !allowed.ready;
    this.notReady.disabled = offline || this.busy || !allowed.notReady;
    this.reason.disabled = this.notReady.disabled;
    this.logout.disabled = offline || this.busy || !allowed.logout;
    this.extend.disabled = offline || this.busy;
    show(this.extend, allowed.extendWrapUp);
    // While a call rings or talks, not-ready itself is refused: offer it for after the call.
    const onCall = st === 'reserved' || st === 'on-call';
    show(this.notReady, !onCall);
    show(this.notReadyAfter, onCall);
    this.notReadyAfter.disabled = offline;
    setAttr(this.notReadyAfter, 'aria-pressed', String(this.after !== undefined));
    if (onCall) this.reason.disabled = offline;
    this.signOut.disabled = !allowed.signOut;
    setAttr(this.ready, 'aria-pressed', String(st === 'ready'));

    setText(this.clock, formatClock(view.now));
    const phone = this.ctx.phone;
    const kindText = phone.kind === 'simulated' ? t('phone.simulated') : t('phone.sip');
    setText(this.phoneBadge, `${kindText} · ${t(`phone.status.${phone.status}` as `phone.status.${PhoneStatus}`)}`);
    setAttr(this.phoneBadge, 'data-kind', phone.kind);
    setAttr(this.phoneBadge, 'data-status', phone.status);
    setText(this.conn, t(`conn.${this.connStatus}`));
    setAttr(this.conn, 'data-status', this.connStatus);
  }

  private toggleAfter(): void {
    this.after = this.after ? undefined : (this.reason.value as Reason);
    saveAfter(this.ctx.me, this.after);
    this.ctx.refresh();
  }

  /**
   * The call is over (wrap-up, or ready when there is no wrap-up time): go not ready with the
   * chosen reason at once. From wrap-up no call can be offered in between; the wrap-up form can
   * still be filed while not ready.
   */
  private applyAfter(st: string | undefined): void {
    if (!this.after || this.busy) return;
    if (st !== 'wrap-up' && st !== 'ready') {
      if (st === 'not-ready' || st === 'logged-out') {
        this.after = undefined;
        saveAfter(this.ctx.me, undefined);
      }
      return;
    }
    const reason = this.after;
    this.after = undefined;
    saveAfter(this.ctx.me, undefined);
    void this.run([{ action: 'not-ready', reason }]);
  }

  private async onReady(): Promise<void> {
    await this.run(readyCommands(this.ctx.agent()?.state));
  }

  private async onNotReady(): Promise<void> {
    await this.run(notReadyCommands(this.ctx.agent()?.state, this.reason.value as Reason));
  }

  private async run(commands: SetStatePayload[]): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.ctx.refresh();
    try {
      for (const p of commands) if (!(await this.ctx.attempt(() => this.ctx.conn.send('agent:set-state', p)))) break;
    } finally {
      this.busy = false;
      this.ctx.refresh();
    }
  }
}
