// The Fastify application as a plugin: external plugins, then our own (each an fp plugin with a name),
// then routes. It takes config and dependencies as arguments and opens no connection of its own.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Registry } from 'prom-client';
import { ZodError } from 'zod';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import authzPlugin from './plugins/app/authz.ts';
import metricsPlugin from './plugins/app/metrics.ts';
import readinessPlugin, { type ReadinessDeps } from './plugins/app/readiness.ts';
import zodPlugin, { describeZodError } from './plugins/app/zod.ts';
import swaggerPlugin from './plugins/external/swagger.ts';
import healthRoutes from './routes/health.ts';
import metricsRoutes from './routes/metrics.ts';
import agentRoutes from './routes/agents.ts';
import queueRoutes from './routes/queues.ts';
import slaRoutes from './routes/sla.ts';
import loginRoutes from './routes/login.ts';
import softphoneRoutes, { DEFAULT_STATIC_DIR } from './routes/softphone.ts';
import handoffRoutes, { type HandoffRoutesOptions } from './routes/handoffs.ts';
import threeWayRoutes, { type ThreeWayRoutesOptions } from './routes/handoff-threeway.ts';
import opsRoutes from './routes/ops.ts';
import superviseRoutes from './routes/supervise.ts';
import type { Supervision } from './ops/supervision.ts';
import kbRoutes from './routes/kb.ts';
import type { KbService } from './kb-control.ts';
import directoryRoutes from './routes/directory.ts';
import type { DirectoryService } from './directory/service.ts';
import qaRoutes, { type QaRoutesOptions } from './routes/qa.ts';
import revisitRoutes, { type RevisitRoutesOptions } from './routes/revisits.ts';
import type { OpsService } from './ops/ops-service.ts';
import type { Auth } from './auth/auth.ts';
import type { SlaService } from './sla/service.ts';
import type { AgentStore } from './store/agent-store.ts';
import type { QueueStore } from './store/queue-store.ts';
import type { QueueConfig } from './acd/queue-config.ts';
import { isLoopback } from './config-exposure.ts';
import { isRedisUnavailable } from './store/redis-client.ts';
import type { RedisHealth } from './store/redis-health.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

export interface AppDeps {
  readiness: ReadinessDeps;
  metrics: Registry;
  /** Present when the service measures answer times: GET /api/sla. */
  sla?: SlaService;
  /** Present when the service runs the ACD: agents and queues REST. */
  acd?: {
    agents: AgentStore;
    queues: QueueStore;
    queueConfigs: readonly QueueConfig[];
    onAgentStateChange: (agentId: string) => void;
  };
  /** Present with call control: reports, forecast, wallboard and supervisor pages. */
  ops?: OpsService;
  /** Present with call control: listen/whisper/barge, queue moves, messages to agents. */
  supervision?: Supervision;
  /** Present with Redis: the knowledge base, /api/kb and the editor page /kb. */
  kb?: KbService;
  /** Logins (POST /api/login) and the token check of every protected route. */
  auth: Auth;
  /** Present with call control: recordings, the QA sample and scores, the QA page. */
  qa?: Omit<QaRoutesOptions, 'staticDir'>;
  /** Present when partner hotlines' handoffs run: /api/handoffs. */
  handoffs?: HandoffRoutesOptions;
  /** Present with Redis: the department directory (/api/directory). */
  directory?: DirectoryService;
  /** Present with call control: /api/revisits and the ticket system's signed revisit requests. */
  revisits?: RevisitRoutesOptions;
  /** Present with call control: the dispatcher's side of three-way calls (/api/handoffs/:id/three-way). */
  threeWay?: ThreeWayRoutesOptions;
  /** Whether Redis answers: routes that need it answer 503 at once while it does not. Default: always healthy. */
  storeHealth?: Pick<RedisHealth, 'healthy' | 'onChange'>;
}

export interface AppOptions {
  config: Config;
  deps: AppDeps;
}

export interface BuildAppOptions extends AppOptions {
  logger: Logger;
}

const SERVICE_VERSION = '0.1.0';

// Probes and scrapes arrive every few seconds; a log line for each would drown the call logs.
const quietRoutes = new Set(['/healthz', '/readyz', '/metrics']);

/** The whole HTTP application; register it with fastify-plugin so its decorators reach the root. */
export const serviceApp: FastifyPluginAsync<AppOptions> = async (fastify, { config, deps }) => {
  fastify.decorate('config', config);

  // First, so its hooks reach every route registered after it (the docs' included).
  await fastify.register(authzPlugin, {
    auth: deps.auth,
    metrics: { token: config.metrics.token, openWithoutToken: isLoopback(config.http.host) },
  });
  const health = deps.storeHealth;
  if (health) {
    fastify.addHook('onRequest', async (req, reply) => {
      if (!req.routeOptions.config.store) return;
      // Waiting for a command timeout would tell the client the same thing seconds later.
      if (!health.healthy()) return reply.code(503).header('retry-after', '2').send(storeUnavailable);
      // A request already waiting on Redis when it stops answering is answered now as well.
      const off = health.onChange((ok) => {
        if (ok || reply.sent) return;
        reply.log.warn('request answered 503: Redis stopped answering while it waited');
        void reply.code(503).header('retry-after', '2').send(storeUnavailable);
        // Its handler settles later, at the command timeout; Fastify's "already sent" lines say nothing new.
        const quiet = reply.log.child({}, { level: 'silent' });
        req.log = quiet;
        reply.log = quiet;
      });
      reply.raw.once('close', off);
    });
  }

  await fastify.register(swaggerPlugin, { version: SERVICE_VERSION });

  await fastify.register(zodPlugin);
  await fastify.register(metricsPlugin, { registry: deps.metrics });
  await fastify.register(readinessPlugin, { deps: deps.readiness });

  fastify.setErrorHandler((error: FastifyError | ZodError, request, reply) => {
    // A ZodError thrown by a handler means its external input (a body, a payload) was refused.
    const status = error instanceof ZodError ? 400 : statusOf(error);
    if (isRedisUnavailable(error)) {
      request.log.warn({ err: { message: error.message }, req: request }, 'request refused: Redis unavailable');
      return reply.code(503).header('retry-after', '2').send(storeUnavailable);
    }
    if (status >= 500) {
      request.log.error({ err: error, req: request }, 'request failed');
      // The cause stays in the log: the client gets the request id to quote, not our internals.
      return reply.code(status).send({ statusCode: status, error: 'Internal Server Error', message: 'internal error', requestId: request.id });
    }
    const message = error instanceof ZodError ? describeZodError(error) : error.message;
    request.log.info({ err: { message, code: (error as FastifyError).code }, req: request }, 'request refused');
    return reply.code(status).send({ statusCode: status, error: reasonOf(status), message });
  });

  await fastify.register(healthRoutes);
  await fastify.register(metricsRoutes);
  if (deps.sla) await fastify.register(slaRoutes, { sla: deps.sla, ...(deps.acd ? { queueNames: deps.acd.queueConfigs.map((q) => q.name) } : {}) });
  await fastify.register(loginRoutes, { auth: deps.auth });
  await fastify.register(softphoneRoutes, { auth: deps.auth, config });
  if (deps.handoffs) await fastify.register(handoffRoutes, deps.handoffs);
  if (deps.directory) await fastify.register(directoryRoutes, { directory: deps.directory });
  if (deps.revisits) await fastify.register(revisitRoutes, deps.revisits);
  if (deps.threeWay) await fastify.register(threeWayRoutes, deps.threeWay);
  if (deps.ops) await fastify.register(opsRoutes, { ops: deps.ops, staticDir: config.desk.staticDir ?? DEFAULT_STATIC_DIR });
  if (deps.acd && deps.supervision) await fastify.register(superviseRoutes, { supervision: deps.supervision, agents: deps.acd.agents });
  if (deps.kb) await fastify.register(kbRoutes, { kb: deps.kb, staticDir: config.desk.staticDir ?? DEFAULT_STATIC_DIR });
  if (deps.qa) await fastify.register(qaRoutes, { ...deps.qa, staticDir: config.desk.staticDir ?? DEFAULT_STATIC_DIR });
  if (deps.acd) {
    await fastify.register(agentRoutes, { agents: deps.acd.agents, onStateChange: deps.acd.onAgentStateChange });
    await fastify.register(queueRoutes, { agents: deps.acd.agents, queues: deps.acd.queues, queueConfigs: deps.acd.queueConfigs });
  }
};

const storeUnavailable = { statusCode: 503, error: 'Service Unavailable', message: 'storage (Redis) unavailable: retry shortly' };

function statusOf(error: { statusCode?: number }): number {
  const s = error.statusCode;
  return typeof s === 'number' && s >= 400 && s <= 599 ? s : 500;
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
};
const reasonOf = (status: number): string => reasons[status] ?? 'Client Error';

/** A Fastify instance with the service app registered (not yet listening). */
export async function buildApp({ config, logger, deps }: BuildAppOptions): Promise<FastifyInstance> {
  // Typed as Fastify's base logger so the instance is the plain FastifyInstance every plugin expects.
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance,
    genReqId: () => randomUUID(),
    logController: new LogController({ disableRequestLogging: (req) => quietRoutes.has(req.routeOptions.url ?? '') }),
    // Bodies are small JSON commands; anything bigger is a mistake or an attack.
    bodyLimit: 1024 * 1024,
  });
  await app.register(fp(serviceApp, { name: 'service-app' }), { config, deps });
  return app;
}
