// Handoff wiring: the partner-hotline service over Redis, the switch (a caller taken back goes out
// through the partner's gateway), the queues (position), the signed outcome webhook and a review
// once a second (unanswered warnings, positions).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Handoff } from './handoff/handoff.ts';
import { outcomeWebhook } from './handoff/outcome-webhook.ts';
import { HandoffService } from './handoff/service.ts';
import type { Shutdown } from './shutdown.ts';
import { HandoffStore } from './store/handoff-store.ts';
import type { RedisKeys } from './store/keys.ts';
import type { QueueStore } from './store/queue-store.ts';

export interface HandoffControlDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly queues: QueueStore;
  readonly shutdown: Shutdown;
  readonly now: () => number;
  /** Send a waiting caller out through a gateway (validated at the switch boundary). */
  readonly sendOut: (callId: string, gateway: string, number: string) => Promise<void>;
  readonly onChange?: (h: Handoff) => void;
}

export function startHandoffs(deps: HandoffControlDeps): HandoffService {
  const log = deps.logger.child({ component: 'handoff' });
  const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: deps.config.desk.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const webhook = outcomeWebhook({ log, now: deps.now });
  const service = new HandoffService({
    partners: deps.config.handoff.partners,
    settings: deps.config.handoff,
    store: new HandoffStore(deps.redis, deps.keys),
    now: deps.now,
    newId: randomUUID,
    dayOf: (ms) => dayFormat.format(ms),
    logger: deps.logger,
    ...(deps.onChange ? { onChange: deps.onChange } : {}),
    sendOutcome: (h, p) => webhook.send(h, p),
    positionOf: async (callId, queue) => {
      const i = (await deps.queues.list(queue)).indexOf(callId);
      return i >= 0 ? i + 1 : undefined;
    },
    returnCall: async (callId, partner) => {
      await deps.queues.take(callId);
      await deps.sendOut(callId, partner.gateway, partner.number);
    },
  });
  let reviewing = false;
  const timer = setInterval(() => {
    if (reviewing) return;
    reviewing = true;
    void service
      .review()
      .catch((err: unknown) => log.warn({ err }, 'handoff review failed'))
      .finally(() => (reviewing = false));
  }, 1000);
  timer.unref();
  deps.shutdown.add('inflight', 'handoffs', async () => {
    clearInterval(timer);
    await webhook.idle();
  });
  return service;
}
