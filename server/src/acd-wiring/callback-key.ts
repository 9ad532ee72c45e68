// A waiting caller pressed a key: the queue's callback key asks to be called back instead of waiting.
import type { Logger } from 'pino';
import type { QueueConfig } from '../acd/queue-config.ts';
import { isPhoneNumber } from '../freeswitch/esl-values.ts';
import type { AcdSwitch } from './switch-dispatch.ts';
import type { AcdDeps } from './types.ts';

export type DigitHandler = (callId: string, digit: string, atUs: number) => Promise<void>;

/** How long a key pressed on the way into the queue waits for the caller's queue entry. */
const ENTRY_WAIT_MS = 3_000;
const ENTRY_POLL_MS = 100;

export function callbackKeyHandler(deps: AcdDeps, queues: readonly QueueConfig[], sw: AcdSwitch, log: Logger): DigitHandler {
  return async (callId, digit, atUs) => {
    if (!queues.some((q) => q.callbackKey === digit)) return;
    // The intake moves the caller to the waiting extension (which reads keys) before it writes the
    // queue entry: a key pressed in between finds no entry yet. Seen under a loaded CI run: the key
    // was dropped and the citizen kept waiting. A live call gets a short wait for its entry.
    let entry = await deps.queueStore.get(callId);
    const live = (): boolean => {
      const c = deps.registry.get(callId);
      return c !== undefined && c.endedUs === undefined;
    };
    for (let waited = 0; !entry && waited < ENTRY_WAIT_MS && live(); waited += ENTRY_POLL_MS) {
      await new Promise((r) => setTimeout(r, ENTRY_POLL_MS));
      entry = await deps.queueStore.get(callId);
    }
    const q = entry && queues.find((x) => x.name === entry.queue);
    const call = deps.registry.get(callId);
    if (!entry || !q || !q.callbackKey || digit !== q.callbackKey || !call) return;
    // The number is what the caller's phone sent: only a phone number can be dialled back.
    if (!isPhoneNumber(call.callerNumber)) {
      log.info({ callId, queue: q.name, callerNumber: call.callerNumber }, 'callback not offered: the caller id is not a phone number; the caller keeps waiting');
      return;
    }
    if (!(await deps.queueStore.markCallback(callId, call.callerNumber))) return;
    log.info({ callId, queue: q.name }, 'caller chose a callback instead of waiting');
    deps.onCallbackRequested?.(call, atUs);
    await sw.transfer(callId, 'hotline_callback_ok', 'hotline_queue');
  };
}
