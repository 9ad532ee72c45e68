// What the screen shows, derived from the state: which legs ring my phone, which call I talk on,
// whether I run a consultation. Pure functions so the rules live in one tested place.
import type { CallView, LegView } from '../../../server/src/realtime/events.ts';
import type { SoftphoneState } from './store.ts';

export interface Ringing {
  call: CallView;
  leg: LegView;
}

const isMine = (leg: LegView, me: string): boolean => leg.role === 'agent' && leg.agentId === me && leg.endedMs === undefined;

function byAge(a: CallView, b: CallView): number {
  return (a.queuedMs ?? a.createdMs) - (b.queuedMs ?? b.createdMs);
}

/** Legs ringing my phone (not yet answered), the longest-waiting caller first. */
export function ringingForMe(state: SoftphoneState, me: string): Ringing[] {
  const out: Ringing[] = [];
  for (const call of Object.values(state.calls).sort(byAge)) {
    if (call.state === 'ended') continue;
    for (const leg of call.legs) if (isMine(leg, me) && leg.answeredMs === undefined) out.push({ call, leg });
  }
  return out;
}

/** The call my phone is connected on (answered, not ended); the newest answer wins if several. */
export function activeForMe(state: SoftphoneState, me: string): Ringing | undefined {
  let best: Ringing | undefined;
  for (const call of Object.values(state.calls)) {
    if (call.state === 'ended') continue;
    for (const leg of call.legs) {
      if (!isMine(leg, me) || leg.answeredMs === undefined) continue;
      if (!best || (best.leg.answeredMs ?? 0) < leg.answeredMs) best = { call, leg };
    }
  }
  return best;
}

/**
 * I own the caller: I may hold and transfer it. A consulted colleague only talks to the agent who
 * consulted, until that agent completes the transfer and the service makes the colleague the
 * call's agent (the leg keeps its 'consult' purpose, so call.agentId decides once it is set).
 */
export function ownsCaller(active: Ringing, me: string): boolean {
  return active.call.agentId !== undefined ? active.call.agentId === me : active.leg.purpose !== 'consult';
}

/** The attended transfer I started on this call, if one is in progress. */
export function myConsult(call: CallView, me: string): CallView['consult'] {
  return call.consult && call.consult.agentId === me ? call.consult : undefined;
}
