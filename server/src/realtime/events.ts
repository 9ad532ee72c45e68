// The realtime contract: every event name and payload of the /agent, /dispatcher and /ops
// namespaces, both directions. softphone-web imports this file (types and the zod schemas of what
// clients send), so it must stay free of server imports other than zod.
//
// Protocol. Connect with `auth: { token }` (a JWT from POST /api/login) over the websocket
// transport. The first event on a connection is `snapshot`, carrying `seq`; every later event
// is a delta with a larger `seq` (per namespace, per connection). A client that loses the
// connection reconnects and gets a fresh snapshot, which replaces everything it held: no replay.
// Deltas carry whole records, so applying one twice is harmless.
import type { Handoff } from '../handoff/handoff.ts';
import { z } from 'zod';
import type { BoardUpdate, BoardView } from './ops-events.ts';
import type { RevisitClientEvents, RevisitUpdate } from './revisit-events.ts';

export const NAMESPACES = ['/agent', '/dispatcher', '/ops'] as const;
export type Namespace = (typeof NAMESPACES)[number];

// ---- records as clients see them (times: ms since epoch) ----

export interface LegView {
  uuid: string;
  role: 'caller' | 'agent' | 'external';
  agentId?: string;
  /** A leg ringing an agent's phone is what the softphone's screen pop and answer button act on. */
  purpose?: 'offer' | 'consult' | 'transfer' | 'conference';
  target?: string;
  answeredMs?: number;
  endedMs?: number;
}

export interface CallView {
  id: string;
  line: string;
  state: 'new' | 'ivr' | 'queued' | 'offering' | 'talking' | 'held' | 'ended';
  /** Unmasked: the agent must see whom it talks to. Logs mask it. */
  callerNumber: string;
  callerName: string;
  destination: string;
  createdMs: number;
  queuedMs?: number;
  queue?: string;
  priority?: number;
  connectedMs?: number;
  agentId?: string;
  endedMs?: number;
  held: boolean;
  legs: LegView[];
  case110?: Record<string, string>;
  /** The IVR steps the caller went through (prompt and menu node ids), in order. */
  ivrPath: string[];
  /** Why the call was prioritised; several may hold, the queue priority shows the highest. */
  flags: CallFlag[];
  /** An attended transfer in progress: the caller is on hold while its agent talks to the target. */
  consult?: ConsultView;
  /** The call's three-way room: who is in it now, who has been, who takes the case. */
  conference?: ConferenceView;
}

export interface ConferenceView {
  name: string;
  /** Legs in the room now. */
  members: string[];
  parties: { uuid: string; joinedMs: number; leftMs?: number; muted?: boolean; held?: boolean }[];
  caseOwner?: { owner: string; by: string; atMs: number };
}

export const CALL_FLAGS = ['from110', 'elder', 'repeat'] as const;
export type CallFlag = (typeof CALL_FLAGS)[number];

export interface ConsultView {
  /** The agent who started it. */
  agentId: string;
  target: TransferTarget;
  /** The target's leg. */
  legUuid: string;
  state: 'ringing' | 'talking';
}

export interface AgentView {
  id: string;
  name: string;
  state: 'logged-out' | 'ready' | 'not-ready' | 'reserved' | 'on-call' | 'wrap-up';
  reason?: string;
  since: number;
  callId?: string;
  wrapUntil?: number;
  skills: Record<string, number>;
  groups?: string[];
}

export interface QueueView {
  name: string;
  waiting: { callId: string; priority: number; t0Ms: number }[];
}

/** The SLA center snapshot as GET /api/sla returns it (sla/snapshot.ts); opaque here. */
export type SlaView = Record<string, unknown> & { scope: string };

// ---- server to client ----

/**
 * The center's answer-time figure every agent sees (the wallboard's headline): the rolling window's
 * 15-second rate and whether the alert fires. No caller data.
 */
export interface CenterFigures {
  rate15s: number | null;
  counted: number;
  answeredWithin: number;
  target: number;
  /** The rolling window's length (24 h unless configured shorter, e.g. by the demo). */
  windowSec: number;
  alertFiring: boolean;
}

export interface AgentSnapshot {
  seq: number;
  agent: AgentView | null;
  calls: CallView[];
  /** Null when the service does not measure answer times. */
  center?: CenterFigures | null;
}
export interface CenterUpdate {
  seq: number;
  center: CenterFigures;
}
export interface DispatcherSnapshot {
  seq: number;
  calls: CallView[];
  /** Handoffs of the partners this dispatcher serves (last 24 hours), newest first. */
  handoffs: Handoff[];
}
export interface OpsSnapshot {
  seq: number;
  calls: CallView[];
  agents: AgentView[];
  queues: QueueView[];
  sla: SlaView | null;
  /** The wallboard's figures (realtime/ops-events.ts); null when the service computes none. */
  board: BoardView | null;
}

export interface CallUpdate {
  seq: number;
  call: CallView;
}
/** The call is over and gone from the server's state (every leg ended). */
export interface CallRemoved {
  seq: number;
  callId: string;
}
export interface AgentStateUpdate {
  seq: number;
  agent: AgentView;
}
export interface SlaUpdate {
  seq: number;
  sla: SlaView;
}

interface CallDeltas {
  'call:update': (d: CallUpdate) => void;
  'call:removed': (d: CallRemoved) => void;
}
/** A supervisor's message to this agent (all: to every agent). Not state: shown, not reduced. */
export interface AgentNoticeEvent {
  seq: number;
  notice: { id: string; from: string; text: string; at: number; all: boolean };
}
export interface AgentServerEvents extends CallDeltas {
  snapshot: (s: AgentSnapshot) => void;
  'agent:state': (d: AgentStateUpdate) => void;
  'center:update': (d: CenterUpdate) => void;
  'agent:notice': (d: AgentNoticeEvent) => void;
  /** My revisit preview card (realtime/revisit-events.ts). */
  'revisit:update': (d: RevisitUpdate) => void;
}
/** A handoff of one of the dispatcher's partners changed (state, position, warning, outcome). */
export interface HandoffUpdate {
  seq: number;
  handoff: Handoff;
}
export interface DispatcherServerEvents extends CallDeltas {
  snapshot: (s: DispatcherSnapshot) => void;
  'handoff:update': (d: HandoffUpdate) => void;
}
export interface OpsServerEvents extends CallDeltas {
  snapshot: (s: OpsSnapshot) => void;
  'agent:state': (d: AgentStateUpdate) => void;
  'sla:update': (d: SlaUpdate) => void;
  'board:update': (d: BoardUpdate) => void;
}

// ---- client to server: every command is answered through its ack ----

export type AckError = { code: 'invalid' | 'forbidden' | 'not-found' | 'conflict' | 'internal'; message: string };
export type Ack<T = Record<never, never>> = ({ ok: true } & T) | { error: AckError };

export const SET_STATE_ACTIONS = ['login', 'ready', 'not-ready', 'logout', 'end-wrap-up', 'extend-wrap-up'] as const;
export const NOT_READY_REASONS = ['break', 'meal', 'training', 'meeting'] as const;

export const setStatePayload = z
  .strictObject({ action: z.enum(SET_STATE_ACTIONS), reason: z.enum(NOT_READY_REASONS).optional() })
  .refine((p) => (p.action === 'not-ready') === (p.reason !== undefined), { error: 'a reason goes with not-ready, and only with it', path: ['reason'] });
export type SetStatePayload = z.output<typeof setStatePayload>;

const callId = z.string().min(1).max(128);

export const hangupPayload = z.strictObject({ callId });
export type HangupPayload = z.output<typeof hangupPayload>;

export const holdPayload = z.strictObject({ callId, on: z.boolean() });
export type HoldPayload = z.output<typeof holdPayload>;

/** Where a call can be transferred: a colleague, a queue (blind only), or an outside number (a department). */
export const transferTarget = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('agent'), agentId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
  z.strictObject({ kind: z.literal('queue'), queue: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
  // Digits only (an extension or a full number with area code); the switch dials it via the departments' gateway.
  z.strictObject({ kind: z.literal('external'), number: z.string().regex(/^\+?[0-9]{3,20}$/) }),
  // A partner hotline by its configured id (110, 119 ...); the summary goes to it in a SIP header.
  z.strictObject({ kind: z.literal('partner'), partner: z.string().regex(/^[0-9]{3,6}$/), summary: z.string().trim().max(200).optional() }),
]);
export type TransferTarget = z.output<typeof transferTarget>;

export const transferPayload = z
  .strictObject({ callId, mode: z.enum(['blind', 'attended']), target: transferTarget })
  .refine((p) => !(p.mode === 'attended' && p.target.kind === 'queue'), { error: 'a queue has nobody to consult: transfer to a queue is blind', path: ['mode'] });
export type TransferPayload = z.output<typeof transferPayload>;

/** Finish (complete) or abandon (cancel) the attended transfer in progress. */
export const consultPayload = z.strictObject({ callId, action: z.enum(['complete', 'cancel', 'conference']) });
export type ConsultPayload = z.output<typeof consultPayload>;

/** Bring a third party into a three-way call: a partner hotline, or a department by its number. */
export const threeWayTarget = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('partner'), partner: z.string().regex(/^[0-9]{3,6}$/), summary: z.string().trim().max(200).optional() }),
  z.strictObject({ kind: z.literal('external'), number: z.string().regex(/^\+?[0-9]{3,20}$/) }),
]);
export type ThreeWayTarget = z.output<typeof threeWayTarget>;
export const threeWayPayload = z.strictObject({ callId, target: threeWayTarget });
export type ThreeWayPayload = z.output<typeof threeWayPayload>;

/** The agent's own place in the room: leave it (the others go on), hold, mute. */
export const conferencePayload = z.strictObject({ callId, action: z.enum(['leave', 'hold', 'unhold', 'mute', 'unmute']) });
export type ConferencePayload = z.output<typeof conferencePayload>;

/** Who takes the case after a three-way: `12345` or the partner's id. */
export const caseOwnerPayload = z.strictObject({ callId, owner: z.string().regex(/^[0-9]{3,6}$/) });
export type CaseOwnerPayload = z.output<typeof caseOwnerPayload>;

/** 咨询 / 求助 / 投诉 / 建议: the four kinds of 12345 work orders. */
export const WRAP_UP_CATEGORIES = ['consultation', 'help', 'complaint', 'suggestion'] as const;
export type WrapUpCategory = (typeof WRAP_UP_CATEGORIES)[number];

export const wrapUpPayload = z.strictObject({
  callId,
  category: z.enum(WRAP_UP_CATEGORIES),
  summary: z.string().trim().min(1).max(2000),
  ticketRef: z.string().trim().max(64).regex(/^[A-Za-z0-9_/-]*$/).optional(),
  /** Answered from the knowledge base: the entry the agent used (the KB answer rate counts it). */
  kbEntryId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, { error: 'expected a knowledge-base entry id' }).optional(),
});
export type WrapUpPayload = z.output<typeof wrapUpPayload>;

export const historyPayload = z.strictObject({ callId });
export type HistoryPayload = z.output<typeof historyPayload>;

/** No arguments: the payload is an empty object. */
export const emptyPayload = z.strictObject({});

export interface WrapUpRecord {
  id: string;
  callId: string;
  agentId: string;
  category: WrapUpCategory;
  summary: string;
  ticketRef?: string;
  kbEntryId?: string;
  atMs: number;
}

/** One earlier call of the same number, for the repeat caller's screen pop. */
export interface PastCall {
  callId: string;
  atMs: number;
  line: string;
  agentId?: string;
  category?: WrapUpCategory;
  summary?: string;
}

export interface DirectoryView {
  agents: { id: string; name: string; state: AgentView['state'] }[];
  queues: string[];
}

/** The agent's own figures since local midnight. */
export interface AgentStats {
  day: string;
  offered: number;
  answered: number;
  answeredIn15s: number;
  talkSec: number;
  transfers: number;
  wrapUps: Record<WrapUpCategory, number>;
}

export interface AgentClientEvents extends RevisitClientEvents {
  'agent:set-state': (p: SetStatePayload, ack: (a: Ack<{ agent: AgentView }>) => void) => void;
  'call:hangup': (p: HangupPayload, ack: (a: Ack) => void) => void;
  'call:hold': (p: HoldPayload, ack: (a: Ack) => void) => void;
  'call:transfer': (p: TransferPayload, ack: (a: Ack) => void) => void;
  'call:consult': (p: ConsultPayload, ack: (a: Ack) => void) => void;
  'call:three-way': (p: ThreeWayPayload, ack: (a: Ack) => void) => void;
  'call:conference': (p: ConferencePayload, ack: (a: Ack) => void) => void;
  'call:case-owner': (p: CaseOwnerPayload, ack: (a: Ack) => void) => void;
  'call:wrap-up': (p: WrapUpPayload, ack: (a: Ack<{ wrapUp: WrapUpRecord }>) => void) => void;
  'caller:history': (p: HistoryPayload, ack: (a: Ack<{ calls: PastCall[] }>) => void) => void;
  'directory:get': (p: Record<never, never>, ack: (a: Ack<{ directory: DirectoryView }>) => void) => void;
  'stats:get': (p: Record<never, never>, ack: (a: Ack<{ stats: AgentStats }>) => void) => void;
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- nothing to send yet; kept for symmetry
export interface DispatcherClientEvents {}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface OpsClientEvents {}

// ---- the softphone's phone: GET /api/softphone/config (Bearer JWT of an agent) ----

/**
 * Which Phone implementation the softphone runs. The service only ever rings `user/<agentId>` and
 * reads the switch's events, so it cannot tell the two apart.
 */
export type PhoneConfig =
  | { kind: 'sip'; wssUrl: string; domain: string; user: string; password: string; iceServers: { urls: string }[] }
  | { kind: 'simulated'; controlUrl: string; user: string };

/** What `npm start`'s demo traffic does (scripts/fsim/src/demo.ts), so the softphone can say it. */
export interface DemoDescription {
  epochMs: number;
  steadyEverySec: number;
  burstEverySec: number;
  firstBurstSec: number;
  burstCalls: number;
  burstSpreadSec: number;
  robots: string[];
}

export interface SoftphoneConfig {
  phone: PhoneConfig;
  /** Present when the switch runs the demo's simulated callers. */
  demo?: DemoDescription;
  /** The 15-second answer target (GB/T 33358-2016), for the screen pop's countdown. */
  answerTargetSec: number;
  wrapUpSec: number;
}

/** Handshake `auth` object. */
export interface HandshakeAuth {
  token: string;
  /** Last seq seen before a reconnect; informational: the answer is always a fresh snapshot. */
  lastSeq?: number;
}
