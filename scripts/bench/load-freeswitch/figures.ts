// One side's call figures for one step, from its call book after the drain. Names as in `load`
// where they mean the same: wait = joined the queue (end of the welcome prompt) -> bridged to an
// agent; dispatch = joined -> the agent's leg created (the phone is offered the call); lost =
// offered and never bridged. Calls count when their caller leg was created inside the measured
// window; refused callers (SIPp placed them, the switch made no channel) count over the whole step.
import { round } from '../util.ts';
import { pct, type Pct } from '../load/figures.ts';
import type { CallBook } from './call-book.ts';

export interface SideFigures {
  /** Callers SIPp placed in the step (warm-up included) and caller legs the switch created for them. */
  placed: number;
  seen: number;
  /** Placed, no channel (the switch refused the INVITE): counted as lost. */
  refused: number;
  /** Caller legs created in the measured window. */
  offered: number;
  offeredPerS: number;
  bridged: number;
  lost: number;
  /** (lost + refused) / (offered + refused), %. */
  lostPct: number;
  /** Offered, still up after the drain. */
  stuck: number;
  /** Offered, welcome never finished. */
  neverQueued: number;
  waitMs: Pct;
  dispatchMs: Pct;
  /** Agent leg created -> bridged: the phone's ring and answer plus the bridge. */
  offerToBridgeMs: Pct;
  agentLegs: number;
  agentLegsNotBridged: number;
  causes: Record<string, number>;
  unmatchedBridges: number;
}

export function summarise(book: CallBook, window: { fromMs: number; toMs: number }, placed: number): SideFigures {
  const wait: number[] = [];
  const dispatch: number[] = [];
  const offerToBridge: number[] = [];
  const causes: Record<string, number> = {};
  let offered = 0;
  let bridged = 0;
  let stuck = 0;
  let neverQueued = 0;
  for (const c of book.callers.values()) {
    const at = c.createdUs / 1000;
    if (at < window.fromMs || at >= window.toMs) continue;
    offered++;
    if (c.endedUs === undefined) stuck++;
    else causes[c.cause ?? '?'] = (causes[c.cause ?? '?'] ?? 0) + 1;
    if (c.joinedUs === undefined) neverQueued++;
    if (c.bridgedUs === undefined) continue;
    bridged++;
    const agent = c.agentLeg ? book.agents.get(c.agentLeg) : undefined;
    if (c.joinedUs !== undefined) {
      wait.push((c.bridgedUs - c.joinedUs) / 1000);
      if (agent) dispatch.push((agent.createdUs - c.joinedUs) / 1000);
    }
    if (agent) offerToBridge.push((c.bridgedUs - agent.createdUs) / 1000);
  }
  let agentLegsNotBridged = 0;
  for (const a of book.agents.values()) if (!a.bridged) agentLegsNotBridged++;
  const seen = book.callers.size;
  const refused = Math.max(0, placed - seen);
  const lost = offered - bridged;
  return {
    placed,
    seen,
    refused,
    offered,
    offeredPerS: round(offered / ((window.toMs - window.fromMs) / 1000)),
    bridged,
    lost,
    lostPct: round((100 * (lost + refused)) / Math.max(1, offered + refused)),
    stuck,
    neverQueued,
    waitMs: pct(wait),
    dispatchMs: pct(dispatch),
    offerToBridgeMs: pct(offerToBridge),
    agentLegs: book.agents.size,
    agentLegsNotBridged,
    causes,
    unmatchedBridges: book.unmatchedBridges,
  };
}
