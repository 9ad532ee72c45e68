// The compact projection the service keeps per call: what happened, when (switch timestamps in
// microseconds), and where the call is now. Raw ESL events are never stored.

export type LegRole = 'caller' | 'agent' | 'external';
export type LegPurpose = 'offer' | 'transfer' | 'consult' | 'conference';
export type CallFlag = 'from110' | 'elder' | 'repeat';

/**
 * Where a transfer goes: a colleague, a queue, an outside number (a department), or a partner
 * hotline (110, 119, ...: configuration, dialled through the partner's gateway with the case data).
 */
export type TransferTarget =
  | { kind: 'agent'; agentId: string }
  | { kind: 'queue'; queue: string }
  | { kind: 'external'; number: string }
  | { kind: 'partner'; partner: string; summary?: string };

/** An attended transfer in progress: the caller waits on hold while its agent talks to the target. */
export interface ConsultRecord {
  readonly agentId: string;
  readonly target: TransferTarget;
  /** The target's leg. */
  readonly legUuid: string;
  /** The requesting agent's leg, parked while the caller is on hold. */
  readonly agentLeg: string;
  state: 'ringing' | 'talking';
}

export interface LegRecord {
  readonly uuid: string;
  role: LegRole;
  /** Destination dialled for this leg (agent extension, 110 gateway number, department). */
  target?: string;
  agentId?: string;
  /** Why an agent leg exists: a queue offer, a transfer to this agent, or the target of a consultation. */
  purpose?: LegPurpose;
  createdUs: number;
  answeredUs?: number;
  bridgedUs?: number;
  endedUs?: number;
  cause?: string;
  /** Time this leg spent on hold (CHANNEL_HOLD to CHANNEL_UNHOLD or its end), µs; absent: never held. */
  holdUs?: number;
  /** On hold since (switch timestamp, µs). */
  holdSinceUs?: number;
  /** Highest Event-Sequence applied to this leg: older or repeated events are facts, not state changes. */
  lastSeq: number;
}

export type CallState = 'new' | 'ivr' | 'queued' | 'offering' | 'talking' | 'held' | 'ended';

export interface TransferRecord {
  readonly atUs: number;
  readonly kind: 'blind' | 'attended' | 'queue' | 'to110' | 'department' | 'partner';
  readonly from?: string;
  readonly to: string;
  /** The transfer did not connect: the cause (NO_ANSWER, CALL_REJECTED, ...). The caller stayed with us. */
  readonly failed?: string;
}

/** The dialplan served the call itself because the service's socket was unreachable or closed. */
export interface FallbackRecord {
  /** hotline_fallback (service_unreachable). */
  readonly reason: string;
  /** When the switch took over, as well as it can be told afterwards: the caller leg's answer (µs). */
  readonly atUs: number;
  /** The overflow number dialled. */
  readonly number?: string;
  /** When the overflow answered and was bridged; absent if it never was. */
  readonly bridgedUs?: number;
  /** originate_disposition of the overflow bridge. */
  readonly disposition?: string;
}

/** One leg's time in the call's conference room (a leg that rejoins gets a second entry). */
export interface ConferenceParty {
  readonly uuid: string;
  readonly memberId?: string;
  readonly joinedUs: number;
  leftUs?: number;
  /** Member flags as the last maintenance event said (mute-member, hold-member ...). */
  muted?: boolean;
  held?: boolean;
}

/** Who takes the case after a three-way with a partner: us, or the partner (its id). */
export interface CaseOwner {
  readonly owner: string;
  /** `agent:<id>` or `dispatcher:<username>`. */
  readonly by: string;
  readonly atUs: number;
}

export interface ConferenceRecord {
  readonly name: string;
  /** Legs in the room now (uuids). */
  members: string[];
  parties?: ConferenceParty[];
  caseOwner?: CaseOwner;
}

export interface CallRecord {
  /** The caller leg's Unique-ID: stable for the life of the call. */
  readonly id: string;
  readonly node: string;
  /** main | enterprise | from110 | ... (the dialplan's hotline_line variable). */
  line: string;
  callerNumber: string;
  callerName: string;
  /** The DID the citizen dialled. */
  destination: string;
  state: CallState;
  legs: LegRecord[];
  createdUs: number;
  /** The caller leg was answered (welcome prompt). */
  answeredUs?: number;
  /** t0: offered to the human queue (ARCHITECTURE.md section 6). */
  queuedUs?: number;
  queue?: string;
  priority?: number;
  /** An agent or other party answered and was bridged to the caller. */
  connectedUs?: number;
  agentId?: string;
  endedUs?: number;
  hangupCause?: string;
  ivrPath: string[];
  /** Why the call was prioritised (set when it is queued). */
  flags: CallFlag[];
  consult?: ConsultRecord;
  /** Since when (µs, service clock) an agent's transfer has the caller waiting in hotline_hold. */
  onHoldSinceUs?: number;
  transfers: TransferRecord[];
  conference?: ConferenceRecord;
  /** 110 case data from SIP X-110-* headers (calls transferred from 110) or sent with a handoff. */
  case110?: Record<string, string>;
  handoff?: { direction: 'to110' | 'from110'; atUs: number; caseId?: string };
  recording?: { path: string; startedUs: number; stoppedUs?: number };
  /** The caller reached the satisfaction survey (its agent hung up first); the key, if pressed. */
  survey?: { digit?: string };
  held: boolean;
  /** Set when the dialplan's fallback served the call (learnt from the caller leg's hang-up). */
  fallback?: FallbackRecord;
  /** For a callback: the queued call (caller leg id) this call calls back. */
  callbackOf?: string;
  /** Event-Sequence of the last hold/unhold applied, so a stale one cannot flip the flag back. */
  holdSeq: number;
}

export function legOf(call: CallRecord, uuid: string): LegRecord | undefined {
  return call.legs.find((l) => l.uuid === uuid);
}

export function callerLeg(call: CallRecord): LegRecord | undefined {
  return call.legs.find((l) => l.role === 'caller');
}
