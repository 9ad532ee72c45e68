// Socket.IO on the service's HTTP server: /agent, /dispatcher and /ops, each behind a JWT with a
// role allowed there. Call deltas come from this instance's own registry (every instance sees
// every switch event); agent and SLA facts happen on one instance and reach the others through
// the Redis adapter's server-side events, so each instance numbers and sends deltas to its own
// clients only.
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { RealtimeConfig, RedisConfig } from '../config.ts';
import { adapterRedis } from '../store/redis-client.ts';
import { agentNamespace } from './agent-namespace.ts';
import type { RealtimeDeps } from './deps.ts';
import type { AgentView, SlaView } from './events.ts';
import { Feed } from './feed.ts';
import type { RealtimeHub } from './hub.ts';
import { principalOf, requireRole } from './handshake.ts';
import { dispatcherNamespace, opsNamespace } from './ops-namespace.ts';
import { agentView, callView } from './views.ts';
import type { AgentNotice } from '../ops/supervision.ts';
import type { Handoff } from '../handoff/handoff.ts';

export interface RealtimeOptions extends RealtimeDeps {
  readonly config: { readonly realtime: RealtimeConfig; readonly redis: RedisConfig };
}

export interface Realtime {
  readonly io: Server<Record<string, never>, Record<string, never>, InterServerEvents>;
  /** Where call and agent facts come in (the service publishes; tests may too). */
  readonly hub: RealtimeHub;
  /** Clients currently registered per namespace (for tests and metrics). */
  clients(): Record<'/agent' | '/dispatcher' | '/ops', number>;
  /** Slow clients dropped since start. */
  readonly dropped: number;
  close(): Promise<void>;
}

interface InterServerEvents {
  agent: (view: AgentView) => void;
  handoff: (h: Handoff) => void;
  sla: (view: SlaView) => void;
  notice: (n: AgentNotice) => void;
}

export function createRealtime(httpServer: HttpServer, opts: RealtimeOptions): Realtime {
  const log = opts.logger.child({ component: 'realtime' });
  const io = new Server<Record<string, never>, Record<string, never>, InterServerEvents>(httpServer, {
    // The softphone, console and wallboard are modern browsers: no long-polling fallback, so no
    // sticky sessions are needed behind a balancer.
    transports: ['websocket'],
    serveClient: false,
    // Commands are small JSON objects.
    maxHttpBufferSize: 64 * 1024,
  });

  let pub: Redis | undefined;
  let sub: Redis | undefined;
  if (opts.config.realtime.redisAdapter && opts.config.redis.url) {
    ({ pub, sub } = adapterRedis({ url: opts.config.redis.url, commandTimeoutMs: opts.config.redis.commandTimeoutMs }));
    for (const c of [pub, sub]) c.on('error', (err) => log.warn({ err }, 'realtime redis error'));
    io.adapter(createAdapter(pub, sub, { key: `${opts.config.redis.keyPrefix}:socket.io` }));
  }

  // Nothing is served on the main namespace; it only carries server-to-server events.
  io.use((_socket, next) => next(Object.assign(new Error('use /agent, /dispatcher or /ops'), { data: { code: 'forbidden' } })));

  let dropped = 0;
  const onDrop = () => void dropped++;
  const bound = opts.config.realtime.maxBufferedBytes;
  const feeds = {
    // Agent sockets are indexed by agentId: a call's delta goes to its agents' sockets by lookup.
    '/agent': new Feed('/agent', bound, log, onDrop, (s) => principalOf(s).agentId),
    '/dispatcher': new Feed('/dispatcher', bound, log, onDrop),
    '/ops': new Feed('/ops', bound, log, onDrop),
  };
  const nsp = { agent: io.of('/agent'), dispatcher: io.of('/dispatcher'), ops: io.of('/ops') };
  // Who may open which: the role table (auth/access.ts), shared with the REST routes.
  for (const n of Object.values(nsp)) requireRole(n, opts.auth, opts.now);
  const agent = agentNamespace(nsp.agent, feeds['/agent'], opts);
  const dispatcher = dispatcherNamespace(nsp.dispatcher, feeds['/dispatcher'], opts);
  const ops = opsNamespace(nsp.ops, feeds['/ops'], opts);

  const onAgent = (view: AgentView): void => {
    agent.agent?.(view);
    ops.agent?.(view);
  };
  const onSla = (view: SlaView): void => {
    ops.sla(view);
    agent.sla(view);
    // The board is recomputed from Redis, so an update recorded by any instance refreshes it here.
    opts.board?.poke();
  };
  const crossInstance = pub !== undefined;

  const listeners = {
    call: (c: Parameters<typeof callView>[0]) => {
      const view = callView(c);
      for (const target of [agent, dispatcher, ops]) target.call(view);
    },
    callRemoved: (c: Parameters<typeof callView>[0]) => {
      const view = callView(c);
      for (const target of [agent, dispatcher, ops]) target.callRemoved(view);
    },
    agent: (a: Parameters<typeof agentView>[0]) => {
      const view = agentView(a);
      onAgent(view);
      if (crossInstance) io.serverSideEmit('agent', view);
    },
  };
  opts.hub.on('call', listeners.call);
  opts.hub.on('callRemoved', listeners.callRemoved);
  opts.hub.on('agent', listeners.agent);
  // A handoff changes on the instance that saw it: the others' dispatchers hear of it through the adapter.
  const onHandoff = (h: Handoff): void => {
    dispatcher.handoff(h);
    if (crossInstance) io.serverSideEmit('handoff', h);
  };
  opts.hub.on('handoff', onHandoff);
  // A revisit card goes to the agent's sockets on this instance; on another instance the softphone
  // picks it up with revisit:current when its agent turns reserved (an agent:state delta).
  const onRevisit = (agentId: string, card: Parameters<typeof agent.revisit>[1]): void => agent.revisit(agentId, card);
  opts.hub.on('revisit', onRevisit);
  io.on('agent', onAgent);
  io.on('handoff', (h: Handoff) => dispatcher.handoff(h));
  // A supervisor's message reaches the agents connected to any instance.
  const onNotice = (n: AgentNotice): void => {
    agent.notice(n);
    if (crossInstance) io.serverSideEmit('notice', n);
  };
  opts.hub.on('notice', onNotice);
  io.on('notice', (n: AgentNotice) => agent.notice(n));
  io.on('sla', onSla);
  const unsubscribeBoard = opts.board?.onBoard((view) => ops.board(view), () => feeds['/ops'].size > 0);
  const unsubscribeSla = opts.sla?.onUpdate((snap) => {
    const view = snap as unknown as SlaView;
    onSla(view);
    if (crossInstance) io.serverSideEmit('sla', view);
  });

  return {
    io,
    hub: opts.hub,
    clients: () => ({ '/agent': feeds['/agent'].size, '/dispatcher': feeds['/dispatcher'].size, '/ops': feeds['/ops'].size }),
    get dropped() {
      return dropped;
    },
    async close() {
      opts.hub.off('call', listeners.call);
      opts.hub.off('callRemoved', listeners.callRemoved);
      opts.hub.off('agent', listeners.agent);
      opts.hub.off('handoff', onHandoff);
      opts.hub.off('notice', onNotice);
      opts.hub.off('revisit', onRevisit);
      unsubscribeSla?.();
      unsubscribeBoard?.();
      // io.close() also closes the HTTP server; Fastify closes that itself, so only the clients go:
      // this instance's own (`local`: through the adapter it would disconnect every instance's).
      io.local.disconnectSockets(true);
      for (const n of Object.values(nsp)) n.local.disconnectSockets(true);
      io.engine.close();
      // disconnect, not quit: pub/sub has no replies to wait for, and QUIT on a client that lost
      // Redis would wait for a reconnect that may never come.
      for (const c of [pub, sub]) c?.disconnect();
    },
  };
}
