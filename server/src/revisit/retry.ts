// What an outcome does to a task: not reached is tried again after a pause (inside calling hours)
// up to a number of attempts and within the task's due window; refused, resolved and not resolved
// close it. Pure: the task, the outcome and the time in; the next state and due time out.
import { nextSlot, type CallingHours } from './calling-hours.ts';
import type { RevisitOutcome, RevisitState, RevisitTask } from './task.ts';

export interface RetryRules {
  /** Minutes before a citizen not reached is called again. */
  readonly retryAfterMin: number;
  /** Attempts (calls to the citizen) before the task is given up. */
  readonly maxAttempts: number;
}

export interface NextStep {
  readonly state: Extract<RevisitState, 'pending' | 'done' | 'failed'>;
  /** For pending: when the next attempt is due. */
  readonly dueMs?: number;
}

/** `task.attempts` already counts the attempt whose outcome this is. */
export function afterOutcome(task: Pick<RevisitTask, 'attempts' | 'deadlineMs'>, outcome: RevisitOutcome, nowMs: number, rules: RetryRules, hours: CallingHours): NextStep {
  if (outcome !== 'not-reached') return { state: 'done' };
  if (task.attempts >= rules.maxAttempts) return { state: 'failed' };
  const dueMs = nextSlot(nowMs + rules.retryAfterMin * 60_000, hours);
  if (dueMs > task.deadlineMs) return { state: 'failed' };
  return { state: 'pending', dueMs };
}
