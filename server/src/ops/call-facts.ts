// What one completed call adds to the report figures that the SLA counters do not hold: talk time,
// transfers, 110 and partner (department) handoffs, three-way calls. Pure: a call record in, additive
// fields out. The call counts in the interval of its t0, like its SLA outcome (sla/outcome.ts), so
// a report row joins both on the same calls; a call that never reached the queue (the IVR sent it
// to 110) counts by its creation time, center-wide only.
import type { CallRecord } from '../calls/call-record.ts';
import { queueOfCall } from '../sla/outcome.ts';

export const CALL_FACT_FIELDS = ['handled', 'talkUs', 'transfers', 'threeWay', 'from110', 'to110', 'toPartner'] as const;
export type CallFactField = (typeof CALL_FACT_FIELDS)[number];
export type CallFacts = Record<CallFactField, number>;

export const emptyFacts = (): CallFacts => ({ handled: 0, talkUs: 0, transfers: 0, threeWay: 0, from110: 0, to110: 0, toPartner: 0 });

export function addFacts(into: CallFacts, add: Partial<CallFacts>): CallFacts {
  for (const f of CALL_FACT_FIELDS) into[f] += add[f] ?? 0;
  return into;
}

export interface CallFactsOf {
  /** The moment the call counts at (µs): t0, else its creation. */
  readonly atUs: number;
  /** The queue scope it also counts in (the first queue it entered); undefined: center only. */
  readonly queue: string | undefined;
  readonly facts: CallFacts;
}

export function callFacts(call: Readonly<CallRecord>): CallFactsOf {
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
  return { atUs: call.queuedUs ?? call.createdUs, queue: call.queuedUs === undefined ? undefined : queueOfCall(call), facts };
}
