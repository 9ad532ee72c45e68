// The router over its real ports: atomic claims in Redis, the queue store, agent transitions, the
// switch; plus what a callback needs (the citizen's dial string, re-queueing the answered citizen).
import type { Logger } from 'pino';
import type { AgentPort } from '../acd/ports.ts';
import type { QueueConfig } from '../acd/queue-config.ts';
import { Router } from '../acd/router.ts';
import { backoffDelay } from '../freeswitch/backoff.ts';
import { dialString, phoneNumber } from '../freeswitch/esl-values.ts';
import type { AgentStore } from '../store/agent-store.ts';
import type { ClaimStore } from '../store/claim-store.ts';
import type { AcdSwitch } from './switch-dispatch.ts';
import type { AcdDeps } from './types.ts';

export interface RouterParts {
  readonly queues: readonly QueueConfig[];
  readonly claims: ClaimStore;
  readonly agents: AgentStore;
  readonly agentPort: AgentPort;
  readonly sw: AcdSwitch;
  readonly checkPhone: (phone: string) => void;
  readonly now: () => number;
  readonly log: Logger;
}

export function createRouter(deps: AcdDeps, p: RouterParts): Router {
  const { queueStore, registry, settings } = deps;
  const router: Router = new Router({
    queues: p.queues,
    claims: p.claims,
    waiting: queueStore,
    agents: p.agentPort,
    sw: p.sw,
    callFacts: (callId) => {
      const c = registry.get(callId);
      return c && { callerNumber: c.callerNumber, line: c.line };
    },
    onReserved: (agentId) => {
      const publish = deps.onAgentChanged;
      if (!publish) return;
      void p.agents.get(agentId).then((a) => a && publish(a), (err: unknown) => p.log.warn({ err, agentId }, 'reserved agent not published'));
    },
    isBridged: (callId, agentLeg) => registry.get(callId)?.legs.some((l) => l.uuid === agentLeg && l.bridgedUs !== undefined) ?? false,
    now: p.now,
    logger: deps.logger,
    ringNoAnswerSec: settings.ringNoAnswerSec,
    checkPhone: p.checkPhone,
    ...(deps.switchUp ? { switchUp: deps.switchUp } : {}),
    ...(settings.phoneFailureLimit ? { phoneFailureLimit: settings.phoneFailureLimit } : {}),
    retryDelayMs: (n) => backoffDelay(n - 1, { initialMs: 500, maxMs: 30_000, jitter: 0.2 }),
    ...(deps.metrics ? { observer: deps.metrics } : {}),
    ...(deps.bridgeHooks ? { bridgeHooks: deps.bridgeHooks(p.sw) } : {}),
    callback: {
      citizenDialstring: (number) => dialString(settings.citizenDialTemplate, phoneNumber(number, 'callback number')),
      callerIdNumber: settings.callbackCallerId,
      attemptFailed: (callId, requeue) => queueStore.callbackAttemptFailed(callId, requeue),
      enqueueAnswered: async (citizenLeg, entry) => {
        // First in line: the original t0. The SLA already counted the original call as a callback.
        await queueStore.enqueue({ callId: citizenLeg, queue: entry.queue, priority: entry.priority, t0Us: entry.t0Us, node: entry.node, line: entry.line });
        await p.sw.transfer(citizenLeg, 'hotline_wait', 'hotline_queue');
        router.onQueued(entry.queue);
      },
      done: (callId) => queueStore.remove(callId),
    },
  });
  return router;
}
