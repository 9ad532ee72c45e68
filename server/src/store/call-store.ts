// Snapshots of live calls in Redis, so a restarted service (or a second instance) knows which calls
// are in progress and where they stand.
import type { Redis } from 'ioredis';
import type { CallRecord } from '../calls/call-record.ts';
import type { RedisKeys } from './keys.ts';

export class CallStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** A live call's snapshot expires if nobody updates it: a crash never leaves calls forever. */
    private readonly ttlSec = 86_400,
  ) {}

  async save(call: Readonly<CallRecord>): Promise<void> {
    await this.redis.multi().set(this.keys.call(call.id), JSON.stringify(call), 'EX', this.ttlSec).sadd(this.keys.liveCalls, call.id).exec();
  }

  async remove(id: string): Promise<void> {
    await this.redis.multi().del(this.keys.call(id)).srem(this.keys.liveCalls, id).exec();
  }

  async loadLive(): Promise<CallRecord[]> {
    const ids = await this.redis.smembers(this.keys.liveCalls);
    if (!ids.length) return [];
    const raw = await this.redis.mget(ids.map((id) => this.keys.call(id)));
    const calls: CallRecord[] = [];
    const gone: string[] = [];
    raw.forEach((json, i) => {
      if (json) calls.push(JSON.parse(json) as CallRecord);
      else gone.push(ids[i]!);
    });
    if (gone.length) await this.redis.srem(this.keys.liveCalls, ...gone);
    return calls;
  }
}
