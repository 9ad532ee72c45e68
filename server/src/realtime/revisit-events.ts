// The /agent namespace's revisit contract (回访 preview dialing): the card the server pushes and the
// commands the softphone sends. softphone-web imports this file, so it stays free of server
// imports other than zod and the revisit task's pure types.
import { z } from 'zod';
import { REVISIT_OUTCOMES, type RevisitCard } from '../revisit/task.ts';

export type { CallPhase, RevisitCard, RevisitOutcome, RevisitTask } from '../revisit/task.ts';
export { REVISIT_OUTCOMES } from '../revisit/task.ts';

/** Server to client: the agent's card changed; null when nothing is offered any more. */
export interface RevisitUpdate {
  seq: number;
  card: RevisitCard | null;
}

/** The call id an agent is reserved, on a call or in wrap-up under during a revisit (revisit/task.ts). */
export const isRevisitCall = (callId: string): boolean => callId.startsWith('revisit-');

const taskId = z.uuid();

export const revisitTaskPayload = z.strictObject({ taskId });
export type RevisitTaskPayload = z.output<typeof revisitTaskPayload>;

export const revisitOutcomePayload = z.strictObject({
  taskId,
  outcome: z.enum(REVISIT_OUTCOMES),
  note: z.string().trim().max(500).optional(),
});
export type RevisitOutcomePayload = z.output<typeof revisitOutcomePayload>;

type Ack<T = Record<never, never>> = ({ ok: true } & T) | { error: { code: 'invalid' | 'forbidden' | 'not-found' | 'conflict' | 'internal'; message: string } };

export interface RevisitClientEvents {
  /** The card the agent has now (after a reconnect); null if none. */
  'revisit:current': (p: Record<never, never>, ack: (a: Ack<{ card: RevisitCard | null }>) => void) => void;
  /** "Take a revisit": the next due task, offered to me (I must be ready). */
  'revisit:take': (p: Record<never, never>, ack: (a: Ack<{ card: RevisitCard }>) => void) => void;
  /** 回拨: ring my phone, then the citizen. */
  'revisit:call': (p: RevisitTaskPayload, ack: (a: Ack<{ agentLeg: string }>) => void) => void;
  'revisit:skip': (p: RevisitTaskPayload, ack: (a: Ack) => void) => void;
  'revisit:hangup': (p: RevisitTaskPayload, ack: (a: Ack) => void) => void;
  'revisit:outcome': (p: RevisitOutcomePayload, ack: (a: Ack) => void) => void;
}
