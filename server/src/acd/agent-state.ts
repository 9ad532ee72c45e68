// The agent state machine, pure: a record and a command in, the next record and its audit entry out.
// Persistence (store/agent-store.ts) applies the result atomically; this file only decides.
//
//   logged-out --login--> ready <--ready / not-ready{reason}--> not-ready
//   ready --reserve{callId}--> reserved --connect--> on-call --endCall--> wrap-up --end / expiry--> ready
//   reserved --ringNoAnswer--> not-ready(ring-no-answer)     reserved --cancelReservation--> ready
//   reserved --phoneFailure--> not-ready(phone-failure)   reserved --endCall--> wrap-up (answered and hung up before the connect)
//   wrap-up --extendWrapUp (once)--> wrap-up                   wrap-up --not-ready{reason}--> not-ready
//   ready | not-ready | wrap-up --logout--> logged-out          (never while reserved or on-call)
//
// Time comes from the injected clock (or the caller's `now`), never from Date.now(), so tests and the
// wrap-up timer decide exactly when a transition happened.

export const AGENT_STATES = ['logged-out', 'ready', 'not-ready', 'reserved', 'on-call', 'wrap-up'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/** Reasons a supervisor or agent may choose; ring-no-answer and phone-failure are only ever set by the router. */
export const MANUAL_NOT_READY_REASONS = ['break', 'meal', 'training', 'meeting'] as const;
export type ManualNotReadyReason = (typeof MANUAL_NOT_READY_REASONS)[number];
export const NOT_READY_REASONS = [...MANUAL_NOT_READY_REASONS, 'ring-no-answer', 'phone-failure'] as const;
export type NotReadyReason = (typeof NOT_READY_REASONS)[number];

/** What an administrator sets; the rest of the record is live state. */
export interface AgentProfile {
  readonly id: string;
  readonly name: string;
  /** FreeSWITCH dial target the router rings, e.g. user/1001. */
  readonly phone: string;
  /** Skill name -> level 1..10. */
  readonly skills: Readonly<Record<string, number>>;
  /** Teams the agent belongs to: a supervisor forces the state of agents in its groups (auth/access.ts). */
  readonly groups?: readonly string[];
}

export interface AgentRecord extends AgentProfile {
  readonly state: AgentState;
  /** Only in not-ready. */
  readonly reason?: NotReadyReason;
  /** When the current state was entered (ms). */
  readonly since: number;
  /** When the agent last became idle (ms): the ready-set score. Kept through `reserved` so a cancelled offer restores it. */
  readonly idleSince?: number;
  /** The call an agent is reserved for, on, or wrapping up. */
  readonly callId?: string;
  /** End of wrap-up (ms); only in wrap-up. */
  readonly wrapUntil?: number;
  /** Whether this wrap-up was already extended (once allowed). */
  readonly wrapExtended: boolean;
}

export type AgentCommand =
  | { readonly type: 'login' }
  | { readonly type: 'ready' }
  | { readonly type: 'notReady'; readonly reason: ManualNotReadyReason }
  | { readonly type: 'reserve'; readonly callId: string }
  // callId on the call events below is optional; when given it must be the agent's call, so a late
  // event about an earlier call can never end or answer the current one.
  | { readonly type: 'ringNoAnswer'; readonly callId?: string }
  | { readonly type: 'phoneFailure'; readonly callId?: string }
  | { readonly type: 'cancelReservation'; readonly callId?: string }
  | { readonly type: 'connect'; readonly callId?: string }
  | { readonly type: 'endCall'; readonly callId?: string }
  | { readonly type: 'endWrapUp' }
  | { readonly type: 'extendWrapUp' }
  | { readonly type: 'wrapUpExpired' }
  | { readonly type: 'logout' };
export type AgentCommandType = AgentCommand['type'];

export interface AgentAuditEntry {
  readonly event: AgentCommandType;
  readonly from: AgentState;
  readonly to: AgentState;
  /** The not-ready reason when entering not-ready, otherwise what happened (e.g. 'wrap-up-expired'). */
  readonly reason: string;
  readonly at: number;
  /** Who asked: 'acd', 'system', 'supervisor:<name>', 'agent'... */
  readonly by: string;
  readonly callId?: string;
  readonly wrapUntil?: number;
}

export interface AgentTransition {
  readonly agent: AgentRecord;
  readonly audit: AgentAuditEntry;
}

/** A command the agent's current state does not allow. `message` is meant for the person who asked. */
export class AgentTransitionError extends Error {
  readonly code = 'AGENT_ILLEGAL_TRANSITION';
  constructor(
    readonly agentId: string,
    readonly from: AgentState,
    readonly event: AgentCommandType,
    detail: string,
  ) {
    super(`agent ${agentId}: ${detail}`);
    this.name = 'AgentTransitionError';
  }
}

export interface AgentMachineOptions {
  clock: () => number;
  /** Wrap-up length after a call; 0: straight to ready. */
  wrapUpSec: number;
  /** What one extension adds. */
  wrapUpExtendSec: number;
}

export interface ApplyMeta {
  by?: string;
  /** Overrides the clock (the wrap-up timer passes the time it checked against). */
  now?: number;
}

export interface AgentMachine {
  now(): number;
  apply(agent: AgentRecord, command: AgentCommand, meta?: ApplyMeta): AgentTransition;
}

/** Where each command leads; used for the "cannot go from X to Y" message. */
const TARGET: Record<AgentCommandType, AgentState> = {
  login: 'ready',
  ready: 'ready',
  notReady: 'not-ready',
  reserve: 'reserved',
  ringNoAnswer: 'not-ready',
  phoneFailure: 'not-ready',
  cancelReservation: 'ready',
  connect: 'on-call',
  endCall: 'wrap-up',
  endWrapUp: 'ready',
  extendWrapUp: 'wrap-up',
  wrapUpExpired: 'ready',
  logout: 'logged-out',
};

const AS_WORDS: Record<AgentState, string> = {
  'logged-out': 'logged out',
  ready: 'ready',
  'not-ready': 'not ready',
  reserved: 'reserved for a call',
  'on-call': 'on a call',
  'wrap-up': 'in wrap-up',
};

/** States each command may start from. */
const FROM: Record<AgentCommandType, readonly AgentState[]> = {
  login: ['logged-out'],
  ready: ['not-ready'],
  notReady: ['ready', 'not-ready', 'wrap-up'],
  reserve: ['ready'],
  ringNoAnswer: ['reserved'],
  phoneFailure: ['reserved'],
  cancelReservation: ['reserved'],
  connect: ['reserved'],
  // From reserved too: the agent's phone can answer and hang up before the router records the
  // connect (a short call, a busy host). The call was handled, so it ends like any other; the late
  // connect is then refused instead of leaving the agent on a call that no longer exists.
  endCall: ['on-call', 'reserved'],
  endWrapUp: ['wrap-up'],
  extendWrapUp: ['wrap-up'],
  wrapUpExpired: ['wrap-up'],
  logout: ['ready', 'not-ready', 'wrap-up'],
};

interface Entered {
  reason?: NotReadyReason;
  idleSince?: number;
  callId?: string;
  wrapUntil?: number;
  wrapExtended?: boolean;
}

/** The record in a new state: state-specific fields not given are dropped, never carried over by mistake. */
function enter(a: AgentRecord, state: AgentState, at: number, f: Entered = {}): AgentRecord {
  const next: AgentRecord = { id: a.id, name: a.name, phone: a.phone, skills: a.skills, state, since: at, wrapExtended: f.wrapExtended ?? false };
  // The profile's optional groups are profile, not state: carried over.
  return withDefined(next, { groups: a.groups, reason: f.reason, idleSince: f.idleSince, callId: f.callId, wrapUntil: f.wrapUntil });
}

function withDefined<T extends object>(base: T, extra: Record<string, unknown>): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out as T;
}

export function createAgentMachine(opts: AgentMachineOptions): AgentMachine {
  const wrapUpMs = opts.wrapUpSec * 1000;
  const extendMs = opts.wrapUpExtendSec * 1000;

  function refuse(a: AgentRecord, c: AgentCommand, detail?: string): never {
    const to = TARGET[c.type];
    const why =
      detail ??
      (c.type === 'login'
        ? `cannot log in: already logged in (${a.state})`
        : a.state === to
          ? `already ${AS_WORDS[a.state]}${a.reason ? ` (${a.reason})` : ''}`
          : `cannot go from ${a.state} to ${to}`);
    throw new AgentTransitionError(a.id, a.state, c.type, why);
  }

  function checkCall(a: AgentRecord, c: AgentCommand & { callId?: string }): void {
    if (c.callId !== undefined && c.callId !== a.callId) refuse(a, c, `call ${c.callId} is not the agent's call (${a.callId ?? 'none'})`);
  }

  function decide(a: AgentRecord, c: AgentCommand, now: number): { agent: AgentRecord; reason: string; at: number } {
    if (!FROM[c.type].includes(a.state)) refuse(a, c);
    switch (c.type) {
      case 'login':
        return { agent: enter(a, 'ready', now, { idleSince: now }), reason: 'login', at: now };
      case 'ready':
        return { agent: enter(a, 'ready', now, { idleSince: now }), reason: 'ready', at: now };
      case 'notReady':
        if (a.state === 'not-ready' && a.reason === c.reason) refuse(a, c);
        return { agent: enter(a, 'not-ready', now, { reason: c.reason, idleSince: a.idleSince }), reason: c.reason, at: now };
      case 'reserve':
        if (!c.callId) refuse(a, c, 'cannot reserve without a call id');
        // idleSince stays: if the caller hangs up before the agent answers, the agent keeps its place.
        return { agent: enter(a, 'reserved', now, { callId: c.callId, idleSince: a.idleSince }), reason: 'offer', at: now };
      case 'ringNoAnswer':
        checkCall(a, c);
        // Out of rotation until someone sets the agent ready again: an unanswered phone is likely unattended.
        return { agent: enter(a, 'not-ready', now, { reason: 'ring-no-answer', idleSince: a.idleSince }), reason: 'ring-no-answer', at: now };
      case 'phoneFailure':
        checkCall(a, c);
        // The phone failed several offers in a row: out of rotation until someone fixes it.
        return { agent: enter(a, 'not-ready', now, { reason: 'phone-failure', idleSince: a.idleSince }), reason: 'phone-failure', at: now };
      case 'cancelReservation':
        checkCall(a, c);
        // The caller gave up, not the agent: back to ready at the old idle position (still first in line).
        return { agent: enter(a, 'ready', now, { idleSince: a.idleSince ?? now }), reason: 'offer-cancelled', at: now };
      case 'connect':
        checkCall(a, c);
        return { agent: enter(a, 'on-call', now, { callId: a.callId, idleSince: a.idleSince }), reason: 'answered', at: now };
      case 'endCall':
        checkCall(a, c);
        if (wrapUpMs === 0) return { agent: enter(a, 'ready', now, { idleSince: now }), reason: 'call-ended', at: now };
        return { agent: enter(a, 'wrap-up', now, { callId: a.callId, wrapUntil: now + wrapUpMs, idleSince: a.idleSince }), reason: 'call-ended', at: now };
      case 'endWrapUp':
        return { agent: enter(a, 'ready', now, { idleSince: now }), reason: 'wrap-up-ended', at: now };
      case 'extendWrapUp': {
        if (a.wrapExtended) refuse(a, c, 'wrap-up already extended once');
        const wrapUntil = (a.wrapUntil ?? now) + extendMs;
        // Still the same wrap-up: `since` is kept, only its end moves.
        return {
          agent: enter(a, 'wrap-up', a.since, { callId: a.callId, wrapUntil, wrapExtended: true, idleSince: a.idleSince }),
          reason: 'wrap-up-extended',
          at: now,
        };
      }
      case 'wrapUpExpired': {
        const until = a.wrapUntil ?? now;
        if (until > now) refuse(a, c, `wrap-up runs until ${new Date(until).toISOString()}, not expired`);
        // Dated when it expired, not when the timer noticed: the idle order stays fair whatever the timer's lag.
        return { agent: enter(a, 'ready', until, { idleSince: until }), reason: 'wrap-up-expired', at: until };
      }
      case 'logout':
        return { agent: enter(a, 'logged-out', now), reason: 'logout', at: now };
    }
  }

  return {
    now: opts.clock,
    apply(agent, command, meta = {}) {
      const now = meta.now ?? opts.clock();
      const { agent: next, reason, at } = decide(agent, command, now);
      const audit = withDefined<AgentAuditEntry>(
        { event: command.type, from: agent.state, to: next.state, reason, at, by: meta.by ?? 'system' },
        { callId: next.callId ?? agent.callId, wrapUntil: next.wrapUntil },
      );
      return { agent: next, audit };
    },
  };
}

/** Whether the router may offer this agent a call: the store keeps readyAgents(skill) equal to this. */
export const isIdle = (a: Pick<AgentRecord, 'state'>): boolean => a.state === 'ready';
