// The atomic claim at the heart of routing: in one Lua script, take the head caller of a queue
// (highest priority class first, oldest t0 within it) and the longest-idle ready agent with the
// skill at the level the caller's wait allows, and mark both as taken. Two service instances
// running it at once can never give one agent two calls or one caller two agents.
//
// Keys are built inside the script from the prefix (not declared in KEYS): this deployment uses a
// single Redis, not a cluster, and the agent keys are only known once the script has read them.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.ts';
import { PRIORITY_CLASSES } from './queue-store.ts';

const CLAIM = `
local prefix, queue, skill = ARGV[1], ARGV[2], ARGV[3]
local nowMs = tonumber(ARGV[4])
local tiers = cjson.decode(ARGV[5])
local classes = cjson.decode(ARGV[6])
for _, p in ipairs(classes) do
  local qk = prefix .. ':queue:' .. queue .. ':p' .. p
  local head = redis.call('ZRANGE', qk, 0, 0, 'WITHSCORES')
  if #head > 0 then
    local callId, t0Us = head[1], tonumber(head[2])
    local waitSec = nowMs / 1000 - t0Us / 1000000
    local minLevel = tiers[1][2]
    for _, t in ipairs(tiers) do if waitSec >= t[1] then minLevel = t[2] end end
    -- FIFO inside a class: the head waited longest, so its tier is the widest of its class; if no
    -- agent suits it, none suits the others of the class either. A lower class may still be served.
    -- Ready agents are kept per skill level: the longest idle eligible agent is the lowest score
    -- among the heads of the sets for levels minLevel..10.
    local bestId, bestScore, bestLvl = nil, nil, nil
    for lvl = minLevel, 10 do
      local h = redis.call('ZRANGE', prefix .. ':ready:' .. skill .. ':' .. lvl, 0, 0, 'WITHSCORES')
      if #h > 0 and (bestScore == nil or tonumber(h[2]) < bestScore) then bestId, bestScore, bestLvl = h[1], tonumber(h[2]), lvl end
    end
    if bestId then
      local agentId = bestId
      local ak = prefix .. ':agent:' .. agentId
      local a = redis.call('HMGET', ak, 'state', 'skills', 'phone')
      local ok, skills = pcall(cjson.decode, a[2] or '{}')
      if a[1] == 'ready' and ok then
        local q = redis.call('HMGET', prefix .. ':queued:' .. callId, 'callbackNumber', 'callbackAttempts')
        redis.call('ZREM', qk, callId)
        redis.call('HSET', prefix .. ':queued:' .. callId, 'state', 'offering', 'agent', agentId, 'offeredAt', nowMs)
        for s, l in pairs(skills) do redis.call('ZREM', prefix .. ':ready:' .. s .. ':' .. l, agentId) end
        -- Same fields and audit shape as the agent store's own transitions (agent-scripts.ts); rev
        -- moves so a transition computed from an earlier read is refused there.
        redis.call('HSET', ak, 'state', 'reserved', 'callId', callId, 'since', nowMs)
        redis.call('HDEL', ak, 'reason')
        redis.call('HINCRBY', ak, 'rev', 1)
        redis.call('XADD', ak .. ':audit', 'MAXLEN', '~', 10000, '*', 'event', 'reserve', 'from', 'ready', 'to', 'reserved', 'reason', 'offer', 'at', nowMs, 'by', 'acd', 'callId', callId)
        return {callId, agentId, a[3] or '', tostring(p), head[2], q[1] or '', q[2] or '0'}
      end
      -- A member that is not ready is stale (it should never happen): drop it so it cannot block.
      redis.call('ZREM', prefix .. ':ready:' .. skill .. ':' .. bestLvl, agentId)
    end
  end
end
return false
`;

/** Put an offered caller back in its class with its original t0 (ring-no-answer, agent failure). */
const REQUEUE = `
local prefix, callId = ARGV[1], ARGV[2]
local h = redis.call('HMGET', prefix .. ':queued:' .. callId, 'queue', 'priority', 't0Us')
if not h[1] then return 0 end
redis.call('ZADD', prefix .. ':queue:' .. h[1] .. ':p' .. h[2], 'NX', h[3], callId)
redis.call('HSET', prefix .. ':queued:' .. callId, 'state', 'waiting', 'agent', '')
return 1
`;

export interface Claim {
  readonly callId: string;
  /** The caller asked to be called back on this number (with the attempts made so far). */
  readonly callback?: { readonly number: string; readonly attempts: number };
  readonly agentId: string;
  /** The agent's phone dial target (e.g. user/1001). */
  readonly phone: string;
  readonly priority: number;
  readonly t0Us: number;
}

type ScriptRedis = Redis & {
  hotlineClaim(...args: string[]): Promise<string[] | null>;
  hotlineRequeue(...args: string[]): Promise<number>;
};

export class ClaimStore {
  private readonly redis: ScriptRedis;

  constructor(
    redis: Redis,
    keys: RedisKeys,
    /** The key prefix the scripts build keys from; must match keys.ts. */
    private readonly prefix: string,
  ) {
    if (keys.queueClass('q', 0) !== `${prefix}:queue:q:p0` || keys.readyAgents('s', 3) !== `${prefix}:ready:s:3` || keys.agent('a') !== `${prefix}:agent:a`)
      throw new Error('claim scripts and keys.ts disagree on key layout');
    // defineCommand sends the script once and then calls it by SHA (EVALSHA), which keeps a claim
    // to one short round trip.
    if (!('hotlineClaim' in redis)) {
      redis.defineCommand('hotlineClaim', { numberOfKeys: 0, lua: CLAIM });
      redis.defineCommand('hotlineRequeue', { numberOfKeys: 0, lua: REQUEUE });
    }
    this.redis = redis as ScriptRedis;
  }

  /** tiers: [afterSec, minLevel] pairs in increasing afterSec order. */
  async claim(queue: string, skill: string, nowMs: number, tiers: readonly (readonly [number, number])[]): Promise<Claim | undefined> {
    const res = await this.redis.hotlineClaim(this.prefix, queue, skill, String(nowMs), JSON.stringify(tiers), JSON.stringify(PRIORITY_CLASSES));
    if (!res) return undefined;
    const [callId = '', agentId = '', phone = '', priority = '0', t0Us = '0', cbNumber = '', cbAttempts = '0'] = res;
    const claim = { callId, agentId, phone, priority: Number(priority), t0Us: Number(t0Us) };
    return cbNumber ? { ...claim, callback: { number: cbNumber, attempts: Number(cbAttempts) } } : claim;
  }

  async requeue(callId: string): Promise<boolean> {
    return (await this.redis.hotlineRequeue(this.prefix, callId)) === 1;
  }
}
