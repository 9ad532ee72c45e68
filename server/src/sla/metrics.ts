// SLA metrics on the registry the wiring passes in (plugins/app/metrics.ts makes it). Scopes are
// 'center' and one per queue, so the label set stays as small as the queue list.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AlertChange } from './alert.ts';
import type { Measures } from './measures.ts';

export interface SlaMetrics {
  /** Rolling 24 h measures of a scope. A rate with no counted calls is left unset (no sample). */
  setRolling(scope: string, m: Measures): void;
  setFiring(scope: string, firing: boolean): void;
  alertChanged(scope: string, change: AlertChange): void;
}

// Two services on one registry (tests, a restart in-process) must not register a metric twice.
function metric<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function createSlaMetrics(registry: Registry): SlaMetrics {
  const registers = [registry];
  const rate = metric(registry, 'hotline_sla_rate15s', () => new Gauge({ name: 'hotline_sla_rate15s', help: 'Answered-within-threshold rate over the rolling 24 h (fraction)', labelNames: ['scope'], registers }));
  const answerRate = metric(registry, 'hotline_sla_answer_rate', () => new Gauge({ name: 'hotline_sla_answer_rate', help: 'Answered / counted over the rolling 24 h (fraction)', labelNames: ['scope'], registers }));
  const counted = metric(registry, 'hotline_sla_counted_calls', () => new Gauge({ name: 'hotline_sla_counted_calls', help: 'Counted calls (offered minus short abandons) in the rolling 24 h', labelNames: ['scope'], registers }));
  const firing = metric(registry, 'hotline_sla_alert_firing', () => new Gauge({ name: 'hotline_sla_alert_firing', help: '1 while the SLA alert of a scope is firing', labelNames: ['scope'], registers }));
  const alerts = metric(registry, 'hotline_sla_alerts_total', () => new Counter({ name: 'hotline_sla_alerts_total', help: 'SLA alert changes notified by this instance', labelNames: ['scope', 'event'], registers }));
  return {
    setRolling(scope, m) {
      counted.set({ scope }, m.counted);
      if (m.rate15s === null) rate.remove({ scope });
      else rate.set({ scope }, m.rate15s);
      if (m.answerRate === null) answerRate.remove({ scope });
      else answerRate.set({ scope }, m.answerRate);
    },
    setFiring(scope, on) {
      firing.set({ scope }, on ? 1 : 0);
    },
    alertChanged(scope, change) {
      alerts.inc({ scope, event: change });
    },
  };
}
