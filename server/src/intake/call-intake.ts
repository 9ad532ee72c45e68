// A citizen's call arriving from the dialplan: answer, run the line's IVR flow (by default just the
// welcome prompt), then offer it to the human queue with its priority class and t0 taken from the
// switch's clock, and keep the caller hearing music until the ACD connects an agent.
import type { Logger } from 'pino';
import type { FlowFile } from '../ivr/flow-schema.ts';
import { runFlow, type IvrOutcome, type IvrSession } from '../ivr/runner.ts';
import type { CallRegistry } from '../calls/registry.ts';
import type { CallFlag } from '../calls/call-record.ts';
import { PRIORITY, type QueuedCall, type QueueStore } from '../store/queue-store.ts';

/** What intake needs from the call's switch session (implemented in server/src/freeswitch/). */
export interface IntakeCall extends IvrSession {
  readonly callId: string;
  readonly node: string;
  readonly line: string;
  readonly callerNumber: string;
  readonly callerName: string;
  /** The number the citizen dialled. */
  readonly destination: string;
  /** Channel creation time (µs, switch clock). */
  readonly createdUs: number;
  /** 110 case data the dialplan vetted (only on a call it accepted from the 110 gateway). */
  readonly case110?: Readonly<Record<string, string>>;
  /** Event-Date-Timestamp (µs) of the last application that completed on the call. */
  readonly lastEventUs: number | undefined;
  readonly hungUp: boolean;
  answer(): Promise<void>;
  /**
   * Hand the queued caller to the switch's waiting extension (music until an agent is bridged).
   * The caller no longer depends on this connection, which is closed once the caller is there:
   * a service restart drops nobody.
   */
  wait(): Promise<void>;
  /**
   * Bridge the caller out (110, the provincial hotline, another number), with SIP headers for the
   * far end. Resolves with the cause when the far end could not be reached (the caller is still
   * with us), undefined once it was connected; rejects when the caller's call ends.
   */
  transferOut(target: string, reason: string, headers?: Readonly<Record<string, string>>): Promise<string | undefined>;
  hangup(cause: string): Promise<void>;
  /**
   * A channel variable the dialplan set: hotline_* ones and the partners' configured case-id
   * variables (the rest of the channel data is not kept: freeswitch/channel-data.ts).
   */
  variable?(name: string): string | undefined;
}

export interface IntakeDeps {
  readonly flows: () => FlowFile;
  readonly registry: CallRegistry;
  readonly queues: QueueStore;
  /** Wall clock in ms, only for calendars (open hours); queue times come from the switch. */
  readonly now: () => number;
  readonly logger: Logger;
  /** Whether this number already reached a queue within 24 h (and note that it did now). */
  readonly seenBefore?: (number: string) => Promise<boolean>;
  /**
   * A call about to be queued on a partner hotline's line: matched to its handoff (handoff/), and
   * the partner's priority class, or undefined for an ordinary call. A failure queues it as it is.
   */
  readonly partnerCall?: (call: IntakeCall, queue: string) => Promise<number | undefined>;
  /** A caller joined a queue: the ACD should route it. */
  readonly onQueued?: (queue: string) => void;
  /** Pause before enqueue attempt n+1 while the store is away (ms). Default: 250 ms doubling to 5 s. */
  readonly retryMs?: (attempt: number) => number;
  /** False once the service stops: a retry in progress gives up. Default: always true. */
  readonly active?: () => boolean;
}

export type IntakeResult = IvrOutcome | { kind: 'caller-left' } | { kind: 'failed'; error: string };

/** from-110 > elder > repeat caller within 24 h > normal. */
function priorityOf(outcome: Extract<IvrOutcome, { kind: 'queue' }>, repeat: boolean): number {
  if (outcome.priority === 'from110') return PRIORITY.from110;
  if (outcome.priority === 'elder' || outcome.elder) return PRIORITY.elder;
  return repeat ? PRIORITY.repeat : PRIORITY.normal;
}

/** Every reason the call is special, for the agent's screen pop (the priority shows only the highest). */
function flagsOf(outcome: Extract<IvrOutcome, { kind: 'queue' }>, repeat: boolean, line: string): CallFlag[] {
  const flags: CallFlag[] = [];
  if (outcome.priority === 'from110' || line === 'from110') flags.push('from110');
  if (outcome.priority === 'elder' || outcome.elder) flags.push('elder');
  if (repeat) flags.push('repeat');
  return flags;
}

/**
 * Into the queue, however long the store (Redis) is away: the caller already waits in the
 * dialplan with music, so the entry is retried while the call lives, and the caller is routed
 * once Redis answers again.
 */
async function enqueueWhileLive(entry: QueuedCall, deps: IntakeDeps, log: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.queues.enqueue(entry);
      if (attempt > 1) log.info({ attempts: attempt }, 'queued once the store answered again');
      return;
    } catch (err) {
      const call = deps.registry.get(entry.callId);
      if (!call || call.endedUs !== undefined || deps.active?.() === false) throw err;
      if (attempt === 1) log.warn({ err }, 'queue store unavailable: the caller waits in the dialplan while we retry');
      await new Promise((r) => setTimeout(r, deps.retryMs?.(attempt) ?? Math.min(250 * 2 ** (attempt - 1), 5_000)));
    }
  }
}

/** The caller waits in the general queue: a flow that failed, a transfer out that did not connect. */
async function queueInstead(call: IntakeCall, deps: IntakeDeps, log: Logger): Promise<void> {
  const t0Us = call.lastEventUs ?? deps.now() * 1000;
  deps.registry.recordQueued(call.callId, { queue: 'general', priority: PRIORITY.normal, atUs: t0Us, flags: call.line === 'from110' ? ['from110'] : [] });
  await call.wait();
  await enqueueWhileLive({ callId: call.callId, queue: 'general', priority: PRIORITY.normal, t0Us, node: call.node, line: call.line }, deps, log);
  deps.onQueued?.('general');
}

/** What the 110 system receives with a police matter handed over from 12345 (X-12345-* headers). */
function headersFor110(call: IntakeCall): Record<string, string> {
  return { 'X-12345-Case-Id': call.callId, 'X-12345-Caller-Number': call.callerNumber, 'X-12345-Line': call.line };
}

export async function takeCall(call: IntakeCall, deps: IntakeDeps): Promise<IntakeResult> {
  const log = deps.logger.child({ callId: call.callId, line: call.line });
  // The dialplan has routed the call: its line and 110 case data are known from here on.
  deps.registry.admit({
    id: call.callId,
    node: call.node,
    line: call.line,
    callerNumber: call.callerNumber,
    callerName: call.callerName,
    destination: call.destination,
    createdUs: call.createdUs,
    ...(call.case110 ? { case110: call.case110 } : {}),
  });
  try {
    await call.answer();
    const outcome = await runFlow(deps.flows(), call, {
      callId: call.callId,
      line: call.line,
      callerNumber: call.callerNumber,
      now: deps.now,
      onStep: (step) => deps.registry.recordIvrStep(call.callId, step),
    });
    if (outcome.kind === 'queue') {
      // t0: the moment the welcome (last IVR step) finished on the switch.
      const t0Us = call.lastEventUs ?? deps.now() * 1000;
      // Unknown while Redis is away: served as a first-time caller rather than not at all.
      const repeat = (await deps.seenBefore?.(call.callerNumber).catch(() => false)) ?? false;
      const partnerPriority = await deps.partnerCall?.(call, outcome.queue).catch((err: unknown) => void log.warn({ err }, 'partner handoff not matched'));
      const priority = Math.max(priorityOf(outcome, repeat), partnerPriority ?? PRIORITY.normal);
      deps.registry.recordQueued(call.callId, { queue: outcome.queue, priority, atUs: t0Us, flags: flagsOf(outcome, repeat, call.line) });
      // Into the waiting extension first, then into the queue: a claim must never find a caller the
      // transfer has not reached yet (the transfer would tear down the agent's bridge).
      await call.wait();
      await enqueueWhileLive({ callId: call.callId, queue: outcome.queue, priority, t0Us, node: call.node, line: call.line }, deps, log);
      log.info({ queue: outcome.queue, priority }, 'call queued');
      deps.onQueued?.(outcome.queue);
    } else if (outcome.kind === 'transfer') {
      log.info({ reason: outcome.reason }, 'IVR transfers the call out');
      const atUs = call.lastEventUs ?? deps.now() * 1000;
      const kind = outcome.reason === 'to110' ? 'to110' : 'blind';
      deps.registry.recordTransfer(call.callId, { atUs, kind, to: outcome.target });
      const failed = await call.transferOut(outcome.target, outcome.reason, outcome.reason === 'to110' ? headersFor110(call) : {});
      if (failed !== undefined) {
        // Never drop a citizen: the far end could not be reached, so the caller waits for an agent.
        deps.registry.recordTransferFailed(call.callId, atUs, failed);
        log.warn({ reason: outcome.reason, cause: failed }, 'transfer out failed: the caller is queued instead');
        await queueInstead(call, deps, log);
      }
    } else {
      await call.hangup('NORMAL_CLEARING');
    }
    return outcome;
  } catch (err) {
    if (call.hungUp) {
      log.info('caller hung up during intake');
      return { kind: 'caller-left' };
    }
    log.error({ err }, 'intake failed');
    // Never leave a citizen in silence: a failed flow still reaches the general queue.
    try {
      await queueInstead(call, deps, log);
    } catch (e) {
      log.error({ err: e }, 'fallback to the general queue failed');
    }
    return { kind: 'failed', error: (err as Error).message };
  }
}
