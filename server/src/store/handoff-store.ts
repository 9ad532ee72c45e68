// Handoffs with partner hotlines in Redis. A handoff is one hash (`json`, `rev`); every change is a
// compare-and-set on rev that also counts the day's diversion figures in the same script, so two
// instances following the same call never count a transition twice. Records live 7 days.
import type { Redis } from 'ioredis';
import type { Handoff } from '../handoff/handoff.ts';
import type { RedisKeys } from './keys.ts';

const TTL_SEC = 7 * 86_400;

/**
 * KEYS[1] handoff hash, KEYS[2] figures hash, KEYS[3] open set. ARGV: expectRev ('' = create: must
 * not exist), json, ttl, open ('1' keep / '0' drop from the open set), createdMs, id, then
 * field/increment pairs for the figures. Returns the new rev, or 0 when it changed meanwhile.
 */
const WRITE = `
local cur = redis.call('HGET', KEYS[1], 'rev')
if ARGV[1] == '' then
  if cur then return 0 end
elseif cur ~= ARGV[1] then return 0 end
local rev = tonumber(cur or '0') + 1
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'rev', rev)
redis.call('EXPIRE', KEYS[1], ARGV[3])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[3], ARGV[5], ARGV[6]) else redis.call('ZREM', KEYS[3], ARGV[6]) end
for i = 7, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
if #ARGV >= 7 then redis.call('EXPIRE', KEYS[2], 400 * 86400) end
return rev
`;

export interface StoredHandoff {
  readonly handoff: Handoff;
  readonly rev: number;
}

export class HandoffStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async get(id: string): Promise<StoredHandoff | undefined> {
    const [json, rev] = await this.redis.hmget(this.keys.handoff(id), 'json', 'rev');
    return json && rev ? { handoff: JSON.parse(json) as Handoff, rev: Number(rev) } : undefined;
  }

  /**
   * Write a handoff if it is still at `expectRev` (undefined: new), counting `figures` for its day.
   * Returns the new rev, or undefined when another writer got there first.
   */
  async write(h: Handoff, expectRev: number | undefined, day: string, figures: Record<string, number> = {}, open = true): Promise<number | undefined> {
    const pairs = Object.entries(figures).flatMap(([k, v]) => [k, String(v)]);
    const rev = await this.redis.eval(WRITE, 3, this.keys.handoff(h.id), this.keys.handoffFigures(h.partner, day), this.keys.handoffOpen, expectRev === undefined ? '' : String(expectRev), JSON.stringify(h), String(TTL_SEC), open ? '1' : '0', String(h.createdMs), h.id, ...pairs);
    if (Number(rev) === 0) return undefined;
    if (expectRev === undefined) await this.redis.multi().zadd(this.keys.handoffList(h.partner), h.createdMs, h.id).zremrangebyscore(this.keys.handoffList(h.partner), '-inf', h.createdMs - TTL_SEC * 1000).exec();
    return Number(rev);
  }

  /** Reserve a partner's case id for this handoff; false if the case was announced already. */
  async reserveCase(partner: string, caseId: string, id: string): Promise<boolean> {
    return (await this.redis.set(this.keys.handoffCase(partner, caseId), id, 'EX', TTL_SEC, 'NX')) === 'OK';
  }

  async byCase(partner: string, caseId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.handoffCase(partner, caseId))) ?? undefined;
  }

  /** The caller number is expected within `windowSec`; a newer announcement for the same number wins. */
  async expectCaller(partner: string, number: string, id: string, windowSec: number): Promise<void> {
    await this.redis.set(this.keys.handoffCaller(partner, number), id, 'EX', windowSec);
  }

  /** The handoff announced for this number within the window, taken (so one call matches it). */
  async takeCaller(partner: string, number: string): Promise<string | undefined> {
    return (await this.redis.getdel(this.keys.handoffCaller(partner, number))) ?? undefined;
  }

  async linkCall(callId: string, id: string): Promise<void> {
    await this.redis.set(this.keys.handoffCall(callId), id, 'EX', TTL_SEC);
  }

  async byCall(callId: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.handoffCall(callId))) ?? undefined;
  }

  /** A partner's handoffs created since `sinceMs`, newest first. */
  async list(partner: string, sinceMs: number, limit = 200): Promise<Handoff[]> {
    const ids = await this.redis.zrevrangebyscore(this.keys.handoffList(partner), '+inf', String(sinceMs), 'LIMIT', '0', String(limit));
    return this.many(ids);
  }

  /** Handoffs not yet ended (announced, queued, ringing, answered). */
  async open(): Promise<Handoff[]> {
    return this.many(await this.redis.zrange(this.keys.handoffOpen, '0', '-1'));
  }

  async figures(partner: string, day: string): Promise<Record<string, number>> {
    const h = await this.redis.hgetall(this.keys.handoffFigures(partner, day));
    return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)]));
  }

  /** Count figures for a partner's day without a handoff record (transfers out, three-way calls). */
  async count(partner: string, day: string, figures: Record<string, number>): Promise<void> {
    const key = this.keys.handoffFigures(partner, day);
    const m = this.redis.multi();
    for (const [field, n] of Object.entries(figures)) m.hincrby(key, field, n);
    await m.expire(key, 400 * 86_400).exec();
  }

  private async many(ids: readonly string[]): Promise<Handoff[]> {
    if (!ids.length) return [];
    const m = this.redis.multi();
    for (const id of ids) m.hget(this.keys.handoff(id), 'json');
    const res = (await m.exec()) ?? [];
    return res.map(([, json]) => (typeof json === 'string' ? (JSON.parse(json) as Handoff) : undefined)).filter((h): h is Handoff => h !== undefined);
  }
}
