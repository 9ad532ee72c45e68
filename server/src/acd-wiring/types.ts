// What the ACD wiring takes (settings and the service's parts) and what it gives back.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AcdSwitch } from './switch-dispatch.ts';
import type { AgentRecord } from '../acd/agent-state.ts';
import type { QueueConfig } from '../acd/queue-config.ts';
import type { Router } from '../acd/router.ts';
import type { CallTransfers } from '../acd/transfer.ts';
import type { CallRecord, LegRecord } from '../calls/call-record.ts';
import type { CallRegistry } from '../calls/registry.ts';
import type { SwitchEvent } from '../calls/switch-events.ts';
import type { InboundNode } from '../freeswitch/inbound-node.ts';
import type { SwitchMetrics } from '../switch-metrics.ts';
import type { AgentStore } from '../store/agent-store.ts';
import type { RedisKeys } from '../store/keys.ts';
import type { QueueStore } from '../store/queue-store.ts';

export interface AcdSettings {
  readonly ringNoAnswerSec: number;
  /** Dial string template for citizens' numbers ({target}), and the caller id they see. */
  readonly citizenDialTemplate: string;
  readonly callbackCallerId: string;
  readonly wrapUpSec: number;
  readonly wrapUpExtendSec: number;
  readonly promptsBase: string;
  readonly queues?: unknown;
  /** Dial string template for outside numbers an agent transfers to ({target}). */
  readonly departmentDialTemplate: string;
  /** Dial string of a configured partner hotline (110 ...), or undefined for an unknown id. */
  readonly partnerDialstring?: (partner: string) => string | undefined;
  /** Dial string prefixes agent phones may use besides user/<extension>. */
  readonly agentPhonePrefixes?: readonly string[];
  /** Failed offers in a row before an agent is set not-ready (phone-failure). */
  readonly phoneFailureLimit?: number;
  /** More than one switch: per node name, the gateway the other switches reach its phones by. */
  readonly peerGateways?: Readonly<Record<string, string>>;
}

export interface AcdDeps {
  readonly settings: AcdSettings;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly keyPrefix: string;
  readonly registry: CallRegistry;
  readonly queueStore: QueueStore;
  readonly nodes: readonly InboundNode[];
  readonly now?: () => number;
  /** An agent leg answered a queued call (switch timestamp). */
  readonly onAgentAnswered?: (call: Readonly<CallRecord>, atUs: number) => void;
  /** A waiting caller chose a callback (SLA: offered, not answered in time, reported apart). */
  readonly onCallbackRequested?: (call: Readonly<CallRecord>, atUs: number) => void;
  /** Every agent record this instance writes (realtime deltas). */
  readonly onAgentChanged?: (agent: AgentRecord) => void;
  /** An agent leg answered or ended (before the registry applies the event): the desk's figures. */
  readonly onAgentLeg?: (call: Readonly<CallRecord>, leg: Readonly<LegRecord>, ev: SwitchEvent) => void;
  /** An agent transferred a call away. */
  readonly onTransferred?: (agentId: string, callId: string) => void;
  /** Survey and recording around each bridge to an agent (quality/bridge-hooks.ts), given the ACD's switch. */
  readonly bridgeHooks?: (sw: AcdSwitch) => { before(callId: string): Promise<void>; after(callId: string): Promise<void> };
  /** False while no switch connection is up and resynced: the router offers nothing. */
  readonly switchUp?: () => boolean;
  readonly metrics?: SwitchMetrics;
  /** False while Redis does not answer: the review (and with it every routing pass) waits for it. */
  readonly storeHealthy?: () => boolean;
}

export interface Acd {
  readonly router: Router;
  readonly agents: AgentStore;
  readonly transfers: CallTransfers;
  /** Switch commands sent to the node each call lives on. */
  readonly sw: AcdSwitch;
  readonly queues: readonly QueueConfig[];
  /** Called with every switch event, before the registry applies it. */
  onSwitchEvent(ev: SwitchEvent): void;
  /**
   * An agent may now take calls (REST state change, wrap-up over). `known`: the record a write of
   * this instance just returned, which saves reading it back on the routing path.
   */
  agentBecameReady(agentId: string, known?: Readonly<AgentRecord>): void;
  /** Hang up one leg on the node it lives on (an agent ending its call from the softphone). */
  killLeg(uuid: string, cause?: string): Promise<void>;
  /** One review of waiting callers and wrap-ups (the timer calls it every second). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}
