// Login and token checks as one object the HTTP route and the realtime layer share.
import type { AuthConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { DUMMY_HASH, verifyPassword } from './passwords.ts';
import { memoryLimiter, type LimitSettings, type LoginLimiter } from './login-limiter.ts';
import { tokenSigner, type Principal } from './tokens.ts';
import { loadUsers, type User } from './users.ts';

export type { Principal } from './tokens.ts';
export type { Role } from './users.ts';

export type LoginResult =
  | { ok: true; token: string; expiresAt: number; principal: Principal }
  | { ok: false; reason: 'invalid' | 'rate-limited' };

export interface Auth {
  login(username: string, password: string, clientAddress: string): Promise<LoginResult>;
  verify(token: string): Promise<Principal & { expiresAt: number }>;
  /** The user's SIP password for its own WebRTC phone, if the users file gives one. */
  sipPassword(username: string): string | undefined;
  /** True when the embedded demo users are in use. */
  readonly demo: boolean;
}

/** The failed-login budget the config asks for (per address: 10 times the per-user budget unless set). */
export const loginLimits = (c: AuthConfig): LimitSettings => ({
  maxFailures: c.loginMaxFailures,
  maxPerAddress: c.loginMaxFailuresPerAddress ?? c.loginMaxFailures * 10,
  windowMs: c.loginWindowSec * 1000,
});

export interface AuthOptions {
  now?: () => number;
  /** The failed-login budget; default: this process's memory (use the Redis one with several instances). */
  limiter?: LoginLimiter;
}

export async function createAuth(config: AuthConfig, logger: Logger, opts: AuthOptions = {}): Promise<Auth> {
  const now = opts.now ?? Date.now;
  const log = logger.child({ component: 'auth' });
  const users = new Map<string, User>((await loadUsers(config.usersPath)).map((u) => [u.username, u]));
  const demo = config.usersPath === undefined;
  if (demo) log.warn('auth: embedded demo users (password demo12345) and a per-start JWT secret; set auth.usersPath and auth.jwtSecret in production');
  const signer = tokenSigner({ ...(config.jwtSecret ? { secret: config.jwtSecret } : {}), ttlSec: config.tokenTtlSec, now });
  const limiter = opts.limiter ?? memoryLimiter({ ...loginLimits(config), now });
  // A guessing run is refused thousands of times: one line per user and 10 s, with the count.
  const refusals = new Map<string, { count: number; at: number }>();
  const logRefusal = (username: string, clientAddress: string): void => {
    const r = refusals.get(username);
    if (r && now() - r.at < 10_000) return void r.count++;
    log.warn({ username, clientAddress, refusedSinceLastLine: r?.count ?? 0 }, 'login refused: too many failures');
    refusals.delete(username);
    refusals.set(username, { count: 0, at: now() });
    if (refusals.size > 10_000) refusals.delete(refusals.keys().next().value!);
  };

  return {
    demo,
    verify: (token) => signer.verify(token),
    sipPassword: (username) => users.get(username)?.sipPassword,
    async login(username, password, clientAddress) {
      const keys = { user: username, address: clientAddress };
      // The attempt is spent before the password is checked (see login-limiter.ts).
      if (!(await limiter.acquire(keys))) {
        logRefusal(username, clientAddress);
        return { ok: false, reason: 'rate-limited' };
      }
      const user = users.get(username);
      const good = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !good) {
        log.info({ username, clientAddress }, 'login failed');
        return { ok: false, reason: 'invalid' };
      }
      await limiter.succeeded(keys);
      const principal: Principal = { username, role: user.role, ...(user.agentId ? { agentId: user.agentId } : {}), ...(user.groups?.length ? { groups: user.groups } : {}) };
      const { token, expiresAt } = await signer.sign(principal);
      log.info({ username, role: user.role }, 'login');
      return { ok: true, token, expiresAt, principal };
    },
  };
}
