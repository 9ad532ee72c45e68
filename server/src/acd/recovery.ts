// Offers orphaned by a crashed instance. The instance that claims a (caller, agent) pair is the
// only one that follows the offer; if it dies mid-offer, the entry stays "offering" and the agent
// "reserved". Any instance finding such a pair long after the offer should have ended repairs it:
// a caller already talking to that agent is left so (the agent goes on-call); otherwise the agent
// is released and a caller still on the line goes back to the head of its class.
import type { Logger } from 'pino';
import type { CallRegistry } from '../calls/registry.ts';
import type { AgentPort, ClaimPort } from './ports.ts';

export interface RecoveryDeps {
  readonly staleOffers: (beforeMs: number) => Promise<{ callId: string; agentId: string }[]>;
  readonly remove: (callId: string) => Promise<void>;
  readonly claims: ClaimPort;
  readonly agents: AgentPort;
  readonly registry: CallRegistry;
  readonly logger: Logger;
  readonly now: () => number;
  /** Longest an offer can legitimately take (agent ring + citizen ring for callbacks + margin). */
  readonly maxOfferMs: number;
}

export async function recoverStaleOffers(deps: RecoveryDeps): Promise<number> {
  const stale = await deps.staleOffers(deps.now() - deps.maxOfferMs);
  for (const { callId, agentId } of stale) {
    const log = deps.logger.child({ callId, agentId });
    const call = deps.registry.get(callId);
    const talking = call?.legs.some((l) => l.role === 'agent' && l.agentId === agentId && l.bridgedUs !== undefined && l.endedUs === undefined);
    if (talking) {
      await deps.agents.connect(agentId, callId);
      await deps.remove(callId);
      log.warn('orphaned offer: the call was connected; agent set on-call');
    } else {
      await deps.agents.cancelReservation(agentId, callId);
      if (call && call.state !== 'ended') await deps.claims.requeue(callId);
      else await deps.remove(callId);
      log.warn('orphaned offer: agent released, caller back in line if still there');
    }
  }
  return stale.length;
}
