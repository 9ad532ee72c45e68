// One outcome per call that reached the human queue (t0), and how it counts in the measures of
// ARCHITECTURE.md section 6. The boundary decisions are pinned by test/sla-measures.quick.ts:
//   - answered within the threshold: answer time - t0 <= thresholdSec (exactly 15.000 s is within);
//   - short abandon: unanswered hang-up with hangup - t0 <= shortAbandonSec (exactly 5.000 s is
//     short, 5.001 s is a counted abandon); shortAbandonSec 0 turns short abandons off;
//   - abandoned counts only the counted (non-short) abandons, so for every window
//     counted = answered + abandoned + callbacks + overflows;
//   - callback and overflow are counted (they are never short), not answered, reported on their own.
import { callerLeg, type CallRecord } from '../calls/call-record.ts';

/** The queue a call served by the dialplan's fallback counts in (the intake's own fallback queue too). */
export const FALLBACK_QUEUE = 'general';

export type OutcomeKind = 'answered' | 'abandoned' | 'callback' | 'overflow';

export interface Outcome {
  /** The call's id (its caller leg's Unique-ID): one outcome per call, center-wide. */
  readonly callId: string;
  /** The queue the call counts in: the one it first entered (see queueOfCall). */
  readonly queue: string;
  /** Offered to the human queue, switch event timestamp (µs). Stays at the first entry. */
  readonly t0Us: number;
  readonly kind: OutcomeKind;
  /** When it was decided (µs): agent leg answered, caller hung up, callback requested, overflowed. */
  readonly atUs: number;
}

export interface SlaRules {
  readonly thresholdSec: number;
  readonly shortAbandonSec: number;
}

/** Additive counters: what one interval (or any sum of outcomes) holds. Sums are in µs. */
export interface Counters {
  offered: number;
  shortAbandons: number;
  answered: number;
  answeredWithin: number;
  abandoned: number;
  callbacks: number;
  overflows: number;
  answerWaitUs: number;
  abandonWaitUs: number;
}

export const COUNTER_FIELDS = [
  'offered',
  'shortAbandons',
  'answered',
  'answeredWithin',
  'abandoned',
  'callbacks',
  'overflows',
  'answerWaitUs',
  'abandonWaitUs',
] as const satisfies readonly (keyof Counters)[];

export const emptyCounters = (): Counters => ({
  offered: 0,
  shortAbandons: 0,
  answered: 0,
  answeredWithin: 0,
  abandoned: 0,
  callbacks: 0,
  overflows: 0,
  answerWaitUs: 0,
  abandonWaitUs: 0,
});

export function addCounters(into: Counters, add: Partial<Counters>): Counters {
  for (const f of COUNTER_FIELDS) into[f] += add[f] ?? 0;
  return into;
}

/** Time from t0 to the outcome. Clamped at 0: two nodes' clocks may disagree by a few ms. */
export const waitUs = (o: Outcome): number => Math.max(0, o.atUs - o.t0Us);

/** What one outcome adds to the counters. Only the non-zero fields are returned. */
export function classify(o: Outcome, rules: SlaRules): Partial<Counters> {
  const wait = waitUs(o);
  switch (o.kind) {
    case 'answered':
      return { offered: 1, answered: 1, answeredWithin: wait <= rules.thresholdSec * 1e6 ? 1 : 0, answerWaitUs: wait };
    case 'abandoned':
      if (rules.shortAbandonSec > 0 && wait <= rules.shortAbandonSec * 1e6) return { offered: 1, shortAbandons: 1 };
      return { offered: 1, abandoned: 1, abandonWaitUs: wait };
    case 'callback':
      return { offered: 1, callbacks: 1 };
    case 'overflow':
      return { offered: 1, overflows: 1 };
  }
}

export function sumOutcomes(outcomes: Iterable<Outcome>, rules: SlaRules): Counters {
  const c = emptyCounters();
  for (const o of outcomes) addCounters(c, classify(o, rules));
  return c;
}

/**
 * The queue a call counts in: the first one it entered. A transfer between queues keeps t0 at the
 * first entry, so the wait measured is the one that started there; charging it to the first queue
 * also keeps each call in exactly one queue scope (queue scopes add up to the center).
 * The registry keeps only the latest queue, so the first comes from the first queue transfer.
 */
export function queueOfCall(call: Readonly<CallRecord>): string | undefined {
  const firstMove = [...call.transfers].sort((a, b) => a.atUs - b.atUs).find((t) => t.kind === 'queue' && t.from);
  return firstMove?.from ?? call.queue;
}

/**
 * The outcome of a call as far as the call record tells, or undefined while it is still waiting
 * (or never reached t0). Callbacks and overflows are decided by the ACD, which records them itself
 * when they happen; the first outcome recorded for a call wins (store/sla-store.ts).
 */
export function outcomeOfCall(call: Readonly<CallRecord>): Outcome | undefined {
  // A call the dialplan's fallback served (the service unreachable, or its socket closed mid-call)
  // never reached our queue, but the citizen asked for service: it counts from when the switch
  // took over, in the general queue, as an overflow (offered, not answered by us).
  const t0Us = call.queuedUs ?? call.fallback?.atUs;
  const queue = queueOfCall(call) ?? (call.fallback ? FALLBACK_QUEUE : undefined);
  if (t0Us === undefined || queue === undefined) return undefined;
  const base = { callId: call.id, queue, t0Us };
  // Answered means an agent leg answered AND was bridged to the caller: an agent who picks up just
  // after the caller hung up answered nobody. The answer time is the agent leg's CHANNEL_ANSWER.
  let answerUs: number | undefined;
  for (const l of call.legs) {
    if (l.role !== 'agent' || l.answeredUs === undefined || l.bridgedUs === undefined) continue;
    answerUs = answerUs === undefined ? l.answeredUs : Math.min(answerUs, l.answeredUs);
  }
  // Sent out of our queues (the ACD's overflow to an external number is a blind transfer from the
  // queue): an overflow, decided when it was sent, whether or not the far end then answers.
  // A queue-to-queue move is not one: t0 stays and the call goes on waiting with us.
  // A transfer that failed left the caller with us (back in the queue): it decides nothing.
  const sentOut = call.transfers.filter((t) => t.kind !== 'queue' && t.failed === undefined && t.atUs >= t0Us).sort((a, b) => a.atUs - b.atUs)[0];
  if (answerUs !== undefined && (sentOut === undefined || answerUs <= sentOut.atUs)) return { ...base, kind: 'answered', atUs: answerUs };
  if (sentOut) return { ...base, kind: 'overflow', atUs: sentOut.atUs };
  if (call.fallback) return { ...base, kind: 'overflow', atUs: Math.max(t0Us, call.fallback.bridgedUs ?? callerLeg(call)?.endedUs ?? t0Us) };
  // Connected to someone who is not our agent, with no transfer recorded: overflow all the same.
  if (call.connectedUs !== undefined) return { ...base, kind: 'overflow', atUs: call.connectedUs };
  const endedUs = callerLeg(call)?.endedUs ?? call.endedUs;
  if (endedUs !== undefined) return { ...base, kind: 'abandoned', atUs: endedUs };
  return undefined;
}
