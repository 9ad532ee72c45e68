// Queue membership in Redis: one sorted set per (queue, priority class), scored by t0 in
// microseconds, so the order is "highest class first, FIFO within a class" and survives restarts.
// ZADD NX keeps a caller's first t0 when it is enqueued again (requeue after ring-no-answer).
import type { Redis } from 'ioredis';
import { callerKey } from '../calls/caller-number.ts';
import type { RedisKeys } from './keys.ts';

/** Priority classes, highest first: from-110 > elder > repeat caller > normal. */
export const PRIORITY = { from110: 3, elder: 2, repeat: 1, normal: 0 } as const;
export const PRIORITY_CLASSES = [3, 2, 1, 0] as const;

export interface QueuedCall {
  readonly callId: string;
  /** Set when the caller chose to be called back: the number to ring, and attempts made. */
  readonly callback?: { readonly number: string; readonly attempts: number };
  readonly queue: string;
  readonly priority: number;
  readonly t0Us: number;
  readonly node: string;
  readonly line: string;
}

/** Move a waiting caller to another queue (same class, same t0); 0 if it was not waiting. */
const MOVE = `
local entry, fromZ, toZ, toQueue, callId = KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2]
local t0 = redis.call('ZSCORE', fromZ, callId)
if not t0 then return 0 end
redis.call('ZREM', fromZ, callId)
redis.call('ZADD', toZ, 'NX', t0, callId)
redis.call('HSET', entry, 'queue', toQueue)
return 1
`;

/**
 * Put a waiting caller at the head of its class: its score goes just below the class's lowest.
 * The score only orders the class (and widens skill tiers); the caller's t0 for the SLA stays in
 * its entry hash. A requeue after ring-no-answer puts it back at its t0.
 */
const TO_HEAD = `
local z, callId = KEYS[1], ARGV[1]
if not redis.call('ZSCORE', z, callId) then return 0 end
local head = redis.call('ZRANGE', z, 0, 0, 'WITHSCORES')
if head[1] == callId then return 1 end
redis.call('ZADD', z, tonumber(head[2]) - 1, callId)
return 1
`;

const MARK_CALLBACK = `
if redis.call('ZSCORE', KEYS[2], ARGV[1]) == false then return 0 end
if redis.call('HEXISTS', KEYS[1], 'callbackNumber') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'callbackNumber', ARGV[2], 'callbackAttempts', 0)
redis.call('SADD', KEYS[3], ARGV[1])
return 1
`;

export class QueueStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Move a waiting caller to another queue keeping its class and t0; false if it was not waiting. */
  async move(callId: string, toQueue: string): Promise<boolean> {
    const q = await this.get(callId);
    if (!q) return false;
    const res = await this.redis.eval(MOVE, 3, this.keys.queuedCall(callId), this.keys.queueClass(q.queue, q.priority), this.keys.queueClass(toQueue, q.priority), toQueue, callId);
    if (res === 1) await this.redis.sadd(this.keys.queues, toQueue);
    return res === 1;
  }

  /** Move a waiting caller to the head of its priority class; false if it was not waiting. */
  async toHead(callId: string): Promise<boolean> {
    const q = await this.get(callId);
    if (!q) return false;
    return (await this.redis.eval(TO_HEAD, 1, this.keys.queueClass(q.queue, q.priority), callId)) === 1;
  }

  /** Take a waiting caller out of its queue for good; false if another instance (or an offer) took it first. */
  async take(callId: string): Promise<boolean> {
    const q = await this.get(callId);
    if (!q) return false;
    const removed = await this.redis.zrem(this.keys.queueClass(q.queue, q.priority), callId);
    if (removed === 1) await this.redis.del(this.keys.queuedCall(callId));
    return removed === 1;
  }

  /**
   * Note that a number reached a queue and say whether it already had within `windowSec` (a repeat
   * caller within 24 h is served before first-time callers). One round trip: SET ... GET.
   */
  async seenBefore(callerNumber: string, windowSec = 86_400): Promise<boolean> {
    // A caller without a number is nobody's repeat: all of them would share one marker.
    const number = callerKey(callerNumber);
    if (!number) return false;
    const previous = await this.redis.set(this.keys.callerSeen(number), '1', 'EX', windowSec, 'GET');
    return previous !== null;
  }

  /** True once per `everySec` per caller across instances (position announcements). */
  async announceSlot(callId: string, everySec: number): Promise<boolean> {
    return (await this.redis.set(this.keys.announced(callId), '1', 'EX', everySec, 'NX')) === 'OK';
  }

  async enqueue(q: QueuedCall): Promise<void> {
    await this.redis
      .multi()
      .zadd(this.keys.queueClass(q.queue, q.priority), 'NX', q.t0Us, q.callId)
      .hset(this.keys.queuedCall(q.callId), { queue: q.queue, priority: String(q.priority), t0Us: String(q.t0Us), node: q.node, line: q.line })
      .sadd(this.keys.queues, q.queue)
      .exec();
  }

  async remove(callId: string): Promise<void> {
    const q = await this.get(callId);
    const m = this.redis.multi().del(this.keys.queuedCall(callId)).srem(this.keys.callbacks, callId);
    if (q) m.zrem(this.keys.queueClass(q.queue, q.priority), callId);
    await m.exec();
  }

  /** The caller's call ended: drop its entry unless it is waiting for a callback. */
  async removeUnlessCallback(callId: string): Promise<void> {
    if (await this.redis.sismember(this.keys.callbacks, callId)) return;
    await this.remove(callId);
  }

  /**
   * The caller asked to be called back: keep its place (class, t0) and note the number. Only the
   * first of several instances seeing the key press wins; false if not waiting or already marked.
   */
  async markCallback(callId: string, number: string): Promise<boolean> {
    const q = await this.get(callId);
    if (!q || q.callback) return false;
    const res = await this.redis.eval(MARK_CALLBACK, 3, this.keys.queuedCall(callId), this.keys.queueClass(q.queue, q.priority), this.keys.callbacks, callId, number);
    return res === 1;
  }

  /** A callback attempt failed: count it; the caller goes back in its class with its t0 when `requeue`. */
  async callbackAttemptFailed(callId: string, requeue: boolean): Promise<void> {
    const q = await this.get(callId);
    if (!q) return;
    if (!requeue) return this.remove(callId);
    await this.redis
      .multi()
      .hincrby(this.keys.queuedCall(callId), 'callbackAttempts', 1)
      .hset(this.keys.queuedCall(callId), 'state', 'waiting')
      .zadd(this.keys.queueClass(q.queue, q.priority), 'NX', q.t0Us, callId)
      .exec();
  }

  /** Entries claimed for an offer before `beforeMs` (their offer should long be over). */
  async staleOffers(beforeMs: number): Promise<{ callId: string; agentId: string }[]> {
    const out: { callId: string; agentId: string }[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', this.keys.queuedCall('*'), 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const [state, agent, at] = await this.redis.hmget(key, 'state', 'agent', 'offeredAt');
        if (state === 'offering' && agent && Number(at) < beforeMs) out.push({ callId: key.slice(this.keys.queuedCall('').length), agentId: agent });
      }
    } while (cursor !== '0');
    return out;
  }

  /** Entries waiting for a callback that are in no queue (an attempt in flight, or lost with a crashed instance). */
  async callbackIds(): Promise<string[]> {
    return this.redis.smembers(this.keys.callbacks);
  }

  async get(callId: string): Promise<QueuedCall | undefined> {
    const h = await this.redis.hgetall(this.keys.queuedCall(callId));
    if (!h.queue) return undefined;
    const base = { callId, queue: h.queue, priority: Number(h.priority), t0Us: Number(h.t0Us), node: h.node ?? '', line: h.line ?? '' };
    return h.callbackNumber ? { ...base, callback: { number: h.callbackNumber, attempts: Number(h.callbackAttempts ?? 0) } } : base;
  }

  /** Call ids in routing order: priority class high to low, oldest t0 first. */
  async list(queue: string): Promise<string[]> {
    const m = this.redis.multi();
    for (const p of PRIORITY_CLASSES) m.zrange(this.keys.queueClass(queue, p), '0', '-1');
    const res = (await m.exec()) ?? [];
    return res.flatMap(([, ids]) => (ids as string[] | null) ?? []);
  }

  async queues(): Promise<string[]> {
    return this.redis.smembers(this.keys.queues);
  }
}
