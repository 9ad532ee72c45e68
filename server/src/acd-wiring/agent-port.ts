// The agent transitions the router and transfers drive, over the agent store. A refused transition
// means another instance (or the agent) got there first: it resolves false, it is not an error.
import type { Logger } from 'pino';
import type { AgentCommand } from '../acd/agent-state.ts';
import type { AgentPort } from '../acd/ports.ts';
import type { AgentStore, StoredAgent } from '../store/agent-store.ts';
import { isRedisUnavailable } from '../store/redis-client.ts';

/** Attempts for a transition the switch has already made true, while Redis is away (~80 s in all). */
const STORE_ATTEMPTS = 20;

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
  // The bridge is up or the agent's leg has hung up: the switch has done it, the store must follow.
  // Lost to a Redis outage, the agent stayed reserved or on-call for good (bench faults,
  // redis-restart): retried with backoff while Redis is unavailable, a refusal is still final.
  // Resolves with the agent as written, so the caller need not read it back.
  const settled = async (agentId: string, command: AgentCommand): Promise<StoredAgent | undefined> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await agents.apply(agentId, command, 'acd')).agent;
      } catch (err) {
        if (!isRedisUnavailable(err) || attempt >= STORE_ATTEMPTS) {
          log.debug({ err, agentId, command: command.type, attempt }, 'agent transition not applied');
          return undefined;
        }
        await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** (attempt - 1), 5_000)));
      }
    }
  };
  return {
    transition,
    port: {
      connect: async (id, callId) => (await settled(id, { type: 'connect', callId })) !== undefined,
      ringNoAnswer: (id, callId) => transition(id, { type: 'ringNoAnswer', callId }),
      phoneFailure: (id, callId) => transition(id, { type: 'phoneFailure', callId }),
      cancelReservation: async (id, callId) => {
        const ok = await transition(id, { type: 'cancelReservation', callId });
        if (ok) becameReady(id);
        return ok;
      },
      endCall: (id, callId) => settled(id, { type: 'endCall', callId }),
    },
  };
}
