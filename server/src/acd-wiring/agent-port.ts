// The agent transitions the router and transfers drive, over the agent store. A refused transition
// means another instance (or the agent) got there first: it resolves false, it is not an error.
import type { Logger } from 'pino';
import type { AgentCommand } from '../acd/agent-state.ts';
import type { AgentPort } from '../acd/ports.ts';
import type { AgentStore } from '../store/agent-store.ts';

export interface AgentTransitions {
  readonly port: AgentPort;
  /** Apply one command as the ACD; false if the agent was no longer in a state that allows it. */
  transition(agentId: string, command: AgentCommand): Promise<boolean>;
}

/** `becameReady` is told of an agent whose reservation was cancelled (it may take the next call). */
export function agentTransitions(agents: AgentStore, log: Logger, becameReady: (agentId: string) => void): AgentTransitions {
  const transition = async (agentId: string, command: AgentCommand): Promise<boolean> => {
    try {
      await agents.apply(agentId, command, 'acd');
      return true;
    } catch (err) {
      log.debug({ err, agentId, command: command.type }, 'agent transition not applied');
      return false;
    }
  };
  return {
    transition,
    port: {
      connect: (id, callId) => transition(id, { type: 'connect', callId }),
      ringNoAnswer: (id, callId) => transition(id, { type: 'ringNoAnswer', callId }),
      phoneFailure: (id, callId) => transition(id, { type: 'phoneFailure', callId }),
      cancelReservation: async (id, callId) => {
        const ok = await transition(id, { type: 'cancelReservation', callId });
        if (ok) becameReady(id);
        return ok;
      },
      endCall: (id, callId) => transition(id, { type: 'endCall', callId }),
    },
  };
}
