// Snapshots of live calls in Redis, so a restarted service (or a second instance) knows which calls
// are in progress and where they stand.
import type { Redis } from 'ioredis';
import type { CallRecord } from '../calls/call-record.ts';
import type { RedisKeys } from './keys.ts';

export class CallStore {
  /** Calls saved since the last write, by id: the record itself, so the write takes its latest state. */
  private dirty = new Map<string, Readonly<CallRecord>>();
  /** Calls completed since the last write: their snapshots go in the same MULTI. */
  private gone = new Set<string>();
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** A live call's snapshot expires if nobody updates it: a crash never leaves calls forever. */
    private readonly ttlSec = 86_400,
    /**
     * How long saves gather before they are written. Every change of every call is saved (2,000
     * switch events a second at peak, one per event-loop turn when the service keeps up): one
     * MULTI per window instead of one per event took ~15 % of the service's CPU off the event
     * path (bench push). A crash loses at most this much of the snapshots' progress, and the
     * resync with the switch after a restart corrects the calls' state anyway.
     */
    private readonly windowMs = 50,
  ) {}

  /**
   * Saves of one window go out as one MULTI, each call once with its latest state. Resolves when
   * that write is done.
   */
  save(call: Readonly<CallRecord>): Promise<void> {
    this.dirty.set(call.id, call);
    this.flushing ??= new Promise<void>((resolve) => setTimeout(resolve, this.windowMs)).then(() => this.flush());
    return this.flushing;
  }

  private async flush(): Promise<void> {
    const batch = this.dirty;
    const gone = this.gone;
    this.dirty = new Map();
    this.gone = new Set();
    this.flushing = undefined;
    if (batch.size === 0 && gone.size === 0) return;
    const m = this.redis.multi();
    for (const [id, call] of batch) m.set(this.keys.call(id), JSON.stringify(call), 'EX', this.ttlSec);
    if (batch.size) m.sadd(this.keys.liveCalls, ...batch.keys());
    if (gone.size) m.del(...[...gone].map((id) => this.keys.call(id))).srem(this.keys.liveCalls, ...gone);
    await m.exec();
  }

  /** A completed call's snapshot goes, with the window's saves (166 calls a second end at peak). */
  remove(id: string): Promise<void> {
    // A save still waiting for its window would bring the completed call back.
    this.dirty.delete(id);
    this.gone.add(id);
    this.flushing ??= new Promise<void>((resolve) => setTimeout(resolve, this.windowMs)).then(() => this.flush());
    return this.flushing;
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
