// Ops figures: the wallboard's board (pushed on /ops), reports and the staffing forecast. Reads the
// SLA counters (the hashes /api/sla sums), the call facts beside them and the agents' audit trails;
// knows nothing of Redis, Fastify or Socket.IO.
import type { Logger } from 'pino';
import type { BoardForecast, BoardSatisfaction, BoardView } from '../realtime/ops-events.ts';
import type { SlaSnapshot } from '../sla/snapshot.ts';
import { CENTER, queueScope, type SlaStore } from '../sla/store.ts';
import type { Counters } from '../sla/outcome.ts';
import { DAY_MS, INTERVAL_MS, dayIntervalStarts, dayStart, localDate } from '../sla/windows.ts';
import { addDays, beijingMidnight, INTERVALS_PER_DAY } from '../forecast/forecast.ts';
import { foldAgentPeriod, type Transition } from './agent-time.ts';
import type { CallFacts } from './call-facts.ts';
import { agentFactsScope, agentRow, satisfactionRate, callRow, sumIntervals, type AgentRow, type CallRow } from './reports.ts';
import { measure, staffingForecast, type StaffingForecast, type StaffingReads, type StaffingSettings } from './staffing.ts';

export interface OpsDeps {
  readonly counters: Pick<SlaStore, 'intervals' | 'queues'>;
  readonly facts: {
    intervals(scope: string, startsMs: readonly number[]): Promise<CallFacts[]>;
    transitions(agentId: string, fromMs: number, toMs: number): Promise<{ before: Transition | undefined; entries: Transition[] }>;
    /** An agent's time on hold on one Beijing day (ms). */
    agentHoldMs(agentId: string, date: string): Promise<number>;
  };
  readonly sla: { snapshot(scope: string, atMs?: number): Promise<SlaSnapshot> };
  readonly agents: { list(): Promise<readonly { id: string; name: string }[]> };
  /** Queues configured (shown even before their first call) and the skill that serves each. */
  readonly queues: readonly { readonly name: string; readonly skill: string }[];
  readonly settings: StaffingSettings & { readonly boardThrottleMs: number };
  readonly logger: Logger;
  readonly now?: () => number;
}

export type BoardListener = (board: BoardView) => void;

export interface OpsService {
  board(atMs?: number): Promise<BoardView>;
  intervalRows(scope: string, date: string): Promise<CallRow[]>;
  dayRows(scope: string, from: string, to: string): Promise<CallRow[]>;
  agentRows(date: string): Promise<AgentRow[]>;
  forecast(scope: string, date: string): Promise<StaffingForecast>;
  /** Something changed (an SLA update on any instance): push a fresh board soon, throttled. */
  poke(): void;
  /**
   * Boards are computed for listeners only while `wanted` says someone watches (an /ops client is
   * connected): a service with no wallboard open reads nothing for it.
   */
  onBoard(listener: BoardListener, wanted?: () => boolean): () => void;
  start(): void;
  stop(): Promise<void>;
}

const FORECAST_CACHE_MS = 5 * 60_000;

export function createOpsService(deps: OpsDeps): OpsService {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'ops' });
  const s = deps.settings;
  const listeners = new Map<BoardListener, () => boolean>();
  const forecasts = new Map<string, { atMs: number; value: StaffingForecast }>();
  let timer: NodeJS.Timeout | undefined;
  let tick: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastPush = 0;
  let stopped = false;

  const agentPeriod = async (agentId: string, fromMs: number, toMs: number) => {
    const { before, entries } = await deps.facts.transitions(agentId, fromMs, toMs);
    return foldAgentPeriod(before, entries, fromMs, toMs);
  };

  const reads: StaffingReads = {
    counters: (scope, starts) => deps.counters.intervals(scope, starts),
    facts: (scope, starts) => deps.facts.intervals(scope, starts),
    async wrapUps(fromMs, toMs) {
      let wrapUpMs = 0;
      let calls = 0;
      for (const f of await Promise.all((await deps.agents.list()).map((a) => agentPeriod(a.id, fromMs, toMs)))) {
        wrapUpMs += f.stateMs['wrap-up'] ?? 0;
        calls += f.calls;
      }
      return { wrapUpMs, calls };
    },
  };

  async function forecast(scope: string, date: string): Promise<StaffingForecast> {
    const key = `${scope} ${date}`;
    const hit = forecasts.get(key);
    const t = now();
    if (hit && t - hit.atMs < FORECAST_CACHE_MS) return hit.value;
    const measured = await measure(reads, scope, localDate(t), t, s);
    const value = await staffingForecast(reads, scope, date, measured, s);
    forecasts.set(key, { atMs: t, value });
    if (forecasts.size > 64) forecasts.delete(forecasts.keys().next().value!);
    return value;
  }

  async function scopes(): Promise<string[]> {
    const names = new Set([...deps.queues.map((q) => q.name), ...(await deps.counters.queues())]);
    return [CENTER, ...[...names].sort().map(queueScope)];
  }

  async function board(atMs = now()): Promise<BoardView> {
    const day = dayStart(atMs);
    const starts = dayIntervalStarts(day, atMs);
    const all = await scopes();
    const [snaps, counters, facts, queueFacts, fc] = await Promise.all([
      Promise.all(all.map((sc) => deps.sla.snapshot(sc, atMs))),
      deps.counters.intervals(CENTER, starts),
      deps.facts.intervals(CENTER, starts),
      // The survey per queue: the facts are also recorded under each call's queue scope.
      Promise.all(all.filter((sc) => sc !== CENTER).map(async (sc) => [sc, sumIntervals([], await deps.facts.intervals(sc, starts)).facts] as const)),
      forecast(CENTER, localDate(atMs)).catch((err: unknown): StaffingForecast | undefined => {
        log.error({ err }, 'staffing forecast failed');
        return undefined;
      }),
    ]);
    const sums = sumIntervals(counters, facts);
    const today = sums.facts;
    const answered = sums.counters.answered;
    const boardForecast: BoardForecast | null = !fc
      ? null
      : fc.ok
        ? {
            ok: true,
            date: fc.date,
            model: fc.model,
            ahtSec: fc.measured.ahtSec,
            ahtSource: fc.measured.ahtSource,
            patienceSec: fc.model === 'erlang-a' ? fc.measured.patienceSec : null,
            intervals: fc.intervals.map((i) => ({ start: i.start, offered: Math.round(i.offered * 10) / 10, agents: i.agents, scheduled: i.scheduled })),
          }
        : { ok: false, date: fc.date, reason: fc.reason };
    return {
      at: atMs,
      target: snaps[0]?.target ?? s.target,
      thresholdSec: s.thresholdSec,
      scopes: snaps,
      queueSkills: Object.fromEntries(deps.queues.map((q) => [q.name, q.skill])),
      series: starts.map((start, i) => seriesPoint(start, counters[i]!)),
      transfers: { from110: today.from110, to110: today.to110, toPartner: today.toPartner },
      kb: { answered, kbAnswered: today.kbAnswered, rate: answered > 0 ? Math.round(Math.min(1, today.kbAnswered / answered) * 1000) / 1000 : null },
      satisfaction: satisfactionOf(today),
      queueSatisfaction: Object.fromEntries(queueFacts.map(([sc, f]) => [sc, satisfactionOf(f)])),
      alerts: snaps.filter((x) => x.alert.firing).map((x) => ({ scope: x.scope, since: x.alert.since })),
      forecast: boardForecast,
    };
  }

  async function push(): Promise<void> {
    lastPush = now();
    const b = await board();
    for (const [l, wanted] of listeners) {
      if (!wanted()) continue;
      try {
        l(b);
      } catch (err) {
        log.error({ err }, 'board listener failed');
      }
    }
  }

  function poke(): void {
    if (stopped || timer || ![...listeners.values()].some((wanted) => wanted())) return;
    const wait = Math.max(0, lastPush + s.boardThrottleMs - now());
    timer = setTimeout(() => {
      timer = undefined;
      // One computation at a time: a poke during one schedules the next after it.
      running ??= push()
        .catch((err: unknown) => log.error({ err }, 'board update failed'))
        .finally(() => (running = undefined));
    }, wait);
  }

  return {
    board,
    forecast,
    poke,
    async intervalRows(scope, date) {
      const starts = dayIntervalStarts(beijingMidnight(date), Math.min(now(), beijingMidnight(date) + DAY_MS - 1));
      const [c, f] = await Promise.all([deps.counters.intervals(scope, starts), deps.facts.intervals(scope, starts)]);
      return starts.map((st, i) => callRow(`${date} ${hhmm(st)}`, new Date(st).toISOString(), scope, c[i]!, f[i]!));
    },
    async dayRows(scope, from, to) {
      const rows: CallRow[] = [];
      for (let d = from; d <= to; d = addDays(d, 1)) {
        const starts = Array.from({ length: INTERVALS_PER_DAY }, (_, i) => beijingMidnight(d) + i * INTERVAL_MS);
        const [c, f] = await Promise.all([deps.counters.intervals(scope, starts), deps.facts.intervals(scope, starts)]);
        const sum = sumIntervals(c, f);
        rows.push(callRow(d, new Date(beijingMidnight(d)).toISOString(), scope, sum.counters, sum.facts));
      }
      return rows;
    },
    async agentRows(date) {
      const from = beijingMidnight(date);
      const to = Math.min(now(), from + DAY_MS);
      const rows: AgentRow[] = [];
      for (const a of await deps.agents.list()) {
        const [f, holdMs] = await Promise.all([agentPeriod(a.id, from, to), deps.facts.agentHoldMs(a.id, date)]);
        const starts = Array.from({ length: INTERVALS_PER_DAY }, (_, i) => from + i * INTERVAL_MS);
        const survey = sumIntervals([], await deps.facts.intervals(agentFactsScope(a.id), starts)).facts;
        if (f.loggedInMs > 0 || f.calls > 0 || survey.surveyed > 0) rows.push(agentRow(date, a.id, a.name, f, survey, holdMs));
      }
      return rows;
    },
    onBoard(listener, wanted = () => true) {
      listeners.set(listener, wanted);
      return () => void listeners.delete(listener);
    },
    start() {
      // The interval rolls over every 15 minutes with or without calls; a quiet board still moves.
      tick ??= setInterval(poke, 30_000);
      tick.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(tick);
      clearTimeout(timer);
      await running;
    },
  };
}

function seriesPoint(start: number, c: Counters) {
  const counted = c.offered - c.shortAbandons;
  return { start, offered: c.offered, counted, rate15s: counted > 0 ? Math.round((c.answeredWithin / counted) * 1000) / 1000 : null };
}

const hhmm = (ms: number): string => new Date(ms + 8 * 3_600_000).toISOString().slice(11, 16);

function satisfactionOf(f: CallFacts): BoardSatisfaction {
  return { surveyed: f.surveyed, notSatisfied: f.notSatisfied, notRated: f.notRated, rate: satisfactionRate(f) };
}
