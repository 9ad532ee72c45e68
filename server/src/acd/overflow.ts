// Overflow out of a queue to an external number (the provincial hotline, a backup center), done
// from the service like a blind transfer: the caller keeps hearing the queue's music in
// hotline_wait while the number rings, and is bridged to it only once it answers. If it does not
// answer (busy, rejected, gateway down) the caller goes back into its queue at its place (t0 and
// class kept) instead of being hung up, and the attempt is recorded as failed in the CDR.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallRegistry } from '../calls/registry.ts';
import type { QueuedCall } from '../store/queue-store.ts';
import type { SwitchPort } from './ports.ts';

export interface OverflowDeps {
  readonly sw: SwitchPort;
  readonly registry: CallRegistry;
  /** Put the caller back into its queue, as it was (t0, class); it is still in hotline_wait. */
  readonly requeue: (entry: QueuedCall) => Promise<void>;
  /** Dial string for the number (throws for a bad one). */
  readonly dialstring: (number: string) => string;
  readonly ringSec: number;
  /** After a failed attempt, the caller waits at least this long before the next one. */
  readonly retryAfterSec: number;
  readonly nowMs: () => number;
  readonly logger: Logger;
}

export class OverflowOut {
  private readonly inFlight = new Set<string>();
  private readonly failedAtMs = new Map<string, number>();

  constructor(private readonly deps: OverflowDeps) {}

  /** Whether the caller may be sent out now (not ringing out already, no recent failure). */
  mayOverflow(callId: string): boolean {
    if (this.inFlight.has(callId)) return false;
    const failed = this.failedAtMs.get(callId);
    if (failed === undefined) return true;
    if (this.deps.nowMs() - failed < this.deps.retryAfterSec * 1000) return false;
    this.failedAtMs.delete(callId);
    return true;
  }

  /** The caller has been taken out of its queue (entry): ring the number, bridge on answer. */
  async send(entry: QueuedCall, number: string, fromQueue: string): Promise<void> {
    const { sw, registry } = this.deps;
    const callId = entry.callId;
    const log = this.deps.logger.child({ callId, queue: fromQueue });
    const call = registry.get(callId);
    const atUs = this.deps.nowMs() * 1000;
    const uuid = randomUUID();
    this.inFlight.add(callId);
    try {
      const dialstring = this.deps.dialstring(number);
      try {
        await sw.originateInBackground(
          {
            dialstring,
            uuid,
            timeoutSec: this.deps.ringSec,
            then: { app: 'park' },
            // The far end sees the citizen's number, nothing of ours.
            vars: {
              hotline_call_id: callId,
              hotline_leg_role: 'external',
              // (a caller id that is not a phone number is left out: commands.ts, and here for the name)
              ...(call && /^\+?[0-9]{3,20}$/.test(call.callerNumber) ? { origination_caller_id_number: call.callerNumber, origination_caller_id_name: call.callerNumber } : {}),
            },
          },
          (this.deps.ringSec + 5) * 1000,
        );
      } catch (err) {
        const cause = (err as Error).message.replace(/^-ERR\s*/, '').slice(0, 64) || 'UNKNOWN';
        registry.recordTransfer(callId, { atUs, kind: 'blind', from: fromQueue, to: number, failed: cause });
        this.failedAtMs.set(callId, this.deps.nowMs());
        if (registry.get(callId)?.endedUs !== undefined || !registry.get(callId)) return;
        log.warn({ cause }, 'overflow number not reached: the caller is back in its queue');
        await this.deps.requeue(entry);
        return;
      }
      if (!registry.get(callId) || registry.get(callId)?.endedUs !== undefined) {
        await sw.kill(uuid, 'ORIGINATOR_CANCEL').catch(() => {});
        return;
      }
      registry.recordTransfer(callId, { atUs, kind: 'blind', from: fromQueue, to: number });
      try {
        await sw.bridge(callId, uuid);
      } catch (err) {
        await sw.kill(uuid, 'NORMAL_CLEARING').catch(() => {});
        throw err;
      }
      log.info('overflow to an external number connected');
    } finally {
      this.inFlight.delete(callId);
    }
  }
}
