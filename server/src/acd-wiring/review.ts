// The once-a-second review: wrap-ups that ended, offers a crashed instance left behind (every 10 s),
// a routing pass (tiers widen as callers wait), stuck transfers, and waiting callers (overflow,
// position announcements).
import type { Logger } from 'pino';
import type { AgentRecord } from '../acd/agent-state.ts';
import type { AgentPort } from '../acd/ports.ts';
import type { QueueConfig } from '../acd/queue-config.ts';
import { OverflowOut } from '../acd/overflow.ts';
import { recoverStaleOffers } from '../acd/recovery.ts';
import type { Router } from '../acd/router.ts';
import type { CallTransfers } from '../acd/transfer.ts';
import { reviewWaiting } from '../acd/waiting.ts';
import { dialString } from '../freeswitch/esl-values.ts';
import type { AgentStore } from '../store/agent-store.ts';
import type { ClaimStore } from '../store/claim-store.ts';
import type { AnswerPace } from './agent-legs.ts';
import type { AcdSwitch } from './switch-dispatch.ts';
import type { AcdDeps } from './types.ts';

export interface ReviewParts {
  readonly queues: readonly QueueConfig[];
  readonly agents: AgentStore;
  readonly agentPort: AgentPort;
  readonly claims: ClaimStore;
  readonly router: Router;
  readonly transfers: CallTransfers;
  readonly sw: AcdSwitch;
  readonly pace: AnswerPace;
  readonly now: () => number;
  readonly log: Logger;
  /** `known`: the agent's record as just written (else it is read). */
  readonly becameReady: (agentId: string, known?: Readonly<AgentRecord>) => void;
}

/**
 * Agents whose wrap-up is over go back to ready and are routed to. Each wrap-up has a timer for its
 * end (acd-control.ts), so the next offer does not wait for the review's next second; the review
 * catches whatever a timer missed (another instance's agents, a restart, an extended wrap-up).
 */
export async function expireWrapUps(p: Pick<ReviewParts, 'agents' | 'router' | 'now' | 'becameReady'>, timed?: { agentId: string; endUs: number }): Promise<void> {
  const now = p.now();
  for (const agent of await p.agents.expireWrapUps(now, timed !== undefined)) {
    // Only a wrap-up whose end is known on the switch's clock (its hang-up's timestamp plus the
    // wrap-up) can be compared with the callers' t0 for the free -> offer figure.
    if (agent.id === timed?.agentId) p.router.agentFreed(agent.id, now, timed.endUs);
    // Routed on the record the expiry wrote, as after a call with no wrap-up (no read back).
    p.becameReady(agent.id, agent);
  }
}

export function createReview(deps: AcdDeps, p: ReviewParts): () => Promise<void> {
  let reviewing = false;
  let ticks = 0;
  const overflowOut = new OverflowOut({
    sw: p.sw,
    registry: deps.registry,
    requeue: async (entry) => {
      await deps.queueStore.enqueue(entry);
      p.router.onQueued(entry.queue);
    },
    // The overflow goes out through the carrier, like a callback to a citizen.
    dialstring: (number) => dialString(deps.settings.citizenDialTemplate, number, 'overflow number'),
    ringSec: deps.settings.ringNoAnswerSec,
    retryAfterSec: 60,
    nowMs: p.now,
    logger: deps.logger,
  });
  return async () => {
    // Redis away: every claim would time out. Callers wait in the dialplan; routing resumes on the
    // first tick after Redis answers again.
    if (reviewing || deps.storeHealthy?.() === false) return;
    reviewing = true;
    try {
      await expireWrapUps(p);
      if (ticks++ % 10 === 0)
        await recoverStaleOffers({
          staleOffers: (before) => deps.queueStore.staleOffers(before),
          remove: (id) => deps.queueStore.remove(id),
          claims: p.claims,
          agents: p.agentPort,
          registry: deps.registry,
          logger: deps.logger,
          now: p.now,
          maxOfferMs: (deps.settings.ringNoAnswerSec + 30 + 15) * 1000,
        });
      p.router.routeAll();
      await p.transfers.sweep(30);
      await reviewWaiting({
        queues: p.queues,
        waiting: deps.queueStore,
        sw: p.sw,
        registry: deps.registry,
        now: p.now,
        logger: deps.logger,
        promptsBase: deps.settings.promptsBase,
        announceSlot: (callId, every) => deps.queueStore.announceSlot(callId, every),
        onMoved: (q) => p.router.onQueued(q),
        overflowOut,
        secondsPerAnswer: (q) => p.pace.secondsPerAnswer(q),
      });
    } catch (err) {
      p.log.error({ err }, 'ACD review failed');
    } finally {
      reviewing = false;
    }
  };
}
