// Wiring: builds every part of the service from the config and connects them. Tests and the
// embedded launcher start the whole service in-process through createService; server.ts adds only
// the process concerns (env, signals, exit codes). ESL, the store and realtime are added here as
// they land; each registers its closer in the right shutdown phase.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { buildApp } from './app.ts';
import { redactConfig, type Config } from './config.ts';
import type { Logger } from './log.ts';
import { createMetricsRegistry } from './plugins/app/metrics.ts';
import type { FreeswitchNodeStatus } from './plugins/app/readiness.ts';
import { createShutdown, type Shutdown, type ShutdownResult } from './shutdown.ts';
import { startCallControl, type CallControl } from './call-control.ts';
import { createAuth, loginLimits, type Auth } from './auth/auth.ts';
import { RealtimeHub } from './realtime/hub.ts';
import { createRealtime, type Realtime } from './realtime/server.ts';
import { registerRealtimeMetrics } from './realtime/metrics.ts';
import { startMetricsListener } from './metrics-listener.ts';
import { DirectoryService } from './directory/service.ts';
import { DirectoryStore } from './store/directory-store.ts';
import { redisKeys } from './store/keys.ts';
import { redisLimiter } from './store/login-attempts.ts';
import { probeRedis, storeRedis, subscriberRedis, type RedisClientSettings } from './store/redis-client.ts';
import { startKb, type KbService } from './kb-control.ts';
import { watchRedis, type RedisHealth } from './store/redis-health.ts';

export interface ServiceOptions {
  /** Connection state per configured FreeSWITCH node. Default: every node reported not connected. */
  freeswitch?: () => readonly FreeswitchNodeStatus[];
  /** A Redis client for the health probe owned by the caller (not closed by the service). Default: one made from config.redis.url. */
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
  /** The knowledge base (one search index per instance, kept equal to Redis); present when Redis is configured. */
  readonly kb: KbService | undefined;
  /** Whether Redis answers (probed twice a second); present when Redis is configured. */
  readonly redisHealth: RedisHealth | undefined;
  /** Listen on config.http (and config.metrics.port); resolves with the bound addresses (useful with port 0). */
  start(): Promise<{ host: string; port: number; url: string; metricsUrl?: string }>;
  /** Graceful shutdown bounded by config.shutdown.graceMs. Safe to call twice. */
  stop(): Promise<ShutdownResult>;
}

/** ioredis emits 'error' on every failed reconnect: log the first of a run, with the count at the end. */
function logConnection(redis: Redis, log: Logger, what: string): Redis {
  let errors = 0;
  redis.on('error', (err) => {
    if (errors++ === 0) log.warn({ err }, `${what}: redis unreachable`);
  });
  redis.on('ready', () => {
    if (errors > 0) log.info({ errors }, `${what}: redis connection restored`);
    errors = 0;
  });
  return redis;
}

export async function createService(config: Config, logger: Logger, options: ServiceOptions = {}): Promise<Service> {
  const shutdown = createShutdown(logger.child({ component: 'shutdown' }));
  const metrics = options.metrics ?? createMetricsRegistry();

  const redisLog = logger.child({ component: 'redis' });
  const settings: RedisClientSettings | undefined = config.redis.url ? { url: config.redis.url, commandTimeoutMs: config.redis.commandTimeoutMs } : undefined;
  const redis = options.redis ?? (settings ? logConnection(probeRedis(settings), redisLog, 'probe') : undefined);
  const redisHealth = redis ? watchRedis(redis, { logger, timeoutMs: Math.min(1_000, config.redis.commandTimeoutMs) }) : undefined;
  if (redis) {
    shutdown.add('store', 'redis', async () => {
      redisHealth?.stop();
      // QUIT lets pending replies arrive; disconnect if Redis is already gone.
      if (!options.redis) await redis.quit().catch(() => redis.disconnect());
    });
  }
  const storeHealthy = redisHealth ? () => redisHealth.healthy() : undefined;

  // The store gets its own client: unlike the probe's, it queues commands through a brief Redis
  // outage (bounded: redis-client.ts) instead of failing them at once.
  const store = settings ? logConnection(storeRedis(settings), redisLog, 'store') : undefined;
  if (store) shutdown.add('store', 'store-redis', () => store.quit().catch(() => store.disconnect()));
  // Before call control: a wrap-up marked answered from the KB is checked against it.
  const kb =
    store && settings
      ? startKb({ redis: store, subscriber: logConnection(subscriberRedis(settings), redisLog, 'kb-subscriber'), keys: redisKeys(config.redis.keyPrefix), logger, shutdown, now: Date.now })
      : undefined;

  let calls: CallControl | undefined;
  const hub = new RealtimeHub();
  hub.onError = (err) => logger.error({ err }, 'realtime listener failed');
  if (store && options.callControl !== false) {
    try {
      calls = await startCallControl({ config, logger, redis: store, shutdown, metrics, hub, ...(storeHealthy ? { storeHealthy } : {}), ...(kb ? { kbEntryExists: (id: string) => kb.get(id) !== undefined } : {}) });
    } catch (err) {
      // Refused at start (bad flows, a Redis that does not answer): close what was opened so far.
      await shutdown.run(config.shutdown.graceMs);
      throw err;
    }
  }
  // Without call control no node can be connected, so the service reports not ready.
  const freeswitch =
    options.freeswitch ?? calls?.nodeStatus ?? (() => config.freeswitch.nodes.map((n) => ({ name: n.name, connected: false })));

  // The failed-login budget is shared by every instance through Redis when there is one.
  const auth = await createAuth(config.auth, logger, store ? { limiter: redisLimiter(store, redisKeys(config.redis.keyPrefix), loginLimits(config.auth)) } : {});
  const app = await buildApp({
    config,
    logger,
    deps: {
      metrics,
      auth,
      ...(kb ? { kb } : {}),
      ...(redisHealth ? { storeHealth: redisHealth } : {}),
      ...(store ? { directory: new DirectoryService({ store: new DirectoryStore(store, redisKeys(config.redis.keyPrefix)), now: Date.now, newId: randomUUID }) } : {}),
      ...(calls ? { sla: calls.sla, ops: calls.ops.service, supervision: calls.ops.supervision, qa: { qa: calls.qa, audit: (e) => calls!.ops.store.audit(e) } } : {}),
      ...(calls ? { handoffs: { handoffs: calls.handoffs, partners: config.handoff.partners, today: () => new Intl.DateTimeFormat('en-CA', { timeZone: config.desk.timeZone }).format(Date.now()) } } : {}),
      ...(calls
        ? {
            revisits: {
              revisits: calls.revisits,
              ...(config.desk.ticketWebhookSecret ? { ticketSecret: config.desk.ticketWebhookSecret } : {}),
              today: () => new Intl.DateTimeFormat('en-CA', { timeZone: config.revisit.timeZone }).format(Date.now()),
            },
          }
        : {}),
      ...(calls ? { threeWay: { handoffs: calls.handoffs, threeWay: calls.threeWay, partners: config.handoff.partners } } : {}),
      ...(calls ? { acd: { agents: calls.acd.agents, queues: calls.queues, queueConfigs: calls.acd.queues, onAgentStateChange: (id: string) => calls!.acd.agentBecameReady(id) } } : {}),
      readiness: {
        freeswitch,
        redis: async () => (redisHealth ? redisHealth.check() : false),
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
        threeWay: calls.threeWay,
        desk: calls.desk,
        board: calls.ops.service,
        handoffs: { partners: config.handoff.partners, list: (p, since) => calls!.handoffs.list(p, since) },
        revisits: calls.revisits,
      })
    : undefined;
  // Websockets are upgraded connections the HTTP server would wait for: close them in the same phase.
  if (realtime) {
    shutdown.add('transport', 'realtime', () => realtime.close());
    registerRealtimeMetrics(metrics, realtime);
  }

  return {
    app,
    config,
    metrics,
    shutdown,
    calls,
    auth,
    realtime,
    kb,
    redisHealth,
    async start() {
      logger.info({ config: redactConfig(config) }, 'starting');
      if (redis && redis.status === 'wait') {
        // Not fatal: the service starts not-ready and ioredis keeps reconnecting.
        await redis.connect().catch((err: unknown) => logger.warn({ err }, 'redis not reachable at start'));
      }
      redisHealth?.start();
      // Not fatal either: the version check loads it once Redis answers.
      await kb?.ready.catch((err: unknown) => logger.warn({ err }, 'knowledge base not loaded at start'));
      await app.listen({ host: config.http.host, port: config.http.port });
      const { address, port } = app.server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      const { port: metricsPort } = config.metrics;
      const scrape = metricsPort === undefined ? undefined : await startMetricsListener({ ...config.metrics, port: metricsPort }, metrics, logger);
      if (scrape) shutdown.add('transport', 'metrics', () => scrape.close());
      return { host: address, port, url: `http://${host}:${port}`, ...(scrape ? { metricsUrl: scrape.url } : {}) };
    },
    async stop() {
      logger.info({ graceMs: config.shutdown.graceMs }, 'shutting down');
      const result = await shutdown.run(config.shutdown.graceMs);
      if (result.completed) logger.info({ failed: result.failed }, 'shutdown complete');
      return result;
    },
  };
}
