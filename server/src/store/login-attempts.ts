// The login budget (auth/login-limiter.ts) in Redis, shared by every instance: the check and the
// spend are one Lua script, so parallel guesses against one or several instances cannot overdraw it.
import type { Redis } from 'ioredis';
import type { LimitSettings, LoginKeys, LoginLimiter } from '../auth/login-limiter.ts';
import type { RedisKeys } from './keys.ts';

/** KEYS: counters. ARGV: window ms, then each counter's budget. 1 when an attempt was taken on every counter, 0 when any is spent. */
const ACQUIRE = `
for i, k in ipairs(KEYS) do
  if tonumber(redis.call('GET', k) or '0') >= tonumber(ARGV[i + 1]) then return 0 end
end
for _, k in ipairs(KEYS) do
  if redis.call('INCR', k) == 1 then redis.call('PEXPIRE', k, ARGV[1]) end
end
return 1
`;

/** KEYS[1] the user's counter (cleared), KEYS[2] the address's (one attempt given back). */
const SUCCEEDED = `
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 and redis.call('DECR', KEYS[2]) <= 0 then redis.call('DEL', KEYS[2]) end
return 1
`;

export function redisLimiter(redis: Redis, keys: RedisKeys, opts: LimitSettings): LoginLimiter {
  const counters = (k: LoginKeys): [string, string] => [keys.loginAttempts('user', k.user), keys.loginAttempts('address', k.address)];
  return {
    async acquire(k) {
      const [user, address] = counters(k);
      return (await redis.eval(ACQUIRE, 2, user, address, String(opts.windowMs), String(opts.maxFailures), String(opts.maxPerAddress))) === 1;
    },
    async succeeded(k) {
      const [user, address] = counters(k);
      await redis.eval(SUCCEEDED, 2, user, address);
    },
  };
}
