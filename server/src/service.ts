// Wiring: builds every part of the service from the config and connects them. Tests and the
// embedded launcher start the whole service in-process through createService; server.ts adds only
// the process concerns (env, signals, exit codes). ESL, the store and realtime are added here as
// they land; each registers its closer in the right shutdown phase.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { buildApp } from './app.ts';
import { redactConfig, type Config } from './config.ts';
import type { Logger } from './log.ts';
import { createMetricsRegistry } from './plugins/app/metrics.ts';
import type { FreeswitchNodeStatus } from './plugins/app/readiness.ts';
import { createShutdown, type Shutdown, type ShutdownResult } from './shutdown.ts';
import { startCallControl, type CallControl } from './call-control.ts';
import { createAuth, type Auth } from './auth/auth.ts';
import { RealtimeHub } from './realtime/hub.ts';
import { createRealtime, type Realtime } from './realtime/server.ts';

export interface ServiceOptions {
  /** Connection state per configured FreeSWITCH node. Default: every node reported not connected. */
  freeswitch?: () => readonly FreeswitchNodeStatus[];
  /** A Redis client owned by the caller (not closed by the service). Default: one made from config.redis.url. */
  redis?: Redis;
  metrics?: Registry;
  /** false: do not connect to FreeSWITCH (HTTP-only tests). Default: on when Redis is configured. */
  callControl?: boolean;
}

export interface Service {
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly metrics: Registry;
  /** Register closers for parts wired from outside. */
  readonly shutdown: Shutdown;
  /** Present when the service drives FreeSWITCH (Redis configured and callControl not false). */
  readonly calls: CallControl | undefined;
  /** Logins and token checks (POST /api/login, Socket.IO handshakes). */
  readonly auth: Auth;
  /** Socket.IO namespaces; present with call control. */
  readonly realtime: Realtime | undefined;
  /** Listen on config.http; resolves with the bound address (useful with port 0). */
  start(): Promise<{ host: string; port: number; url: string }>;
  /** Graceful shutdown bounded by config.shutdown.graceMs. Safe to call twice. */
  stop(): Promise<ShutdownResult>;
}

function ownRedis(url: string, log: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    // Fail commands at once while disconnected: a readiness probe must not queue behind a reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  // ioredis emits 'error' on every failed reconnect; log the transition, not each attempt.
  let healthy = true;
  redis.on('error', (err) => {
    if (healthy) log.warn({ err }, 'redis unreachable');
    healthy = false;
  });
  redis.on('ready', () => {
    if (!healthy) log.info('redis connection restored');
    healthy = true;
  });
  return redis;
}

export async function createService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Service> {
  const shutdown = createShutdown(logger.child({ component: 'shutdown' }));
  const metrics = options.metrics ?? createMetricsRegistry();

  const redis = options.redis ?? (config.redis.url ? ownRedis(config.redis.url, logger.child({ component: 'redis' })) : undefined);
  if (redis && !options.redis) {
    shutdown.add('store', 'redis', async () => {
      // QUIT lets pending replies arrive; disconnect if Redis is already gone.
      await redis.quit().catch(() => redis.disconnect());
    });
  }

  // The store gets its own client: unlike the readiness probe's, it queues commands through a brief
  // Redis outage instead of failing them.
  let calls: CallControl | undefined;
  const hub = new RealtimeHub();
  hub.onError = (err) => logger.error({ err }, 'realtime listener failed');
  if (config.redis.url && options.callControl !== false) {
    const storeRedis = new Redis(config.redis.url, { maxRetriesPerRequest: null });
    storeRedis.on('error', (err) => logger.warn({ err }, 'store redis error'));
    shutdown.add('store', 'store-redis', () => storeRedis.quit().catch(() => storeRedis.disconnect()));
    calls = await startCallControl({ config, logger, redis: storeRedis, shutdown, metrics, hub });
  }
  // Without call control no node can be connected, so the service reports not ready.
  const freeswitch =
    options.freeswitch ?? calls?.nodeStatus ?? (() => config.freeswitch.nodes.map((n) => ({ name: n.name, connected: false })));

  const auth = await createAuth(config.auth, logger);
  const app = await buildApp({
    config,
    logger,
    deps: {
      metrics,
      auth,
      ...(calls ? { sla: calls.sla } : {}),
      ...(calls ? { acd: { agents: calls.acd.agents, queues: calls.queues, queueConfigs: calls.acd.queues, onAgentStateChange: (id: string) => calls!.acd.agentBecameReady(id) } } : {}),
      readiness: {
        freeswitch,
        redis: async () => (redis ? (await redis.ping()) === 'PONG' : false),
        draining: () => shutdown.started,
      },
    },
  });
  // Last phase: in-flight HTTP requests finish, then the port closes.
  shutdown.add('transport', 'http', () => app.close());
  // Socket.IO shares the HTTP server; it needs the registry, so it comes with call control.
  const realtime = calls
    ? createRealtime(app.server, {
        config,
        logger,
        auth,
        hub,
        registry: calls.registry,
        agents: calls.acd.agents,
        acd: calls.acd,
        queues: calls.queues,
        queueConfigs: calls.acd.queues,
        sla: calls.sla,
        transfers: calls.acd.transfers,
        desk: calls.desk,
      })
    : undefined;
  // Websockets are upgraded connections the HTTP server would wait for: close them in the same phase.
  if (realtime) shutdown.add('transport', 'realtime', () => realtime.close());

  return {
    app,
    config,
    metrics,
    shutdown,
    calls,
    auth,
    realtime,
    async start() {
      logger.info({ config: redactConfig(config) }, 'starting');
      if (redis && redis.status === 'wait') {
        // Not fatal: the service starts not-ready and ioredis keeps reconnecting.
        await redis.connect().catch((err: unknown) => logger.warn({ err }, 'redis not reachable at start'));
      }
      await app.listen({ host: config.http.host, port: config.http.port });
      const { address, port } = app.server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      return { host: address, port, url: `http://${host}:${port}` };
    },
    async stop() {
      logger.info({ graceMs: config.shutdown.graceMs }, 'shutting down');
      const result = await shutdown.run(config.shutdown.graceMs);
      if (result.completed) logger.info({ failed: result.failed }, 'shutdown complete');
      return result;
    },
  };
}
