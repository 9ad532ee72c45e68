// `route`'s result: latency per event kind over the steady and burst phases and per phase, with
// each phase's Redis / CPU figures, the probes and the claim round trips.
import os from 'node:os';
import type { Router } from '../../../server/src/acd/router.ts';
import { percentile, round } from '../util.ts';
import type { DecisionTracker, Kind, PhaseName, Sample } from './decisions.ts';
import { TARGET_P99_MS, type RouteOptions } from './options.ts';

export interface ReportInput {
  opts: RouteOptions;
  tracker: DecisionTracker;
  phaseInfo: Record<string, Record<string, unknown>>;
  probes: Record<string, unknown>;
  routerStats: Router['stats'];
  loadStart: number[];
  loadEnd: number[];
}

export function report({ opts, tracker, phaseInfo, probes, routerStats, loadStart, loadEnd }: ReportInput): Record<string, unknown> {
  const { samples, noDecision, unattributed, claimUs, errors } = tracker;
  const summarize = (ss: readonly Sample[], seconds: number, phases: readonly PhaseName[], kind: Kind | 'all'): Record<string, unknown> => {
    const ms = ss.map((s) => s.ms).sort((a, b) => a - b);
    // NaN: decided by another pass before this event's own notification (its agent was already in the ready set).
    const routerMs = ss.map((s) => s.routerMs).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    const reqs = ss.map((s) => s.requests);
    const phaseReq = phases.reduce((a, p) => a + Number(phaseInfo[p]?.redis_requests ?? 0), 0);
    const phaseCmds = phases.reduce((a, p) => a + Number(phaseInfo[p]?.redis_commands_incl_in_scripts ?? 0), 0);
    const phaseCpu = phases.reduce((a, p) => a + Number(phaseInfo[p]?.redis_cpu_ms ?? 0), 0);
    const nodeCpu = phases.reduce((a, p) => a + Number(phaseInfo[p]?.node_cpu_ms ?? 0), 0);
    const allDecisions = samples.filter((s) => phases.includes(s.phase)).length;
    const kinds: readonly Kind[] = kind === 'all' ? ['caller_queued', 'agent_ready'] : [kind];
    let withoutDecision = 0;
    for (const p of phases) for (const k of kinds) withoutDecision += noDecision[`${p}:${k}`] ?? 0;
    return {
      p50_ms: round(percentile(ms, 50), 3),
      p90_ms: round(percentile(ms, 90), 3),
      p99_ms: round(percentile(ms, 99), 3),
      max_ms: round(ms[ms.length - 1] ?? NaN, 3),
      decisions: ss.length,
      decisions_per_s: round(ss.length / seconds, 1),
      events_without_decision: withoutDecision,
      router_only_p50_ms: round(percentile(routerMs, 50), 3),
      router_only_p99_ms: round(percentile(routerMs, 99), 3),
      redis_requests_before_originate_min: reqs.length ? Math.min(...reqs) : null,
      // Every request of the phase (offers, agent transitions, the tick...) over its decisions.
      redis_requests_per_decision_all_traffic: kind === 'all' && allDecisions ? round(phaseReq / allDecisions, 1) : undefined,
      redis_commands_per_decision_incl_in_scripts: kind === 'all' && allDecisions ? round(phaseCmds / allDecisions, 1) : undefined,
      redis_cpu_us_per_decision: kind === 'all' && allDecisions ? round((phaseCpu * 1000) / allDecisions, 0) : undefined,
      // The whole process (router, stores, the simulated switch and agents): the least load-dependent figure.
      node_cpu_us_per_decision: kind === 'all' && allDecisions ? round((nodeCpu * 1000) / allDecisions, 0) : undefined,
      rss_mb: round(Math.max(...phases.map((p) => Number(phaseInfo[p]?.rss_mb ?? 0))), 1),
      target_p99_ms: TARGET_P99_MS,
      target_met: ms.length > 0 && percentile(ms, 99) <= TARGET_P99_MS,
    };
  };
  const group = (phases: readonly PhaseName[]): Record<string, unknown> => {
    const seconds = phases.reduce((a, p) => a + Number(phaseInfo[p]?.seconds ?? 0), 0);
    const ss = samples.filter((s) => phases.includes(s.phase));
    return {
      phases,
      caller_queued: summarize(
        ss.filter((s) => s.kind === 'caller_queued'),
        seconds,
        phases,
        'caller_queued',
      ),
      agent_ready: summarize(
        ss.filter((s) => s.kind === 'agent_ready'),
        seconds,
        phases,
        'agent_ready',
      ),
      all: summarize(ss, seconds, phases, 'all'),
    };
  };
  const sortedHit = [...claimUs.hit].sort((a, b) => a - b);
  const sortedMiss = [...claimUs.miss].sort((a, b) => a - b);
  const steady = group(['steady_a', 'steady_b']);
  const burst = group(['burst_a', 'burst_b']);
  const steadyMet = (['caller_queued', 'agent_ready', 'all'] as const).every((k) => (steady[k] as { target_met: boolean }).target_met);
  return {
    bench: 'route',
    target: `p99 <= ${TARGET_P99_MS} ms from event to originate sent, at steady load`,
    target_met: steadyMet,
    steady,
    burst,
    phases: Object.fromEntries(
      (['steady_a', 'burst_a', 'steady_b', 'burst_b'] as const).map((p) => [
        p,
        {
          ...phaseInfo[p],
          caller_queued: summarize(
            samples.filter((s) => s.phase === p && s.kind === 'caller_queued'),
            Number(phaseInfo[p]?.seconds ?? 1),
            [p],
            'caller_queued',
          ),
          agent_ready: summarize(
            samples.filter((s) => s.phase === p && s.kind === 'agent_ready'),
            Number(phaseInfo[p]?.seconds ?? 1),
            [p],
            'agent_ready',
          ),
          decisions_not_attributed: unattributed[p] ?? 0,
        },
      ]),
    ),
    probes,
    claim_round_trip_us: {
      claimed: { n: sortedHit.length, p50: round(percentile(sortedHit, 50), 0), p99: round(percentile(sortedHit, 99), 0) },
      nothing_to_claim: { n: sortedMiss.length, p50: round(percentile(sortedMiss, 50), 0), p99: round(percentile(sortedMiss, 99), 0) },
    },
    router_stats: routerStats,
    errors,
    config: {
      agents: opts.nAgents,
      queues: opts.nQueues,
      rate_per_s: opts.rate,
      steady_s: opts.steadyS,
      burst_events: opts.burstN,
      warmup_s: opts.warmupS,
      seed: opts.seed,
      tick: opts.tick,
      answer_ms: [300, 1200],
      talk_ms: [2000, 5000],
      wrap_up_ms_phase_a: [500, 1500],
    },
    machine: { cpus: os.cpus().length, node: process.version, loadavg_1m_start: round(loadStart[0] ?? 0), loadavg_1m_end: round(loadEnd[0] ?? 0) },
  };
}
