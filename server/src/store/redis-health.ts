// Is Redis answering? A PING every interval on the probe connection, bounded by a timeout. A
// connection can look fine while Redis answers nothing (a stalled or SIGSTOPped server keeps its TCP
// connections open), so the signal is "a PING came back in time", not the connection's state.
// Readers: HTTP (answer 503 at once instead of waiting for a command to time out), /readyz, and
// the ACD (no routing pass while Redis is away; callers wait in the dialplan meanwhile).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisHealth {
  /** The last probe's verdict; true until the first probe says otherwise. */
  healthy(): boolean;
  /** Probe now (also what the timer does). */
  check(): Promise<boolean>;
  /** Told on every change of verdict. */
  onChange(listener: (healthy: boolean) => void): () => void;
  start(): void;
  stop(): void;
}

export interface RedisHealthOptions {
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

export function watchRedis(redis: Redis, opts: RedisHealthOptions): RedisHealth {
  const intervalMs = opts.intervalMs ?? 500;
  const timeoutMs = opts.timeoutMs ?? 1_000;
  const now = opts.now ?? Date.now;
  const log = opts.logger.child({ component: 'redis-health' });
  const listeners = new Set<(healthy: boolean) => void>();
  let healthy = true;
  let downSince = 0;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let probing: Promise<boolean> | undefined;

  const ping = async (): Promise<boolean> => {
    let t: NodeJS.Timeout | undefined;
    // The verdict waits one more turn of the event loop: timers run before I/O, so on a busy
    // process the PONG may already sit in the socket when the timer fires (no false alarm then).
    const late = new Promise<false>((resolve) => (t = setTimeout(() => setImmediate(() => resolve(false)), timeoutMs)));
    try {
      return await Promise.race([redis.ping().then((r) => r === 'PONG'), late]);
    } catch {
      return false;
    } finally {
      clearTimeout(t);
    }
  };

  const set = (ok: boolean): void => {
    if (!ok) failures++;
    if (ok === healthy) return;
    healthy = ok;
    if (ok) {
      log.info({ downMs: now() - downSince, failedProbes: failures }, 'redis available again');
      failures = 0;
    } else {
      downSince = now();
      log.warn({ timeoutMs }, 'redis unavailable: requests answer 503 and routing pauses until it is back');
    }
    for (const l of listeners) l(ok);
  };

  const check = (): Promise<boolean> => {
    probing ??= ping()
      .then((ok) => (set(ok), ok))
      .finally(() => (probing = undefined));
    return probing;
  };

  return {
    healthy: () => healthy,
    check,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      if (timer) return;
      timer = setInterval(() => void check(), intervalMs);
      timer.unref();
      void check();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
