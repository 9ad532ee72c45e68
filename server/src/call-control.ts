// Call control wiring: FreeSWITCH nodes (inbound ESL) feed the call registry; the outbound-socket
// listener takes new calls through intake (IVR, queue); completed calls become CDRs. Live calls
// are snapshotted in Redis and reconciled with each node after every (re)connect.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { buildCdr } from './calls/cdr.ts';
import { bridgeHooks } from './quality/bridge-hooks.ts';
import type { QaService } from './quality/qa-service.ts';
import { startQa } from './qa-control.ts';
import { CallRegistry } from './calls/registry.ts';
import { EVENT_FILTERS, SUBSCRIBED_EVENTS, toSwitchEvent } from './freeswitch/event-map.ts';
import { FreeSwitchDisconnected } from './freeswitch/errors.ts';
import { InboundNode } from './freeswitch/inbound-node.ts';
import { intakeCallOf } from './freeswitch/intake-call.ts';
import { resolveAddresses, startOutboundServer, type OutboundServer } from './freeswitch/outbound-server.ts';
import { switchCommands } from './freeswitch/commands.ts';
import { dialString } from './freeswitch/esl-values.ts';
import { createSwitchMetrics, noSwitchMetrics } from './switch-metrics.ts';
import { parseShowChannels, resync } from './freeswitch/resync.ts';
import { takeCall, type IntakeCall, type IntakeDeps } from './intake/call-intake.ts';
import { flowNeedsSocket, INTAKE_SUBCLASS } from './freeswitch/dialplan-intake.ts';
import { startDialplanIntake, type DialplanIntake } from './dialplan-intake-control.ts';
import { FlowStore } from './ivr/flow-store.ts';
import type { Shutdown } from './shutdown.ts';
import { CallStore } from './store/call-store.ts';
import { CdrSink } from './store/cdr-sink.ts';
import { redisKeys } from './store/keys.ts';
import { PRIORITY, QueueStore } from './store/queue-store.ts';
import { isRedisUnavailable } from './store/redis-client.ts';
import { startAcd, type Acd } from './acd-control.ts';
import type { AgentRecord } from './acd/agent-state.ts';
import { loadQueuesFile } from './acd/queues-file.ts';
import type { Registry } from 'prom-client';
import { createSlaService, type SlaService } from './sla/service.ts';
import { slaSettings } from './sla/settings.ts';
import { SlaRedisStore } from './store/sla-store.ts';
import type { RealtimeHub } from './realtime/hub.ts';
import { startDesk } from './desk-control.ts';
import type { Desk } from './desk/desk.ts';
import { startHandoffs } from './handoff-control.ts';
import type { HandoffService } from './handoff/service.ts';
import { startOps, type OpsControl } from './ops-control.ts';
import { startRevisits } from './revisit-control.ts';
import type { RevisitService } from './revisit/service.ts';
import { partnerDialstring, startThreeWay } from './threeway-control.ts';
import type { ThreeWay } from './handoff/threeway.ts';


/** How long a caller's move to the waiting extension waits for the switch connection to come back. */
const WAIT_FOR_RECONNECT_MS = 30_000;
const WAIT_RETRY_MS = 100;
export interface CallControl {
  readonly registry: CallRegistry;
  readonly queues: QueueStore;
  readonly flows: FlowStore;
  readonly nodes: readonly InboundNode[];
  readonly outboundPort: number;
  /** Outbound-socket connections open now: calls in their welcome (a queued caller's is closed). */
  outboundSockets(): number;
  readonly acd: Acd;
  readonly desk: Desk;
  readonly sla: SlaService;
  readonly handoffs: HandoffService;
  readonly threeWay: ThreeWay;
  readonly ops: OpsControl;
  readonly qa: QaService;
  readonly revisits: RevisitService;
  nodeStatus(): { name: string; connected: boolean }[];
}

export interface CallControlDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly shutdown: Shutdown;
  readonly metrics?: Registry;
  /** Wall clock in ms (calendars, resync stamps). */
  readonly now?: () => number;
  /** Receives call and agent changes for the realtime layer. */
  readonly hub?: RealtimeHub;
  /** False while Redis does not answer: the ACD pauses routing (store/redis-health.ts). */
  readonly storeHealthy?: () => boolean;
  /** Whether a knowledge-base entry exists: a wrap-up marked answered from the KB must name one. */
  readonly kbEntryExists?: (id: string) => boolean;
}

export async function startCallControl(deps: CallControlDeps): Promise<CallControl> {
  const { config, redis, shutdown } = deps;
  const log = deps.logger.child({ component: 'call-control' });
  const now = deps.now ?? Date.now;
  const keys = redisKeys(config.redis.keyPrefix);
  const callStore = new CallStore(redis, keys);
  const queues = new QueueStore(redis, keys);
  const cdrs = new CdrSink({ redis, keys, streamMaxLen: config.cdr.streamMaxLen, ...(config.cdr.jsonlPath ? { jsonlPath: config.cdr.jsonlPath } : {}) });
  const flows = new FlowStore(config.ivr.flowsPath);
  const loaded = await flows.reload();
  if (!loaded.ok) throw new Error(`IVR flows: ${loaded.error}`);
  const needsSocket = config.freeswitch.intake === 'dialplan' ? flowNeedsSocket(flows.flows) : undefined;
  if (needsSocket) throw new Error(`IVR flows: ${needsSocket}, which the dialplan's intake cannot do: set freeswitch.intake to "socket"`);

  // Store writes run in the background; a failure is logged, never thrown into an event handler.
  // While Redis is away every call event fails one: one line per 10 s with the count, not one each.
  const background = new Set<Promise<unknown>>();
  const unavailable = { count: 0, loggedAt: 0 };
  const failed = (what: string, callId: string, err: unknown): void => {
    if (!isRedisUnavailable(err)) return void log.error({ err, callId }, `${what} failed`);
    unavailable.count++;
    if (now() - unavailable.loggedAt < 10_000) return;
    log.error({ err, failures: unavailable.count }, 'store writes failing: Redis unavailable');
    unavailable.loggedAt = now();
    unavailable.count = 0;
  };
  const track = (what: string, callId: string, p: Promise<unknown>): void => {
    const q = p.catch((err: unknown) => failed(what, callId, err)).finally(() => background.delete(q));
    background.add(q);
  };

  const qa = startQa({ config, redis, keys, logger: deps.logger, now, shutdown });
  const sla = createSlaService({
    store: new SlaRedisStore(redis, keys),
    settings: slaSettings(config.sla),
    logger: deps.logger,
    now,
    ...(deps.metrics ? { registry: deps.metrics } : {}),
  });
  sla.start();
  shutdown.add('inflight', 'sla', () => sla.stop());
  // The registry's hooks follow partner calls; the handoff service needs the nodes to take one back.
  const late: { dialplanIntake?: DialplanIntake; acd?: Acd; desk?: Desk; handoffs?: HandoffService; ops?: OpsControl; revisits?: RevisitService; threeWay?: ReturnType<typeof startThreeWay> } = {};
  const registry = new CallRegistry({
    onChanged: (call) => {
      track('call snapshot', call.id, callStore.save(call));
      // Answers count when they happen, not when the call ends (the live interval stays current).
      track('SLA', call.id, Promise.resolve(sla.observeCall(call)));
      deps.hub?.publish('call', call);
      late.handoffs?.onCall(call);
    },
    onCompleted: (call) => {
      deps.hub?.publish('callRemoved', call);
      late.handoffs?.onCall(call);
      track('SLA', call.id, Promise.resolve(sla.observeCall(call)));
      // The instance whose CDR write wins also records the call's report facts: once per call.
      // ... and its transfers to partner hotlines (the `out` side of the diversion figures).
      const cdr = buildCdr(call, config.survey.keys);
      track('CDR', call.id, cdrs.write(cdr).then(async (fresh) => {
        if (!fresh) return;
        await Promise.all([late.ops?.recordCall(call), late.handoffs?.recordCallOut(call), qa.recordCdr(cdr)]);
        // Rule: every unsatisfied rating gets a revisit (revisit/rules.ts reads the rating field).
        await late.revisits?.fromCdr(cdr as unknown as Record<string, unknown>);
      }));
      track('call cleanup', call.id, Promise.all([callStore.remove(call.id), queues.removeUnlessCallback(call.id)]));
    },
  });
  for (const call of await callStore.loadLive()) registry.restore(call);

  // The ACD needs the nodes and the nodes' handlers need the ACD: bound once both exist.
  const switchMetrics = deps.metrics ? createSwitchMetrics(deps.metrics) : noSwitchMetrics;
  // Nodes connected and resynced: the router offers calls only while there is one.
  const synced = new Set<string>();
  const nodes = config.freeswitch.nodes.map((n) => {
    const node: InboundNode = new InboundNode(
      {
        ...n,
        events: SUBSCRIBED_EVENTS,
        filters: EVENT_FILTERS,
        commandConnection: true,
        logger: deps.logger,
        onProtocolError: () => switchMetrics.inboundProtocolError(),
        onCommand: (verb, seconds, ok) => switchMetrics.eslCommand(n.name, verb, seconds, ok),
      },
      {
        onEvent: (raw) => {
          switchMetrics.eslEvent(n.name, raw.get('Event-Name'));
          if (raw.get('Event-Subclass') === INTAKE_SUBCLASS) return void late.dialplanIntake?.onEvent(node, raw);
          const ev = toSwitchEvent(n.name, raw);
          if (!ev) return;
          // The ACD looks first: it needs the call as it was before this event (e.g. not yet answered).
          late.acd?.onSwitchEvent(ev);
          late.revisits?.onSwitchEvent(ev);
          registry.apply(ev);
          // The three-way looks after: it counts the room's members with this event applied.
          late.threeWay?.onSwitchEvent(ev);
        },
        // Every connect, the first included (calls may have been restored from Redis), reconciles.
        onConnected: async () => {
          // Only legs known before asking can have ended in the gap: events keep flowing while the
          // answer is on its way, and a call that starts meanwhile is not in it.
          const known = registry.live().filter((c) => c.node === n.name).flatMap((c) => c.legs.filter((l) => l.endedUs === undefined || registry.awaitingEnd(l.uuid)).map((l) => l.uuid));
          try {
            const rows = parseShowChannels(await node.api('show channels as json'));
            const res = resync(n.name, rows, {
              knownLegs: () => known.filter((uuid) => registry.byLeg(uuid) !== undefined),
              closeLeg: (uuid, ts, cause) => {
                // The ACD hears of it as of a hang-up the switch reported (it reads the leg before
                // the registry closes it): an agent talking on that leg goes to wrap-up, a ringing
                // offer is stopped. Without this the agent stayed on-call for good (bench faults).
                late.acd?.onSwitchEvent({ type: 'channel-hangup', node: n.name, uuid, seq: 0, tsUs: ts, cause });
                registry.closeLeg(uuid, ts, cause);
              },
              apply: (ev) => void registry.apply(ev),
            }, now() * 1000);
            log.info({ node: n.name, closed: res.closed.length, kept: res.kept.length, discovered: res.discovered.length }, 'resynced with FreeSWITCH');
            // Who plays the welcome (a switch restarted from its vars.xml has "socket" until this
            // runs), and callers left waiting unqueued while we were away.
            await late.dialplanIntake?.onConnected(node, rows);
          } finally {
            // Routing resumes even if the resync failed: callers waiting would gain nothing from a pause.
            if (node.connected) synced.add(n.name);
            late.acd?.router.routeAll();
          }
        },
        onDisconnected: () => {
          synced.delete(n.name);
          log.warn({ node: n.name }, 'FreeSWITCH node disconnected');
        },
      },
    );
    return node;
  });
  const acd = startAcd({
    settings: {
      ringNoAnswerSec: config.acd.ringNoAnswerSec,
      citizenDialTemplate: config.dial.external,
      callbackCallerId: config.dial.callbackCallerId,
      wrapUpSec: config.acd.wrapUpSec,
      wrapUpExtendSec: config.acd.wrapUpExtendSec,
      promptsBase: config.ivr.promptsBase,
      departmentDialTemplate: config.dial.department,
      partnerDialstring: partnerDialstring(config.handoff.partners),
      agentPhonePrefixes: config.dial.agentPhonePrefixes,
      phoneFailureLimit: config.acd.phoneFailureLimit,
      peerGateways: Object.fromEntries(config.freeswitch.nodes.flatMap((n) => (n.peerGateway ? [[n.name, n.peerGateway]] : []))),
      ...(config.acd.queuesPath ? { queues: await loadQueuesFile(config.acd.queuesPath) } : {}),
    },
    logger: deps.logger,
    redis,
    keys,
    keyPrefix: config.redis.keyPrefix,
    registry,
    queueStore: queues,
    nodes,
    now,
    onAgentChanged: (a: AgentRecord) => {
      deps.hub?.publish('agent', a);
      late.ops?.agentChanged(a);
    },
    ...(deps.storeHealthy ? { storeHealthy: deps.storeHealthy } : {}),
    onAgentLeg: (call, leg, ev) => {
      if (ev.type === 'channel-answer') late.desk?.agentAnswered(call, leg, ev.tsUs);
      else late.desk?.agentLegEnded(call, leg, ev.tsUs);
    },
    onTransferred: (agentId, callId) => late.desk?.transferred(agentId, callId),
    bridgeHooks: (sw) => bridgeHooks({ survey: config.survey, recording: config.recording, promptsBase: config.ivr.promptsBase }, { sw, call: (id) => registry.get(id), now }),
    onCallbackRequested: (call, atUs) => track('SLA', call.id, Promise.resolve(sla.recordDecision(call, 'callback', atUs))),
    switchUp: () => synced.size > 0,
    metrics: switchMetrics,
  });
  late.acd = acd;
  shutdown.add('inflight', 'acd', () => acd.stop());
  late.threeWay = startThreeWay({
    acd, registry, partners: config.handoff.partners, departmentDialTemplate: config.dial.department, ringSec: config.acd.ringNoAnswerSec, now, logger: deps.logger,
    handoffs: () => late.handoffs,
  });
  const desk = startDesk({
    config, logger: deps.logger, redis, keys, registry, acd, shutdown, now,
    ...(deps.kbEntryExists ? { kbEntryExists: deps.kbEntryExists } : {}),
    onWrapUp: (w, facts) => {
      void late.ops?.recordKbAnswer(w, facts).catch((err: unknown) => log.warn({ err, callId: w.callId }, 'knowledge-base answer not counted'));
      // A complaint (投诉) is always in the agent's QA sample.
      if (w.category === 'complaint') track('QA', w.callId, qa.markComplaint(w.callId));
      void late.handoffs?.wrapUp(w.callId, { agentId: w.agentId, category: w.category, summary: w.summary, ...(w.ticketRef ? { ticketRef: w.ticketRef } : {}), atMs: w.atMs }).catch((err: unknown) => log.warn({ err, callId: w.callId }, 'handoff outcome not recorded'));
      // Rule: every complaint gets a revisit.
      void late.revisits?.fromWrapUp({ ...w, ...(facts ? { callerNumber: facts.callerNumber } : {}) }).catch((err: unknown) => log.warn({ err, callId: w.callId }, 'revisit for the complaint not created'));
    },
  });
  late.desk = desk;
  const ops = startOps({
    config, logger: deps.logger, redis, keys, sla, agents: acd.agents, queues: acd.queues.map((q) => ({ name: q.name, skill: q.skill ?? q.name })), shutdown, now, ...(deps.metrics ? { metrics: deps.metrics } : {}),
    live: {
      calls: registry,
      agentById: acd.agents,
      waiting: queues,
      nodes,
      agentPhonePrefixes: config.dial.agentPhonePrefixes,
      moved: (callId, t, q) => {
        registry.recordTransfer(callId, t);
        registry.recordQueued(callId, q);
      },
      requeued: (queue) => acd.router.onQueued(queue),
      notify: (n) => deps.hub?.publish('notice', n),
    },
  });
  late.ops = ops;
  const revisits = startRevisits({ config, logger: deps.logger, redis, keys, acd, nodes, shutdown, now, ...(deps.hub ? { hub: deps.hub } : {}), ...(deps.storeHealthy ? { storeHealthy: deps.storeHealthy } : {}) });
  late.revisits = revisits;
  for (const node of nodes) node.start();
  // Closers are registered as soon as their part runs: a start that fails later (the outbound port
  // taken) closes them too, or their timers and ESL reconnects would keep the process up.
  shutdown.add('inflight', 'store-writes', () => Promise.all([...background]).then(() => cdrs.flush()));
  shutdown.add('switch', 'esl', () => nodes.forEach((n) => n.stop()));

  const nodeByName = new Map(nodes.map((n) => [n.name, n]));
  const handoffs = startHandoffs({
    config, logger: deps.logger, redis, keys, queues, shutdown, now,
    ...(deps.hub ? { onChange: (h) => deps.hub!.publish('handoff', h) } : {}),
    sendOut: async (callId, gateway, number) => {
      const node = nodeByName.get(registry.get(callId)?.node ?? '') ?? nodes[0];
      if (!node) throw new Error('no FreeSWITCH node configured');
      const cmds = switchCommands((c) => node.api(c));
      await cmds.setVar(callId, 'hotline_partner_gateway', gateway);
      await cmds.setVar(callId, 'hotline_partner_number', number);
      await cmds.transfer(callId, 'hotline_partner', 'hotline_queue');
    },
  });
  late.handoffs = handoffs;
  const partnerCall = async (c: IntakeCall, queue: string): Promise<number | undefined> => {
    const partner = handoffs.partnerOfLine(c.line);
    if (!partner) return undefined;
    const caseId = partner.caseIdVariable ? c.variable?.(partner.caseIdVariable) : undefined;
    const m = await handoffs.match({ callId: c.callId, line: c.line, callerNumber: c.callerNumber, caseId: caseId || undefined, queue });
    return m ? PRIORITY[m.priority] : undefined;
  };
  let accepting = true;
  const intakeDeps: IntakeDeps = { flows: () => flows.flows, registry, queues, now, logger: deps.logger, seenBefore: (n) => queues.seenBefore(n), partnerCall, onQueued: (q) => acd.router.onQueued(q), active: () => accepting };
  const dial = (target: string, reason: string): string => dialString(reason === 'to110' ? config.dial.to110 : config.dial.external, target, 'transfer target');
  // Only the switch may connect to the outbound-socket listener (default: the nodes' own hosts).
  const allowFrom = await resolveAddresses(config.freeswitch.outbound.allowFrom ?? config.freeswitch.nodes.map((n) => n.host), (host, err) =>
    log.warn({ host, err }, 'outbound socket: a switch address does not resolve; connections from it will be refused'),
  );
  // Calls come to one listener; the node is named from the channel's hotline_node variable.
  const outbound: OutboundServer = await startOutboundServer(
    {
      host: config.freeswitch.outbound.host,
      port: config.freeswitch.outbound.port,
      node: config.freeswitch.nodes[0]?.name ?? 'fs1',
      logger: deps.logger,
      accepting: () => accepting,
      allowFrom,
      connectTimeoutMs: config.freeswitch.outbound.connectTimeoutMs,
      onRefused: (why) => switchMetrics.outboundRefused(why),
      // partnerCall reads these from the channel data (c.variable); hotline_* are always kept.
      keepVariables: config.handoff.partners.flatMap((p) => (p.caseIdVariable ? [p.caseIdVariable] : [])),
    },
    (call) => {
      const node = call.channel.get('variable_hotline_node') ?? config.freeswitch.nodes[0]?.name ?? 'fs1';
      const commands = nodeByName.get(node) ?? nodes[0];
      const intake = intakeCallOf(call, node, {
        promptsBase: config.ivr.promptsBase,
        dialstring: dial,
        // uuid_transfer from the inbound side ends the socket session (capture 23): the caller now
        // waits in the dialplan's hotline_queue context, independent of this process.
        // While the inbound connection is being re-established the transfer is retried (bounded)
        // rather than failed: a caller whose welcome ended in that gap was otherwise never queued
        // and waited in silence for good (bench faults, esl-drop).
        wait: async (uuid) => {
          if (!commands) throw new Error('no FreeSWITCH node configured');
          for (let attempt = 1; ; attempt++) {
            try {
              return await switchCommands((c) => commands.api(c)).transfer(uuid, 'hotline_wait', 'hotline_queue');
            } catch (err) {
              if (!(err instanceof FreeSwitchDisconnected) || call.hungUp || attempt * WAIT_RETRY_MS > WAIT_FOR_RECONNECT_MS) throw err;
              await new Promise((r) => setTimeout(r, WAIT_RETRY_MS));
            }
          }
        },
      });
      track('intake', call.uuid, takeCall(intake, intakeDeps));
    },
  );
  late.dialplanIntake = startDialplanIntake({ config, logger: deps.logger, registry, queues, intake: intakeDeps, track });
  shutdown.add('switch', 'intake-lease', () => late.dialplanIntake?.stop());

  shutdown.add('intake', 'outbound-socket', () => {
    accepting = false;
    // Stop listening without waiting for calls already connected: they end with the ESL phase.
    void outbound.close();
  });

  return {
    registry,
    queues,
    flows,
    nodes,
    outboundPort: outbound.port,
    outboundSockets: () => outbound.openSockets,
    acd,
    desk,
    sla,
    handoffs,
    threeWay: late.threeWay.threeWay,
    ops,
    qa,
    revisits,
    nodeStatus: () => nodes.map((n) => ({ name: n.name, connected: n.connected })),
  };
}
