// The once-a-second review: wrap-ups that ended, offers a crashed instance left behind (every 10 s),
// a routing pass (tiers widen as callers wait), stuck transfers, and waiting callers (overflow,
// position announcements).
import type { Logger } from 'pino';
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
  readonly becameReady: (agentId: string) => void;
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
      for (const id of await p.agents.expireWrapUps(p.now())) p.becameReady(id);
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
