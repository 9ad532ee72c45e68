// Callers waiting in queue, looked at once a second: overflow past a queue's maximum wait (to
// another queue keeping t0, or out to an external number), and position / estimated-wait
// announcements every N seconds. A key press asks for a callback instead of waiting.
import type { Logger } from 'pino';
import type { CallRegistry } from '../calls/registry.ts';
import type { SwitchPort, WaitingPort } from './ports.ts';
import type { OverflowOut } from './overflow.ts';
import type { QueueConfig } from './queue-config.ts';

export interface WaitingDeps {
  readonly queues: readonly QueueConfig[];
  readonly waiting: WaitingPort;
  readonly sw: SwitchPort;
  readonly registry: CallRegistry;
  readonly now: () => number;
  readonly logger: Logger;
  readonly promptsBase: string;
  /** Claim the right to announce to a caller now (false: another instance just did). */
  readonly announceSlot: (callId: string, everySec: number) => Promise<boolean>;
  /** A caller moved to another queue: route it there. */
  readonly onMoved: (queue: string) => void;
  /** Overflow to an external number: rings it while the caller waits, bridges on answer (overflow.ts). */
  readonly overflowOut: Pick<OverflowOut, 'mayOverflow' | 'send'>;
  /** Recent average seconds between two answered calls of the queue; undefined if unknown. */
  readonly secondsPerAnswer: (queue: string) => number | undefined;
}

/** Spoken positions go up to this; beyond it "more than 20 callers ahead". */
const MAX_SPOKEN_POSITION = 20;

export async function reviewWaiting(deps: WaitingDeps): Promise<void> {
  const nowMs = deps.now();
  for (const q of deps.queues) {
    const ids = await deps.waiting.list(q.name);
    for (const [index, callId] of ids.entries()) {
      const entry = await deps.waiting.get(callId);
      if (!entry) continue;
      const waitSec = nowMs / 1000 - entry.t0Us / 1e6;
      const log = deps.logger.child({ callId, queue: q.name });
      if (q.maxWaitSec > 0 && waitSec >= q.maxWaitSec && q.overflow) {
        if ('queue' in q.overflow) {
          if (await deps.waiting.move(callId, q.overflow.queue)) {
            deps.registry.recordTransfer(callId, { atUs: nowMs * 1000, kind: 'queue', from: q.name, to: q.overflow.queue });
            deps.registry.recordQueued(callId, { queue: q.overflow.queue, priority: entry.priority, atUs: entry.t0Us });
            log.info({ to: q.overflow.queue }, 'overflow to another queue');
            deps.onMoved(q.overflow.queue);
          }
        } else if (deps.overflowOut.mayOverflow(callId) && (await deps.waiting.take(callId))) {
          log.info('overflow to an external number');
          // Rings for up to the ring timeout: not awaited, the review goes on with the others.
          void deps.overflowOut.send(entry, q.overflow.number, q.name).catch((err: unknown) => log.error({ err }, 'overflow out failed'));
        }
        continue;
      }
      if (q.announceEverySec > 0 && waitSec >= q.announceEverySec && (await deps.announceSlot(callId, q.announceEverySec))) {
        const position = index + 1;
        const spoken = position > MAX_SPOKEN_POSITION ? 'more' : String(position);
        // Estimated wait: callers ahead times the queue's recent pace of answers.
        const pace = deps.secondsPerAnswer(q.name);
        const minutes = pace === undefined ? undefined : Math.max(1, Math.round((pace * position) / 60));
        await deps.sw.broadcast(callId, `${deps.promptsBase}position-${spoken}.wav`, 'aleg').catch((err: unknown) => log.warn({ err }, 'position announcement failed'));
        if (minutes !== undefined) await deps.sw.broadcast(callId, `${deps.promptsBase}wait-minutes-${Math.min(minutes, 30)}.wav`, 'aleg').catch(() => {});
      }
    }
  }
}
