// What the ACD needs from the rest of the service, as interfaces: the store (atomic claims, queue
// membership), agent transitions, switch commands and call facts. Wiring supplies them.
import type { AgentRecord } from './agent-state.ts';
import type { SwitchCommands } from '../freeswitch/commands.ts';
import type { Claim, ClaimScope } from '../store/claim-store.ts';
import type { QueuedCall } from '../store/queue-store.ts';

export interface ClaimPort {
  /** The best caller across every scope (class, then t0) with the longest-idle agent able to take it. */
  claim(scopes: readonly ClaimScope[], nowMs: number): Promise<Claim | undefined>;
  requeue(callId: string): Promise<boolean>;
}

export interface WaitingPort {
  list(queue: string): Promise<string[]>;
  get(callId: string): Promise<QueuedCall | undefined>;
  remove(callId: string): Promise<void>;
  /** Move a waiting caller to another queue, keeping t0. False if it was no longer waiting. */
  move(callId: string, toQueue: string): Promise<boolean>;
  /** Take a waiting caller out for good (overflow out, callback handled elsewhere). False if gone. */
  take(callId: string): Promise<boolean>;
}

/**
 * Agent transitions the router drives. Each resolves false (instead of throwing) when the agent is
 * no longer in the state the transition starts from: with two instances watching the same switch,
 * the other one may have applied it first.
 */
export interface AgentPort {
  connect(agentId: string, callId: string): Promise<boolean>;
  ringNoAnswer(agentId: string, callId: string): Promise<boolean>;
  /** The agent's phone failed offers repeatedly: not-ready with reason phone-failure. */
  phoneFailure(agentId: string, callId: string): Promise<boolean>;
  cancelReservation(agentId: string, callId: string): Promise<boolean>;
  /** The agent as written (wrap-up, or ready with no wrap-up), undefined if refused. */
  endCall(agentId: string, callId: string): Promise<Readonly<AgentRecord> | undefined>;
}

export type SwitchPort = Pick<SwitchCommands, 'originateInBackground' | 'bridge' | 'kill' | 'transfer' | 'broadcast' | 'setVar'>;

export interface CallFacts {
  callerNumber: string;
  line: string;
}
