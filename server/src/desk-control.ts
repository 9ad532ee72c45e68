// Desk wiring: the Redis desk store, the ticket-system webhook (when configured) and the Desk,
// fed by the ACD's agent-leg events. Shutdown waits for wrap-ups still being delivered.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Acd } from './acd-control.ts';
import type { CallRegistry } from './calls/registry.ts';
import type { Config } from './config.ts';
import { Desk, type TicketSink } from './desk/desk.ts';
import { ticketWebhook } from './desk/ticket-webhook.ts';
import type { Shutdown } from './shutdown.ts';
import { DeskStore } from './store/desk-store.ts';
import type { RedisKeys } from './store/keys.ts';

export interface DeskControlDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly registry: CallRegistry;
  readonly acd: Pick<Acd, 'agents' | 'agentBecameReady'>;
  readonly shutdown: Shutdown;
  readonly now: () => number;
  /** Whether a knowledge-base entry exists (a wrap-up answered from the KB names one). */
  readonly kbEntryExists?: (id: string) => boolean;
  /** Also told of every filed wrap-up (a partner's transfer takes it as its outcome). */
  readonly onWrapUp?: TicketSink['send'];
}

export function startDesk(deps: DeskControlDeps): Desk {
  const { config } = deps;
  const log = deps.logger.child({ component: 'desk' });
  const tickets = config.desk.ticketWebhookUrl
    ? ticketWebhook({
        url: config.desk.ticketWebhookUrl,
        ...(config.desk.ticketWebhookSecret ? { secret: config.desk.ticketWebhookSecret } : {}),
        timeoutMs: config.desk.ticketWebhookTimeoutMs,
        attempts: config.desk.ticketWebhookAttempts,
        log,
      })
    : undefined;
  if (tickets) deps.shutdown.add('inflight', 'ticket-webhook', () => tickets.idle());
  const onWrapUp = deps.onWrapUp;
  const sink: TicketSink | undefined = onWrapUp
    ? { send: (w, c) => (tickets?.send(w, c), onWrapUp(w, c)) }
    : tickets;
  const desk = new Desk({
    store: new DeskStore(deps.redis, deps.keys),
    agents: {
      get: (id) => deps.acd.agents.get(id),
      // The wrap-up began with the endCall transition of this call (acd/agent-state.ts).
      handlingEnded: async (id, callId) => (await deps.acd.agents.audit(id, 50)).find((e) => e.event === 'endCall' && e.callId === callId)?.at,
      endWrapUp: async (id) => {
        const { agent } = await deps.acd.agents.apply(id, { type: 'endWrapUp' }, 'softphone');
        deps.acd.agentBecameReady(id, agent);
      },
    },
    calls: deps.registry,
    ...(sink ? { tickets: sink } : {}),
    ...(deps.kbEntryExists ? { kbEntryExists: deps.kbEntryExists } : {}),
    timeZone: config.desk.timeZone,
    thresholdSec: config.sla.thresholdSec,
    now: deps.now,
    logger: log,
  });
  deps.shutdown.add('inflight', 'desk-figures', () => desk.idle());
  return desk;
}
