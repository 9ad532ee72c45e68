// The atomic claim at the heart of routing: in one Lua script, look at the head caller of every
// (queue, priority class) the service routes, take the best of them an agent can serve now (highest
// class first, then oldest t0, whatever queue it sits in) with the longest-idle ready agent having
// the queue's skill at the level the caller's wait allows, and mark both as taken. Two service
// instances running it at once can never give one agent two calls or one caller two agents.
//
// Why across queues: several queues share a skill (from110, elder and general are all served by
// `general`), so a per-queue claim that served `general` first gave its normal callers every agent
// while callers transferred from 110 waited behind them.
//
// Keys are built inside the script from the prefix (not declared in KEYS): this deployment uses a
// single Redis, not a cluster, and the agent keys are only known once the script has read them.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.ts';
import { PRIORITY_CLASSES } from './queue-store.ts';

const CLAIM = `
local prefix = ARGV[1]
local nowMs = tonumber(ARGV[2])
local scopes = cjson.decode(ARGV[3])
local classes = cjson.decode(ARGV[4])
-- Every non-empty (queue, class) head is a candidate. FIFO inside a class: the head waited longest,
-- so its tier is the widest of its class; if no agent suits it, none suits the others of the class.
local cands = {}
for i, s in ipairs(scopes) do
  for _, p in ipairs(classes) do
    local qk = prefix .. ':queue:' .. s[1] .. ':p' .. p
    local head = redis.call('ZRANGE', qk, 0, 0, 'WITHSCORES')
    if #head > 0 then cands[#cands + 1] = {p, tonumber(head[2]), i, head[1], qk, head[2]} end
  end
end
table.sort(cands, function(a, b)
  if a[1] ~= b[1] then return a[1] > b[1] end
  if a[2] ~= b[2] then return a[2] < b[2] end
  return a[3] < b[3]
end)
-- Ready agents are kept per skill level: the longest idle eligible agent is the lowest score among
-- the heads of the sets for levels minLevel..10. Heads are read once per skill, when first needed.
local ready = {}
local function readHead(skill, lvl)
  local h = redis.call('ZRANGE', prefix .. ':ready:' .. skill .. ':' .. lvl, 0, 0, 'WITHSCORES')
  if #h > 0 then return {h[1], tonumber(h[2])} end
  return false
end
for _, c in ipairs(cands) do
  local p, callId, qk, t0 = c[1], c[4], c[5], c[6]
  local scope = scopes[c[3]]
  local skill, tiers = scope[2], scope[3]
  local waitSec = nowMs / 1000 - c[2] / 1000000
  local minLevel = tiers[1][2]
  for _, t in ipairs(tiers) do if waitSec >= t[1] then minLevel = t[2] end end
  local heads = ready[skill]
  if not heads then
    heads = {}
    for lvl = 1, 10 do heads[lvl] = readHead(skill, lvl) end
    ready[skill] = heads
  end
  -- A member that is not ready is stale (it should never happen): drop it and look again, so it
  -- cannot block. Bounded: each round removes one member.
  for _ = 1, 50 do
    local best, bestLvl = nil, nil
    for lvl = minLevel, 10 do
      local h = heads[lvl]
      if h and (best == nil or h[2] < best[2]) then best, bestLvl = h, lvl end
    end
    if not best then break end
    local agentId = best[1]
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
      return {callId, agentId, a[3] or '', tostring(p), t0, q[1] or '', q[2] or '0', scope[1]}
    end
    redis.call('ZREM', prefix .. ':ready:' .. skill .. ':' .. bestLvl, agentId)
    heads[bestLvl] = readHead(skill, bestLvl)
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

/** One queue the claim looks at: its name, the skill serving it, its tiers as [afterSec, minLevel]. */
export interface ClaimScope {
  readonly queue: string;
  readonly skill: string;
  /** [afterSec, minLevel] pairs in increasing afterSec order. */
  readonly tiers: readonly (readonly [number, number])[];
}

export interface Claim {
  readonly callId: string;
  /** The queue the caller was taken from. */
  readonly queue: string;
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

  /** The best caller across `scopes` that a ready agent can take now, with that agent; undefined if none. */
  async claim(scopes: readonly ClaimScope[], nowMs: number): Promise<Claim | undefined> {
    const wire = scopes.map((s) => [s.queue, s.skill, s.tiers]);
    const res = await this.redis.hotlineClaim(this.prefix, String(nowMs), JSON.stringify(wire), JSON.stringify(PRIORITY_CLASSES));
    if (!res) return undefined;
    const [callId = '', agentId = '', phone = '', priority = '0', t0Us = '0', cbNumber = '', cbAttempts = '0', queue = ''] = res;
    const claim = { callId, queue, agentId, phone, priority: Number(priority), t0Us: Number(t0Us) };
    return cbNumber ? { ...claim, callback: { number: cbNumber, attempts: Number(cbAttempts) } } : claim;
  }

  async requeue(callId: string): Promise<boolean> {
    return (await this.redis.hotlineRequeue(this.prefix, callId)) === 1;
  }
}
