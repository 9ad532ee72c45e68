// Agents' transfers (blind, attended; to an agent, a queue or an outside number) over the ACD's
// agent store, switch and queues.
import type { Logger } from 'pino';
import type { AgentPort } from '../acd/ports.ts';
import type { QueueConfig } from '../acd/queue-config.ts';
import type { Router } from '../acd/router.ts';
import { CallTransfers } from '../acd/transfer.ts';
import { dialString, phoneNumber } from '../freeswitch/esl-values.ts';
import type { AgentStore } from '../store/agent-store.ts';
import { PRIORITY } from '../store/queue-store.ts';
import type { AgentTransitions } from './agent-port.ts';
import type { AcdSwitch } from './switch-dispatch.ts';
import type { AcdDeps } from './types.ts';

export interface TransferParts {
  readonly queues: readonly QueueConfig[];
  readonly agents: AgentStore;
  readonly transitions: AgentTransitions;
  readonly sw: AcdSwitch;
  readonly router: Router;
  readonly now: () => number;
  readonly log: Logger;
}

export function createTransfers(deps: AcdDeps, p: TransferParts): CallTransfers {
  const port: AgentPort = p.transitions.port;
  return new CallTransfers({
    sw: p.sw,
    calls: deps.registry,
    agents: {
      phoneOf: async (id) => (await p.agents.get(id))?.phone,
      reserve: (id, callId) => p.transitions.transition(id, { type: 'reserve', callId }),
      connect: port.connect,
      ringNoAnswer: port.ringNoAnswer,
      cancelReservation: port.cancelReservation,
    },
    requeue: async (callId, queue) => {
      const call = deps.registry.get(callId);
      if (!call) return;
      const t0Us = call.queuedUs ?? p.now() * 1000;
      const priority = call.priority ?? PRIORITY.normal;
      // As at intake: into the waiting extension first, then into the queue.
      await p.sw.transfer(callId, 'hotline_wait', 'hotline_queue');
      deps.registry.recordQueued(callId, { queue, priority, atUs: t0Us });
      await deps.queueStore.enqueue({ callId, queue, priority, t0Us, node: call.node, line: call.line });
      p.router.onQueued(queue);
    },
    queueExists: (q) => p.queues.some((x) => x.name === q),
    externalDialstring: (number) => dialString(deps.settings.departmentDialTemplate, phoneNumber(number, 'transfer number')),
    ...(deps.settings.partnerDialstring ? { partnerDialstring: deps.settings.partnerDialstring } : {}),
    ringSec: deps.settings.ringNoAnswerSec,
    nowUs: () => p.now() * 1000,
    logger: p.log,
    ...(deps.onTransferred ? { onTransferred: deps.onTransferred } : {}),
  });
}
