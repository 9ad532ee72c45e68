// What the revisit service needs from the rest of the service, as interfaces: agent transitions
// (the ACD's state machine, so a queue call is never offered to an agent busy with a revisit), the
// switch, and where to tell an agent's softphone. Wiring (revisit-control.ts) supplies them.
import type { SwitchPort } from '../acd/ports.ts';
import type { RevisitCard } from './task.ts';

export type { CallPhase, RevisitCard } from './task.ts';

export type RevisitAgentCommand = 'reserve' | 'cancelReservation' | 'connect' | 'endCall' | 'endWrapUp';

export interface RevisitAgents {
  get(agentId: string): Promise<{ readonly id: string; readonly state: string; readonly callId?: string; readonly phone: string; readonly skills: Readonly<Record<string, number>> } | undefined>;
  /** Ready agents holding the skill, longest idle first. */
  readyWithSkill(skill: string): Promise<string[]>;
  /** One agent-state transition (acd/agent-state.ts); false when the agent's state does not allow it. */
  apply(agentId: string, command: RevisitAgentCommand, callId: string): Promise<boolean>;
  /** The agent may take queue calls again. */
  becameReady(agentId: string): void;
}

export type RevisitSwitch = Pick<SwitchPort, 'originateInBackground' | 'bridge' | 'kill'>;

export interface RevisitNotify {
  /** The agent's card changed; null: nothing offered any more. */
  card(agentId: string, card: RevisitCard | null): void;
}
