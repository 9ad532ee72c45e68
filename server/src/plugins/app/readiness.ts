// Readiness: the service takes calls only when every configured FreeSWITCH node is connected and
// Redis answers. The checks come from the wiring through this small interface, so the routes never
// know about the ESL client or ioredis.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export interface FreeswitchNodeStatus {
  name: string;
  connected: boolean;
}

export interface ReadinessDeps {
  /** One entry per configured node. */
  freeswitch(): readonly FreeswitchNodeStatus[];
  /** True when Redis answers a PING. Should not throw; a rejection counts as false. */
  redis(): Promise<boolean>;
  /** True once shutdown has begun: the service reports not ready so balancers stop sending work. */
  draining?(): boolean;
}

export interface ReadinessReport {
  ready: boolean;
  checks: {
    redis: boolean;
    freeswitch: FreeswitchNodeStatus[];
    draining: boolean;
  };
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
}

declare module 'fastify' {
  interface FastifyInstance {
    readiness: Readiness;
  }
}

export interface ReadinessPluginOptions {
  deps: ReadinessDeps;
  /** A probe must answer quickly even when Redis hangs. */
  timeoutMs?: number;
}

function within(promise: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([promise.catch(() => false), timeout]).finally(() => clearTimeout(timer));
}

export function createReadiness(deps: ReadinessDeps, timeoutMs = 1_000): Readiness {
  return {
    async check() {
      const freeswitch = deps.freeswitch().map(({ name, connected }) => ({ name, connected }));
      const draining = deps.draining?.() ?? false;
      const redis = await within(Promise.resolve().then(() => deps.redis()), timeoutMs);
      // No node configured cannot happen (the config needs one) but must never read as ready.
      const ready = !draining && redis && freeswitch.length > 0 && freeswitch.every((n) => n.connected);
      return { ready, checks: { redis, freeswitch, draining } };
    },
  };
}

const readinessPlugin: FastifyPluginAsync<ReadinessPluginOptions> = async (fastify, opts) => {
  fastify.decorate('readiness', createReadiness(opts.deps, opts.timeoutMs));
};

export default fp(readinessPlugin, { name: 'readiness', fastify: '5.x' });
