// The realtime contract: every event name and payload of the /agent, /dispatcher and /ops
// namespaces, both directions. softphone-web imports this file (types and the zod schemas of what
// clients send), so it must stay free of server imports other than zod.
//
// Protocol. Connect with `auth: { token }` (a JWT from POST /api/login) over the websocket
// transport. The first event on a connection is `snapshot`, carrying `seq`; every later event
// is a delta with a larger `seq` (per namespace, per connection). A client that loses the
// connection reconnects and gets a fresh snapshot, which replaces everything it held: no replay.
// Deltas carry whole records, so applying one twice is harmless.
import { z } from 'zod';

export const NAMESPACES = ['/agent', '/dispatcher', '/ops'] as const;
export type Namespace = (typeof NAMESPACES)[number];

// ---- records as clients see them (times: ms since epoch) ----

export interface LegView {
  uuid: string;
  role: 'caller' | 'agent' | 'external';
  agentId?: string;
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
}

export interface QueueView {
  name: string;
  waiting: { callId: string; priority: number; t0Ms: number }[];
}

/** The SLA center snapshot as GET /api/sla returns it (sla/snapshot.ts); opaque here. */
export type SlaView = Record<string, unknown> & { scope: string };

// ---- server to client ----

export interface AgentSnapshot {
  seq: number;
  agent: AgentView | null;
  calls: CallView[];
}
export interface DispatcherSnapshot {
  seq: number;
  calls: CallView[];
}
export interface OpsSnapshot {
  seq: number;
  calls: CallView[];
  agents: AgentView[];
  queues: QueueView[];
  sla: SlaView | null;
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
export interface AgentServerEvents extends CallDeltas {
  snapshot: (s: AgentSnapshot) => void;
  'agent:state': (d: AgentStateUpdate) => void;
}
export interface DispatcherServerEvents extends CallDeltas {
  snapshot: (s: DispatcherSnapshot) => void;
}
export interface OpsServerEvents extends CallDeltas {
  snapshot: (s: OpsSnapshot) => void;
  'agent:state': (d: AgentStateUpdate) => void;
  'sla:update': (d: SlaUpdate) => void;
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

export const hangupPayload = z.strictObject({ callId: z.string().min(1).max(128) });
export type HangupPayload = z.output<typeof hangupPayload>;

export interface AgentClientEvents {
  'agent:set-state': (p: SetStatePayload, ack: (a: Ack<{ agent: AgentView }>) => void) => void;
  'call:hangup': (p: HangupPayload, ack: (a: Ack) => void) => void;
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- nothing to send yet; kept for symmetry
export interface DispatcherClientEvents {}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface OpsClientEvents {}

/** Handshake `auth` object. */
export interface HandshakeAuth {
  token: string;
  /** Last seq seen before a reconnect; informational: the answer is always a fresh snapshot. */
  lastSeq?: number;
}
