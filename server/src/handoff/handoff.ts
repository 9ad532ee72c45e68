// One handoff between 12345 and a partner hotline: the case, the call it became, and how far it
// got. Direction `in` is a partner's call transferred to 12345 (pre-announced or not); `out` is a
// matter 12345 hands to the partner.
import { z } from 'zod';
import type { CallRecord } from '../calls/call-record.ts';

export type HandoffState = 'announced' | 'queued' | 'ringing' | 'answered' | 'ended' | 'returned' | 'expired';

/** Order of the states a call moves through: a later event never moves a handoff back. */
const RANK: Record<HandoffState, number> = { announced: 0, queued: 1, ringing: 2, answered: 3, ended: 4, returned: 4, expired: 4 };
export const advances = (from: HandoffState, to: HandoffState): boolean => RANK[to] > RANK[from];
export const isOpen = (s: HandoffState): boolean => RANK[s] < 4;

export interface HandoffOutcome {
  readonly agentId: string;
  readonly category: string;
  readonly summary: string;
  readonly ticketRef?: string;
  readonly atMs: number;
}

// A type, not an interface: REST responses check it against an open object schema (index signature).
export type Handoff = {
  readonly id: string;
  readonly partner: string;
  readonly direction: 'in' | 'out';
  readonly caseId: string;
  readonly callerNumber: string;
  readonly category: string;
  readonly summary: string;
  readonly location: string;
  readonly dispatcherName: string;
  readonly dispatcherCallback: string;
  /** Who filed it (`role:username`), or `switch` for a partner call nobody announced. */
  readonly by: string;
  readonly createdMs: number;
  state: HandoffState;
  callId?: string;
  matchedBy?: 'case-id' | 'caller-number' | 'unannounced';
  queue?: string;
  queuedMs?: number;
  position?: number;
  ringingAgent?: string;
  ringingMs?: number;
  answeredBy?: string;
  answeredMs?: number;
  endedMs?: number;
  /** No agent answered within the warning time: the dispatcher was told. */
  warnedMs?: number;
  returnedMs?: number;
  threeWay?: boolean;
  /** After a three-way: who takes the case (`12345` or the partner's id), who said so, when. */
  caseOwner?: { owner: string; by: string; atMs: number };
  outcome?: HandoffOutcome;
};

const digits = (what: string, min: number, max: number) => z.string({ error: `expected ${what}` }).regex(new RegExp(`^\\+?[0-9]{${min},${max}}$`), { error: `expected ${what}` });
const words = (what: string, max: number) => z.string({ error: `expected ${what}` }).trim().min(1, { error: `expected ${what}` }).max(max, { error: `expected ${what} of at most ${max} characters` });

/** What a dispatcher (or a partner's system) files before transferring the caller. */
export const announceSchema = z.strictObject({
  partner: z.string({ error: 'expected a partner id' }).regex(/^[0-9]{3,6}$/, { error: 'expected a partner id' }),
  caseId: z.string({ error: 'expected a case id' }).regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected a case id of letters, digits, "-" or "_"' }),
  callerNumber: digits('the caller number (3 to 20 digits)', 3, 20),
  category: words('a category', 32),
  summary: words('a summary', 500),
  location: z.string({ error: 'expected a location' }).trim().max(200).default(''),
  dispatcherName: words("the dispatcher's name", 32),
  dispatcherCallback: digits("the dispatcher's callback number", 3, 20),
});
export type AnnounceInput = z.output<typeof announceSchema>;

/** How far a call has got, from the registry's record (facts, not events). */
export function phaseOf(call: Readonly<CallRecord>): { state: HandoffState; agentId?: string; atMs?: number } {
  if (call.endedUs !== undefined) return { state: 'ended', atMs: Math.floor(call.endedUs / 1000) };
  if (call.connectedUs !== undefined && call.agentId) return { state: 'answered', agentId: call.agentId, atMs: Math.floor(call.connectedUs / 1000) };
  const ringing = call.legs.find((l) => l.role === 'agent' && l.purpose === 'offer' && l.endedUs === undefined);
  if (ringing?.agentId) return { state: 'ringing', agentId: ringing.agentId, atMs: Math.floor(ringing.createdUs / 1000) };
  return { state: 'queued' };
}
