// A supervisor's actions on live calls and waiting callers: listen to an agent's call, whisper to
// the agent, barge in (the supervisor's phone eavesdrops on the agent's leg, the mode switching
// while it runs); move a waiting caller to another queue or to the head of its class; send a
// message to one agent or to all. Every action is audited with the supervisor's id. Knows nothing
// of Redis, Fastify, Socket.IO or ESL: the ports below are wired in ops-control.ts.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallRecord, TransferRecord } from '../calls/call-record.ts';
import type { SupervisionMode } from '../freeswitch/eavesdrop.ts';
import type { OpsAuditEntry, SupervisionSession } from '../store/ops-store.ts';

export type { SupervisionMode };

/** A refusal the caller of the service can show: not found (404) or not possible now (409). */
export class SupervisionError extends Error {
  override name = 'SupervisionError';
  constructor(
    readonly code: 'not-found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

export interface AgentNotice {
  readonly id: string;
  /** The agents it goes to (one, or every agent of the supervisor's groups). */
  readonly to: readonly string[];
  /** Sent to all of the supervisor's agents rather than to one. */
  readonly all: boolean;
  /** The supervisor's user name. */
  readonly from: string;
  readonly text: string;
  readonly at: number;
}

export interface SupervisionDeps {
  readonly calls: { get(callId: string): Readonly<CallRecord> | undefined };
  readonly agents: { get(id: string): Promise<{ readonly id: string; readonly state: string; readonly callId?: string } | undefined> };
  /** The switch commands for a node (by name). */
  readonly switchFor: (node: string) => {
    eavesdrop(o: { dialstring: string; targetUuid: string; legUuid: string; mode: SupervisionMode; timeoutSec: number }): Promise<string>;
    eavesdropMode(legUuid: string, mode: SupervisionMode): Promise<void>;
    kill(legUuid: string): Promise<void>;
  };
  /** The dial string of a supervisor's own phone (config), or undefined. */
  readonly phoneOf: (username: string) => string | undefined;
  readonly sessions: {
    supervision(username: string): Promise<SupervisionSession | undefined>;
    setSupervision(username: string, s: SupervisionSession | undefined): Promise<void>;
  };
  readonly waiting: {
    get(callId: string): Promise<{ readonly queue: string; readonly priority: number; readonly t0Us: number } | undefined>;
    move(callId: string, toQueue: string): Promise<boolean>;
    toHead(callId: string): Promise<boolean>;
  };
  readonly queueNames: readonly string[];
  /** A caller was moved: record it on the call and route the queue it is in now. */
  readonly moved: (callId: string, t: TransferRecord, queued: { queue: string; priority: number; atUs: number }) => void;
  readonly requeued: (queue: string) => void;
  readonly notify: (n: AgentNotice) => void;
  readonly audit: (e: OpsAuditEntry) => Promise<void>;
  readonly ringSec: number;
  readonly logger: Logger;
  readonly now: () => number;
}

export interface Supervision {
  /** Start listening (or whispering, or barging) on an agent's current call: rings `by`'s phone. */
  start(by: string, username: string, agentId: string, mode: SupervisionMode): Promise<SupervisionSession>;
  /** Change the mode of `username`'s running session. */
  mode(by: string, username: string, mode: SupervisionMode): Promise<SupervisionSession>;
  stop(by: string, username: string): Promise<void>;
  session(username: string): Promise<SupervisionSession | undefined>;
  moveCaller(by: string, callId: string, target: { queue: string } | { head: true }): Promise<{ queue: string }>;
  /** A message to agents: `to` one agent's id, or 'all' with the agents of the supervisor's groups. */
  message(by: string, username: string, to: { agent: string } | { all: readonly string[] }, text: string): Promise<AgentNotice>;
}

export function createSupervision(deps: SupervisionDeps): Supervision {
  const log = deps.logger.child({ component: 'supervision' });
  const audit = (by: string, action: string, target: string, detail?: string) =>
    deps.audit({ at: deps.now(), by, action, target, ...(detail ? { detail } : {}) });

  /** The session, or undefined once its leg is gone (the supervisor hung up, the call ended). */
  async function live(username: string): Promise<SupervisionSession | undefined> {
    const s = await deps.sessions.supervision(username);
    if (!s) return undefined;
    const call = deps.calls.get(s.callId);
    const target = call?.legs.find((l) => l.agentId === s.agentId && l.role === 'agent' && l.endedUs === undefined);
    if (target) return s;
    await deps.sessions.setSupervision(username, undefined);
    return undefined;
  }

  return {
    session: live,

    async start(by, username, agentId, mode) {
      const phone = deps.phoneOf(username);
      if (!phone) throw new SupervisionError('conflict', `no phone is configured for ${username} (ops.supervisorPhones)`);
      const agent = await deps.agents.get(agentId);
      if (!agent) throw new SupervisionError('not-found', `agent ${agentId}: no such agent`);
      const call = agent.callId ? deps.calls.get(agent.callId) : undefined;
      const leg = call?.legs.find((l) => l.role === 'agent' && l.agentId === agentId && l.answeredUs !== undefined && l.endedUs === undefined);
      if (agent.state !== 'on-call' || !call || !leg) throw new SupervisionError('conflict', `agent ${agentId} is not talking on a call`);
      const old = await live(username);
      if (old) throw new SupervisionError('conflict', `you are already on agent ${old.agentId}'s call: stop first`);
      const legUuid = randomUUID();
      await audit(by, mode, agentId, `call ${call.id}`);
      try {
        await deps.switchFor(call.node).eavesdrop({ dialstring: phone, targetUuid: leg.uuid, legUuid, mode, timeoutSec: deps.ringSec });
      } catch (err) {
        log.warn({ err, callId: call.id, agentId }, 'supervisor phone did not join');
        throw new SupervisionError('conflict', `your phone did not answer (${(err as Error).message})`);
      }
      const s: SupervisionSession = { legUuid, callId: call.id, agentId, node: call.node, mode, since: deps.now() };
      await deps.sessions.setSupervision(username, s);
      log.info({ callId: call.id, agentId, mode, by }, 'supervision started');
      return s;
    },

    async mode(by, username, mode) {
      const s = await live(username);
      if (!s) throw new SupervisionError('conflict', 'you are not on a call');
      try {
        await deps.switchFor(s.node).eavesdropMode(s.legUuid, mode);
      } catch (err) {
        await deps.sessions.setSupervision(username, undefined);
        throw new SupervisionError('conflict', `your phone has left the call (${(err as Error).message})`);
      }
      await audit(by, mode, s.agentId, `call ${s.callId}`);
      const next = { ...s, mode };
      await deps.sessions.setSupervision(username, next);
      return next;
    },

    async stop(by, username) {
      const s = await deps.sessions.supervision(username);
      if (!s) throw new SupervisionError('conflict', 'you are not on a call');
      await deps.sessions.setSupervision(username, undefined);
      await audit(by, 'stop', s.agentId, `call ${s.callId}`);
      await deps.switchFor(s.node).kill(s.legUuid).catch((err: unknown) => log.info({ err }, 'supervisor leg already gone'));
    },

    async moveCaller(by, callId, target) {
      const entry = await deps.waiting.get(callId);
      if (!entry) throw new SupervisionError('not-found', `call ${callId} is not waiting in a queue`);
      if ('head' in target) {
        if (!(await deps.waiting.toHead(callId))) throw new SupervisionError('conflict', `call ${callId} is no longer waiting`);
        await audit(by, 'head', callId, entry.queue);
        deps.requeued(entry.queue);
        return { queue: entry.queue };
      }
      if (!deps.queueNames.includes(target.queue)) throw new SupervisionError('not-found', `queue ${target.queue}: no such queue`);
      if (target.queue === entry.queue) throw new SupervisionError('conflict', `call ${callId} already waits in ${target.queue}`);
      if (!(await deps.waiting.move(callId, target.queue))) throw new SupervisionError('conflict', `call ${callId} is no longer waiting`);
      await audit(by, 'move', callId, `${entry.queue} -> ${target.queue}`);
      deps.moved(callId, { atUs: deps.now() * 1000, kind: 'queue', from: entry.queue, to: target.queue }, { queue: target.queue, priority: entry.priority, atUs: entry.t0Us });
      deps.requeued(target.queue);
      return { queue: target.queue };
    },

    async message(by, username, to, text) {
      if ('agent' in to && !(await deps.agents.get(to.agent))) throw new SupervisionError('not-found', `agent ${to.agent}: no such agent`);
      const ids = 'agent' in to ? [to.agent] : [...to.all];
      const n: AgentNotice = { id: randomUUID(), to: ids, all: !('agent' in to), from: username, text, at: deps.now() };
      await audit(by, 'message', 'agent' in to ? to.agent : 'all', text);
      deps.notify(n);
      return n;
    },
  };
}
