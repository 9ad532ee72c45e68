// What the SLA service needs from storage. The Redis implementation is store/sla-store.ts; the
// domain only sees this interface.
import type { AlertState } from './alert.ts';
import type { Counters, Outcome } from './outcome.ts';

/** 'center' or 'queue:<name>'. */
export type Scope = string;
export const CENTER: Scope = 'center';
export const queueScope = (queue: string): Scope => `queue:${queue}`;
/** The scopes one outcome counts in: the whole center and its queue. */
export const scopesOf = (o: Outcome): [Scope, Scope] => [CENTER, queueScope(o.queue)];

export interface SlaStore {
  /**
   * Record a call's outcome with what it adds to its interval's counters (classify()), in both
   * scopes. At most once per callId across every instance: false when the call was already recorded.
   */
  record(o: Outcome, add: Partial<Counters>, nowMs: number): Promise<boolean>;
  /** Counters of the intervals starting at `startsMs`, in that order (empty counters where none). */
  intervals(scope: Scope, startsMs: readonly number[]): Promise<Counters[]>;
  /** Outcomes whose t0 is in the rolling 24 h ending at `atUs` (windows.ts inRolling). */
  rollingOutcomes(scope: Scope, atUs: number, rollingMs?: number): Promise<Outcome[]>;
  alertStates(): Promise<Map<Scope, AlertState>>;
  /** Store `next` unless the stored state already has the same `firing`; true when this call changed it. */
  changeAlert(scope: Scope, next: AlertState): Promise<boolean>;
  /** Queue names known to the service, so quiet queues are evaluated too. */
  queues(): Promise<string[]>;
}
