// A revisit task (回访): a citizen the center calls back after a case, why, what the agent needs to
// know before dialling, when it may be called, and what happened on each attempt. Pure data and
// its input schema; no I/O.
import { z } from 'zod';

/** Why the citizen is called back: a complaint wrap-up, an unsatisfied rating, a request over REST, the ticket system. */
export const REVISIT_REASONS = ['complaint', 'unsatisfied', 'requested', 'ticket'] as const;
export type RevisitReason = (typeof REVISIT_REASONS)[number];

/**
 * pending: waiting for its due time (in the due set). offered: shown to one agent as a preview card.
 * dialing: the agent clicked 回拨 and the call is on (or just ended, outcome not yet recorded).
 * done: an outcome closed it. failed: attempts or the due window ran out.
 */
export const REVISIT_STATES = ['pending', 'offered', 'dialing', 'done', 'failed'] as const;
export type RevisitState = (typeof REVISIT_STATES)[number];

/** What the agent records after a revisit call. */
export const REVISIT_OUTCOMES = ['resolved', 'not-resolved', 'not-reached', 'refused'] as const;
export type RevisitOutcome = (typeof REVISIT_OUTCOMES)[number];

export interface RevisitAttempt {
  readonly agentId: string;
  readonly atMs: number;
  /** The citizen's phone answered. */
  readonly reached: boolean;
  /** Hangup cause when the citizen was not reached. */
  readonly cause?: string;
  readonly outcome?: RevisitOutcome;
  readonly note?: string;
}

export interface RevisitTask {
  readonly id: string;
  readonly callId?: string;
  readonly ticketId?: string;
  /** Digits only; shown unmasked only to the agent who calls. */
  readonly number: string;
  readonly reason: RevisitReason;
  readonly summary: string;
  readonly createdMs: number;
  /** Earliest next attempt (inside calling hours). */
  readonly dueMs: number;
  /** After this the task is given up (failed) instead of retried. */
  readonly deadlineMs: number;
  readonly attempts: number;
  readonly state: RevisitState;
  readonly outcome?: RevisitOutcome;
  /** The agent it is offered to or dialled by. */
  readonly agentId?: string;
  readonly offeredMs?: number;
  readonly history: readonly RevisitAttempt[];
  /** Who created it: 'supervisor:wang', 'ticket-system', 'rule:complaint'. */
  readonly by: string;
  /** Compare-and-set counter (store). */
  readonly rev: number;
}

const digits = z.string().trim().regex(/^\+?[0-9]{3,20}$/, { error: 'expected a phone number (digits, optional leading +)' });

/** What REST and the ticket system send to create a task. */
export const createRevisitSchema = z.strictObject({
  number: digits,
  reason: z.enum(REVISIT_REASONS).default('requested'),
  summary: z.string().trim().min(1).max(2000),
  callId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'expected a call id' }).optional(),
  ticketId: z.string().trim().regex(/^[A-Za-z0-9_/-]{1,64}$/, { error: 'expected a ticket id' }).optional(),
  /** Not before this time (ISO-8601); default now. Moved into calling hours. */
  dueFrom: z.iso.datetime({ offset: true }).optional(),
  /** Give up after this time; default dueFrom + the configured window. */
  dueBy: z.iso.datetime({ offset: true }).optional(),
});
export type CreateRevisit = z.output<typeof createRevisitSchema>;

/** The call id an agent is reserved under while a revisit is offered to it (agent-state's callId). */
export const revisitCallId = (taskId: string): string => `revisit-${taskId}`;
export const taskIdOfCall = (callId: string | undefined): string | undefined => (callId?.startsWith('revisit-') ? callId.slice('revisit-'.length) : undefined);

/** 138****5678: enough to tell calls apart in a list, not enough to call. */
export function maskNumber(n: string): string {
  if (n.length <= 7) return `${n.slice(0, 1)}***${n.slice(-2)}`;
  return `${n.slice(0, 3)}****${n.slice(-4)}`;
}

/** Where a revisit call stands, for the agent's card. */
export type CallPhase = 'ringing-agent' | 'ringing-citizen' | 'talking' | 'ended';

/** What the agent's softphone shows: the whole task (number unmasked: it is the agent's case) and the call. */
export interface RevisitCard {
  readonly task: RevisitTask;
  readonly phase?: CallPhase;
  /** The agent's leg, so the softphone can answer it at once (the agent asked for this call). */
  readonly agentLeg?: string;
  /** Why the citizen (or the agent's phone) was not reached (hangup cause). */
  readonly cause?: string;
}
