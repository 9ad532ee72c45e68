// A waiting caller pressed a key: the queue's callback key asks to be called back instead of waiting.
import type { Logger } from 'pino';
import type { QueueConfig } from '../acd/queue-config.ts';
import { isPhoneNumber } from '../freeswitch/esl-values.ts';
import type { AcdSwitch } from './switch-dispatch.ts';
import type { AcdDeps } from './types.ts';

export type DigitHandler = (callId: string, digit: string, atUs: number) => Promise<void>;

export function callbackKeyHandler(deps: AcdDeps, queues: readonly QueueConfig[], sw: AcdSwitch, log: Logger): DigitHandler {
  return async (callId, digit, atUs) => {
    const entry = await deps.queueStore.get(callId);
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
