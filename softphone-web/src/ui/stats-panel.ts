// My figures today, as the server counts them since local midnight: refreshed every 30 s, right
// after each work order and at each change of the agent's state (offered, answered, ended), so the
// agent sees a call counted while still on it.
import { WRAP_UP_CATEGORIES, type AgentStats } from '../../../server/src/realtime/events.ts';
import { t, type MessageKey } from '../i18n/i18n.ts';
import { formatClock, formatDuration, formatPercent } from '../state/format.ts';
import type { Ctx } from './context.ts';
import { button, h, setText } from './dom.ts';

const REFRESH_MS = 30_000;

export class StatsPanel {
  readonly el: HTMLElement;
  private readonly values = new Map<string, HTMLElement>();
  private readonly updated = h('p', { class: 'updated' });
  private stats: AgentStats | undefined;
  private updatedAt: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private soonTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: Ctx) {
    const item = (id: string, key: MessageKey): HTMLElement => {
      const dd = h('dd', { attrs: { 'data-stat': id } }, '–');
      this.values.set(id, dd);
      return h('div', { class: 'stat' }, h('dt', { text: key }), dd);
    };
    const refresh = button(null, { class: 'btn btn-small', label: 'stats.refresh', on: { click: () => void this.load() } });
    refresh.querySelector('span')?.append('⟳');
    this.el = h(
      'section',
      { class: 'panel stats-panel', testid: 'stats-panel', attrs: { 'aria-labelledby': 'stats-title' } },
      h('header', { class: 'stats-head' }, h('h2', { text: 'stats.title', attrs: { id: 'stats-title' } }), refresh),
      h(
        'dl',
        { class: 'stats' },
        item('offered', 'stats.offered'),
        item('answered', 'stats.answered'),
        item('in15', 'stats.in15'),
        item('avgTalk', 'stats.avgTalk'),
        item('transfers', 'stats.transfers'),
      ),
      h('h3', { text: 'stats.wrapups' }),
      h('dl', { class: 'stats stats-wrapups' }, ...WRAP_UP_CATEGORIES.map((c) => item(`wrapup-${c}`, `wrapup.cat.${c}`))),
      this.updated,
    );
  }

  /** Refresh every 30 s; the first load comes with the connection's snapshot. */
  start(): void {
    this.timer = setInterval(() => void this.load(), REFRESH_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.soonTimer);
  }

  /**
   * Reload shortly: the server counts an offer or an answer as the switch reports it, a moment
   * after the agent's state changed; several changes in a row make one request.
   */
  soon(delayMs = 500): void {
    clearTimeout(this.soonTimer);
    this.soonTimer = setTimeout(() => void this.load(), delayMs);
  }

  async load(): Promise<void> {
    if (!this.ctx.conn.connected) return;
    try {
      const { stats } = await this.ctx.conn.send('stats:get', {});
      this.stats = stats;
      this.updatedAt = Date.now();
      this.render();
    } catch {
      // A missed refresh is not worth interrupting the agent; the next one comes in 30 s.
    }
  }

  render(): void {
    const s = this.stats;
    if (!s) return;
    const set = (id: string, v: string): void => {
      const el = this.values.get(id);
      if (el) setText(el, v);
    };
    set('offered', String(s.offered));
    set('answered', String(s.answered));
    set('in15', `${s.answeredIn15s} (${formatPercent(s.answeredIn15s, s.answered)})`);
    set('avgTalk', s.answered > 0 ? formatDuration(s.talkSec / s.answered) : '–');
    set('transfers', String(s.transfers));
    for (const c of WRAP_UP_CATEGORIES) set(`wrapup-${c}`, String(s.wrapUps[c] ?? 0));
    if (this.updatedAt !== undefined) setText(this.updated, t('stats.updated', { t: formatClock(this.updatedAt) }));
  }
}
