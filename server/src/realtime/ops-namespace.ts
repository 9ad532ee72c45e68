// /ops (wallboard, supervisors) and /dispatcher (110 console): read-only views of the center.
import type { Namespace } from 'socket.io';
import { CENTER } from '../sla/store.ts';
import type { DeltaTarget } from './agent-namespace.ts';
import type { RealtimeDeps } from './deps.ts';
import type { CallView, DispatcherSnapshot, OpsSnapshot, QueueView, SlaView } from './events.ts';
import type { BoardView } from './ops-events.ts';
import type { Feed } from './feed.ts';
import { agentView, callView } from './views.ts';
import type { Handoff } from '../handoff/handoff.ts';
import { partnersFor } from '../handoff/partners.ts';
import { principalOf } from './handshake.ts';

async function queueViews(deps: RealtimeDeps): Promise<QueueView[]> {
  const names = [...new Set([...deps.queueConfigs.map((q) => q.name), ...(await deps.queues.queues())])].sort();
  return Promise.all(
    names.map(async (name) => {
      // A call answered between list() and get() is skipped.
      const entries = await Promise.all((await deps.queues.list(name)).map((id) => deps.queues.get(id)));
      const waiting = entries.filter((e) => e !== undefined).map((e) => ({ callId: e.callId, priority: e.priority, t0Ms: Math.floor(e.t0Us / 1000) }));
      return { name, waiting };
    }),
  );
}

export function opsNamespace(nsp: Namespace, feed: Feed, deps: RealtimeDeps): DeltaTarget & { sla(view: SlaView): void; board(view: BoardView): void } {
  const log = deps.logger.child({ component: 'realtime', namespace: '/ops' });
  nsp.on('connection', (socket) => {
    void feed
      .open(socket, async (seq): Promise<OpsSnapshot> => {
        const calls = deps.registry.live().map(callView);
        const [agents, queues, sla, board] = await Promise.all([deps.agents.list(), queueViews(deps), deps.sla ? deps.sla.snapshot(CENTER) : undefined, deps.board?.board()]);
        return { seq, calls, agents: agents.map(agentView), queues, sla: sla ? (sla as unknown as SlaView) : null, board: board ?? null };
      })
      .catch((err: unknown) => {
        log.error({ err }, 'ops snapshot failed');
        socket.disconnect(true);
      });
  });
  return {
    call: (view) => feed.send('call:update', { call: view }),
    callRemoved: (view) => feed.send('call:removed', { callId: view.id }),
    agent: (view) => feed.send('agent:state', { agent: view }),
    // Queue scopes have their own REST view; the wallboard's live figure is the center's.
    sla: (view) => view.scope === CENTER && feed.send('sla:update', { sla: view }),
    board: (view) => feed.send('board:update', { board: view }),
  };
}

export function dispatcherNamespace(nsp: Namespace, feed: Feed, deps: RealtimeDeps): DeltaTarget & { handoff(h: Handoff): void } {
  const partnersOf = (socket: Parameters<typeof principalOf>[0]) => partnersFor(deps.handoffs?.partners ?? [], principalOf(socket));
  const partnerIds = (socket: Parameters<typeof principalOf>[0]): string[] => partnersOf(socket).map((p) => p.id);
  // A dispatcher sees the calls on its own partners' lines only (a 119 dispatcher none of 110's).
  const mayFollow = (socket: Parameters<typeof principalOf>[0], view: CallView): boolean => partnersOf(socket).some((p) => p.line === view.line);
  const handoffsOf = async (ids: readonly string[]): Promise<Handoff[]> => {
    const since = (deps.now ?? Date.now)() - 86_400_000;
    const lists = await Promise.all(ids.map((id) => deps.handoffs?.list(id, since) ?? []));
    return lists.flat().sort((a, b) => b.createdMs - a.createdMs);
  };
  const log = deps.logger.child({ component: 'realtime', namespace: '/dispatcher' });
  nsp.on('connection', (socket) => {
    void feed
      .open(socket, async (seq): Promise<DispatcherSnapshot> => ({ seq, calls: deps.registry.live().map(callView).filter((c) => mayFollow(socket, c)), handoffs: await handoffsOf(partnerIds(socket)) }))
      .catch((err: unknown) => {
        log.error({ err }, 'dispatcher snapshot failed');
        socket.disconnect(true);
      });
  });
  return {
    call: (view) => feed.send('call:update', { call: view }, (s) => mayFollow(s, view)),
    callRemoved: (view) => feed.send('call:removed', { callId: view.id }, (s) => mayFollow(s, view)),
    // Only to the dispatchers of the handoff's partner (and supervisors).
    handoff: (h) => feed.send('handoff:update', { handoff: h }, (s) => partnerIds(s).includes(h.partner)),
  };
}
