// Metrics of the service's dealings with the switch: connections the outbound-socket listener
// refused, protocol errors on either side, offers that failed and phones taken out of rotation.
// Labels are fixed small sets (never a peer address or an agent id), so a hostile peer cannot
// grow the label cardinality.
import { Counter, type Registry } from 'prom-client';
import type { OutboundRefusal } from './freeswitch/outbound-server.ts';

export type OfferFailureKind = 'switch' | 'phone' | 'ring-no-answer';

export interface SwitchMetrics {
  outboundRefused(why: OutboundRefusal): void;
  inboundProtocolError(): void;
  offerFailed(kind: OfferFailureKind): void;
  phoneFailureAlert(): void;
}

// Two services on one registry (tests, a restart in-process) must not register a metric twice.
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

export function createSwitchMetrics(registry: Registry): SwitchMetrics {
  const refused = counter(registry, 'hotline_esl_outbound_refused_total', 'Outbound-socket connections ended without becoming a call, or ended by a protocol error', ['reason']);
  const inbound = counter(registry, 'hotline_esl_inbound_protocol_errors_total', 'Inbound ESL connections dropped because the switch broke the protocol', []);
  const offers = counter(registry, 'hotline_acd_offer_failures_total', 'Offers to agents that failed, by whose fault', ['kind']);
  const alerts = counter(registry, 'hotline_acd_phone_failure_alerts_total', 'Agents set not-ready (phone-failure) after repeated phone failures', []);
  return {
    outboundRefused: (why) => refused.inc({ reason: why }),
    inboundProtocolError: () => inbound.inc(),
    offerFailed: (kind) => offers.inc({ kind }),
    phoneFailureAlert: () => alerts.inc(),
  };
}

/** For wiring without a registry (tests that pass none). */
export const noSwitchMetrics: SwitchMetrics = { outboundRefused: () => {}, inboundProtocolError: () => {}, offerFailed: () => {}, phoneFailureAlert: () => {} };
