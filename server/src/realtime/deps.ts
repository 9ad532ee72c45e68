// What the realtime layer reads and drives, as narrow views of the service's parts.
import type { Acd } from '../acd-control.ts';
import type { QueueConfig } from '../acd/queue-config.ts';
import type { Auth } from '../auth/auth.ts';
import type { CallRegistry } from '../calls/registry.ts';
import type { Logger } from '../log.ts';
import type { SlaService } from '../sla/service.ts';
import type { AgentStore } from '../store/agent-store.ts';
import type { QueueStore } from '../store/queue-store.ts';
import type { RealtimeHub } from './hub.ts';
import type { CallTransfers } from '../acd/transfer.ts';
import type { Desk } from '../desk/desk.ts';
import type { OpsService } from '../ops/ops-service.ts';
import type { Handoff } from '../handoff/handoff.ts';
import type { Partner } from '../handoff/partners.ts';
import type { RevisitService } from '../revisit/service.ts';
import type { ThreeWay } from '../handoff/threeway.ts';

export interface RealtimeDeps {
  readonly logger: Logger;
  readonly auth: Pick<Auth, 'verify'>;
  readonly hub: RealtimeHub;
  readonly registry: Pick<CallRegistry, 'get' | 'live'>;
  readonly agents: Pick<AgentStore, 'get' | 'list' | 'apply'>;
  readonly acd: Pick<Acd, 'agentBecameReady' | 'killLeg'>;
  readonly queues: Pick<QueueStore, 'queues' | 'list' | 'get'>;
  readonly queueConfigs: readonly Pick<QueueConfig, 'name'>[];
  readonly sla?: Pick<SlaService, 'snapshot' | 'onUpdate'>;
  /** Call commands (hold, transfers) and the desk (wrap-up, history, figures); absent: refused as unknown. */
  readonly transfers?: Pick<CallTransfers, 'hold' | 'transfer' | 'consult'>;
  readonly desk?: Pick<Desk, 'wrapUp' | 'history' | 'figures'>;
  /** Three-way calls (start, join a consultation, the agent's place in the room, the case owner). */
  readonly threeWay?: Pick<ThreeWay, 'start' | 'fromConsult' | 'member' | 'caseOwner'>;
  /** The wallboard's figures for /ops; absent: snapshots carry board null. */
  readonly board?: Pick<OpsService, 'board' | 'onBoard' | 'poke'>;
  readonly now?: () => number;
  /** Partner hotlines' handoffs for the dispatcher console (its snapshot: the last 24 hours). */
  /** Revisit preview dialing for agents; absent: the revisit commands are refused as unknown. */
  readonly revisits?: Pick<RevisitService, 'current' | 'take' | 'call' | 'skip' | 'hangup' | 'outcome'>;
  readonly handoffs?: { readonly partners: readonly Partner[]; list(partner: string, sinceMs: number): Promise<Handoff[]> };
}
