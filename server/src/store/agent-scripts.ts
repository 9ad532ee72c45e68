// Lua scripts of the agent store. Each runs atomically in Redis, so two service instances changing
// the same agent cannot interleave: the record, the ready sets and the audit entry change together.
// Keys are declared in KEYS (built by keys.ts on the Node side); see agent-store.ts for the layout.

/**
 * Compare-and-set of an agent hash.
 * KEYS[1] agent hash, KEYS[2] audit stream, KEYS[3] set of agent ids, KEYS[4] wrap-up index,
 * KEYS[5 .. 4+nLeave] ready sets to leave, KEYS[5+nLeave ..] ready sets to join.
 * ARGV: id, expectRev ('' = create: the agent must not exist), expectState, expectCallId, nLeave,
 * joinScore ('' = join none), auditMaxLen, wrapUp (ms the wrap-up ends: index the agent under it;
 * '-': leave the index; '': leave it alone), nSet, field/value pairs, nDel, fields, then audit
 * field/value pairs.
 *
 * The wrap-up index is written here, not in a second command after the script: an agent leaving
 * wrap-up (its "ready" press) then costs one round trip, not two, and a crash cannot separate the
 * index from the record.
 * Returns OK, EXISTS (create of a known id), GONE (unknown id) or CONFLICT (changed since it was read).
 *
 * The state and call id are compared as well as rev: the router's claim script moves agents
 * ready -> reserved in its own script, and a record it changed must not be overwritten from a stale read.
 */
export const WRITE_AGENT = `
local id, expRev, expState, expCall = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local nLeave, joinScore, maxLen = tonumber(ARGV[5]), ARGV[6], ARGV[7]
local cur = redis.call('HMGET', KEYS[1], 'rev', 'state', 'callId')
if expRev == '' then
  if cur[2] then return 'EXISTS' end
else
  if not cur[2] then return 'GONE' end
  if (cur[1] or '0') ~= expRev or cur[2] ~= expState or (cur[3] or '') ~= expCall then return 'CONFLICT' end
end
for k = 5, 4 + nLeave do redis.call('ZREM', KEYS[k], id) end
if joinScore ~= '' then
  for k = 5 + nLeave, #KEYS do redis.call('ZADD', KEYS[k], joinScore, id) end
end
local wrapUp = ARGV[8]
if wrapUp == '-' then redis.call('ZREM', KEYS[4], id) elseif wrapUp ~= '' then redis.call('ZADD', KEYS[4], wrapUp, id) end
local i = 9
local nSet = tonumber(ARGV[i])
if nSet > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, i + 1, i + 2 * nSet)) end
i = i + 1 + 2 * nSet
local nDel = tonumber(ARGV[i])
if nDel > 0 then redis.call('HDEL', KEYS[1], unpack(ARGV, i + 1, i + nDel)) end
i = i + 1 + nDel
redis.call('HSET', KEYS[1], 'rev', tostring(tonumber(cur[1] or '0') + 1))
redis.call('SADD', KEYS[3], id)
if i <= #ARGV then redis.call('XADD', KEYS[2], 'MAXLEN', '~', maxLen, '*', unpack(ARGV, i, #ARGV)) end
return 'OK'
`;

/**
 * Delete a logged-out agent. KEYS[1] agent hash, KEYS[2] audit stream, KEYS[3] set of agent ids,
 * KEYS[4..] the agent's ready sets (left for safety). ARGV: id, auditMaxLen, audit field/value pairs.
 * Returns OK, GONE, or the agent's state when it is not logged out. The audit stream is kept: the
 * trail of a removed agent is still evidence (it stays bounded by MAXLEN).
 */
export const DELETE_AGENT = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'GONE' end
if state ~= 'logged-out' then return state end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
for k = 4, #KEYS do redis.call('ZREM', KEYS[k], ARGV[1]) end
if #ARGV > 2 then redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3, #ARGV)) end
return 'OK'
`;
