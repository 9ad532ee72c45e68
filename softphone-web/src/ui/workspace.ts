// The signed-in softphone: owns the state, the connection and the phone, and renders every panel
// from them on each event and on a 250 ms clock tick (countdowns and timers move by themselves).
import type { SoftphoneConfig, TransferPayload } from '../../../server/src/realtime/events.ts';
import { t } from '../i18n/i18n.ts';
import type { Session } from '../net/api.ts';
import { Connection, type ConnStatus } from '../net/connection.ts';
import type { Phone } from '../phone/phone-base.ts';
import { activeForMe, ringingForMe } from '../state/selectors.ts';
import { findCall, initialState, reduce, type SoftphoneState } from '../state/store.ts';
import { CallPanel } from './call-panel.ts';
import { CenterStrip } from './center-strip.ts';
import { DirectoryPanel } from './directory-panel.ts';
import type { Ctx } from './context.ts';
import { h, setText, show } from './dom.ts';
import { Announcer, describeError, Toast } from './notify.ts';
import { SupervisorNotice } from './supervisor-notice.ts';
import { KbPanel } from './kb-panel.ts';
import { RevisitPanel } from './revisit-card.ts';
import { ScreenPop } from './screen-pop.ts';
import { installShortcuts, shortcutLegend, type Shortcut } from './shortcuts.ts';
import { StateBar } from './state-bar.ts';
import { StatsPanel } from './stats-panel.ts';
import { TransferDialog } from './transfer-dialog.ts';
import { WrapUpForm } from './wrapup-form.ts';

const TICK_MS = 250;

export type ExitReason = 'signed-out' | 'expired';

export class Workspace {
  readonly el: HTMLElement;
  private state: SoftphoneState = initialState;
  private readonly ctx: Ctx;
  private readonly conn: Connection;
  private readonly bar: StateBar;
  private readonly pop: ScreenPop;
  private readonly call: CallPanel;
  private readonly wrapUp: WrapUpForm;
  private readonly stats: StatsPanel;
  private readonly center: CenterStrip;
  private readonly transfer: TransferDialog;
  private readonly directory: DirectoryPanel;
  private readonly kb: KbPanel;
  private readonly revisit: RevisitPanel;
  private readonly idle = h('p', { class: 'idle' });
  private readonly toast = new Toast();
  private readonly notice = new SupervisorNotice();
  private readonly announcer = new Announcer();
  private readonly cleanups: (() => void)[] = [];
  private pendingTransfer: string | undefined;
  private renderQueued = false;
  private closed = false;

  constructor(
    session: Session,
    config: SoftphoneConfig,
    private readonly phone: Phone,
    private readonly onExit: (reason: ExitReason) => void,
  ) {
    this.conn = new Connection(session.token, session.expiresAt, {
      onEvent: (ev) => {
        const before = this.state.agent?.state;
        this.state = reduce(this.state, ev);
        // First connection or a reconnect: (re)load the figures, which may have moved meanwhile;
        // and at each of my state changes (offered, answered, call ended), so the agent sees a
        // call counted while it is still on it.
        if (ev.type === 'snapshot') void this.stats.load();
        else if (before !== this.state.agent?.state) this.stats.soon();
        // A revisit card may have been pushed by another instance: ask for mine on every (re)connect
        // and whenever I become reserved or leave wrap-up.
        const now = this.state.agent?.state;
        if (ev.type === 'snapshot' || (before !== now && (now === 'reserved' || now === 'ready'))) void this.revisit.reload();
        this.render();
      },
      onStatus: (s) => this.onConn(s),
      onNotice: (n) => this.notice.show(n),
      onRevisit: (card) => {
        this.revisit.set(card);
        this.refresh();
      },
    });
    this.ctx = {
      me: session.agentId,
      config,
      phone,
      conn: this.conn,
      toast: this.toast,
      announcer: this.announcer,
      agent: () => this.state.agent,
      attempt: async (f) => {
        try {
          await f();
          return true;
        } catch (err) {
          this.toast.error(describeError(err));
          return false;
        }
      },
      refresh: () => this.refresh(),
    };
    this.bar = new StateBar(this.ctx, () => void this.signOut());
    this.pop = new ScreenPop(this.ctx);
    this.transfer = new TransferDialog(this.ctx, (p) => void this.startTransfer(p));
    this.call = new CallPanel(this.ctx, {
      openTransfer: (callId, back) => void this.transfer.open(callId, back),
      transferPending: () => this.pendingTransfer,
      agentName: (id) => this.transfer.agentName(id),
    });
    this.wrapUp = new WrapUpForm(this.ctx, () => {
      void this.stats.load();
      this.kb.clearChoice();
    });
    this.kb = new KbPanel(() => session.token, (entry) => this.wrapUp.setKbEntry(entry));
    this.revisit = new RevisitPanel(this.ctx);
    this.stats = new StatsPanel(this.ctx);
    this.center = new CenterStrip(config.demo);
    this.directory = new DirectoryPanel(session.token, (callId, number, back) => void this.transfer.open(callId, back, number));

    const shortcuts: Shortcut[] = [
      { code: 'KeyA', label: 'Alt+A', name: 'keys.answer', target: () => this.pop.answer },
      { code: 'KeyH', label: 'Alt+H', name: 'keys.hangup', target: () => this.call.hangup },
      { code: 'KeyP', label: 'Alt+P', name: 'keys.hold', target: () => this.call.hold },
      { code: 'KeyM', label: 'Alt+M', name: 'keys.mute', target: () => this.call.mute },
      { code: 'KeyT', label: 'Alt+T', name: 'keys.transfer', target: () => this.call.transfer },
      { code: 'KeyR', label: 'Alt+R', name: 'keys.ready', target: () => this.bar.ready },
      { code: 'KeyN', label: 'Alt+N', name: 'keys.notReady', target: () => this.bar.notReady },
      { code: 'KeyW', label: 'Alt+W', name: 'keys.wrapup', target: () => this.wrapUp.summary },
    ];
    this.cleanups.push(installShortcuts(shortcuts));

    this.el = h(
      'div',
      { class: 'workspace' },
      this.bar.el,
      this.center.el,
      this.notice.el,
      h(
        'main',
        { class: 'layout' },
        h('div', { class: 'work' }, this.pop.mount.anchor, this.call.mount.anchor, this.wrapUp.mount.anchor, this.revisit.mount.anchor, this.idle, this.revisit.takeMount.anchor),
        h('aside', { class: 'side' }, this.kb.el, this.stats.el, this.directory.el, shortcutLegend(shortcuts)),
      ),
      this.transfer.el,
      this.toast.el,
      this.announcer.el,
    );

    this.cleanups.push(phone.on(() => this.refresh()));
    const tick = setInterval(() => this.render(), TICK_MS);
    this.cleanups.push(() => clearInterval(tick));
    this.stats.start();
    this.directory.start();
    this.cleanups.push(() => this.stats.stop());
    void phone.start().catch((err: unknown) => this.toast.error(describeError(err)));
    this.render();
  }

  /** After a language switch: panels rebuild their call-dependent parts on the next render. */
  relabel(): void {
    this.notice.relabel();
    this.pop.relabel();
    this.call.relabel();
    this.kb.relabel();
    this.stats.render();
    this.directory.relabel();
    this.render();
  }

  private refresh(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    queueMicrotask(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private render(): void {
    if (this.closed) return;
    const view = { state: this.state, now: Date.now() };
    const me = this.ctx.me;
    const ringing = ringingForMe(this.state, me);
    const active = activeForMe(this.state, me);
    this.bar.update(view);
    this.center.update(view);
    this.pop.update(view, ringing);
    this.call.update(view, active);
    this.directory.update(active?.call.id);
    this.wrapUp.update(this.state);
    // The call in hand for the KB's suggestions: talking, else ringing, else the one wrapped up.
    const agent = this.state.agent;
    const wrapping = agent?.state === 'wrap-up' && agent.callId ? findCall(this.state, agent.callId) : undefined;
    this.kb.update(active?.call ?? ringing[0]?.call ?? wrapping, this.wrapUp.typed(), this.wrapUp.mount.mounted);
    if (!active && this.transfer.isOpen) this.transfer.close();
    const busy = ringing.length > 0 || active !== undefined || this.wrapUp.mount.mounted || this.revisit.active;
    this.revisit.update(this.state.agent, busy);
    show(this.idle, !busy);
    setText(this.idle, this.state.agent?.state === 'ready' ? t('idle.ready') : t('idle.notReady'));
    const first = ringing[0];
    // The tab title tells an agent in another window that a call rings.
    const title = first ? `${t('title.ringing', { number: first.call.callerNumber })} · ${t('app.title')}` : t('app.title');
    if (document.title !== title) document.title = title;
  }

  private onConn(status: ConnStatus): void {
    this.bar.setConn(status);
    if (status === 'expired') {
      void this.close();
      this.onExit('expired');
      return;
    }
    this.refresh();
  }

  private async startTransfer(p: TransferPayload): Promise<void> {
    this.pendingTransfer = p.callId;
    this.refresh();
    const ok = await this.ctx.attempt(() => this.conn.send('call:transfer', p));
    this.pendingTransfer = undefined;
    // An attended transfer continues in the consultation panel; a blind one is done.
    if (ok && p.mode === 'blind') this.toast.info(t('transfer.done'));
    this.refresh();
  }

  private async signOut(): Promise<void> {
    const st = this.state.agent?.state;
    // Leave the ACD first, so calls stop being routed to a phone nobody watches.
    if (this.conn.connected && (st === 'ready' || st === 'not-ready' || st === 'wrap-up')) {
      await this.conn.send('agent:set-state', { action: 'logout' }).catch(() => undefined);
    }
    await this.close();
    this.onExit('signed-out');
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.transfer.close();
    for (const f of this.cleanups) f();
    this.conn.close();
    await this.phone.stop().catch(() => undefined);
    this.el.remove();
  }
}
