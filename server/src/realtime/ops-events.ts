// The wallboard's figures on /ops (`snapshot.board`, then `board:update`), shared with softphone-web
// (types only). Agents and waiting callers come from the namespace's own agent and call deltas;
// these are the figures computed from Redis: SLA windows per scope, today's intervals, transfers,
// alerts and the staffing forecast.
import type { SlaSnapshot } from '../sla/snapshot.ts';

export interface BoardInterval {
  /** Interval start, epoch ms. */
  start: number;
  offered: number;
  counted: number;
  rate15s: number | null;
}

export interface BoardForecastInterval {
  start: number;
  /** Calls expected. */
  offered: number;
  /** Agents needed on the phones for the target. */
  agents: number;
  /** Agents to schedule (shrinkage added). */
  scheduled: number;
}

export type BoardForecast =
  | { ok: true; date: string; model: 'erlang-c' | 'erlang-a'; ahtSec: number; ahtSource: 'measured' | 'default'; patienceSec: number | null; intervals: BoardForecastInterval[] }
  | { ok: false; date: string; reason: string };

export interface BoardView {
  /** When the figures were computed, epoch ms. */
  at: number;
  target: number;
  thresholdSec: number;
  /** The center first, then each queue: the same snapshots GET /api/sla answers. */
  scopes: SlaSnapshot[];
  /** The skill that serves each configured queue: the wallboard counts a queue's agents by it. */
  queueSkills: Record<string, string>;
  /** Today's intervals so far (center). */
  series: BoardInterval[];
  /** Today (center): calls 110 transferred to us, and our transfers to 110 and to partner departments. */
  transfers: { from110: number; to110: number; toPartner: number };
  /** Today (center): answered calls, those marked answered from the knowledge base, and the rate. */
  kb: { answered: number; kbAnswered: number; rate: number | null };
  /** Today (center): the satisfaction survey, callers asked and (satisfied + basically) / rated. */
  satisfaction: BoardSatisfaction;
  /** Today, per queue scope (`queue:<name>`, as in `scopes`): the same survey figures. */
  queueSatisfaction: Record<string, BoardSatisfaction>;
  /** Scopes whose rolling 24 h alert is firing. */
  alerts: { scope: string; since: string | null }[];
  /** Today's staffing forecast (center). */
  forecast: BoardForecast | null;
}

export interface BoardSatisfaction {
  surveyed: number;
  notSatisfied: number;
  notRated: number;
  rate: number | null;
}

export interface BoardUpdate {
  seq: number;
  board: BoardView;
}
