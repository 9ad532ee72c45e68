// A strip under the state bar: the center's 15-second rate over the rolling window (the
// wallboard's headline, so an agent sees when the center falls behind and when it recovers) and,
// under `npm start`, what the demo traffic is doing and when its next busy-hour burst comes.
import type { DemoDescription } from '../../../server/src/realtime/events.ts';
import { t } from '../i18n/i18n.ts';
import { formatDuration } from '../state/format.ts';
import type { View } from './context.ts';
import { h, setAttr, setText, show } from './dom.ts';

const pct = (x: number): string => `${(Math.floor(x * 1000) / 10).toFixed(1)}%`;

/** Where the demo's schedule stands at `now`: a burst under way, or seconds to the next one. */
export function demoPhase(d: DemoDescription, now: number): { burst: boolean; nextInSec: number } {
  const first = d.epochMs + d.firstBurstSec * 1000;
  const every = d.burstEverySec * 1000;
  if (now < first) return { burst: false, nextInSec: Math.ceil((first - now) / 1000) };
  const intoCycle = (now - first) % every;
  return { burst: intoCycle < d.burstSpreadSec * 1000, nextInSec: Math.ceil((every - intoCycle) / 1000) };
}

export class CenterStrip {
  readonly el: HTMLElement;
  private readonly rate = h('strong', { class: 'center-rate', testid: 'center-rate' });
  private readonly status = h('span', { class: 'badge center-status', testid: 'center-status' });
  private readonly demoText = h('span', { class: 'demo-text' });
  private readonly demoNext = h('span', { class: 'demo-next', testid: 'demo-next' });
  private readonly demo: HTMLElement;

  constructor(private readonly description: DemoDescription | undefined) {
    this.demo = h('p', { class: 'demo-info', testid: 'demo-info' }, h('span', { class: 'badge demo-badge', text: 'demo.label' }), this.demoText, this.demoNext);
    show(this.demo, description !== undefined);
    this.el = h(
      'div',
      { class: 'center-strip', testid: 'center-strip', attrs: { role: 'status', 'aria-live': 'off' } },
      h('p', { class: 'center-figure' }, h('span', { text: 'center.label' }), this.rate, this.status),
      this.demo,
    );
  }

  update(view: View): void {
    const c = view.state.center;
    show(this.el, c !== null || this.description !== undefined);
    if (c) {
      setText(this.rate, c.rate15s === null ? t('center.none') : t('center.value', { rate: pct(c.rate15s), window: Math.round(c.windowSec / 60), within: c.answeredWithin, counted: c.counted }));
      setAttr(this.rate, 'data-rate', c.rate15s === null ? undefined : String(c.rate15s));
      setText(this.status, c.alertFiring ? t('center.alert', { target: pct(c.target) }) : t('center.ok'));
      setAttr(this.status, 'data-alert', String(c.alertFiring));
    }
    show(this.rate, c !== null);
    show(this.status, c !== null);
    const d = this.description;
    if (!d) return;
    setText(this.demoText, t('demo.text', { robots: d.robots.length, every: d.steadyEverySec, burstEvery: Math.round(d.burstEverySec / 60), burst: d.burstCalls }));
    const phase = demoPhase(d, view.now);
    setText(this.demoNext, phase.burst ? t('demo.now') : t('demo.next', { t: formatDuration(phase.nextInSec) }));
    setAttr(this.demoNext, 'data-burst', String(phase.burst));
  }
}
