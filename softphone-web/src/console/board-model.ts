// What the wallboard shows, derived from the /ops state: per queue and center-wide, callers waiting
// and the longest wait (from the live calls), agents by state (from the agent records), the SLA
// windows and the forecast need (from the board). Pure: state and clock in, figures out.
import type { AgentView, CallView } from '../../../server/src/realtime/events.ts';
import type { BoardView } from '../../../server/src/realtime/ops-events.ts';
import type { SlaSnapshot } from '../../../server/src/sla/snapshot.ts';

export interface AgentCounts {
  ready: number;
  /** Ringing (reserved) or talking. */
  onCall: number;
  wrapUp: number;
  notReady: number;
  notReadyByReason: Record<string, number>;
  loggedIn: number;
}

export interface ScopeFigures {
  scope: string;
  /** The queue's name; undefined for the center. */
  queue: string | undefined;
  waiting: number;
  longestWaitSec: number;
  agents: AgentCounts;
  sla: SlaSnapshot | undefined;
}

export interface BoardModel {
  center: ScopeFigures;
  queues: ScopeFigures[];
  /** Agents needed now by the forecast, and in the next intervals. */
  need: { now: number | null; next: { start: number; agents: number }[] };
}

export function countAgents(agents: Iterable<AgentView>): AgentCounts {
  const c: AgentCounts = { ready: 0, onCall: 0, wrapUp: 0, notReady: 0, notReadyByReason: {}, loggedIn: 0 };
  for (const a of agents) {
    if (a.state === 'logged-out') continue;
    c.loggedIn++;
    if (a.state === 'ready') c.ready++;
    else if (a.state === 'on-call' || a.state === 'reserved') c.onCall++;
    else if (a.state === 'wrap-up') c.wrapUp++;
    else {
      c.notReady++;
      const r = a.reason ?? 'unknown';
      c.notReadyByReason[r] = (c.notReadyByReason[r] ?? 0) + 1;
    }
  }
  return c;
}

function waitingOf(calls: Iterable<CallView>, nowMs: number): { waiting: number; longestWaitSec: number } {
  let waiting = 0;
  let oldest = Infinity;
  for (const c of calls) {
    if (c.state !== 'queued' || c.queuedMs === undefined) continue;
    waiting++;
    oldest = Math.min(oldest, c.queuedMs);
  }
  return { waiting, longestWaitSec: waiting ? Math.max(0, Math.floor((nowMs - oldest) / 1000)) : 0 };
}

export function boardModel(calls: ReadonlyMap<string, CallView>, agents: ReadonlyMap<string, AgentView>, board: BoardView | null, nowMs: number): BoardModel {
  const allCalls = [...calls.values()];
  const allAgents = [...agents.values()];
  const sla = new Map((board?.scopes ?? []).map((s) => [s.scope, s]));
  const skills = board?.queueSkills ?? {};
  const names = new Set([...Object.keys(skills), ...[...sla.keys()].filter((s) => s.startsWith('queue:')).map((s) => s.slice(6))]);
  const queues = [...names].sort().map((name): ScopeFigures => {
    const skill = skills[name] ?? name;
    return {
      scope: `queue:${name}`,
      queue: name,
      ...waitingOf(allCalls.filter((c) => c.queue === name), nowMs),
      agents: countAgents(allAgents.filter((a) => a.skills[skill] !== undefined)),
      sla: sla.get(`queue:${name}`),
    };
  });
  const center: ScopeFigures = { scope: 'center', queue: undefined, ...waitingOf(allCalls, nowMs), agents: countAgents(allAgents), sla: sla.get('center') };
  const fc = board?.forecast;
  const intervals = fc && fc.ok ? fc.intervals : [];
  const i = intervals.findIndex((x) => x.start <= nowMs && nowMs < x.start + 15 * 60_000);
  return {
    center,
    queues,
    need: { now: i >= 0 ? intervals[i]!.agents : null, next: i >= 0 ? intervals.slice(i + 1, i + 5).map((x) => ({ start: x.start, agents: x.agents })) : [] },
  };
}

/** Below target (and measurable): the wallboard colours it. */
export const belowTarget = (rate: number | null | undefined, target: number): boolean => rate !== null && rate !== undefined && rate < target;

export const pct = (r: number | null | undefined): string => (r === null || r === undefined ? '—' : `${(Math.floor(r * 1000) / 10).toFixed(1)}%`);

export function mmss(sec: number | null | undefined): string {
  if (sec === null || sec === undefined) return '—';
  const s = Math.round(sec);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
