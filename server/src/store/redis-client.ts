// The Redis connections the service opens, all with bounded waits: a Redis that stalls or is gone
// must turn into a quick error (HTTP 503, a refused command) and never into a request, a socket
// command or a routing pass that hangs. ioredis's defaults wait forever: no command timeout, and
// commands queued offline until the connection comes back.
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisClientSettings {
  readonly url: string;
  /** A command not answered within this is failed (ioredis `commandTimeout`). */
  readonly commandTimeoutMs: number;
}

/**
 * The store's connection. Commands issued while it reconnects wait in the offline queue, so a
 * blip (a restart, a failover) costs a short delay instead of errors; the queue is bounded in time,
 * not in length: each command fails after `commandTimeoutMs`, or at the second failed reconnect
 * attempt (maxRetriesPerRequest), whichever comes first.
 */
export function storeRedis(s: RedisClientSettings, extra: RedisOptions = {}): Redis {
  return new Redis(s.url, {
    commandTimeout: s.commandTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...extra,
  });
}

/** The health probe's connection: nothing queues, a command while disconnected fails at once. */
export function probeRedis(s: RedisClientSettings): Redis {
  return storeRedis(s, { lazyConnect: true, enableOfflineQueue: false });
}

/**
 * The pub/sub pair of the Socket.IO adapter. The adapter publishes without awaiting, so a publish
 * refused while Redis is away would be an unhandled rejection (server.ts ends the process on one):
 * each is given a handler here; the deltas it carried are lost and clients resync on reconnect.
 * The subscriber keeps ioredis's patient defaults: it must resubscribe whenever Redis comes back.
 */
export function adapterRedis(s: RedisClientSettings): { pub: Redis; sub: Redis } {
  const pub = storeRedis(s);
  const publish = pub.publish.bind(pub) as (...args: unknown[]) => Promise<number>;
  pub.publish = ((...args: unknown[]) => {
    const p = publish(...args);
    p.catch(() => {});
    return p;
  }) as Redis['publish'];
  const sub = new Redis(s.url, { maxRetriesPerRequest: null });
  return { pub, sub };
}

/**
 * A connection for SUBSCRIBE alone: ioredis's patient defaults (no command timeout, retries
 * forever), since it must subscribe again whenever Redis comes back.
 */
export const subscriberRedis = (s: RedisClientSettings): Redis => new Redis(s.url, { maxRetriesPerRequest: null });

/** Whether an error means Redis could not be reached in time (as opposed to a bug or a refused write). */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return /^(Command timed out|Connection is closed\.|Stream isn't writeable)/.test(err.message);
}
