// ACD wiring: the agent store and state machine, the router with its ports onto Redis and the
// switch, transfers, the once-a-second review, and the switch events the ACD reacts to. Each part
// is built in acd-wiring/; this file puts them together in the order they depend on each other.
import { createAgentMachine, type AgentRecord } from './acd/agent-state.ts';
import { DEFAULT_QUEUES, queuesFileSchema } from './acd/queue-config.ts';
import { agentPhone } from './freeswitch/esl-values.ts';
import { AgentStore } from './store/agent-store.ts';
import { ClaimStore } from './store/claim-store.ts';
import { agentLegHandler, AnswerPace } from './acd-wiring/agent-legs.ts';
import { agentTransitions } from './acd-wiring/agent-port.ts';
import { callbackKeyHandler } from './acd-wiring/callback-key.ts';
import { createReview, expireWrapUps } from './acd-wiring/review.ts';
import { createRouter } from './acd-wiring/router-wiring.ts';
import { dispatchingCommands } from './acd-wiring/switch-dispatch.ts';
import { createTransfers } from './acd-wiring/transfers-wiring.ts';
import type { Acd, AcdDeps } from './acd-wiring/types.ts';

export type { Acd, AcdDeps, AcdSettings } from './acd-wiring/types.ts';

export function startAcd(deps: AcdDeps): Acd {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'acd' });
  const queues = queuesFileSchema.parse(deps.settings.queues ?? DEFAULT_QUEUES);

  // Stores: agents (state machine, compare-and-set in Redis) and the atomic claim.
  const machine = createAgentMachine({ clock: now, wrapUpSec: deps.settings.wrapUpSec, wrapUpExtendSec: deps.settings.wrapUpExtendSec });
  const checkPhone = (phone: string): void => void agentPhone(phone, deps.settings.agentPhonePrefixes ?? []);
  const agents = new AgentStore({ redis: deps.redis, keys: deps.keys, machine, checkPhone, ...(deps.onAgentChanged ? { onChange: deps.onAgentChanged } : {}) });
  const claims = new ClaimStore(deps.redis, deps.keys, deps.keyPrefix);
  const sw = dispatchingCommands(deps.nodes, deps.registry, deps.settings.peerGateways);

  // An agent who may take calls again is routed to: it must really be ready, as the record the
  // caller's own write returned says, or else as a read says. (If a claim reserves the agent
  // meanwhile, the pass this starts just finds nobody: the claim script checks the state itself.)
  const becameReady = (agentId: string, known?: Readonly<AgentRecord>): void => {
    if (known) {
      if (known.state === 'ready') router.onAgentReady(Object.keys(known.skills));
      return;
    }
    void agents
      .get(agentId)
      .then((a) => a && a.state === 'ready' && router.onAgentReady(Object.keys(a.skills)))
      .catch((err: unknown) => log.error({ err, agentId }, 'agent lookup failed'));
  };
  const transitions = agentTransitions(agents, log, becameReady);
  const agentPort = transitions.port;

  const router = createRouter(deps, { queues, claims, agents, agentPort, sw, checkPhone, now, log });
  const transfers = createTransfers(deps, { queues, agents, transitions, sw, router, now, log });
  const onDigit = callbackKeyHandler(deps, queues, sw, log);
  const pace = new AnswerPace();
  // One timer per wrap-up, for its end (the review's once-a-second pass is the fallback).
  const wrapTimers = new Set<NodeJS.Timeout>();
  const wrapUpStarted = (agentId: string, tsUs: number): void => {
    const endUs = tsUs + deps.settings.wrapUpSec * 1e6;
    const timer = setTimeout(() => {
      wrapTimers.delete(timer);
      expireWrapUps({ agents, router, now, becameReady }, { agentId, endUs }).catch((err: unknown) => log.warn({ err, agentId }, 'wrap-up end not applied (the review retries)'));
    }, deps.settings.wrapUpSec * 1000);
    timer.unref();
    wrapTimers.add(timer);
  };
  const onAgentLeg = agentLegHandler(deps, agentPort, pace, { becameReady, freed: (id, atMs, tsUs) => router.agentFreed(id, atMs, tsUs), wrapUpStarted });
  const tick = createReview(deps, { queues, agents, agentPort, claims, router, transfers, sw, pace, now, log, becameReady });

  const timer = setInterval(() => void tick(), 1000);
  timer.unref();
  return {
    router,
    agents,
    transfers,
    queues,
    onSwitchEvent(ev) {
      router.onSwitchEvent(ev);
      transfers.onSwitchEvent(ev);
      if (ev.type === 'dtmf') void onDigit(ev.uuid, ev.digit, ev.tsUs).catch((err: unknown) => log.error({ err, callId: ev.uuid }, 'callback request failed'));
      onAgentLeg(ev);
    },
    agentBecameReady: becameReady,
    killLeg: (uuid, cause) => sw.kill(uuid, cause),
    sw,
    tick,
    async stop() {
      clearInterval(timer);
      for (const t of wrapTimers) clearTimeout(t);
      wrapTimers.clear();
      router.stop();
      await router.idle();
    },
  };
}
