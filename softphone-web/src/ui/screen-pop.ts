// The screen pop: a leg ringing my phone. Everything the agent needs to greet the caller well is
// here before answering (number, line, priority, 110 case, repeat history), and the 15-second
// countdown runs from when the caller began waiting for a person, not from when my phone rang.
import type { CallView, PastCall } from '../../../server/src/realtime/events.ts';
import { lang, t } from '../i18n/i18n.ts';
import { answerCountdown } from '../state/countdown.ts';
import { formatClock, formatDuration } from '../state/format.ts';
import type { Ringing } from '../state/selectors.ts';
import { callerName, callFacts, case110Table, flagBadges, lineName } from './caller-info.ts';
import type { Ctx, View } from './context.ts';
import { button, h, Mount, setAttr, setText, show, typingIn } from './dom.ts';

type History = PastCall[] | 'loading' | 'error';

export class ScreenPop {
  readonly el: HTMLElement;
  private readonly title = h('h2', { class: 'pop-title', attrs: { id: 'pop-title' } });
  private readonly number = h('div', { class: 'caller-number', testid: 'pop-caller-number' });
  private readonly name = h('div', { class: 'caller-name' });
  private readonly flags = h('div', { class: 'flags', testid: 'pop-flags' });
  private readonly countdown = h('div', { class: 'countdown', testid: 'pop-countdown', attrs: { 'aria-live': 'off' } });
  private readonly waited = h('div', { class: 'waited' });
  private readonly details = h('div', { class: 'pop-details' });
  private readonly history = h('section', { class: 'history' });
  private readonly more = h('p', { class: 'more' });
  /** Announces each new pop once; the countdown itself is not live (it would talk every second). */
  private readonly live = h('div', { class: 'sr-only', attrs: { 'aria-live': 'assertive', 'aria-atomic': 'true' } });
  readonly answer: HTMLButtonElement;
  readonly mount: Mount;
  private shownLeg: string | undefined;
  private shownCall: CallView | undefined;
  private readonly histories = new Map<string, History>();
  private answering = false;

  constructor(private readonly ctx: Ctx) {
    this.answer = button('btn.answer', { class: 'btn btn-answer', testid: 'btn-answer', shortcut: 'Alt+A', on: { click: () => void this.onAnswer() } });
    this.el = h(
      'section',
      { class: 'panel screen-pop', testid: 'screen-pop', attrs: { 'aria-labelledby': 'pop-title' } },
      this.live,
      h('header', { class: 'pop-head' }, this.title, this.countdown),
      h('div', { class: 'pop-caller' }, this.number, this.name, this.flags, this.waited),
      this.details,
      this.history,
      h('div', { class: 'actions' }, this.answer),
      this.more,
    );
    this.mount = new Mount(this.el);
  }

  update(view: View, ringing: Ringing[]): void {
    const top = ringing[0];
    this.mount.set(top !== undefined);
    if (!top) {
      this.shownLeg = undefined;
      this.shownCall = undefined;
      return;
    }
    const { call, leg } = top;
    const isNew = leg.uuid !== this.shownLeg;
    if (isNew || call !== this.shownCall) this.renderCall(top);
    this.shownCall = call;

    const offer = leg.purpose === undefined || leg.purpose === 'offer';
    const cd = answerCountdown(call.queuedMs ?? call.createdMs, this.ctx.config.answerTargetSec, view.now);
    show(this.countdown, offer);
    setText(this.countdown, cd.urgency === 'overdue' ? t('pop.overdue', { s: cd.displaySec }) : t('pop.countdown', { s: cd.displaySec }));
    setAttr(this.countdown, 'data-urgency', cd.urgency);
    setText(this.waited, `${t('pop.waited')} ${formatDuration(cd.waitedSec)}`);
    setText(this.more, ringing.length > 1 ? t('pop.more', { n: ringing.length - 1 }) : '');
    this.answer.disabled = this.answering;

    if (isNew) {
      this.shownLeg = leg.uuid;
      this.answering = false;
      this.answer.disabled = false;
      this.live.textContent = t('pop.announce', { title: this.title.textContent ?? '', number: call.callerNumber || t('pop.unknownCaller'), line: lineName(call.line), waited: formatDuration(cd.waitedSec) });
      // Put the answer button under the agent's hand, unless they are typing somewhere.
      if (!typingIn(document.activeElement)) this.answer.focus();
      if (call.flags.includes('repeat')) void this.loadHistory(call.id);
    }
  }

  /** Rebuild the parts that depend on the call record (and on the language). */
  relabel(): void {
    this.shownCall = undefined;
  }

  private renderCall({ call, leg }: Ringing): void {
    const purpose = leg.purpose ?? 'offer';
    setText(this.title, t(`pop.title.${purpose}`));
    setText(this.number, call.callerNumber || t('pop.unknownCaller'));
    const from = purpose === 'consult' && call.consult ? t('pop.from', { agent: call.consult.agentId }) : '';
    setText(this.name, [callerName(call), from].filter(Boolean).join(' · '));
    this.flags.replaceChildren(...flagBadges(call.flags));
    this.details.replaceChildren(callFacts(call), case110Table(call) ?? '');
    this.renderHistory(call);
  }

  private renderHistory(call: CallView): void {
    const hist = this.histories.get(call.id);
    if (!call.flags.includes('repeat') || hist === undefined) return void this.history.replaceChildren();
    const heading = h('h3', {}, t('pop.history'));
    if (hist === 'loading' || hist === 'error') return void this.history.replaceChildren(heading, h('p', {}, hist === 'loading' ? t('pop.historyLoading') : '–'));
    if (!hist.length) return void this.history.replaceChildren(heading, h('p', {}, t('pop.historyNone')));
    const items = hist.slice(0, 5).map((p) =>
      h(
        'li',
        {},
        h('time', {}, `${new Date(p.atMs).toLocaleDateString(lang())} ${formatClock(p.atMs)}`),
        ' ',
        lineName(p.line),
        p.category ? ` · ${t(`wrapup.cat.${p.category}`)}` : '',
        p.summary ? h('div', { class: 'summary' }, p.summary) : null,
      ),
    );
    this.history.replaceChildren(heading, h('ul', {}, ...items));
  }

  private async loadHistory(callId: string): Promise<void> {
    if (this.histories.has(callId)) return;
    this.histories.set(callId, 'loading');
    try {
      const { calls } = await this.ctx.conn.send('caller:history', { callId });
      this.histories.set(callId, calls);
    } catch {
      this.histories.set(callId, 'error');
    }
    // Bounded: only the last few pops matter.
    if (this.histories.size > 20) this.histories.delete(this.histories.keys().next().value as string);
    if (this.shownCall?.id === callId) this.renderHistory(this.shownCall);
  }

  private async onAnswer(): Promise<void> {
    const uuid = this.shownLeg;
    if (!uuid || this.answering) return;
    this.answering = true;
    this.answer.disabled = true;
    const ok = await this.ctx.attempt(() => this.ctx.phone.answer(uuid));
    // On success the pop goes away when the service reports the leg answered; on failure, or if
    // that report never comes, the agent can press again.
    const reenable = (): void => {
      if (this.shownLeg !== uuid) return;
      this.answering = false;
      this.answer.disabled = false;
    };
    if (ok) setTimeout(reenable, 5000);
    else reenable();
  }
}
