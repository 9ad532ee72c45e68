// ACD wiring: the agent store and state machine, the router with its ports onto Redis and the
// switch, the once-a-second review of waiting callers and wrap-ups, and the switch events the ACD
// reacts to (agent legs answered and ended, callers leaving while an agent rings).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createAgentMachine, type AgentCommand, type AgentRecord } from './acd/agent-state.ts';
import type { AgentPort, SwitchPort } from './acd/ports.ts';
import { DEFAULT_QUEUES, queuesFileSchema, type QueueConfig } from './acd/queue-config.ts';
import { Router } from './acd/router.ts';
import { reviewWaiting } from './acd/waiting.ts';
import { OverflowOut } from './acd/overflow.ts';
import { recoverStaleOffers } from './acd/recovery.ts';
import { CallTransfers, type TransferSwitch } from './acd/transfer.ts';
import type { CallRecord, LegRecord } from './calls/call-record.ts';
import type { CallRegistry } from './calls/registry.ts';
import type { SwitchEvent } from './calls/switch-events.ts';
import { backoffDelay } from './freeswitch/backoff.ts';
import { switchCommands, type SwitchCommands } from './freeswitch/commands.ts';
import { agentPhone, dialString, isPhoneNumber, phoneNumber } from './freeswitch/esl-values.ts';
import type { InboundNode } from './freeswitch/inbound-node.ts';
import type { SwitchMetrics } from './switch-metrics.ts';
import { AgentStore } from './store/agent-store.ts';
import { ClaimStore } from './store/claim-store.ts';
import type { RedisKeys } from './store/keys.ts';
import { PRIORITY, type QueueStore } from './store/queue-store.ts';

export interface AcdSettings {
  readonly ringNoAnswerSec: number;
  /** Dial string template for citizens' numbers ({target}), and the caller id they see. */
  readonly citizenDialTemplate: string;
  readonly callbackCallerId: string;
  readonly wrapUpSec: number;
  readonly wrapUpExtendSec: number;
  readonly promptsBase: string;
  readonly queues?: unknown;
  /** Dial string template for outside numbers an agent transfers to ({target}). */
  readonly departmentDialTemplate: string;
  /** Dial string prefixes agent phones may use besides user/<extension>. */
  readonly agentPhonePrefixes?: readonly string[];
  /** Failed offers in a row before an agent is set not-ready (phone-failure). */
  readonly phoneFailureLimit?: number;
}

export interface AcdDeps {
  readonly settings: AcdSettings;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly keyPrefix: string;
  readonly registry: CallRegistry;
  readonly queueStore: QueueStore;
  readonly nodes: readonly InboundNode[];
  readonly now?: () => number;
  /** An agent leg answered a queued call (switch timestamp). */
  readonly onAgentAnswered?: (call: Readonly<CallRecord>, atUs: number) => void;
  /** A waiting caller chose a callback (SLA: offered, not answered in time, reported apart). */
  readonly onCallbackRequested?: (call: Readonly<CallRecord>, atUs: number) => void;
  /** Every agent record this instance writes (realtime deltas). */
  readonly onAgentChanged?: (agent: AgentRecord) => void;
  /** An agent leg answered or ended (before the registry applies the event): the desk's figures. */
  readonly onAgentLeg?: (call: Readonly<CallRecord>, leg: Readonly<LegRecord>, ev: SwitchEvent) => void;
  /** An agent transferred a call away. */
  readonly onTransferred?: (agentId: string, callId: string) => void;
  /** False while no switch connection is up and resynced: the router offers nothing. */
  readonly switchUp?: () => boolean;
  readonly metrics?: SwitchMetrics;
  /** False while Redis does not answer: the review (and with it every routing pass) waits for it. */
  readonly storeHealthy?: () => boolean;
}

export interface Acd {
  readonly router: Router;
  readonly agents: AgentStore;
  readonly transfers: CallTransfers;
  readonly queues: readonly QueueConfig[];
  /** Called with every switch event, before the registry applies it. */
  onSwitchEvent(ev: SwitchEvent): void;
  /** An agent may now take calls (REST state change, wrap-up over). */
  agentBecameReady(agentId: string): void;
  /** Hang up one leg on the node it lives on (an agent ending its call from the softphone). */
  killLeg(uuid: string, cause?: string): Promise<void>;
  /** One review of waiting callers and wrap-ups (the timer calls it every second). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/** Commands go to the node the call lives on (a call's legs all live on one node). */
function dispatchingCommands(nodes: readonly InboundNode[], registry: CallRegistry): SwitchPort & TransferSwitch {
  const byName = new Map(nodes.map((n) => [n.name, switchCommands((c) => n.api(c), (c, ms) => n.bgapi(c, ms))]));
  const first = nodes[0];
  const fallback = first ? byName.get(first.name) : undefined;
  const forUuid = (uuid: string): SwitchCommands => {
    const node = (registry.get(uuid) ?? registry.byLeg(uuid))?.node;
    const cmds = (node && byName.get(node)) ?? fallback;
    if (!cmds) throw new Error('no FreeSWITCH node configured');
    return cmds;
  };
  return {
    originateInBackground: (o, ms) => forUuid(o.vars?.hotline_call_id ?? '').originateInBackground(o, ms),
    bridge: (a, b) => forUuid(a).bridge(a, b),
    kill: (uuid, cause) => forUuid(uuid).kill(uuid, cause),
    transfer: (uuid, ext, ctx, leg) => forUuid(uuid).transfer(uuid, ext, ctx, leg),
    broadcast: (uuid, path, leg) => forUuid(uuid).broadcast(uuid, path, leg),
    setVar: (uuid, name, value) => forUuid(uuid).setVar(uuid, name, value),
    hold: (uuid, on) => forUuid(uuid).hold(uuid, on),
  };
}

export function startAcd(deps: AcdDeps): Acd {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'acd' });
  const queues = queuesFileSchema.parse(deps.settings.queues ?? DEFAULT_QUEUES);
  const machine = createAgentMachine({ clock: now, wrapUpSec: deps.settings.wrapUpSec, wrapUpExtendSec: deps.settings.wrapUpExtendSec });
  const checkPhone = (phone: string): void => void agentPhone(phone, deps.settings.agentPhonePrefixes ?? []);
  const agents = new AgentStore({ redis: deps.redis, keys: deps.keys, machine, checkPhone, ...(deps.onAgentChanged ? { onChange: deps.onAgentChanged } : {}) });
  const claims = new ClaimStore(deps.redis, deps.keys, deps.keyPrefix);
  const sw = dispatchingCommands(deps.nodes, deps.registry);

  // A refused transition means another instance (or the agent) got there first: not an error.
  const transition = async (agentId: string, command: AgentCommand): Promise<boolean> => {
    try {
      await agents.apply(agentId, command, 'acd');
      return true;
    } catch (err) {
      log.debug({ err, agentId, command: command.type }, 'agent transition not applied');
      return false;
    }
  };
  const agentPort: AgentPort = {
    connect: (id, callId) => transition(id, { type: 'connect', callId }),
    ringNoAnswer: (id, callId) => transition(id, { type: 'ringNoAnswer', callId }),
    phoneFailure: (id, callId) => transition(id, { type: 'phoneFailure', callId }),
    cancelReservation: async (id, callId) => {
      const ok = await transition(id, { type: 'cancelReservation', callId });
      if (ok) acd.agentBecameReady(id);
      return ok;
    },
    endCall: (id, callId) => transition(id, { type: 'endCall', callId }),
  };

  // Pace of answers per queue (last 20), for the estimated-wait announcement.
  const answers = new Map<string, number[]>();
  const router = new Router({
    queues,
    claims,
    waiting: deps.queueStore,
    agents: agentPort,
    sw,
    callFacts: (callId) => {
      const c = deps.registry.get(callId);
      return c && { callerNumber: c.callerNumber, line: c.line };
    },
    onReserved: (agentId) => {
      if (!deps.onAgentChanged) return;
      void agents.get(agentId).then((a) => a && deps.onAgentChanged!(a), (err: unknown) => log.warn({ err, agentId }, 'reserved agent not published'));
    },
    isBridged: (callId, agentLeg) => deps.registry.get(callId)?.legs.some((l) => l.uuid === agentLeg && l.bridgedUs !== undefined) ?? false,
    now,
    logger: deps.logger,
    ringNoAnswerSec: deps.settings.ringNoAnswerSec,
    checkPhone,
    ...(deps.switchUp ? { switchUp: deps.switchUp } : {}),
    ...(deps.settings.phoneFailureLimit ? { phoneFailureLimit: deps.settings.phoneFailureLimit } : {}),
    retryDelayMs: (n) => backoffDelay(n - 1, { initialMs: 500, maxMs: 30_000, jitter: 0.2 }),
    ...(deps.metrics ? { observer: deps.metrics } : {}),
    callback: {
      citizenDialstring: (number) => dialString(deps.settings.citizenDialTemplate, phoneNumber(number, 'callback number')),
      callerIdNumber: deps.settings.callbackCallerId,
      attemptFailed: (callId, requeue) => deps.queueStore.callbackAttemptFailed(callId, requeue),
      enqueueAnswered: async (citizenLeg, entry) => {
        // First in line: the original t0. The SLA already counted the original call as a callback.
        await deps.queueStore.enqueue({ callId: citizenLeg, queue: entry.queue, priority: entry.priority, t0Us: entry.t0Us, node: entry.node, line: entry.line });
        await sw.transfer(citizenLeg, 'hotline_wait', 'hotline_queue');
        router.onQueued(entry.queue);
      },
      done: (callId) => deps.queueStore.remove(callId),
    },
  });

  /** The caller pressed a key while waiting: the queue's callback key asks to be called back. */
  const onDigit = async (callId: string, digit: string, atUs: number): Promise<void> => {
    const entry = await deps.queueStore.get(callId);
    const q = entry && queues.find((x) => x.name === entry.queue);
    const call = deps.registry.get(callId);
    if (!entry || !q || !q.callbackKey || digit !== q.callbackKey || !call) return;
    // The number is what the caller's phone sent: only a phone number can be dialled back.
    if (!isPhoneNumber(call.callerNumber)) {
      log.info({ callId, queue: q.name, callerNumber: call.callerNumber }, 'callback not offered: the caller id is not a phone number; the caller keeps waiting');
      return;
    }
    if (!(await deps.queueStore.markCallback(callId, call.callerNumber))) return;
    log.info({ callId, queue: q.name }, 'caller chose a callback instead of waiting');
    deps.onCallbackRequested?.(call, atUs);
    await sw.transfer(callId, 'hotline_callback_ok', 'hotline_queue');
  };

  const overflowOut = new OverflowOut({
    sw,
    registry: deps.registry,
    requeue: async (entry) => {
      await deps.queueStore.enqueue(entry);
      router.onQueued(entry.queue);
    },
    // The overflow goes out through the carrier, like a callback to a citizen.
    dialstring: (number) => dialString(deps.settings.citizenDialTemplate, number, 'overflow number'),
    ringSec: deps.settings.ringNoAnswerSec,
    retryAfterSec: 60,
    nowMs: now,
    logger: deps.logger,
  });

  const transfers = new CallTransfers({
    sw,
    calls: deps.registry,
    agents: {
      phoneOf: async (id) => (await agents.get(id))?.phone,
      reserve: (id, callId) => transition(id, { type: 'reserve', callId }),
      connect: agentPort.connect,
      ringNoAnswer: agentPort.ringNoAnswer,
      cancelReservation: agentPort.cancelReservation,
    },
    requeue: async (callId, queue) => {
      const call = deps.registry.get(callId);
      if (!call) return;
      const t0Us = call.queuedUs ?? now() * 1000;
      const priority = call.priority ?? PRIORITY.normal;
      // As at intake: into the waiting extension first, then into the queue.
      await sw.transfer(callId, 'hotline_wait', 'hotline_queue');
      deps.registry.recordQueued(callId, { queue, priority, atUs: t0Us });
      await deps.queueStore.enqueue({ callId, queue, priority, t0Us, node: call.node, line: call.line });
      router.onQueued(queue);
    },
    queueExists: (q) => queues.some((x) => x.name === q),
    externalDialstring: (number) => dialString(deps.settings.departmentDialTemplate, phoneNumber(number, 'transfer number')),
    ringSec: deps.settings.ringNoAnswerSec,
    nowUs: () => now() * 1000,
    logger: log,
    ...(deps.onTransferred ? { onTransferred: deps.onTransferred } : {}),
  });

  let reviewing = false;
  let ticks = 0;
  const acd: Acd = {
    router,
    agents,
    transfers,
    queues,
    onSwitchEvent(ev) {
      router.onSwitchEvent(ev);
      transfers.onSwitchEvent(ev);
      if (ev.type === 'dtmf') void onDigit(ev.uuid, ev.digit, ev.tsUs).catch((err: unknown) => log.error({ err, callId: ev.uuid }, 'callback request failed'));
      const call = deps.registry.byLeg(ev.uuid);
      const leg = call?.legs.find((l) => l.uuid === ev.uuid);
      if (!call || leg?.role !== 'agent' || !leg.agentId) return;
      const ended = (ev.type === 'channel-hangup' || ev.type === 'channel-hangup-complete') && leg.endedUs === undefined;
      if ((ev.type === 'channel-answer' && leg.answeredUs === undefined) || ended) deps.onAgentLeg?.(call, leg, ev);
      if (ev.type === 'channel-answer' && leg.answeredUs === undefined) {
        const times = answers.get(call.queue ?? '') ?? [];
        times.push(ev.tsUs / 1000);
        answers.set(call.queue ?? '', times.slice(-20));
        deps.onAgentAnswered?.(call, ev.tsUs);
      }
      // The first of CHANNEL_HANGUP / _COMPLETE ends the agent's call: once every leg has hung up the
      // registry completes the call and a later event no longer finds it.
      if ((ev.type === 'channel-hangup' || ev.type === 'channel-hangup-complete') && leg.answeredUs !== undefined && leg.endedUs === undefined) {
        // A callback's agent was reserved for the queued call it calls back.
        void agentPort.endCall(leg.agentId, call.callbackOf ?? call.id).then((ok) => {
          // Wrap-up of 0 s sends the agent straight back to ready.
          if (ok && deps.settings.wrapUpSec === 0) acd.agentBecameReady(leg.agentId!);
        });
      }
    },
    agentBecameReady(agentId) {
      void agents
        .get(agentId)
        .then((a) => a && a.state === 'ready' && router.onAgentReady(Object.keys(a.skills)))
        .catch((err: unknown) => log.error({ err, agentId }, 'agent lookup failed'));
    },
    killLeg: (uuid, cause) => sw.kill(uuid, cause),
    async tick() {
      // Redis away: every claim would time out. Callers wait in the dialplan; routing resumes on the
      // first tick after Redis answers again.
      if (reviewing || deps.storeHealthy?.() === false) return;
      reviewing = true;
      try {
        for (const id of await agents.expireWrapUps(now())) acd.agentBecameReady(id);
        // Every 10 s: repair offers a crashed instance left behind.
        if (ticks++ % 10 === 0)
          await recoverStaleOffers({
            staleOffers: (before) => deps.queueStore.staleOffers(before),
            remove: (id) => deps.queueStore.remove(id),
            claims,
            agents: agentPort,
            registry: deps.registry,
            logger: deps.logger,
            now,
            maxOfferMs: (deps.settings.ringNoAnswerSec + 30 + 15) * 1000,
          });
        router.routeAll();
        await transfers.sweep(30);
        await reviewWaiting({
          queues,
          waiting: deps.queueStore,
          sw,
          registry: deps.registry,
          now,
          logger: deps.logger,
          promptsBase: deps.settings.promptsBase,
          announceSlot: (callId, every) => deps.queueStore.announceSlot(callId, every),
          onMoved: (q) => router.onQueued(q),
          overflowOut,
          secondsPerAnswer: (q) => {
            const t = answers.get(q) ?? [];
            return t.length >= 2 ? (t[t.length - 1]! - t[0]!) / 1000 / (t.length - 1) : undefined;
          },
        });
      } catch (err) {
        log.error({ err }, 'ACD review failed');
      } finally {
        reviewing = false;
      }
    },
    async stop() {
      clearInterval(timer);
      router.stop();
      await router.idle();
    },
  };
  const timer = setInterval(() => void acd.tick(), 1000);
  timer.unref();
  return acd;
}
