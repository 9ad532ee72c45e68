// SLA metrics on the registry the wiring passes in (plugins/app/metrics.ts makes it). Scopes are
// 'center' and one per queue, windows the three of snapshot.ts, so the label sets stay as small as
// the queue list.
//
// Two kinds, for two kinds of user:
//   - gauges of the measures as /api/sla computes them (rolling 24 h, the current 15-minute
//     interval, today), for a dashboard that shows exactly the figures the wallboard shows;
//   - counters and a wait histogram per recorded outcome, for Prometheus' own rate() and
//     histogram_quantile() over any range. Each outcome is counted by the one instance that records
//     it (store/sla-store.ts), so sum() over instances is exact.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AlertChange } from './alert.ts';
import type { Measures } from './measures.ts';
import type { Counters, Outcome } from './outcome.ts';
import type { SlaSnapshot } from './snapshot.ts';

export interface SlaMetrics {
  /** Rolling 24 h measures of a scope. A rate with no counted calls is left unset (no sample). */
  setRolling(scope: string, m: Measures): void;
  /** Every window of a snapshot: hotline_sla_window_*{scope, window}. */
  setWindows(snap: SlaSnapshot): void;
  setFiring(scope: string, firing: boolean): void;
  alertChanged(scope: string, change: AlertChange): void;
  /** One call's outcome, as classify() counted it, the first time it is recorded. */
  outcome(o: Outcome, add: Partial<Counters>): void;
}

/** Seconds from t0: the 15 s threshold and the usual announcements fall on bucket bounds. */
export const WAIT_BUCKETS = [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600];

// Two services on one registry (tests, a restart in-process) must not register a metric twice.
function metric<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

const WINDOWS = ['interval', 'today', 'rolling24h'] as const;

export function createSlaMetrics(registry: Registry): SlaMetrics {
  const registers = [registry];
  const gauge = (name: string, help: string, labelNames: string[]) => metric(registry, name, () => new Gauge({ name, help, labelNames, registers }));
  const counter = (name: string, help: string, labelNames: string[]) => metric(registry, name, () => new Counter({ name, help, labelNames, registers }));
  const rate = gauge('hotline_sla_rate15s', 'Answered-within-threshold rate over the rolling 24 h (fraction)', ['scope']);
  const answerRate = gauge('hotline_sla_answer_rate', 'Answered / counted over the rolling 24 h (fraction)', ['scope']);
  const counted = gauge('hotline_sla_counted_calls', 'Counted calls (offered minus short abandons) in the rolling 24 h', ['scope']);
  const firing = gauge('hotline_sla_alert_firing', '1 while the SLA alert of a scope is firing', ['scope']);
  const alerts = counter('hotline_sla_alerts_total', 'SLA alert changes notified by this instance', ['scope', 'event']);
  const w = {
    rate15s: gauge('hotline_sla_window_rate15s', '15秒接通率 of a window (interval: current 15 min, today: Beijing day, rolling24h), fraction; absent without counted calls', ['scope', 'window']),
    answerRate: gauge('hotline_sla_window_answer_rate', '接通率 answered / counted of a window, fraction', ['scope', 'window']),
    abandonRate: gauge('hotline_sla_window_abandon_rate', 'Counted abandons / counted calls of a window, fraction', ['scope', 'window']),
    asa: gauge('hotline_sla_window_asa_seconds', 'Average speed of answer (t0 to agent answer) of a window', ['scope', 'window']),
    offered: gauge('hotline_sla_window_offered_calls', 'Calls offered to the human queue in a window', ['scope', 'window']),
    counted: gauge('hotline_sla_window_counted_calls', 'Counted calls (offered minus short abandons) in a window', ['scope', 'window']),
  };
  const offered = counter('hotline_calls_offered_total', 'Calls that reached t0 (offered to the human queue), by the queue they count in', ['queue']);
  const answered = counter('hotline_calls_answered_total', 'Offered calls answered by an agent', ['queue']);
  const within = counter('hotline_calls_answered_within_threshold_total', 'Offered calls answered within the threshold (15 s)', ['queue']);
  const abandoned = counter('hotline_calls_abandoned_total', 'Counted abandons (hung up unanswered after the short-abandon limit)', ['queue']);
  const short = counter('hotline_calls_short_abandoned_total', 'Short abandons (hung up within shortAbandonSec of t0), not counted', ['queue']);
  const callbacks = counter('hotline_calls_callback_total', 'Callers who chose a callback instead of waiting', ['queue']);
  const overflows = counter('hotline_calls_overflow_total', 'Calls sent out of our queues unanswered', ['queue']);
  const wait = metric(
    registry,
    'hotline_call_wait_seconds',
    () => new Histogram({ name: 'hotline_call_wait_seconds', help: 'Seconds from t0 to the outcome (answer or abandon)', labelNames: ['queue', 'outcome'], buckets: WAIT_BUCKETS, registers }),
  );

  const setOrRemove = (g: Gauge, labels: Record<string, string>, v: number | null): void => {
    if (v === null) g.remove(labels);
    else g.set(labels, v);
  };
  return {
    setRolling(scope, m) {
      counted.set({ scope }, m.counted);
      setOrRemove(rate, { scope }, m.rate15s);
      setOrRemove(answerRate, { scope }, m.answerRate);
    },
    setWindows(snap) {
      for (const window of WINDOWS) {
        const m = snap[window];
        const labels = { scope: snap.scope, window };
        setOrRemove(w.rate15s, labels, m.rate15s);
        setOrRemove(w.answerRate, labels, m.answerRate);
        setOrRemove(w.abandonRate, labels, m.counted > 0 ? m.abandoned / m.counted : null);
        setOrRemove(w.asa, labels, m.asaSec);
        w.offered.set(labels, m.offered);
        w.counted.set(labels, m.counted);
      }
    },
    setFiring(scope, on) {
      firing.set({ scope }, on ? 1 : 0);
    },
    alertChanged(scope, change) {
      alerts.inc({ scope, event: change });
    },
    outcome(o, add) {
      const queue = { queue: o.queue };
      offered.inc(queue, add.offered ?? 0);
      if (add.answered) answered.inc(queue);
      if (add.answeredWithin) within.inc(queue);
      if (add.abandoned) abandoned.inc(queue);
      if (add.shortAbandons) short.inc(queue);
      if (add.callbacks) callbacks.inc(queue);
      if (add.overflows) overflows.inc(queue);
      const sec = Math.max(0, o.atUs - o.t0Us) / 1e6;
      if (o.kind === 'answered') wait.observe({ queue: o.queue, outcome: 'answered' }, sec);
      else if (o.kind === 'abandoned') wait.observe({ queue: o.queue, outcome: add.shortAbandons ? 'short-abandon' : 'abandoned' }, sec);
    },
  };
}
