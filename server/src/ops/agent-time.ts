// Agents' time per state and reason, for the per-agent report, folded from the agent's audit trail
// (store/agent-store.ts: every transition, the router's claims included, with the time it took
// effect). Each entry starts a state that lasts until the next entry; the state an agent was in when
// the period began comes from the last entry before it. Pure: entries in, figures out.

/** The part of an audit entry the fold reads. */
export interface Transition {
  readonly event: string;
  readonly to: string;
  readonly reason: string;
  readonly at: number;
}

export interface AgentPeriodFigures {
  /** ms per state: `ready`, `reserved`, `on-call`, `wrap-up`, `not-ready:<reason>`; logged-out is not kept. */
  readonly stateMs: Record<string, number>;
  /** Calls answered (reserved -> on-call). */
  readonly calls: number;
  readonly ringNoAnswer: number;
  /** Logged-in time: the sum of stateMs. */
  readonly loggedInMs: number;
}

const fieldOf = (t: Transition): string | undefined =>
  t.to === 'logged-out' || t.to === '' ? undefined : t.to === 'not-ready' ? `not-ready:${t.reason || 'unknown'}` : t.to;

/**
 * Figures of [fromMs, toMs): `before` is the last entry at or before fromMs (undefined: the agent
 * did not exist or had no entry), `entries` those inside the period, oldest first.
 */
export function foldAgentPeriod(before: Transition | undefined, entries: readonly Transition[], fromMs: number, toMs: number): AgentPeriodFigures {
  const stateMs: Record<string, number> = {};
  let calls = 0;
  let ringNoAnswer = 0;
  let field = before ? fieldOf(before) : undefined;
  let since = fromMs;
  const close = (until: number): void => {
    const ms = Math.min(until, toMs) - Math.max(since, fromMs);
    if (field !== undefined && ms > 0) stateMs[field] = (stateMs[field] ?? 0) + ms;
  };
  for (const e of entries) {
    if (e.at >= toMs) break;
    close(e.at);
    // An extension keeps the wrap-up; an admin edit (update) keeps whatever state the agent was in.
    if (e.event !== 'update' && e.event !== 'create' && e.event !== 'delete') field = fieldOf(e);
    since = Math.max(since, e.at);
    if (e.event === 'connect') calls++;
    if (e.event === 'ringNoAnswer') ringNoAnswer++;
  }
  close(toMs);
  const loggedInMs = Object.values(stateMs).reduce((s, v) => s + v, 0);
  return { stateMs, calls, ringNoAnswer, loggedInMs };
}
