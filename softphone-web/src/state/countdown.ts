// The screen pop's answer countdown: GB/T 33358-2016 asks for an answer within 15 s of the caller
// starting to wait for a human (queuedMs), not of the phone starting to ring, so the time the
// caller spent queued already counts against the agent.
export type Urgency = 'ok' | 'urgent' | 'overdue';

export interface Countdown {
  /** Seconds left to the target; negative once overdue. */
  remainingSec: number;
  /** Whole seconds to show: counts down to 0, then up (overdue by N). */
  displaySec: number;
  waitedSec: number;
  urgency: Urgency;
}

/** Under this many seconds left, the countdown turns red. */
export const URGENT_BELOW_SEC = 5;

export function answerCountdown(t0Ms: number, targetSec: number, nowMs: number): Countdown {
  const waitedSec = Math.max(0, (nowMs - t0Ms) / 1000);
  const remainingSec = targetSec - waitedSec;
  const urgency: Urgency = remainingSec < 0 ? 'overdue' : remainingSec < URGENT_BELOW_SEC ? 'urgent' : 'ok';
  // Ceil both ways: counting down, 15 → 1 shows the second in progress; once past the target the
  // first partial second already reads "overdue by 1", never "overdue by 0".
  const displaySec = Math.ceil(Math.abs(remainingSec));
  return { remainingSec, displaySec, waitedSec: Math.floor(waitedSec), urgency };
}

/** Seconds left of wrap-up, never negative (the server ends it; the clock only informs). */
export function wrapUpRemainingSec(wrapUntilMs: number | undefined, nowMs: number): number | undefined {
  return wrapUntilMs === undefined ? undefined : Math.max(0, Math.ceil((wrapUntilMs - nowMs) / 1000));
}
