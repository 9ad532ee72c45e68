// Ops wiring: the report store beside the SLA counters, the ops service (wallboard board, reports,
// staffing forecast) and the metrics only this layer sees (talk and handle time). Fed by call
// control: each call's facts once its CDR is written (once across instances), each agent record
// this instance writes.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Histogram, type Registry } from 'prom-client';
import type { AgentRecord } from './acd/agent-state.ts';
import type { CallRecord } from './calls/call-record.ts';
import type { Config } from './config.ts';
import { callFacts } from './ops/call-facts.ts';
import { createOpsService, type OpsService } from './ops/ops-service.ts';
import type { SlaService } from './sla/service.ts';
import { CENTER, queueScope } from './sla/store.ts';
import { agentFactsScope } from './ops/reports.ts';
import { intervalStart } from './sla/windows.ts';
import type { Shutdown } from './shutdown.ts';
import type { RedisKeys } from './store/keys.ts';
import { OpsStore } from './store/ops-store.ts';
import { SlaRedisStore } from './store/sla-store.ts';

export interface OpsControl {
  readonly service: OpsService;
  readonly store: OpsStore;
  /** A completed call whose CDR this instance wrote: its report facts. */
  recordCall(call: Readonly<CallRecord>): Promise<void>;
  /**
   * A filed wrap-up: if the agent marked it answered from the knowledge base, count the call in the
   * interval (and queue) of its t0, like its SLA outcome, so the rate's two figures match.
   */
  recordKbAnswer(wrapUp: { callId: string; kbEntryId?: string | undefined }, call: { queue?: string; queuedMs?: number; createdMs: number } | undefined): Promise<void>;
  /** Every agent record this instance wrote (handle-time metric). */
  agentChanged(agent: Readonly<AgentRecord>): void;
}

export interface OpsControlDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly sla: SlaService;
  readonly agents: { list(): Promise<readonly { id: string; name: string }[]> };
  readonly queues: readonly { readonly name: string; readonly skill: string }[];
  readonly shutdown: Shutdown;
  readonly metrics?: Registry;
  readonly now: () => number;
}

const HANDLE_BUCKETS = [10, 30, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200, 1800, 3600];

function histogram(registry: Registry, name: string, help: string, labelNames: string[]): Histogram {
  return (registry.getSingleMetric(name) as Histogram | undefined) ?? new Histogram({ name, help, labelNames, buckets: HANDLE_BUCKETS, registers: [registry] });
}

export function startOps(deps: OpsControlDeps): OpsControl {
  const { config } = deps;
  const store = new OpsStore(deps.redis, deps.keys);
  const service = createOpsService({
    counters: new SlaRedisStore(deps.redis, deps.keys),
    facts: store,
    sla: deps.sla,
    agents: deps.agents,
    queues: deps.queues,
    settings: {
      weeks: config.ops.forecastWeeks,
      defaultAhtSec: config.ops.forecastDefaultAhtSec,
      shrinkage: config.ops.forecastShrinkage,
      model: config.ops.forecastModel,
      target: config.sla.target,
      thresholdSec: config.sla.thresholdSec,
      shortAbandonSec: config.sla.shortAbandonSec,
      boardThrottleMs: config.ops.boardThrottleMs,
    },
    logger: deps.logger,
    now: deps.now,
  });
  service.start();
  deps.shutdown.add('inflight', 'ops', () => service.stop());

  const talk = deps.metrics && histogram(deps.metrics, 'hotline_call_talk_seconds', 'Seconds from connection to hang-up of answered calls, by the queue they count in', ['queue']);
  const handle =
    deps.metrics && histogram(deps.metrics, 'hotline_agent_handle_seconds', "Agents' handle time per call: on the call (hold included) plus wrap-up, seen by the instance that ended the wrap-up", []);
  // Agents' on-call start by id, to pair with the end of the wrap-up that follows it.
  const onCallSince = new Map<string, number>();

  return {
    service,
    store,
    async recordCall(call) {
      const { atUs, queue, agentId, facts } = callFacts(call, deps.config.survey.keys);
      const scopes = queue === undefined ? [CENTER] : [CENTER, queueScope(queue)];
      // Per agent too, for the survey's rates per agent (reports' agent rows).
      if (agentId) scopes.push(agentFactsScope(agentId));
      await store.recordCall(scopes, intervalStart(Math.floor(atUs / 1000)), facts);
      if (facts.handled) talk?.observe({ queue: queue ?? 'none' }, facts.talkUs / 1e6);
    },
    async recordKbAnswer(w, call) {
      if (!w.kbEntryId || !call) return;
      const scopes = call.queue === undefined ? [CENTER] : [CENTER, queueScope(call.queue)];
      if (await store.recordKbAnswered(w.callId, w.kbEntryId, scopes, intervalStart(call.queuedMs ?? call.createdMs))) service.poke();
    },
    agentChanged(a) {
      if (a.state === 'on-call') return void onCallSince.set(a.id, a.since);
      if (a.state === 'wrap-up' || a.state === 'reserved') return;
      const since = onCallSince.get(a.id);
      if (since === undefined) return;
      onCallSince.delete(a.id);
      if (a.since >= since) handle?.observe((a.since - since) / 1000);
    },
  };
}
