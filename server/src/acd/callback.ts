// Callback instead of waiting. A waiting caller presses the queue's callback key: the entry keeps
// its class and t0 and notes the number; the caller hears a confirmation and hangs up. When the
// entry reaches the head and an agent is free, the service rings the citizen first and, once the
// citizen answers, rings the agent and bridges the two.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Claim } from '../store/claim-store.ts';
import type { QueuedCall } from '../store/queue-store.ts';
import type { AgentPort, SwitchPort } from './ports.ts';

/** Attempts to reach a citizen before the callback is given up. */
export const CALLBACK_ATTEMPTS = 3;
/** How long the citizen's phone rings. */
const CITIZEN_RING_SEC = 30;

export interface CallbackDeps {
  readonly sw: SwitchPort;
  readonly agents: AgentPort;
  readonly logger: Logger;
  readonly ringNoAnswerSec: number;
  /** Dial string for the citizen's number (through the carrier); throws if it is not a phone number. */
  readonly citizenDialstring: (number: string) => string;
  /** Number the citizen sees (the hotline). */
  readonly callerIdNumber: string;
  /** An attempt failed: count it; put the entry back (same class and t0) unless attempts are exhausted. */
  readonly attemptFailed: (callId: string, requeue: boolean) => Promise<void>;
  /** The citizen answered but the agent did not: the citizen now waits like any caller, first in line. */
  readonly enqueueAnswered: (citizenLeg: string, entry: QueuedCall) => Promise<void>;
  /** Done: the entry is spent. */
  readonly done: (callId: string) => Promise<void>;
}

export type CallbackResult = 'connected' | 'citizen-unreachable' | 'agent-no-answer';

export async function runCallback(deps: CallbackDeps, claim: Claim, entry: QueuedCall & { callback: NonNullable<QueuedCall['callback']> }, isAgentFault: (reason: string) => boolean): Promise<CallbackResult> {
  const { callId, agentId } = claim;
  const log = deps.logger.child({ callId, agentId, queue: entry.queue, callback: true });
  const citizenLeg = randomUUID();
  let dialstring: string;
  try {
    dialstring = deps.citizenDialstring(entry.callback.number);
  } catch (err) {
    // Not a number the carrier can dial (the caller id held other characters): no attempt can succeed.
    log.warn({ reason: (err as Error).message }, 'callback: the number cannot be dialled; callback dropped');
    await deps.agents.cancelReservation(agentId, callId);
    await deps.attemptFailed(callId, false);
    return 'citizen-unreachable';
  }
  try {
    await deps.sw.originateInBackground(
      {
        dialstring,
        uuid: citizenLeg,
        timeoutSec: CITIZEN_RING_SEC,
        vars: {
          hotline_leg_role: 'callback',
          hotline_callback_of: callId,
          hotline_line: entry.line,
          origination_caller_id_number: deps.callerIdNumber,
        },
        then: { app: 'park' },
      },
      (CITIZEN_RING_SEC + 5) * 1000,
    );
  } catch (err) {
    const attempts = entry.callback.attempts + 1;
    log.info({ reason: (err as Error).message, attempts }, 'callback: citizen not reached');
    await deps.agents.cancelReservation(agentId, callId);
    await deps.attemptFailed(callId, attempts < CALLBACK_ATTEMPTS);
    return 'citizen-unreachable';
  }
  const agentLeg = randomUUID();
  try {
    await deps.sw.originateInBackground(
      {
        dialstring: claim.phone,
        uuid: agentLeg,
        timeoutSec: deps.ringNoAnswerSec,
        vars: { hotline_call_id: citizenLeg, hotline_leg_role: 'agent', hotline_agent_id: agentId, hotline_queue: entry.queue, origination_caller_id_number: entry.callback.number },
        then: { app: 'park' },
      },
      (deps.ringNoAnswerSec + 5) * 1000,
    );
  } catch (err) {
    const reason = (err as Error).message;
    log.warn({ reason }, 'callback: agent did not answer; the citizen waits first in line');
    if (isAgentFault(reason)) await deps.agents.ringNoAnswer(agentId, callId);
    else await deps.agents.cancelReservation(agentId, callId);
    await deps.enqueueAnswered(citizenLeg, entry);
    await deps.done(callId);
    return 'agent-no-answer';
  }
  await deps.sw.bridge(citizenLeg, agentLeg);
  await deps.agents.connect(agentId, callId);
  await deps.done(callId);
  log.info('callback connected');
  return 'connected';
}
