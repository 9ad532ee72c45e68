// Metrics of the service's dealings with the switch: connections the outbound-socket listener
// refused, protocol errors on either side, offers that failed and phones taken out of rotation.
// Labels are fixed small sets (never a peer address or an agent id), so a hostile peer cannot
// grow the label cardinality.
import { Counter, Histogram, type Registry } from 'prom-client';
import { SUBSCRIBED_EVENTS } from './freeswitch/event-map.ts';
import type { OutboundRefusal } from './freeswitch/outbound-server.ts';

export type OfferFailureKind = 'switch' | 'phone' | 'ring-no-answer';

export interface SwitchMetrics {
  outboundRefused(why: OutboundRefusal): void;
  inboundProtocolError(): void;
  offerFailed(kind: OfferFailureKind): void;
  phoneFailureAlert(): void;
  /** One event from an inbound connection, by its Event-Name (anything unexpected counts as 'other'). */
  eslEvent(node: string, name: string | undefined): void;
  /** One api/bgapi command answered (ok) or failed (error reply, timeout, disconnect), by its verb. */
  eslCommand(node: string, verb: string, seconds: number, ok: boolean): void;
  /** An agent freed while a caller waited -> its next offer sent to the switch (router.ts). */
  freeToOffer(seconds: number): void;
}

const KNOWN_EVENTS: ReadonlySet<string> = new Set(SUBSCRIBED_EVENTS);
// The commands the service sends (freeswitch/commands.ts, resync, the ACD); any other verb is 'other'.
const KNOWN_VERBS: ReadonlySet<string> = new Set([
  'originate', 'uuid_bridge', 'uuid_kill', 'uuid_transfer', 'uuid_broadcast', 'uuid_setvar', 'uuid_hold', 'uuid_break',
  'uuid_answer', 'uuid_exists', 'uuid_getvar', 'show', 'status', 'conference', 'sofia',
]);

// Two services on one registry (tests, a restart in-process) must not register a metric twice.
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

export function createSwitchMetrics(registry: Registry): SwitchMetrics {
  const refused = counter(registry, 'hotline_esl_outbound_refused_total', 'Outbound-socket connections ended without becoming a call, or ended by a protocol error', ['reason']);
  const inbound = counter(registry, 'hotline_esl_inbound_protocol_errors_total', 'Inbound ESL connections dropped because the switch broke the protocol', []);
  const offers = counter(registry, 'hotline_acd_offer_failures_total', 'Offers to agents that failed, by whose fault', ['kind']);
  const alerts = counter(registry, 'hotline_acd_phone_failure_alerts_total', 'Agents set not-ready (phone-failure) after repeated phone failures', []);
  const events = counter(registry, 'hotline_esl_events_total', 'Events received from FreeSWITCH on inbound connections', ['node', 'event']);
  const commandSeconds =
    (registry.getSingleMetric('hotline_esl_command_duration_seconds') as Histogram<'node' | 'command' | 'result'> | undefined) ??
    new Histogram({
      name: 'hotline_esl_command_duration_seconds',
      help: 'ESL api/bgapi command latency, from sending to the reply (bgapi: to its BACKGROUND_JOB)',
      labelNames: ['node', 'command', 'result'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  const freeToOffer =
    (registry.getSingleMetric('hotline_acd_free_to_offer_seconds') as Histogram | undefined) ??
    new Histogram({
      name: 'hotline_acd_free_to_offer_seconds',
      help: 'An agent freed while callers waited (leg hung up with no wrap-up, or wrap-up over) -> the originate of its next offer sent',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
  // Node names come from config: a fixed small set. Children are cached per label pair so the hot
  // path (2,000 events/s in the push bench) does not hash labels on every event.
  const eventChildren = new Map<string, Counter.Internal>();
  return {
    eslEvent: (node, name) => {
      const event = name !== undefined && KNOWN_EVENTS.has(name) ? name : 'other';
      const key = `${node}\n${event}`;
      let child = eventChildren.get(key);
      if (!child) eventChildren.set(key, (child = events.labels({ node, event })));
      child.inc();
    },
    eslCommand: (node, verb, seconds, ok) => commandSeconds.observe({ node, command: KNOWN_VERBS.has(verb) ? verb : 'other', result: ok ? 'ok' : 'error' }, seconds),
    freeToOffer: (seconds) => freeToOffer.observe(seconds),
    outboundRefused: (why) => refused.inc({ reason: why }),
    inboundProtocolError: () => inbound.inc(),
    offerFailed: (kind) => offers.inc({ kind }),
    phoneFailureAlert: () => alerts.inc(),
  };
}

/** For wiring without a registry (tests that pass none). */
export const noSwitchMetrics: SwitchMetrics = {
  outboundRefused: () => {},
  inboundProtocolError: () => {},
  offerFailed: () => {},
  phoneFailureAlert: () => {},
  eslEvent: () => {},
  eslCommand: () => {},
  freeToOffer: () => {},
};
