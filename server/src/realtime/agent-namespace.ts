// /agent: one agent's own record and the calls it has a leg in; it changes its state and hangs
// up its own calls. Nothing here lets an agent read or touch another agent's calls.
import type { Namespace, Socket } from 'socket.io';
import { AgentTransitionError, type AgentCommand } from '../acd/agent-state.ts';
import { AgentConflictError, AgentNotFoundError } from '../store/agent-store.ts';
import { agentCallCommands } from './agent-commands.ts';
import { command, CommandError } from './commands.ts';
import type { RealtimeDeps } from './deps.ts';
import { CENTER } from '../sla/store.ts';
import { hangupPayload, setStatePayload, type AgentSnapshot, type AgentView, type CallView, type CenterFigures, type SetStatePayload, type SlaView } from './events.ts';
import type { Feed } from './feed.ts';
import type { AgentNotice } from '../ops/supervision.ts';
import { principalOf } from './handshake.ts';
import { revisitCommands } from './revisit-commands.ts';
import type { RevisitCard } from './revisit-events.ts';
import { agentView, callView, hasAgentLeg } from './views.ts';

export interface DeltaTarget {
  call(view: CallView): void;
  callRemoved(view: CallView): void;
  agent?(view: AgentView): void;
}

function commandOf(p: SetStatePayload): AgentCommand {
  switch (p.action) {
    case 'login':
      return { type: 'login' };
    case 'ready':
      return { type: 'ready' };
    case 'not-ready':
      // The schema requires the reason with not-ready.
      return { type: 'notReady', reason: p.reason ?? 'break' };
    case 'logout':
      return { type: 'logout' };
    case 'end-wrap-up':
      return { type: 'endWrapUp' };
    case 'extend-wrap-up':
      return { type: 'extendWrapUp' };
  }
}

function asCommandError(err: unknown): unknown {
  if (err instanceof AgentTransitionError || err instanceof AgentConflictError) return new CommandError('conflict', err.message);
  if (err instanceof AgentNotFoundError) return new CommandError('not-found', err.message);
  return err;
}

/** The agents a call's deltas go to: those with a leg in it (hasAgentLeg for each). */
const agentsOf = (view: CallView): string[] => view.legs.flatMap((l) => (l.role === 'agent' && l.agentId ? [l.agentId] : []));

interface RollingView {
  rate15s: number | null;
  counted: number;
  answeredWithin: number;
  start: string;
  end: string;
}

/** The center figure from an SLA snapshot (sla/snapshot.ts; opaque to the realtime layer). */
export function centerFigures(view: SlaView): CenterFigures | undefined {
  const rolling = view.rolling24h as RollingView | undefined;
  const alert = view.alert as { firing: boolean } | undefined;
  if (view.scope !== CENTER || !rolling || typeof view.target !== 'number') return undefined;
  return {
    rate15s: rolling.rate15s,
    counted: rolling.counted,
    answeredWithin: rolling.answeredWithin,
    target: view.target,
    windowSec: Math.round((Date.parse(rolling.end) - Date.parse(rolling.start)) / 1000),
    alertFiring: alert?.firing ?? false,
  };
}

export function agentNamespace(nsp: Namespace, feed: Feed, deps: RealtimeDeps): DeltaTarget & { sla(view: SlaView): void; notice(n: AgentNotice): void; revisit(agentId: string, card: RevisitCard | null): void } {
  const log = deps.logger.child({ component: 'realtime', namespace: '/agent' });
  const agentOf = (socket: Socket): string => principalOf(socket).agentId ?? '';

  nsp.on('connection', (socket) => {
    const agentId = agentOf(socket);
    const by = `softphone:${principalOf(socket).username}`;

    command(socket, 'agent:set-state', setStatePayload, async (p) => {
      try {
        const { agent } = await deps.agents.apply(agentId, commandOf(p), by);
        deps.acd.agentBecameReady(agentId, agent);
        return { agent: agentView(agent) };
      } catch (err) {
        throw asCommandError(err);
      }
    }, log);

    command(socket, 'call:hangup', hangupPayload, async ({ callId }) => {
      const call = deps.registry.get(callId);
      if (!call) throw new CommandError('not-found', `call ${callId}: no such live call`);
      const mine = call.legs.filter((l) => l.role === 'agent' && l.agentId === agentId);
      if (!mine.length) {
        log.warn({ agentId, callId }, 'hangup refused: not the agent\'s call');
        throw new CommandError('forbidden', `call ${callId} is not yours`);
      }
      const live = mine.filter((l) => l.endedUs === undefined);
      if (!live.length) throw new CommandError('conflict', `call ${callId}: your leg has already ended`);
      // The agent's own leg: the dialplan ends the citizen's side after the bridge; in a
      // three-way call the others stay connected.
      await Promise.all(live.map((l) => deps.acd.killLeg(l.uuid, 'NORMAL_CLEARING')));
      log.info({ agentId, callId }, 'agent hung up');
      return {};
    }, log);

    agentCallCommands(socket, agentId, deps, log);
    revisitCommands(socket, agentId, deps, log);

    void feed
      .open(socket, async (seq): Promise<AgentSnapshot> => {
        const calls = deps.registry.live().map(callView).filter((c) => hasAgentLeg(c, agentId));
        const [agent, sla] = await Promise.all([deps.agents.get(agentId), deps.sla?.snapshot(CENTER)]);
        const center = sla ? centerFigures(sla as unknown as SlaView) : undefined;
        return { seq, agent: agent ? agentView(agent) : null, calls, center: center ?? null };
      })
      .catch((err: unknown) => {
        log.error({ err, agentId }, 'agent snapshot failed');
        socket.disconnect(true);
      });
  });

  return {
    // Keyed sends (the feed indexes sockets by agentId): the agents with a leg in the call, as hasAgentLeg.
    call: (view) => feed.send('call:update', { call: view }, { keys: agentsOf(view) }),
    callRemoved: (view) => feed.send('call:removed', { callId: view.id }, { keys: agentsOf(view) }),
    agent: (view) => feed.send('agent:state', { agent: view }, { keys: [view.id] }),
    // A supervisor's message: to the sockets of the agents it names.
    notice: (n) => feed.send('agent:notice', { notice: { id: n.id, from: n.from, text: n.text, at: n.at, all: n.all } }, { keys: n.to }),
    revisit: (agentId, card) => feed.send('revisit:update', { card }, { keys: [agentId] }),
    sla: (view) => {
      const center = centerFigures(view);
      if (center) feed.send('center:update', { center });
    },
  };
}
