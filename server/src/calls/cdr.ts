// The call detail record written when a call completes: flat, JSON-friendly, times in ISO-8601 and
// durations in seconds with millisecond precision, all computed from switch timestamps.
import type { CallRecord } from './call-record.ts';
import { surveyRating, type SurveyKeys, type SurveyRating } from './survey.ts';

export interface Cdr {
  readonly callId: string;
  readonly node: string;
  readonly line: string;
  readonly callerNumber: string;
  readonly destination: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** t0: offered to the human queue; null if the call never reached it. */
  readonly queuedAt: string | null;
  readonly connectedAt: string | null;
  /** Seconds from t0 to connection (answered) or to the end (abandoned). */
  readonly waitSec: number | null;
  readonly talkSec: number | null;
  readonly durationSec: number | null;
  /**
   * answered: an agent of ours answered and talked to the caller. overflow: sent out of the queue
   * (or by the dialplan's fallback) to an outside party who answered. transferred: the IVR sent
   * the call out (110, a department) and the far end answered. abandoned: queued, then hung up
   * unanswered. ivr-only: answered, never queued nor connected. failed: never answered, or the
   * fallback's overflow did not connect.
   */
  readonly outcome: 'answered' | 'overflow' | 'transferred' | 'abandoned' | 'ivr-only' | 'failed';
  readonly queue: string | null;
  readonly priority: number | null;
  readonly agentId: string | null;
  readonly ivrPath: readonly string[];
  readonly transfers: CallRecord['transfers'];
  readonly conferenceMembers: number;
  /** The three-way call: who was in the room (role, agent or number), when each joined and left, who took the case. */
  readonly conference: {
    readonly name: string;
    readonly parties: readonly { uuid: string; role: string; agentId?: string; target?: string; joinedAt: string | null; leftAt: string | null; sec: number | null }[];
    readonly caseOwner: { owner: string; by: string; at: string | null } | null;
  } | null;
  readonly handoff: CallRecord['handoff'] | null;
  readonly case110: Record<string, string> | null;
  /** The dialplan served the call itself (service unreachable or its socket closed mid-call). */
  readonly fallback: CallRecord['fallback'] | null;
  readonly recordingPath: string | null;
  /** The satisfaction survey: null when the caller was not asked (it hung up first). */
  readonly survey: { readonly rating: SurveyRating; readonly digit: string | null } | null;
  readonly hangupCause: string | null;
  readonly legs: readonly { uuid: string; role: string; agentId?: string; target?: string; answered: boolean; cause?: string }[];
}

const iso = (us: number | undefined): string | null => (us === undefined ? null : new Date(Math.floor(us / 1000)).toISOString());
const secs = (fromUs: number | undefined, toUs: number | undefined): number | null =>
  fromUs === undefined || toUs === undefined ? null : Math.round((toUs - fromUs) / 1000) / 1000;

function outcomeOf(call: Readonly<CallRecord>): Cdr['outcome'] {
  if (call.legs.some((l) => l.role === 'agent' && l.answeredUs !== undefined && l.bridgedUs !== undefined)) return 'answered';
  if (call.fallback) return call.fallback.bridgedUs !== undefined ? 'overflow' : 'failed';
  // Connected, but to no agent of ours: someone outside (the overflow number, 110, a department).
  if (call.connectedUs !== undefined) return call.queuedUs !== undefined ? 'overflow' : 'transferred';
  return call.queuedUs !== undefined ? 'abandoned' : call.answeredUs !== undefined ? 'ivr-only' : 'failed';
}

export function buildCdr(call: Readonly<CallRecord>, surveyKeys?: SurveyKeys): Cdr {
  const outcome = outcomeOf(call);
  const rating = surveyRating(call.survey, surveyKeys);
  return {
    callId: call.id,
    node: call.node,
    line: call.line,
    callerNumber: call.callerNumber,
    destination: call.destination,
    startedAt: iso(call.createdUs) ?? '',
    endedAt: iso(call.endedUs),
    queuedAt: iso(call.queuedUs),
    connectedAt: iso(call.connectedUs),
    waitSec: call.queuedUs === undefined ? null : secs(call.queuedUs, call.connectedUs ?? call.endedUs),
    talkSec: secs(call.connectedUs, call.endedUs),
    durationSec: secs(call.createdUs, call.endedUs),
    outcome,
    queue: call.queue ?? null,
    priority: call.priority ?? null,
    agentId: call.agentId ?? null,
    ivrPath: [...call.ivrPath],
    transfers: call.transfers,
    conferenceMembers: call.conference?.members.length ?? 0,
    conference: conferenceOf(call),
    handoff: call.handoff ?? null,
    case110: call.case110 ?? null,
    fallback: call.fallback ?? null,
    recordingPath: call.recording?.path ?? null,
    survey: rating === null ? null : { rating, digit: call.survey?.digit ?? null },
    hangupCause: call.hangupCause ?? null,
    legs: call.legs.map((l) => ({
      uuid: l.uuid,
      role: l.role,
      ...(l.agentId ? { agentId: l.agentId } : {}),
      ...(l.target ? { target: l.target } : {}),
      answered: l.answeredUs !== undefined,
      ...(l.cause ? { cause: l.cause } : {}),
    })),
  };
}

function conferenceOf(call: Readonly<CallRecord>): Cdr['conference'] {
  const c = call.conference;
  if (!c) return null;
  return {
    name: c.name,
    parties: (c.parties ?? []).map((p) => {
      const leg = call.legs.find((l) => l.uuid === p.uuid);
      // A member still in the room when the call record closes left when its leg ended.
      const leftUs = p.leftUs ?? leg?.endedUs;
      return {
        uuid: p.uuid,
        role: leg?.role ?? 'external',
        ...(leg?.agentId ? { agentId: leg.agentId } : {}),
        ...(leg?.target && leg.role !== 'caller' ? { target: leg.target } : {}),
        joinedAt: iso(p.joinedUs),
        leftAt: iso(leftUs),
        sec: secs(p.joinedUs, leftUs),
      };
    }),
    caseOwner: c.caseOwner ? { owner: c.caseOwner.owner, by: c.caseOwner.by, at: iso(c.caseOwner.atUs) } : null,
  };
}
