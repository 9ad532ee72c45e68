// Revisit wiring: the Redis store, the service over the ACD's agent store (reservations through
// the agent state machine), switch commands on the first node, the softphone notifications
// through the realtime hub, and the once-a-second review that offers due tasks.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Acd } from './acd-control.ts';
import type { AgentCommand } from './acd/agent-state.ts';
import type { Config } from './config.ts';
import { switchCommands } from './freeswitch/commands.ts';
import { dialString, phoneNumber } from './freeswitch/esl-values.ts';
import type { InboundNode } from './freeswitch/inbound-node.ts';
import type { RealtimeHub } from './realtime/hub.ts';
import { parseWindows } from './revisit/calling-hours.ts';
import type { RevisitAgentCommand, RevisitAgents, RevisitSwitch } from './revisit/ports.ts';
import { RevisitService } from './revisit/service.ts';
import type { Shutdown } from './shutdown.ts';
import type { RedisKeys } from './store/keys.ts';
import { RevisitStore } from './store/revisit-store.ts';

export interface RevisitControlDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly acd: Pick<Acd, 'agents' | 'agentBecameReady'>;
  readonly nodes: readonly InboundNode[];
  readonly shutdown: Shutdown;
  readonly now: () => number;
  readonly hub?: RealtimeHub;
  /** False while Redis does not answer: the review waits. */
  readonly storeHealthy?: () => boolean;
}

export function startRevisits(deps: RevisitControlDeps): RevisitService {
  const { config } = deps;
  const r = config.revisit;
  const log = deps.logger.child({ component: 'revisit' });
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: r.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });

  const commandOf = (c: RevisitAgentCommand, callId: string): AgentCommand => (c === 'endWrapUp' ? { type: 'endWrapUp' } : { type: c, callId });
  const agents: RevisitAgents = {
    get: (id) => deps.acd.agents.get(id),
    readyWithSkill: async (skill) => (await deps.acd.agents.readyAgents(skill)).sort((a, b) => a.idleSince - b.idleSince).map((a) => a.id),
    apply: async (id, c, callId) => {
      try {
        await deps.acd.agents.apply(id, commandOf(c, callId), 'revisit');
        return true;
      } catch (err) {
        // Another instance, the ACD or the agent got there first: a refusal, not a failure.
        log.debug({ err, agentId: id, command: c }, 'agent transition not applied');
        return false;
      }
    },
    becameReady: (id) => deps.acd.agentBecameReady(id),
  };
  // Revisit legs are new calls of our own: they start on the first node, like the ACD's originates.
  const node = deps.nodes[0];
  const cmds = node ? switchCommands((c) => node.api(c), (c, ms) => node.bgapi(c, ms)) : undefined;
  const noSwitch = async (): Promise<never> => {
    throw new Error('no FreeSWITCH node configured');
  };
  const sw: RevisitSwitch = cmds ?? { originateInBackground: noSwitch, bridge: noSwitch, kill: noSwitch };

  const service = new RevisitService({
    store: new RevisitStore(deps.redis, deps.keys),
    agents,
    sw,
    notify: { card: (agentId, card) => deps.hub?.publish('revisit', agentId, card) },
    settings: {
      hours: { timeZone: r.timeZone, windows: parseWindows(r.hours) },
      retry: { retryAfterMin: r.retryAfterMin, maxAttempts: r.maxAttempts },
      skill: r.skill,
      windowHours: r.windowHours,
      previewTimeoutSec: r.previewTimeoutSec,
      agentRingSec: r.agentRingSec,
      citizenRingSec: r.citizenRingSec,
      callerIdNumber: config.dial.callbackCallerId,
    },
    // Through the carrier like a callback; the number is checked before it reaches a dial string.
    citizenDialstring: (n) => dialString(config.dial.external, phoneNumber(n, 'revisit number')),
    dayOf: (ms) => day.format(new Date(ms)),
    now: deps.now,
    logger: deps.logger,
  });
  const timer = setInterval(() => {
    if (deps.storeHealthy?.() !== false) void service.tick();
  }, 1000);
  timer.unref();
  deps.shutdown.add('inflight', 'revisits', async () => {
    clearInterval(timer);
    await service.idle();
  });
  return service;
}
