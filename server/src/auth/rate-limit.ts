// Failed-login counter: a fixed window per key (username, client address). Held in memory per
// instance: with n instances behind a balancer an attacker gets at most n times the budget, which
// scrypt's cost per try keeps small.
export interface FailureLimiter {
  /** True while the key has used up its failures in the current window. */
  blocked(key: string): boolean;
  fail(key: string): void;
  reset(key: string): void;
}

const MAX_KEYS = 100_000;

export function failureLimiter(opts: { maxFailures: number; windowMs: number; now?: () => number }): FailureLimiter {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { count: number; until: number }>();
  const live = (key: string) => {
    const e = entries.get(key);
    if (e && e.until <= now()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  return {
    blocked: (key) => (live(key)?.count ?? 0) >= opts.maxFailures,
    fail(key) {
      const e = live(key);
      if (e) e.count++;
      else entries.set(key, { count: 1, until: now() + opts.windowMs });
      // Bounded memory under a spray of usernames: drop the oldest windows first (insertion order).
      for (const k of entries.keys()) {
        if (entries.size <= MAX_KEYS) break;
        entries.delete(k);
      }
    },
    reset: (key) => void entries.delete(key),
  };
}
