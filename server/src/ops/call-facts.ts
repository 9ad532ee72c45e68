// What one completed call adds to the report figures that the SLA counters do not hold: talk time,
// transfers, 110 and partner (department) handoffs, three-way calls. Pure: a call record in, additive
// fields out. The call counts in the interval of its t0, like its SLA outcome (sla/outcome.ts), so
// a report row joins both on the same calls; a call that never reached the queue (the IVR sent it
// to 110) counts by its creation time, center-wide only.
import type { CallRecord } from '../calls/call-record.ts';
import { queueOfCall } from '../sla/outcome.ts';
import { surveyRating, type SurveyKeys } from '../calls/survey.ts';

// kbAnswered is not from the CDR: an agent's wrap-up marks the call answered from the knowledge
// base (ops-control.ts recordKbAnswer), counted once per call in the interval of its t0.
export const CALL_FACT_FIELDS = ['handled', 'talkUs', 'transfers', 'threeWay', 'from110', 'to110', 'toPartner', 'kbAnswered', 'surveyed', 'satisfied', 'basicallySatisfied', 'notSatisfied', 'notRated'] as const;
export type CallFactField = (typeof CALL_FACT_FIELDS)[number];
export type CallFacts = Record<CallFactField, number>;

export const emptyFacts = (): CallFacts => ({ handled: 0, talkUs: 0, transfers: 0, threeWay: 0, from110: 0, to110: 0, toPartner: 0, kbAnswered: 0, surveyed: 0, satisfied: 0, basicallySatisfied: 0, notSatisfied: 0, notRated: 0 });

export function addFacts(into: CallFacts, add: Partial<CallFacts>): CallFacts {
  for (const f of CALL_FACT_FIELDS) into[f] += add[f] ?? 0;
  return into;
}

export interface CallFactsOf {
  /** The moment the call counts at (µs): t0, else its creation. */
  readonly atUs: number;
  /** The queue scope it also counts in (the first queue it entered); undefined: center only. */
  readonly queue: string | undefined;
  /** The agent who talked to the caller last (the survey's answer is about this agent). */
  readonly agentId: string | undefined;
  readonly facts: CallFacts;
}

const RATING_FIELD = { satisfied: 'satisfied', 'basically-satisfied': 'basicallySatisfied', 'not-satisfied': 'notSatisfied', 'not-rated': 'notRated' } as const;

export function callFacts(call: Readonly<CallRecord>, surveyKeys?: SurveyKeys): CallFactsOf {
  const agents = new Set(call.legs.filter((l) => l.role === 'agent' && l.agentId).map((l) => l.agentId!));
  const facts = emptyFacts();
  if (call.connectedUs !== undefined) {
    facts.handled = 1;
    facts.talkUs = Math.max(0, (call.endedUs ?? call.connectedUs) - call.connectedUs);
  }
  for (const t of call.transfers) {
    // An agent's transfer names the agent as `from`; the ACD's overflows name the queue.
    if (t.from !== undefined && agents.has(t.from)) facts.transfers++;
    if (t.kind === 'to110') facts.to110++;
    else if (t.kind === 'partner') facts.toPartner++;
    else if (t.to.startsWith('number:') || t.kind === 'department') facts.toPartner++;
  }
  if (call.conference) facts.threeWay = 1;
  if (call.line === 'from110' || call.flags.includes('from110')) facts.from110 = 1;
  const rating = surveyRating(call.survey, surveyKeys);
  if (rating) {
    facts.surveyed = 1;
    facts[RATING_FIELD[rating]] = 1;
  }
  return { atUs: call.queuedUs ?? call.createdUs, queue: call.queuedUs === undefined ? undefined : queueOfCall(call), agentId: call.agentId, facts };
}

/** Each agent's time on hold in this call (its legs' CHANNEL_HOLD..UNHOLD), ms; agents never holding are left out. */
export function agentHolds(call: Readonly<CallRecord>): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of call.legs) {
    if (l.role !== 'agent' || !l.agentId) continue;
    const us = (l.holdUs ?? 0) + (l.holdSinceUs !== undefined && l.endedUs !== undefined ? Math.max(0, l.endedUs - l.holdSinceUs) : 0);
    if (us > 0) out.set(l.agentId, (out.get(l.agentId) ?? 0) + Math.round(us / 1000));
  }
  return out;
}
