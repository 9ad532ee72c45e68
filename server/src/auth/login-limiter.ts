// Failed-login budget per key (a username, a client address) within a fixed window. Checking the
// budget and spending it is one atomic step taken before the password is checked, so parallel
// guesses cannot all pass a check that none of them has yet spent (read-then-write lets a burst of
// N requests through where the budget is 5). A successful login gives its attempt back: the
// user's failures are forgotten and the address's slot is returned, so a call center behind one
// NAT address is not locked out by its own agents logging in.
export interface LoginLimiter {
  /** Spend one attempt on every key, or on none: false when any key has no attempt left. */
  acquire(keys: LoginKeys): Promise<boolean>;
  /** The attempt logged in: clear the user's failures and return the address's attempt. */
  succeeded(keys: LoginKeys): Promise<void>;
}

export interface LoginKeys {
  readonly user: string;
  readonly address: string;
}

export interface LimitSettings {
  /** Attempts per username in the window. */
  readonly maxFailures: number;
  /** Attempts per client address: higher, since a whole center may share one NAT address. */
  readonly maxPerAddress: number;
  readonly windowMs: number;
}

const MAX_KEYS = 100_000;

/**
 * One process's budget (no Redis configured: HTTP-only tests, tools). Atomic because acquire runs
 * without an await between the check and the spend. With several instances use the Redis one.
 */
export function memoryLimiter(opts: LimitSettings & { now?: () => number }): LoginLimiter {
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
  const keysOf = (k: LoginKeys) => [`u:${k.user}`, `a:${k.address}`];
  const max = [opts.maxFailures, opts.maxPerAddress];
  return {
    async acquire(k) {
      const keys = keysOf(k);
      if (keys.some((key, i) => (live(key)?.count ?? 0) >= max[i]!)) return false;
      for (const key of keys) {
        const e = live(key);
        if (e) e.count++;
        else entries.set(key, { count: 1, until: now() + opts.windowMs });
      }
      // Bounded memory under a spray of usernames: drop the oldest windows first (insertion order).
      for (const key of entries.keys()) {
        if (entries.size <= MAX_KEYS) break;
        entries.delete(key);
      }
      return true;
    },
    async succeeded(k) {
      const [user, address] = keysOf(k);
      entries.delete(user!);
      const a = live(address!);
      if (a && --a.count <= 0) entries.delete(address!);
    },
  };
}
